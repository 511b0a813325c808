"""One end-to-end test per CLI command."""

import json
import subprocess
import sys

import pandas as pd
from click.testing import CliRunner

from simulacra.cli import cli as main
from simulacra.io import read_table


def run(args, cwd=None):
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def test_demo(tmp_path):
    out = run(["demo", "-d", str(tmp_path), "--seed", "1"])
    assert "Column Shapes" in out and "Column Pair Trends" in out and "overall" in out
    syn = read_table(tmp_path / "synthetic_penguins.csv")
    assert len(syn) == 344 and "species" in syn.columns
    assert (tmp_path / "penguins_model.zip").exists()


def test_demo_with_another_synthesizer(tmp_path):
    out = run(["demo", "-d", str(tmp_path), "--synthesizer", "cart"])
    assert "CARTSynthesizer" in out and (tmp_path / "penguins_model.zip").exists()


def test_metadata_fit_sample_evaluate(tmp_path, penguins):
    data = tmp_path / "penguins.csv"
    penguins.to_csv(data, index=False)
    meta = tmp_path / "meta.json"
    run(["metadata", str(data), "-o", str(meta)])
    assert json.loads(meta.read_text())["tables"]["penguins"]["columns"]["species"]["sdtype"] == "categorical"
    model = tmp_path / "model.zip"
    run(["fit", str(data), "-o", str(model), "--metadata", str(meta), "--synthesizer", "gaussian_copula"])
    syn = tmp_path / "syn.parquet"
    run(["sample", str(model), "-n", "5000", "-o", str(syn), "--seed", "4", "--batch-size", "1000"])
    df = pd.read_parquet(syn)
    assert len(df) == 5000
    syn2 = tmp_path / "syn2.csv"
    run(["sample", str(model), "-n", "5000", "-o", str(syn2), "--seed", "4", "--batch-size", "1000"])
    assert read_table(syn2)["species"].tolist() == df["species"].tolist()
    out = run(["evaluate", str(data), str(syn2), "--metadata", str(meta), "--json"])
    scores = json.loads(out)
    assert 0.8 < scores["overall"] <= 1.0


def test_unknown_synthesizer_one_line(tmp_path, penguins):
    data = tmp_path / "p.csv"
    penguins.to_csv(data, index=False)
    r = subprocess.run(
        [sys.executable, "-m", "simulacra", "fit", str(data), "-o", str(tmp_path / "m.zip"), "-s", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0 and "unknown synthesizer 'nope'" in r.stderr
    assert "Traceback" not in r.stderr


def test_entry_point_usage_error_is_one_line(capsys):
    import pytest

    from simulacra.cli import main as entry

    with pytest.raises(SystemExit) as e:
        entry(["sample"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and err.startswith("error: Missing argument 'MODEL'") and "simulacra sample --help" in err
    )
    assert entry(["--version"]) == 0 and entry(["synthesizers"]) == 0
    assert "gaussian_copula" in capsys.readouterr().out


def test_every_command_is_listed_in_help():
    out = run(["--help"])
    for name in ("demo", "metadata", "fit", "sample", "evaluate", "report", "fake", "synthesizers"):
        assert name in out
    for cmd, opts in {
        "fit": ("--epochs", "--param", "--sep", "--overwrite"),
        "sample": ("--overwrite",),
        "metadata": ("--sep",),
        "evaluate": ("--sep",),
        "report": ("--sep", "--overwrite"),
        "fake": ("--overwrite",),
        "demo": ("--epochs", "--param"),
    }.items():
        text = run([cmd, "--help"])
        assert all(o in text for o in opts), (cmd, text)


def test_plain_simulacra_prints_the_help(capsys):
    from simulacra.cli import main as entry

    assert entry([]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("Usage: simulacra") and "sample" in out.out and out.err == ""
