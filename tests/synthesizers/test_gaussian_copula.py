import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata, evaluate_quality
from simulacra.errors import NotFittedError, ParameterError
from simulacra.io import read_table

from ..conftest import DATASETS, catalog_metadata, dataset_names, need_datasets


@pytest.fixture(scope="module")
def fitted(penguins, penguins_metadata):
    return GaussianCopulaSynthesizer(penguins_metadata).fit(penguins)


def test_fidelity_penguins(penguins, penguins_metadata, fitted):
    syn = fitted.sample(2000, seed=0)
    report = evaluate_quality(penguins, syn, penguins_metadata, verbose=False)
    assert report.get_score() > 0.85
    shapes = report.get_details("Column Shapes")
    assert shapes["Score"].min() > 0.9
    # strong real relations survive: flipper length vs body mass
    r_real = penguins[["flipper_length_mm", "body_mass_g"]].astype(float).corr("spearman").iloc[0, 1]
    r_syn = syn[["flipper_length_mm", "body_mass_g"]].astype(float).corr("spearman").iloc[0, 1]
    assert abs(r_real - r_syn) < 0.1


def test_dtypes_missing_rates_and_bounds(penguins, fitted):
    syn = fitted.sample(20_000, seed=1)
    assert list(syn.columns) == list(penguins.columns)
    assert (syn.dtypes == penguins.dtypes).all()
    for c in penguins.columns:
        assert abs(syn[c].isna().mean() - penguins[c].isna().mean()) < 0.01, c
    for c in ["bill_length_mm", "body_mass_g", "year"]:
        assert syn[c].min() >= penguins[c].min() and syn[c].max() <= penguins[c].max()
    # one decimal in the real data -> one decimal in the samples
    v = syn["bill_length_mm"].dropna().to_numpy()
    assert np.allclose(v * 10, np.round(v * 10))
    assert set(syn["species"].unique()) == set(penguins["species"].unique())
    assert set(syn["sex"].dropna().unique()) == {"male", "female"}


