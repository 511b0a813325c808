"""--epochs, --param NAME=VALUE and --sep."""

from __future__ import annotations

import json

import pytest

from simulacra.cli.options import parse_params
from simulacra.errors import ParameterError
from simulacra.synthesizers.base import BaseSynthesizer

from .conftest import assert_one_error_line, invoke


def test_parse_params_json_else_text():
    got = parse_params(
        ["epochs=5", "generator_dim=[64, 64]", "verbose=true", "locales=de_DE", "cuda=cpu", "x=", "lr=2e-4"]
    )
    assert got == {
        "epochs": 5,
        "generator_dim": [64, 64],
        "verbose": True,
        "locales": "de_DE",
        "cuda": "cpu",
        "x": "",
        "lr": 2e-4,
    }
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_params(["epochs"])
    with pytest.raises(ParameterError, match="twice"):
        parse_params(["a=1", "a=2"])
    with pytest.raises(ParameterError, match="not valid JSON"):
        parse_params(["generator_dim=[64,"])


def test_param_sets_any_synthesizer_parameter(tmp_path, model_dir):
    out = tmp_path / "m.zip"
    r = invoke(
        "fit",
        model_dir / "penguins.csv",
        "-o",
        out,
        "-s",
        "cart",
        "--param",
        "max_depth=3",
        "--param",
        "enforce_rounding=false",
    )
    assert r.exit_code == 0, r.output
    synth = BaseSynthesizer.load(out)
    assert synth.get_parameters()["max_depth"] == 3 and synth.enforce_rounding is False


def test_unknown_param_lists_the_parameters(tmp_path, model_dir):
    line = assert_one_error_line(
        invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "m.zip", "-s", "cart", "--param", "depth=3")
    )
    assert "'depth'" in line and "max_depth" in line and "min_samples_leaf" in line


def test_epochs_for_a_neural_synthesizer(tmp_path, model_dir):
    pytest.importorskip("torch")
    out = tmp_path / "m.zip"
    r = invoke(
        "fit",
        model_dir / "penguins.csv",
        "-o",
        out,
        "-s",
        "ctgan",
        "--epochs",
        "1",
        "--param",
        "batch_size=40",
        "--param",
        "pac=4",
        "--param",
        "generator_dim=[16]",
        "--param",
        "discriminator_dim=[16]",
        "--param",
        "embedding_dim=8",
    )
    assert r.exit_code == 0, r.output
    synth = BaseSynthesizer.load(out)
    assert synth.epochs == 1 and list(synth.generator_dim) == [16] and len(synth.get_loss_values()) in (0, 1)
    line = assert_one_error_line(
        invoke(
            "fit",
            model_dir / "penguins.csv",
            "-o",
            tmp_path / "n.zip",
            "-s",
            "ctgan",
            "--epochs",
            "1",
            "--param",
            "epochs=2",
        )
    )
    assert "once" in line
    assert_one_error_line(invoke("demo", "-d", tmp_path, "--epochs", "3"), "has no epochs")


def test_bad_param_value_is_one_line(tmp_path, model_dir):
    line = assert_one_error_line(
        invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "m.zip", "--param", "numerical_distributions=7")
    )
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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("False", False),
        ("false", False),
        ("no", False),
        ("NO", False),
        ("0", False),
        ("off", False),
        ("True", True),
        ("yes", True),
        ("1", True),
        ("true", True),
    ],
)
def test_boolean_params_take_the_usual_spellings_never_inverted(tmp_path, model_dir, text, expected):
    out = tmp_path / "m.zip"
    r = invoke("fit", model_dir / "penguins.csv", "-o", out, "--param", f"enforce_min_max_values={text}")
    assert r.exit_code == 0, r.output
    assert BaseSynthesizer.load(out).enforce_min_max_values is expected  # bool("False") was True


@pytest.mark.parametrize(
    "param", ["enforce_rounding=maybe", "enforce_min_max_values=2", "pseudonymize=[true]", 'smoothing="no way"']
)
def test_a_boolean_param_that_is_not_a_truth_value_is_one_line(tmp_path, model_dir, param):
    line = assert_one_error_line(
        invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "m.zip", "-s", "cart", "--param", param)
    )
    name = param.split("=")[0]
    assert f"--param {name}=" in line and "true or false" in line and "yes/no" in line
    assert not (tmp_path / "m.zip").exists()


def test_unknown_locale_param_is_refused_as_fake_refuses_it(tmp_path, model_dir):
    line = assert_one_error_line(
        invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "m.zip", "--param", "locales=xx_YY")
    )
    assert "unknown locale 'xx_YY'" in line and "en_US" in line
    r = invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "m.zip", "--param", 'locales=["de_DE", "fr-FR"]')
    assert r.exit_code == 0, r.output
    assert BaseSynthesizer.load(tmp_path / "m.zip").locales == ["de_DE", "fr_FR"]


def test_absurd_embedding_dim_is_one_line_before_any_work(tmp_path, model_dir):
    pytest.importorskip("torch")
    line = assert_one_error_line(
        invoke(
            "fit",
            model_dir / "penguins.csv",
            "-o",
            tmp_path / "m.zip",
            "-s",
            "ctgan",
            "--param",
            "embedding_dim=100000000",
        )
    )
    assert "embedding_dim must be an integer from 1 to 65,536" in line
    assert not (tmp_path / "m.zip").exists()


def test_cuda_true_without_a_gpu_warns_once_and_uses_the_cpu(tmp_path, model_dir, monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    out = tmp_path / "m.zip"
    r = invoke(
        "fit",
        model_dir / "penguins.csv",
        "-o",
        out,
        "-s",
        "tvae",
        "--epochs",
        "1",
        "--param",
        "cuda=true",
        "--param",
        "compress_dims=[8]",
        "--param",
        "decompress_dims=[8]",
        "--param",
        "embedding_dim=4",
        "--param",
        "batch_size=50",
    )
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines() == ["warning: --param cuda=true: no CUDA device is available; training on the CPU"]
    assert BaseSynthesizer.load(out)._device == "cpu"
    r = invoke(
        "fit",
        model_dir / "penguins.csv",
        "-o",
        tmp_path / "n.zip",
        "-s",
        "tvae",
        "--epochs",
        "1",
        "--param",
        "cuda=false",
        "--param",
        "compress_dims=[8]",
        "--param",
        "decompress_dims=[8]",
        "--param",
        "embedding_dim=4",
        "--param",
        "batch_size=50",
    )
    assert r.exit_code == 0 and r.stderr == "", r.output


def test_preset_and_an_explicit_synthesizer_exclude_each_other(tmp_path, model_dir):
    for s in ("cart", "gaussian_copula"):
        r = invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "m.zip", "--preset", "fast", "-s", s)
        line = assert_one_error_line(r)
        assert r.exit_code == 2 and "--preset fast and -s/--synthesizer" in line and "exclude each other" in line
    assert not (tmp_path / "m.zip").exists()
    r = invoke("fit", model_dir / "penguins.csv", "-o", tmp_path / "m.zip", "--preset", "best")
    assert r.exit_code == 0, r.output
    assert BaseSynthesizer.load(tmp_path / "m.zip").name == "cart"
