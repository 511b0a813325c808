"""Fitting from a partitioned source (simulacra.synthesizers.out_of_core): the out-of-core fit against the
in-memory fit on the same rows, with the tolerances stated in each test."""

import tracemalloc

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from simulacra import Metadata
from simulacra.errors import FileFormatError, InvalidDataError
from simulacra.synthesizers import get_synthesizer_class
from simulacra.synthesizers.out_of_core import fit_source, fit_summary, sample_rows_for

GC = get_synthesizer_class("gaussian_copula")
ROWS = 60_000


def make(n, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0, 0], [[1, 0.6, 0.3], [0.6, 1, 0.2], [0.3, 0.2, 1]], size=n)
    group = np.where(z[:, 2] > 1.0, "high", np.where(z[:, 2] < -1, "low", "mid")).astype(object)
    group[rng.random(n) < 0.0005] = "rare"
    df = pd.DataFrame(
        {
            "x": 10 + 2 * z[:, 0],
            "income": np.round(np.exp(10 + 0.8 * z[:, 1]), 2),
            "count": rng.poisson(3 + (z[:, 0] > 0) * 2),
            "group": group,
            "flag": z[:, 1] + rng.normal(size=n) > 0,
            "score": np.round(50 + 10 * z[:, 2], 1),
        }
    )
    df.loc[rng.random(n) < 0.1, "score"] = np.nan
    return df


def write(df, folder, files):
    folder.mkdir()
    for i, idx in enumerate(np.array_split(np.arange(len(df)), files)):
        table = pa.Table.from_pandas(df.iloc[idx], preserve_index=False)
        pq.write_table(table, folder / f"part-{i:03d}.parquet", row_group_size=5_000)
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    df = make(ROWS)
    folder = write(df, tmp_path_factory.mktemp("ooc") / "data", files=4)
    return df, folder, Metadata.detect_from_dataframe(df, table_name="t")


@pytest.fixture(scope="module")
def copulas(data):
    df, folder, md = data
    # out-of-core fits do not protect PII-adjacent columns yet (income's extremes): compare like with like
    mem = GC(md, protect_rare=False).fit(df, seed=0)
    # transforms fitted on a 15,000-row sample: the marginals, frequencies and correlations must come from all rows
    ooc = fit_source(GC(md), folder, seed=0, sample_rows=15_000, max_rows=8_000)
    return mem, ooc


def test_copula_marginals_match_the_in_memory_fit(data, copulas):
    df, _, _ = data
    mem, ooc = copulas
    assert ooc.fitted_rows == ROWS and ooc.source_info_["method"] == "per-partition statistics"
    assert ooc.source_info_["max_rank_error"] < 0.002  # the edge counts' measured bound
    qs = np.linspace(0.01, 0.99, 99)
    for j, (a, b) in enumerate(zip(mem._marginals, ooc._marginals)):
        if a is None:
            assert b is None
            continue
        assert a.name == b.name, mem._names[j]
        qa, qb = a.ppf(qs), b.ppf(qs)
        # tolerance: each marginal quantile within 1 % of the column's 1-99 % range
        assert np.abs(qa - qb).max() <= 0.01 * (qa[-1] - qa[0]) + 1e-9, mem._names[j]
    # category frequencies and missing shares: the full data's, exactly
    for col in ("group", "flag"):
        tm, to = mem._transformer._transform_of(col), ooc._transformer._transform_of(col)
        assert dict(zip(map(str, tm.categories), tm.probabilities)) == pytest.approx(
            dict(zip(map(str, to.categories), to.probabilities)), abs=1e-12
        )
    assert ooc._transformer._transform_of("score").null_rate == pytest.approx(df["score"].isna().mean(), abs=1e-12)
    null_flag = ooc._marginals[ooc._names.index(mem._transformer.output_names[-1])]  # score#null
    assert null_flag.ps[0] == pytest.approx(1 - df["score"].isna().mean(), abs=1e-12)
    # the bounds are the full data's, also of the columns a learned rule reshaped
    for t in mem._transformer.transforms:
        if hasattr(t, "min"):
            assert (t.min, t.max) == (
                ooc._transformer._transform_of(t.column).min,
                ooc._transformer._transform_of(t.column).max,
            )


def test_copula_correlation_and_samples_match(data, copulas):
    from simulacra import evaluate_quality

    df, _, md = data
    mem, ooc = copulas
    # tolerance: every normal-score correlation within 0.02 of the in-memory one
    assert np.abs(mem.get_correlation().to_numpy() - ooc.get_correlation().to_numpy()).max() < 0.02
    real = df.sample(5_000, random_state=0)
    q_mem = evaluate_quality(real, mem.sample(5_000, seed=1), md, verbose=False).get_score()
    q_ooc = evaluate_quality(real, ooc.sample(5_000, seed=1), md, verbose=False).get_score()
    assert abs(q_mem - q_ooc) < 0.02 and q_ooc > 0.8  # tolerance: overall quality within 0.02


