"""The README's "Scale" examples run as written: the Python block (seeds 0-2) and its CLI lines."""

import pandas as pd
import pytest

from .test_readme import code_blocks, commands, readme_section, run_cli

pytest.importorskip("dask")
pytest.importorskip("distributed")

SECTION = "Scale: data larger than memory, on Dask"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scale_example(in_tmp, capsys, seed):
    (block,) = code_blocks(readme_section(SECTION), "python")
    assert block.count("seed=0") == 2
    ns: dict = {}
    exec(compile(block.replace("seed=0", f"seed={seed}"), "README.md (Scale)", "exec"), ns)
    out = capsys.readouterr().out
    assert "from per-partition statistics of all 17,200 rows" in out
    synth, report = ns["synth"], ns["report"]
    assert synth.get_info()["source_info"]["fitted_rows"] == 17_200
    back = pd.read_parquet(in_tmp / "synthetic")
    assert len(back) == 200_000 and list(back.columns) == list(ns["real"].columns)
    # the workers' rows are the one-process rows of the same seed and batch size
    same = synth.sample(200_000, seed=seed, batch_size=50_000)
    pd.testing.assert_frame_equal(
        back.astype(object).where(back.notna(), None), same.astype(object).where(same.notna(), None)
    )
    assert report.get_score() > 0.8
    assert report.sample_sizes["real_rows"] == 17_200 and report.sample_sizes["synthetic_rows"] == 200_000


def test_scale_cli_lines(in_tmp):
    section = readme_section(SECTION)
    (schema,) = code_blocks(section, "yaml")
    (in_tmp / "events.yaml").write_text(schema)
    (block,) = code_blocks(section, "bash")
    lines = commands(block)
    assert len(lines) == 4
    outputs = []
    for args in lines:
        outputs.append(run_cli(args[1:]))
    events, synthetic = pd.read_parquet(in_tmp / "events"), pd.read_parquet(in_tmp / "synthetic")
    assert len(events) == len(synthetic) == 100_000
    assert events["event_id"].is_unique
    assert set(synthetic["channel"]) <= {"web", "app", "store"}
