"""BaseSynthesizer.impute: only missing learned cells change, each drawn given the row's present cells."""

import numpy as np
import pandas as pd
import pytest

from simulacra import (
    BayesianNetworkSynthesizer,
    CARTSynthesizer,
    GaussianCopulaSynthesizer,
    Metadata,
)
from simulacra.errors import ConstraintError, InvalidDataError, NotFittedError

LEARNED = ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year"]


def blank(df, share, seed=0, columns=None):
    """``df`` with about ``share`` of the cells of ``columns`` (default all) set missing."""
    rng = np.random.default_rng(seed)
    out = df.copy()
    for c in columns or list(df.columns):
        out.loc[rng.random(len(df)) < share, c] = None
    return out


@pytest.fixture(scope="session")
def penguins_blank(penguins):
    return blank(penguins, 0.15)


def _tvae(md):
    pytest.importorskip("torch")
    from simulacra import TVAESynthesizer

    return TVAESynthesizer(md, epochs=3, batch_size=100, cuda=False)


MODELS = {
    "cart": lambda md: CARTSynthesizer(md),
    "copula": lambda md: GaussianCopulaSynthesizer(md),
    "network": lambda md: BayesianNetworkSynthesizer(md),
    "tvae": _tvae,
}


@pytest.fixture(scope="session", params=list(MODELS))
def fitted(request, penguins, penguins_metadata):
    return MODELS[request.param](penguins_metadata).fit(penguins)


def test_only_missing_cells_change_and_none_is_left(fitted, penguins, penguins_blank):
    out = fitted.impute(penguins_blank, seed=1)
    assert list(out.columns) == list(penguins_blank.columns)
    assert out.index.equals(penguins_blank.index)
    for c in penguins_blank.columns:
        present = penguins_blank[c].notna()
        assert out[c].dtype == penguins_blank[c].dtype, c
        pd.testing.assert_series_equal(out[c][present], penguins_blank[c][present])
        assert out[c].notna().all(), c
        filled = out[c][~present]
        if penguins[c].dtype == object:
            assert set(filled) <= set(penguins[c].dropna()), c
        else:
            assert filled.between(penguins[c].min(), penguins[c].max()).all(), c
    assert penguins_blank.notna().all(axis=1).sum() > 0  # full rows were there, and kept
    full = penguins_blank.notna().all(axis=1)
    pd.testing.assert_frame_equal(out[full], penguins_blank[full])


def test_same_seed_same_values_other_seed_other_values(penguins, penguins_metadata, penguins_blank):
    s = CARTSynthesizer(penguins_metadata).fit(penguins)
    a = s.impute(penguins_blank, seed=3)
    pd.testing.assert_frame_equal(a, s.impute(penguins_blank, seed=3))
    assert not a.equals(s.impute(penguins_blank, seed=4))
    pd.testing.assert_frame_equal(penguins_blank, blank(penguins, 0.15))  # the input is not changed


@pytest.fixture(scope="module")
def linked():
    """b = 3a + noise: an imputed b must follow its row's a (and a its row's b)."""
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 10, 400)
    df = pd.DataFrame({"a": a.round(3), "b": (3 * a + rng.normal(0, 0.3, 400)).round(3)})
    df["g"] = np.where(df["a"] > 5, "high", "low")
    return df


