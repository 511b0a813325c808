import pytest
from click.testing import CliRunner

from simulacra import CARTSynthesizer, GaussianCopulaSynthesizer, SingleTablePreset
from simulacra.cli import cli as main
from simulacra.errors import ParameterError
from simulacra.synthesizers import available, preset


def test_presets(penguins, penguins_metadata, tmp_path):
    assert isinstance(SingleTablePreset(penguins_metadata, name="FAST_ML"), GaussianCopulaSynthesizer)
    assert isinstance(preset(penguins_metadata, preset="fast"), GaussianCopulaSynthesizer)
    best = preset(penguins_metadata, preset="best")
    assert isinstance(best, CARTSynthesizer)
    best.fit(penguins)
    best.save(tmp_path / "b.zip")
    assert isinstance(SingleTablePreset.load(tmp_path / "b.zip"), CARTSynthesizer)
    with pytest.raises(ParameterError, match="unknown preset"):
        SingleTablePreset(penguins_metadata, name="slow")
    assert {"gaussian_copula", "cart"} <= set(available())


def test_cli_fit_with_preset_and_synthesizer(tmp_path, penguins):
    data = tmp_path / "p.csv"
    penguins.to_csv(data, index=False)
    for args in (["--preset", "best"], ["--synthesizer", "cart"]):
        r = CliRunner().invoke(main, ["fit", str(data), "-o", str(tmp_path / "m.zip"), "--overwrite", *args])
        assert r.exit_code == 0 and "CARTSynthesizer" in r.output, r.output
    r = CliRunner().invoke(main, ["synthesizers"])
    assert "cart" in r.output