def test_bayesian_network_tables_are_the_full_data_counts(data, tmp_path):
    from simulacra.synthesizers.out_of_core_bn import discretize

    df, _, _ = data
    cols = ["count", "group", "flag"]  # discrete columns: the discretization has no bins to approximate
    folder = write(df[cols], tmp_path / "discrete", files=3)
    md = Metadata.detect_from_dataframe(df[cols], table_name="t")
    bn = fit_source(get_synthesizer_class("bayesian_network")(md), folder, seed=0, sample_rows=3_000)
    assert bn.fitted_rows == ROWS and bn.source_info_["sample_rows"] < 3_100
    t = bn._transformer
    X = t.transform(df[cols])
    from simulacra.synthesizers._encoding import category_specs

    codes = discretize(X, category_specs(t.output_specs), bn._cols, [None] * len(bn._cols))
    for a, par, table in zip(bn._order, bn._parents, bn._tables):
        idx = np.zeros(len(codes), dtype=np.int64)
        for p in par:
            idx = idx * bn._cards[p] + codes[:, p]
        counts = np.zeros(table.shape)
        np.add.at(counts, (idx, codes[:, a]), 1.0)
        seen = counts.sum(axis=1) > 0
        assert np.allclose(table[seen], counts[seen] / counts[seen].sum(axis=1, keepdims=True), atol=1e-12)


def test_cart_fits_on_a_reported_sample(data, tmp_path):
    df, folder, md = data
    CART = get_synthesizer_class("cart")
    cart = fit_source(CART(md), folder, seed=0, sample_rows=4_000)
    info = cart.source_info_
    assert info["method"] == "stratified sample" and info["source_rows"] == ROWS
    assert 4_000 <= info["sample_rows"] == cart.fitted_rows <= 4_000 + 10 * 8 + 12  # floors and extreme rows
    assert "stratified sample of" in fit_summary(cart) and "sample_rows given" in fit_summary(cart)
    assert "rare" in cart._transformer._transform_of("group").categories  # the floor keeps the rare category
    cart.save(tmp_path / "cart.zip")
    back = CART.load(tmp_path / "cart.zip")
    assert back.get_info()["source_info"] == info
    pd.testing.assert_frame_equal(back.sample(200, seed=3), cart.sample(200, seed=3))
    # same seed, same sample, same model, whatever the partition size
    again = fit_source(CART(md), folder, seed=0, sample_rows=4_000, max_rows=3_000)
    pd.testing.assert_frame_equal(again.sample(200, seed=3), cart.sample(200, seed=3))
    rows, how = sample_rows_for(1_000, budget=2**30)
    assert rows == 2**30 // 8_000 and "1.00 GiB" in how
    assert sample_rows_for(1_000, budget=2**40)[0] == 1_000_000 and sample_rows_for(10**9, budget=2**30)[0] == 10_000


def test_copula_peak_memory_does_not_grow_with_rows(tmp_path):
    df = make(80_000, seed=1)
    md = Metadata.detect_from_dataframe(df, table_name="t")
    peaks = []
    for n in (40_000, 80_000):
        folder = write(df.iloc[:n], tmp_path / f"d{n}", files=n // 10_000)
        tracemalloc.start()
        fit_source(GC(md), folder, seed=0, sample_rows=5_000, max_rows=10_000)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.25 * peaks[0], peaks  # twice the rows: about the same peak


def test_bad_sources_give_one_clear_error(data, tmp_path):
    _, _, md = data
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidDataError, match="holds no data files"):
        GC(md).fit(tmp_path / "empty")
    d = tmp_path / "disagree"
    d.mkdir()
    pq.write_table(pa.table({"x": [1.0, 2.0], "y": [1, 2]}), d / "a.parquet")
    pq.write_table(pa.table({"x": [1.0, 2.0], "z": [1, 2]}), d / "b.parquet")
    with pytest.raises(FileFormatError, match="'y' only in .*a.parquet"):
        GC(md).fit(str(d))
    (d / "b.parquet").unlink()
    with pytest.raises(Exception, match="income") as e:  # the metadata's columns are checked as in memory
        GC(md).fit(d)
    assert "Traceback" not in str(e.value)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield c
    c.close()


def test_local_cluster_gives_the_same_model(data, cluster):
    import distributed

    df, folder, md = data
    local = fit_source(GC(md), folder, seed=0, sample_rows=15_000, max_rows=8_000)
    with distributed.Client(cluster) as client:
        remote = fit_source(GC(md), folder, seed=0, sample_rows=15_000, max_rows=8_000)  # the current client
        assert remote.source_info_["engine"] == "dask"
        dd = pytest.importorskip("dask.dataframe")
        from_dask = fit_source(GC(md), dd.from_pandas(df, npartitions=3), seed=0, client=client)
        assert from_dask.fitted_rows == ROWS and from_dask.source_info_["partitions"] == 3
    assert local.source_info_["engine"] == "local"
    assert np.allclose(local.get_correlation(), remote.get_correlation(), rtol=0, atol=1e-12)
    for a, b in zip(local._marginals, remote._marginals):
        assert (a is None and b is None) or a.get_state().keys() == b.get_state().keys()
        if a is not None:
            for k, v in a.get_state().items():
                assert np.array_equal(np.asarray(v), np.asarray(b.get_state()[k])), k
    pd.testing.assert_frame_equal(local.sample(500, seed=2), remote.sample(500, seed=2))
