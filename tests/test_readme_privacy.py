"""The README's "Privacy" examples run as written: the Python block and its command lines."""

from pathlib import Path

import pandas as pd
import pytest

from .test_readme import code_blocks, commands, readme_section, run_cli

SECTION = "Privacy: measured against a holdout, held down at fit"
REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared" / "datasets").resolve()
if not SHARED.exists():
    pytest.skip("../shared/datasets is not present", allow_module_level=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_privacy_example(monkeypatch, capsys, seed):
    (block,) = code_blocks(readme_section(SECTION), "python")
    assert block.count("seed=0") == 1 and block.count("holdout=0.2)") == 1
    block = block.replace("seed=0", f"seed={seed}").replace("holdout=0.2)", f"holdout=0.2, seed={seed})")
    monkeypatch.chdir(REPO)  # the block reads ../shared/datasets, as from a checkout
    ns: dict = {}
    exec(compile(block, "README.md (Privacy)", "exec"), ns)
    out = capsys.readouterr().out
    assert "DCR share" in out and "synthetic to training" in out and "holdout to training" in out
    synth, report = ns["synth"], ns["report"]
    info = synth.get_info()["privacy_check"]
    assert info["passed"] and info["level"] > 0  # CART memorizes these days a little: the check acted
    assert len(synth.holdout_data_) == round(0.2 * len(ns["real"]))
    r = report.results
    assert r["distance_sample_holdout_rows"] == r["dcr_share_training_rows"] == len(synth.holdout_data_)


def test_privacy_cli_lines(in_tmp):
    section = readme_section(SECTION)
    blocks = [b for b in code_blocks(section.replace("\n  ", "\n"), "bash")]
    (block,) = blocks
    lines = commands(block)
    assert len(lines) == 3
    outs = [run_cli([a.replace("../shared/datasets/", f"{SHARED}/") for a in args[1:]]).output for args in lines]
    assert "1169 rows" in outs[0] and "292 holdout rows kept out" in outs[0] and "privacy check: DCR share" in outs[0]
    train, hold = pd.read_csv(in_tmp / "split" / "train.csv"), pd.read_csv(in_tmp / "split" / "holdout.csv")
    assert len(train) == 1169 and len(hold) == 292
    page = (in_tmp / "report.html").read_text()
    assert "Distances to the training rows" in page and "dcr_share" in page and "membership_auc" in page
