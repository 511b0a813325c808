"""Wide tables (many more columns than rows): the Gaussian copula's factor model, end to end."""

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.errors import ModelFileError
from simulacra.evaluation import QualityReport
from simulacra.evaluation.report import build_report
from simulacra.synthesizers import gaussian_copula as gc


def make_wide(rows: int, cols: int, seed: int = 0) -> pd.DataFrame:
    """Floats and integers driven by a few shared factors, some text categories, every 20th column with missing values."""
    rng = np.random.default_rng(seed)
    factors = rng.standard_normal((rows, 3))
    kinds = rng.choice(["float", "int", "cat"], size=cols, p=[0.6, 0.28, 0.12])
    data = {}
    for j, kind in enumerate(kinds):
        z = factors @ rng.normal(size=3) + rng.standard_normal(rows)
        if kind == "float":
            s = pd.Series(np.round(z * rng.uniform(1, 50) + rng.uniform(-100, 100), 3))
        elif kind == "int":
            s = pd.Series(np.floor(z * rng.uniform(1, 20) + 50).astype(np.int64))
        else:
            levels = np.array([f"lvl_{chr(97 + i)}" for i in range(int(rng.integers(2, 6)))])
            s = pd.Series(levels[np.searchsorted(np.quantile(z, np.linspace(0, 1, len(levels) + 1)[1:-1]), z)])
        if j % 20 == 7:
            s = s.where(rng.random(rows) > 0.1)
        data[f"c{j:04d}_{kind}"] = s
    return pd.DataFrame(data)


@pytest.fixture(scope="module")
def wide():
    df = make_wide(50, 400)
    return df, Metadata.detect_from_dataframe(df)


@pytest.fixture(scope="module")
def fitted(wide):
    df, md = wide
    return GaussianCopulaSynthesizer(md).fit(df)


def test_wide_end_to_end(wide, fitted, tmp_path):
    df, md = wide
    assert fitted._factor is not None and fitted._correlation is None  # learned as a factor model
    syn = fitted.sample(60, seed=3)
    assert list(syn.columns) == list(df.columns)
    assert (syn.dtypes == df.dtypes).all()
    for c in df.columns:
        if df[c].dtype == object:
            assert set(syn[c].dropna()) <= set(df[c].dropna()), c
        else:
            lo, hi = df[c].min(), df[c].max()
            assert syn[c].min() >= lo and syn[c].max() <= hi, c
    missing = [c for c in df.columns if df[c].isna().any()]
    assert missing and syn[missing].isna().any().any()
    # same seed, same rows; through a model file too
    path = tmp_path / "wide.zip"
    fitted.save(path)
    assert path.stat().st_size < 2_000_000  # columns x factors, not columns x columns
    loaded = GaussianCopulaSynthesizer.load(path)
    pd.testing.assert_frame_equal(loaded.sample(60, seed=3), syn)
    # the quality report scores a stated sample of the pairs when there are more than max_pairs
    q = QualityReport(max_pairs=2_000, seed=1)
    q.generate(df, syn, md, verbose=False)
    total = 400 * 399 // 2
    assert q.pair_sampling == {"scored": 2_000, "total": total, "sampled": True, "seed": 1, "max_pairs": 2_000}
    assert len(q.get_details("Column Pair Trends")) == 2_000
    assert f"2,000 of the {total:,} column pairs" in q.summary()
    assert 0 < q.get_score() <= 1
    # the page says what it capped
    page = build_report(df, syn, md, max_pairs=2_000)
    assert "id='pair-sampling'" in page and f"2,000 of the {total:,} column pairs" in page
    assert "Showing the first 8 of 400 columns" not in page  # every plottable column is plotted (compact grid)
    assert "the first 50 of" in page  # correlation heatmap
    assert "the 60 lowest of 400" in page  # column shapes chart
    assert len(page) < 3_000_000