@pytest.mark.parametrize("cls", [CARTSynthesizer, GaussianCopulaSynthesizer, BayesianNetworkSynthesizer])
@pytest.mark.parametrize("target", ["a", "b", "g"])
def test_imputation_is_conditional(cls, target, linked):
    s = cls(Metadata.detect_from_dataframe(linked), learn_rules=False).fit(linked)
    holes = blank(linked, 0.3, seed=2, columns=[target])
    out = s.impute(holes, seed=0)
    m = holes[target].isna()
    if target == "g":  # the category follows a (and b); by chance half would match
        floor = 0.65 if cls is GaussianCopulaSynthesizer else 0.85  # the copula's categories correlate loosely
        assert (out.loc[m, "g"] == linked.loc[m, "g"]).mean() > floor
        return
    other = "b" if target == "a" else "a"
    err = np.abs(out.loc[m, target] - linked.loc[m, target]).mean()
    marginal = np.abs(
        linked[target].sample(frac=1, random_state=0).to_numpy()[: m.sum()] - linked.loc[m, target]
    ).mean()
    # (CART's privacy check grows its leaves on these 400 rows of a line: a from b is 0.253 of the marginal error)
    assert err < 0.3 * marginal, (err, marginal)
    assert np.corrcoef(out.loc[m, target], out.loc[m, other])[0, 1] > 0.9


def test_rows_with_every_learned_cell_missing_are_sampled(penguins, penguins_metadata):
    s = GaussianCopulaSynthesizer(penguins_metadata).fit(penguins)
    holes = penguins.dropna().head(20).copy()
    holes.loc[holes.index[:5], LEARNED] = None
    out = s.impute(holes, seed=0)
    assert out.notna().all().all()
    pd.testing.assert_frame_equal(out.iloc[5:], holes.iloc[5:])


def test_index_and_generated_columns_are_kept(penguins):
    df = penguins.head(120).copy()
    df.insert(0, "id", range(1000, 1120))
    df["note"] = [f"row {i}" for i in range(120)]
    md = Metadata.detect_from_dataframe(df)
    md.update_column("id", sdtype="id")
    md.set_primary_key("id")
    md.update_column("note", sdtype="text")
    s = CARTSynthesizer(md).fit(df)
    holes = blank(df, 0.2, seed=5, columns=LEARNED)
    holes.loc[holes.index[:3], "note"] = None
    holes.index = [f"r{i}" for i in range(len(holes))]
    out = s.impute(holes, seed=0)
    assert list(out.index) == list(holes.index)
    pd.testing.assert_series_equal(out["id"], holes["id"])
    pd.testing.assert_series_equal(out["note"], holes["note"])  # a generated column is left as it is
    assert out[LEARNED].notna().all().all()


def test_the_values_hook_fills_every_row_at_once(penguins, penguins_metadata, penguins_blank):
    calls = []

    class Hooked(GaussianCopulaSynthesizer):
        def _impute_values(self, known, missing, rng):
            calls.append((len(known), missing.shape))
            out = known.copy()
            for j, c in enumerate(known.columns):
                out.loc[missing[:, j], c] = penguins[c].dropna().iloc[0]
            return out

    s = Hooked(penguins_metadata).fit(penguins)
    out = s.impute(penguins_blank, seed=0)
    todo = int(penguins_blank.isna().any(axis=1).sum())
    assert calls == [(todo, (todo, len(LEARNED)))]
    assert out.notna().all().all()
    assert (out.loc[penguins_blank["island"].isna(), "island"] == penguins["island"].iloc[0]).all()


def test_errors(penguins, penguins_metadata, penguins_blank):
    s = CARTSynthesizer(penguins_metadata)
    with pytest.raises(NotFittedError):
        s.impute(penguins_blank)
    s.fit(penguins)
    with pytest.raises(InvalidDataError, match="'colour'"):
        s.impute(penguins_blank.assign(colour="red"))
    with pytest.raises(InvalidDataError, match="'sex'"):
        s.impute(penguins_blank.drop(columns="sex"))
    with pytest.raises(InvalidDataError, match="DataFrame"):
        s.impute([1, 2])
    bad = penguins_blank.copy()
    bad.loc[bad.index[7], "species"] = "Dodo"
    bad.loc[bad.index[7], "sex"] = None
    with pytest.raises(ConstraintError, match=r"row 7 has species='Dodo'"):
        s.impute(bad, seed=0)
    full = penguins.dropna().head(5)
    assert s.impute(full).equals(full)  # nothing missing: nothing to draw
