"""--epochs, --param NAME=VALUE and --sep."""

from __future__ import annotations

import json

import pytest

from simulacra.cli.options import parse_params
from simulacra.errors import ParameterError
from simulacra.synthesizers.base import BaseSynthesizer

from .conftest import assert_one_error_line, invoke


def test_parse_params_json_else_text():
    got = parse_params(["epochs=5", "generator_dim=[64, 64]", "verbose=true", "locales=de_DE", "cuda=cpu", "x=", "lr=2e-4"])
    assert got == {"epochs": 5, "generator_dim": [64, 64], "verbose": True, "locales": "de_DE", "cuda": "cpu", "x": "", "lr": 2e-4}
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_params(["epochs"])
    with pytest.raises(ParameterError, match="twice"):
        parse_params(["a=1", "a=2"])
    with pytest.raises(ParameterError, match="not valid JSON"):
        parse_params(["generator_dim=[64,"])


def test_param_sets_any_synthesizer_parameter(tmp_path, model_dir):
    out = tmp_path / "m.zip"
    r = invoke("fit", model_dir / "penguins.csv", "-o", out, "-s", "cart", "--param", "max_depth=3", "--param", "enforce_rounding=false")
    assert r.exit_code == 0, r.output
    synth = BaseSynthesizer.load(out)
    assert synth.get_parameters()["max_depth"] == 3 and synth.enforce_rounding is False


def test_unknown_param_lists_the_parameters(tmp_path, model_dir):
    line = assert_one_error_line(invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "m.zip", "-s", "cart", "--param", "depth=3"))
    assert "'depth'" in line and "max_depth" in line and "min_samples_leaf" in line


def test_epochs_for_a_neural_synthesizer(tmp_path, model_dir):
    pytest.importorskip("torch")
    out = tmp_path / "m.zip"
    r = invoke("fit", model_dir / "penguins.csv", "-o", out, "-s", "ctgan", "--epochs", "1", "--param", "batch_size=40", "--param", "pac=4",
               "--param", "generator_dim=[16]", "--param", "discriminator_dim=[16]", "--param", "embedding_dim=8")
    assert r.exit_code == 0, r.output
    synth = BaseSynthesizer.load(out)
    assert synth.epochs == 1 and list(synth.generator_dim) == [16] and len(synth.get_loss_values()) in (0, 1)
    line = assert_one_error_line(invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "n.zip", "-s", "ctgan", "--epochs", "1", "--param", "epochs=2"))
    assert "once" in line
    assert_one_error_line(invoke("demo", "-d", tmp_path, "--epochs", "3"), "has no epochs")


def test_bad_param_value_is_one_line(tmp_path, model_dir):
    line = assert_one_error_line(invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "m.zip", "--param", "numerical_distributions=7"))
    assert "numerical_distributions" in line or "GaussianCopula" in line
    assert not (tmp_path / "m.zip").exists()


@pytest.fixture()
def semicolons(tmp_path, penguins):
    p = tmp_path / "p.csv"
    penguins.to_csv(p, index=False, sep=";")
    return p


def test_sep_on_every_command_that_reads_data(tmp_path, semicolons, penguins):
    r = invoke("metadata", semicolons, "--sep", ";")
    assert r.exit_code == 0, r.output
    assert set(json.loads(r.stdout)["tables"]["p"]["columns"]) == set(penguins.columns)
    r = invoke("fit", semicolons, "--sep", ";", "-o", tmp_path / "m.zip")
    assert r.exit_code == 0 and "x 8 columns" in r.output, r.output
    r = invoke("sample", tmp_path / "m.zip", "-n", "100", "--seed", "0", "-o", tmp_path / "s.parquet")
    assert r.exit_code == 0, r.output
    # --sep goes to the CSV; the Parquet file is read as Parquet
    r = invoke("evaluate", semicolons, tmp_path / "s.parquet", "--sep", ";", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["overall"] > 0.5
    r = invoke("report", semicolons, tmp_path / "s.parquet", "--sep", ";", "-o", tmp_path / "r.html")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("<svg") >= 1