def test_factor_is_the_normal_score_correlation():
    """Without missing values the factor model's correlation is the Pearson correlation of the normal scores (as for ordinary tables), with the eigenvalue floor on the diagonal."""
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((30, 300)) @ np.diag(rng.uniform(0.5, 2, 300))
    Z[:, 5] = 0.7  # a constant column: independent of the others
    F = gc.normal_score_factor(Z)
    assert F.shape[0] == 300 and F.shape[1] < 30
    corr = F @ F.T
    expected = gc.normal_score_correlation(Z)
    off = ~np.eye(300, dtype=bool)
    np.testing.assert_allclose(corr[off], expected[off], atol=1e-6)
    assert np.all(F[5] == 0)
    residual = gc.factor_residual(F)
    assert residual.min() >= gc._FLOOR * 0.999 and residual[5] == 1.0
    np.testing.assert_allclose(np.diag(corr) + residual, 1.0)


def test_factor_with_missing_values_is_a_valid_correlation():
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((40, 500))
    Z[rng.random(Z.shape) < 0.3] = np.nan
    Z[:, 7] = np.nan  # an empty column
    F = gc.normal_score_factor(Z)
    corr = F @ F.T + np.diag(gc.factor_residual(F))
    np.testing.assert_allclose(np.diag(corr), 1.0)
    assert np.linalg.eigvalsh(corr).min() > 0  # positive definite
    assert np.all(F[7] == 0)


def test_narrow_tables_keep_the_full_correlation(penguins, penguins_metadata):
    assert not gc.is_wide(len(penguins), 10)
    assert not gc.is_wide(100, 200)  # fewer than WIDE_MIN_COLUMNS
    assert gc.is_wide(100, 300)
    synth = GaussianCopulaSynthesizer(penguins_metadata).fit(penguins)
    assert synth._factor is None and "correlation" in synth._get_model_state()


def test_wide_model_file_with_a_bad_factor_is_refused(fitted, tmp_path):
    state = fitted._get_model_state()
    other = GaussianCopulaSynthesizer(fitted.metadata)
    other._transformer = fitted._transformer
    bad = dict(state, factor=state["factor"] * 3)  # rows longer than 1: variances above 1
    with pytest.raises(ModelFileError, match="factor"):
        other._set_model_state(bad)
    with pytest.raises(ModelFileError, match="factor"):
        other._set_model_state(dict(state, factor=state["factor"][:-1]))
    other._set_model_state(state)
    corr = fitted.get_correlation().to_numpy()
    assert corr.shape == (len(state["names"]),) * 2 and np.allclose(np.diag(corr), 1.0)
    np.testing.assert_array_equal(other._correlation_matrix(), corr)


def test_wide_conditional_sampling(wide, fitted):
    df, _ = wide
    col = next(c for c in df.columns if c.endswith("_cat") and df[c].notna().all())
    value = df[col].iloc[0]
    out = fitted.sample_remaining_columns(pd.DataFrame({col: [value] * 5}), seed=0)
    assert len(out) == 5 and (out[col] == value).all()


def test_factor_conditional_is_the_gaussian_conditional(fitted):
    """Given some columns' scores, the factor model's other columns have the conditional mean and variance of the full correlation matrix."""
    d = len(fitted._names)
    C, R = [3, 10, 42], [j for j in range(d) if j not in (3, 10, 42)]
    zc = np.tile([[0.8, -1.2, 0.3]], (20_000, 1))
    Z = fitted._factor_given(C, R, zc, np.random.default_rng(0))
    S = fitted._correlation_matrix()  # F F' + D: unit diagonal
    A = S[np.ix_(R, C)] @ np.linalg.inv(S[np.ix_(C, C)])
    mean = A @ zc[0]
    var = np.diag(S[np.ix_(R, R)] - A @ S[np.ix_(C, R)])
    np.testing.assert_allclose(Z.mean(axis=1), mean, atol=0.05)
    np.testing.assert_allclose(Z.var(axis=1), var, atol=0.05)
