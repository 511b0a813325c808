import warnings

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata, evaluate_quality
from simulacra.errors import MetadataError
from simulacra.io import read_table

from ..conftest import DATASETS, catalog_metadata, dataset_names, need_datasets


def _meta(real):
    return {
        "columns": {
            c: {"sdtype": "numerical" if pd.api.types.is_numeric_dtype(real[c]) else "categorical"}
            for c in real.columns
        }
    }


@pytest.fixture(scope="module")
def raw_penguins():
    need_datasets()
    return pd.read_csv(DATASETS / "penguins.csv")


def test_known_answers_shuffle(raw_penguins):
    real = raw_penguins
    rng = np.random.default_rng(0)
    syn = pd.DataFrame({c: real[c].to_numpy()[rng.permutation(len(real))] for c in real.columns})
    r = evaluate_quality(real, syn, _meta(real), verbose=False)
    assert r.get_score() == pytest.approx(0.8341775628, abs=1e-9)
    props = r.get_properties()
    assert props["Score"].tolist() == pytest.approx([1.0, 0.6683551256], abs=1e-9)
    r_all = evaluate_quality(real, syn, _meta(real), verbose=False, pair_threshold=False)
    assert r_all.get_properties()["Score"].iloc[1] == pytest.approx(0.7728302470, abs=1e-9)
    details = r.get_details("Column Pair Trends")
    row = details[(details["Column 1"] == "species") & (details["Column 2"] == "island")].iloc[0]
    assert row["Score"] == pytest.approx(0.642442, abs=1e-6)
    assert row["Real Association"] == pytest.approx(0.659843, abs=1e-6)


def test_known_answers_bootstrap(raw_penguins):
    real = raw_penguins
    rng = np.random.default_rng(0)
    syn = real.iloc[rng.integers(0, len(real), len(real))].reset_index(drop=True)
    r = evaluate_quality(real, syn, _meta(real), verbose=False)
    assert r.get_score() == pytest.approx(0.9456791584, abs=1e-9)


def test_identical_data_scores_one(penguins, penguins_metadata):
    r = evaluate_quality(penguins, penguins.copy(), penguins_metadata, verbose=False)
    assert r.get_score() == pytest.approx(1.0)


def test_independent_columns_lower_pair_trends(penguins, penguins_metadata):
    rng = np.random.default_rng(1)
    shuffled = pd.DataFrame({c: penguins[c].to_numpy()[rng.permutation(len(penguins))] for c in penguins.columns})
    good = evaluate_quality(penguins, penguins.sample(frac=1, random_state=0), penguins_metadata, verbose=False)
    bad = evaluate_quality(penguins, shuffled, penguins_metadata, verbose=False)
    assert bad.get_properties()["Score"].iloc[1] < good.get_properties()["Score"].iloc[1] - 0.2


def test_missing_metadata_column(penguins):
    meta = {"columns": {"nope": {"sdtype": "numerical"}}}
    with pytest.raises(MetadataError, match="'nope'"):
        evaluate_quality(penguins, penguins, meta, verbose=False)


@pytest.mark.parametrize("file", dataset_names())
def test_agrees_with_sdmetrics(file):
    """Our scores equal SDMetrics' QualityReport within 0.01 on every shared dataset."""
    need_datasets()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sdm = pytest.importorskip("sdmetrics.reports.single_table")
    real = read_table(DATASETS / file)
    if len(real) > 5000:
        real = real.iloc[:5000].reset_index(drop=True)
    meta = catalog_metadata(file)
    md = Metadata.load_from_dict(meta)
    syn = GaussianCopulaSynthesizer(md).fit(real).sample(len(real), seed=0)
    ours = evaluate_quality(real, syn, md, verbose=False)
    theirs = sdm.QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.generate(real, syn, meta, verbose=False)
    a, b = ours.get_score(), theirs.get_score()
    if np.isnan(b):
        assert np.isnan(a)
        return
    assert a == pytest.approx(b, abs=0.01)
    for prop in ("Column Shapes", "Column Pair Trends"):
        pa = ours.get_properties().set_index("Property").loc[prop, "Score"]
        pb = theirs.get_properties().set_index("Property").loc[prop, "Score"]
        assert (np.isnan(pa) and np.isnan(pb)) or pa == pytest.approx(pb, abs=0.01), prop


def test_pairwise_pearson_matches_per_pair_complete_rows():
    from simulacra.utils.stats import pairwise_pearson

    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 5))
    X[:, 1] += 2 * X[:, 0]
    X[:, 2] += 1e7  # far from zero: the sums must not cancel
    X[:, 4] = 3.0  # constant: no correlation
    X[rng.random(X.shape) < 0.25] = np.nan
    R = pairwise_pearson(X)
    for i in range(4):
        for j in range(4):
            ok = ~np.isnan(X[:, i]) & ~np.isnan(X[:, j])
            assert R[i, j] == pytest.approx(np.corrcoef(X[ok, i], X[ok, j])[0, 1], abs=1e-9)
    assert np.isnan(R[4, :]).all() and np.isnan(R[:, 4]).all()
