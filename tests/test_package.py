import subprocess
import sys

import pandas as pd

import simulacra


def test_import_is_light():
    code = "import sys, simulacra; print(sorted(m for m in ('pandas','scipy','sklearn','torch','matplotlib','sqlalchemy','faker') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_cli_help_does_not_import_heavy_modules():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom simulacra.cli import cli as main\n"
        "r = CliRunner().invoke(main, ['--help'])\nassert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('pandas','scipy','sklearn','torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_public_api_names():
    for name in [
        "Metadata",
        "GaussianCopulaSynthesizer",
        "SingleTablePreset",
        "evaluate_quality",
        "load_demo",
        "download_demo",
        "QualityReport",
    ]:
        assert getattr(simulacra, name) is not None
    assert "gaussian_copula" in simulacra.available_synthesizers()


def test_seed_walkthrough_runs_with_changed_imports(tmp_path):
    """The SDV walkthrough of the seeds (SDV 1 names), with only the imports changed."""
    from simulacra import SingleTablePreset, evaluate_quality
    from simulacra.datasets import download_demo

    real_data, metadata = download_demo(modality="single_table", dataset_name="penguins")
    synthesizer = SingleTablePreset(metadata, name="FAST_ML")
    synthesizer.fit(data=real_data)
    synthetic_data = synthesizer.sample(num_rows=500)
    assert len(synthetic_data) == 500
    assert list(synthetic_data.columns) == list(real_data.columns)
    quality_report = evaluate_quality(real_data, synthetic_data, metadata)
    assert 0.7 < quality_report.get_score() <= 1.0
    path = tmp_path / "my_synthesizer.pkl"
    synthesizer.save(str(path))
    synthesizer = SingleTablePreset.load(str(path))
    assert len(synthesizer.sample(num_rows=10)) == 10


def test_gaussian_copula_seed_options(penguins, penguins_metadata):
    """The seeds' GaussianCopulaSynthesizer call, with SDV's constructor names."""
    from simulacra import GaussianCopulaSynthesizer

    synthesizer = GaussianCopulaSynthesizer(
        penguins_metadata,
        enforce_min_max_values=True,
        enforce_rounding=False,
        numerical_distributions={"body_mass_g": "beta", "bill_length_mm": "uniform"},
        default_distribution="norm",
    )
    synthesizer.fit(penguins)
    learned = synthesizer.get_learned_distributions()
    assert learned["body_mass_g"]["distribution"] == "beta"
    assert learned["bill_length_mm"]["distribution"] == "uniform"
    assert learned["bill_depth_mm"]["distribution"] == "norm"
    assert len(synthesizer.sample(50, seed=1)) == 50


def test_sdv2_dict_spellings(penguins):
    from simulacra import GaussianCopulaSynthesizer, Metadata

    md = Metadata.detect_from_dataframes({"penguins": penguins})
    s = GaussianCopulaSynthesizer(md)
    s.fit({"penguins": penguins})
    assert isinstance(s.sample(5, seed=0), pd.DataFrame)


def test_seed_synthesizer_constructors(penguins, penguins_metadata):
    """The constructor calls of the seeds' SDV tour (column names adapted to the demo table)."""
    import pytest

    from simulacra import GaussianCopulaSynthesizer, SingleTablePreset

    SingleTablePreset(penguins_metadata, name="FAST_ML", locales=["en_US", "en_CA"]).fit(penguins).sample(5)
    GaussianCopulaSynthesizer(
        penguins_metadata,
        enforce_min_max_values=True,
        enforce_rounding=False,
        numerical_distributions={"body_mass_g": "beta", "flipper_length_mm": "uniform"},
        default_distribution="norm",
    ).fit(penguins).sample(5)
    pytest.importorskip("torch")
    from simulacra import CopulaGANSynthesizer, CTGANSynthesizer, TVAESynthesizer

    CTGANSynthesizer(penguins_metadata, enforce_rounding=False, epochs=2, verbose=True).fit(penguins).sample(5)
    TVAESynthesizer(penguins_metadata, enforce_min_max_values=True, enforce_rounding=False, epochs=2).fit(
        penguins
    ).sample(5)
    CopulaGANSynthesizer(
        penguins_metadata,
        enforce_min_max_values=True,
        enforce_rounding=False,
        numerical_distributions={"body_mass_g": "beta", "flipper_length_mm": "uniform"},
        epochs=2,
        verbose=True,
    ).fit(penguins).sample(5)


def test_subpackages_are_attributes_imported_on_first_use():
    code = (
        "import sys, simulacra\n"
        "before = [m for m in ('simulacra.augment', 'simulacra.constraints', 'simulacra.sampling') if m in sys.modules]\n"
        "assert simulacra.augment.__name__ == 'simulacra.augment'\n"
        "assert simulacra.constraints.Unique is not None and simulacra.sampling.Condition is simulacra.Condition\n"
        "print(before, 'augment' in dir(simulacra) and 'constraints' in dir(simulacra))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[] True"
