"""sample_given: rows conditioned on per-row context values (CART, Gaussian copula)."""

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.errors import ParameterError
from simulacra.synthesizers import CARTSynthesizer, GaussianCopulaSynthesizer

DF = pd.read_csv("/work/shared/datasets/penguins.csv")
MD = Metadata.detect_from_dataframe(DF)


@pytest.mark.parametrize(
    "cls,kw,tol",
    [
        # the conditioning itself, on a faithful model: the privacy check grows CART's leaves to 80 rows
        # on these 344 rows, which blurs body mass given the species (10% off: the quality it costs)
        (CARTSynthesizer, {"privacy_check": False}, 0.05),
        (CARTSynthesizer, {}, 0.15),
        (GaussianCopulaSynthesizer, {}, 0.10),
    ],
)
def test_categorical_context(cls, kw, tol, tmp_path):
    s = cls(MD, **kw).fit(DF, context_columns=["species", "island"])
    assert s.context_columns == ["species", "island"]
    ctx = pd.DataFrame({"species": ["Gentoo"] * 400, "island": ["Biscoe"] * 400})
    out = s.sample_given(ctx, seed=1)
    assert len(out) == 400 and list(out.index) == list(range(400)) and list(out.columns) == list(DF.columns)
    assert (out["species"] == "Gentoo").all() and (out["island"] == "Biscoe").all()
    real = DF.groupby("species").body_mass_g.mean()
    assert abs(out.body_mass_g.mean() / real["Gentoo"] - 1) < tol
    assert out.body_mass_g.mean() - real["Adelie"] > 800
    assert out.equals(s.sample_given(ctx, seed=1))
    odd = pd.DataFrame({"species": ["Martian", None, "Adelie"], "island": ["Biscoe", "Dream", np.nan]})
    assert len(s.sample_given(odd, seed=3)) == 3
    s.save(tmp_path / "m.zip")
    t = cls.load(tmp_path / "m.zip")
    assert t.context_columns == ["species", "island"]
    assert t.sample_given(ctx, seed=1).equals(out)


@pytest.mark.parametrize("cls", [CARTSynthesizer, GaussianCopulaSynthesizer])
def test_numeric_context(cls):
    s = cls(MD).fit(DF, context_columns=["flipper_length_mm"])
    ctx = DF[["flipper_length_mm"]].dropna().sample(800, replace=True, random_state=0)
    out = s.sample_given(ctx, seed=2)
    assert (out.flipper_length_mm.to_numpy() == ctx.flipper_length_mm.to_numpy()).all()
    ok = out.body_mass_g.notna().to_numpy()
    assert np.corrcoef(ctx.flipper_length_mm.to_numpy()[ok], out.body_mass_g[ok])[0, 1] > 0.7
    assert len(s.sample_given(pd.DataFrame({"flipper_length_mm": [np.nan, 1000.0, 100.0]}), seed=3)) == 3


def test_bad_context_columns():
    with pytest.raises(ParameterError, match="nope"):
        CARTSynthesizer(MD).fit(DF, context_columns=["nope"])
    s = GaussianCopulaSynthesizer(MD).fit(DF)
    assert s.context_columns is None
    with pytest.raises(ParameterError, match="context_columns"):
        s.sample_given(DF[["species"]])