def test_same_seed_same_rows(penguins, penguins_metadata, fitted):
    a = fitted.sample(500, seed=7)
    b = fitted.sample(500, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert a.to_csv().encode() == b.to_csv().encode()
    c = fitted.sample(500, seed=8)
    assert not a.equals(c)
    # same data, same fitted model
    other = GaussianCopulaSynthesizer(penguins_metadata).fit(penguins)
    pd.testing.assert_frame_equal(other.sample(500, seed=7), a)
    np.testing.assert_array_equal(other.get_correlation().to_numpy(), fitted.get_correlation().to_numpy())


def test_batches_are_deterministic_and_bounded(fitted):
    whole = fitted.sample(2500, seed=3, batch_size=1000)
    batches = list(fitted.iter_batches(2500, seed=3, batch_size=1000))
    assert [len(b) for b in batches] == [1000, 1000, 500]
    pd.testing.assert_frame_equal(pd.concat(batches, ignore_index=True), whole)


@pytest.mark.parametrize("ext", ["csv", "parquet", "jsonl"])
def test_sample_to_file_streams(tmp_path, fitted, penguins, ext):
    path = tmp_path / f"out.{ext}"
    ret = fitted.sample(2500, seed=3, batch_size=1000, output_file_path=path)
    assert ret == path
    back = read_table(path)
    mem = fitted.sample(2500, seed=3, batch_size=1000)
    assert len(back) == 2500
    assert back["species"].tolist() == mem["species"].tolist()
    np.testing.assert_allclose(
        back["bill_length_mm"].to_numpy(dtype=float), mem["bill_length_mm"].to_numpy(dtype=float)
    )
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("dist", ["norm", "beta", "truncnorm", "gamma", "uniform", "gaussian_kde", "empirical", "auto"])
def test_each_distribution(penguins, penguins_metadata, dist):
    s = GaussianCopulaSynthesizer(penguins_metadata, default_distribution=dist).fit(penguins)
    learned = s.get_learned_distributions()
    if dist not in ("auto",):
        assert learned["bill_length_mm"]["distribution"] == dist
    syn = s.sample(3000, seed=0)
    score = evaluate_quality(penguins, syn, penguins_metadata, verbose=False).get_properties()["Score"].iloc[0]
    assert score > (0.8 if dist in ("uniform",) else 0.85)


def test_bad_parameters(penguins_metadata):
    with pytest.raises(ParameterError, match="unknown distribution"):
        GaussianCopulaSynthesizer(penguins_metadata, default_distribution="cauchy")
    with pytest.raises(ParameterError, match="not in the metadata"):
        GaussianCopulaSynthesizer(penguins_metadata, numerical_distributions={"nope": "beta"})
    with pytest.raises(ParameterError, match="only numerical and datetime"):
        GaussianCopulaSynthesizer(penguins_metadata, numerical_distributions={"species": "beta"})


def test_unfitted(penguins_metadata, tmp_path):
    s = GaussianCopulaSynthesizer(penguins_metadata)
    with pytest.raises(NotFittedError, match="call fit"):
        s.sample(5)
    with pytest.raises(NotFittedError):
        s.save(tmp_path / "m.zip")
    assert not (tmp_path / "m.zip").exists()


def test_save_load_round_trip(tmp_path, fitted):
    path = tmp_path / "model.zip"
    fitted.save(path)
    loaded = GaussianCopulaSynthesizer.load(path)
    pd.testing.assert_frame_equal(loaded.sample(300, seed=11), fitted.sample(300, seed=11))
    assert loaded.get_parameters() == fitted.get_parameters()
    assert loaded.get_learned_distributions().keys() == fitted.get_learned_distributions().keys()


def test_all_column_kinds_end_to_end(tmp_path):
    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=n)
    df = pd.DataFrame(
        {
            "order_id": [f"OR-{i:05d}" for i in range(n)],
            "email": [f"user{i}@example.org" for i in range(n)],
            "amount": np.round(np.exp(x) * 100, 2),
            "qty": pd.array(np.where(rng.random(n) < 0.1, None, rng.integers(1, 9, n)), dtype="Int64"),
            "small": rng.integers(0, 200, n).astype("uint8"),
            "when": pd.Series(
                pd.Timestamp("2024-01-01") + pd.to_timedelta((x * 30 + 100).round(), unit="D")
            ).dt.strftime("%Y-%m-%d"),
            "ts": pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"),
            "vip": x > 1,
            "tier": np.where(x > 0.5, "gold", np.where(x > -0.5, "silver", "bronze")),
            "ünï cödé col": rng.choice(["α", "β", "γ"], n),
        }
    )
    md = Metadata.detect_from_dataframe(df)
    assert md.columns["email"]["sdtype"] == "email"
    s = GaussianCopulaSynthesizer(md).fit(df)
    syn = s.sample(1000, seed=0)
    assert (syn.dtypes.astype(str) == df.dtypes.astype(str)).all(), (syn.dtypes, df.dtypes)
    assert syn["order_id"].is_unique and syn["order_id"].str.match(r"^OR-\d{5}$").all()
    assert not set(syn["email"]) & set(df["email"])
    assert syn["when"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    assert set(syn["ünï cödé col"]) <= {"α", "β", "γ"}
    # tier follows amount as in the real data (monotone relation)
    gold = syn.loc[syn["tier"] == "gold", "amount"].median()
    bronze = syn.loc[syn["tier"] == "bronze", "amount"].median()
    assert gold > bronze
    s.save(tmp_path / "m.zip")
    pd.testing.assert_frame_equal(
        GaussianCopulaSynthesizer.load(tmp_path / "m.zip").sample(100, seed=2), s.sample(100, seed=2)
    )


@pytest.mark.parametrize("file", dataset_names())
def test_real_datasets_fit_and_sample(file):
    need_datasets()
    df = read_table(DATASETS / file)
    if len(df) > 10_000:
        df = df.iloc[:10_000]
    md = Metadata.load_from_dict(catalog_metadata(file))
    s = GaussianCopulaSynthesizer(md).fit(df)
    syn = s.sample(len(df), seed=0)
    assert syn.shape == df.shape
    q = evaluate_quality(df, syn, md, verbose=False).get_score()
    scored = [c for c, m in md.columns.items() if m["sdtype"] in ("numerical", "datetime", "categorical", "boolean")]
    if not scored:  # only keys and text: nothing to score, and nothing copied
        assert np.isnan(q)
        assert not set(syn.iloc[:, 1]) & set(df.iloc[:, 1])
    else:
        assert q > 0.72, q  # flights: 0.727 with its learned rules (issue 13 closing note), 0.75+ without
