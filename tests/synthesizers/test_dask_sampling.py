"""sample_dask and Parquet datasets on a real LocalCluster: same rows whatever the workers."""

import os

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

from simulacra import GaussianCopulaSynthesizer, Metadata  # noqa: E402
from simulacra.constraints import Unique  # noqa: E402
from simulacra.errors import ConstraintError, ParameterError, SimulacraError  # noqa: E402
from simulacra.io.dask_engine import PARTITION_BYTES, run_partitions, staged_dataset  # noqa: E402
from simulacra.synthesizers.dask_sampling import partition_plan, write_dataset  # noqa: E402


@pytest.fixture(scope="module")
def clients():
    """``{1: client of a 1-worker cluster, 2: client of a 2-worker cluster}`` (processes, one thread each)."""
    out, stack = {}, []
    for n in (1, 2):
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        client = distributed.Client(cluster, set_as_default=False)
        stack.append((client, cluster))
        out[n] = client
    yield out
    for client, cluster in stack:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def synth(penguins, penguins_metadata):
    return GaussianCopulaSynthesizer(penguins_metadata).fit(penguins)


def same(a, b):
    """``a`` and ``b`` equal value for value (missing as missing, whatever its kind: NaN, None, NA)."""
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for c in a.columns:
        x, y = a[c].astype(object), b[c].astype(object)
        assert (x.isna() == y.isna()).all(), c
        assert (x[x.notna()] == y[y.notna()]).all(), c


def _files(folder):
    return sorted(os.listdir(folder))


def test_sample_dask_is_sample_with_partitions_as_batches(synth, clients):
    ddf = synth.sample_dask(2_500, seed=7, partition_rows=1_000)
    assert ddf.npartitions == 3 and ddf.known_divisions
    assert list(ddf.columns) == list(synth.metadata.get_columns())
    expected = synth.sample(2_500, seed=7, batch_size=1_000)
    local = ddf.compute(scheduler="sync")
    on_cluster = clients[2].compute(ddf).result()
    for got in (local, on_cluster):
        assert got.index.tolist() == list(range(2_500))  # global row positions
        same(got, expected)
    # one partition alone is that batch of the run
    same(ddf.get_partition(1).compute(scheduler="sync"), expected.iloc[1000:2000])


def test_a_dataset_is_the_same_bytes_on_one_and_two_workers(synth, clients, tmp_path):
    for n, client in clients.items():
        plan, counts = write_dataset(synth, 5_000, tmp_path / f"w{n}", seed=3, partition_rows=1_200, client=client)
        assert counts == [1_200, 1_200, 1_200, 1_200, 200] and plan.n_batches == 5
    assert _files(tmp_path / "w1") == [f"part-{i:05d}.parquet" for i in range(5)]
    for name in _files(tmp_path / "w1"):
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w2" / name).read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["w1", "w2"]  # no staging folders left
    back = pd.read_parquet(tmp_path / "w2")
    assert (back.dtypes == synth.sample(5, seed=0).dtypes).all()
    same(back, synth.sample(5_000, seed=3, batch_size=1_200))


def test_the_threaded_engine_writes_the_same_dataset(synth, clients, tmp_path):
    write_dataset(synth, 3_000, tmp_path / "threads", seed=4, partition_rows=1_000)
    write_dataset(synth, 3_000, tmp_path / "cluster", seed=4, partition_rows=1_000, client=clients[2])
    for name in _files(tmp_path / "cluster"):
        assert (tmp_path / "threads" / name).read_bytes() == (tmp_path / "cluster" / name).read_bytes()


def test_partitions_default_to_about_100_mb(synth):
    plan, rows = partition_plan(synth, 10**9, seed=0)
    per_row = rows.memory_usage(index=False, deep=True).sum() / len(rows)
    assert 0.5 * PARTITION_BYTES < plan.batch_size * per_row < 1.5 * PARTITION_BYTES
    assert plan.n_batches == -(-(10**9) // plan.batch_size)


def failing_make(i):
    """A partition maker that fails on partition 2 (after others were written)."""
    if i == 2:
        raise ValueError("boom in partition two")
    return pd.DataFrame({"a": np.arange(10) + 10 * i})


@pytest.mark.parametrize("engine", ["threads", "cluster"])
def test_a_failed_partition_leaves_no_dataset_and_one_error(clients, tmp_path, engine):
    out = tmp_path / "out"
    client = clients[2] if engine == "cluster" else None
    with pytest.raises(SimulacraError, match="partition .*boom in partition two.*nothing was written"):
        with staged_dataset(out) as folder:
            run_partitions(failing_make, 6, folder, client)
    assert os.listdir(tmp_path) == []


def test_an_existing_dataset_is_replaced_only_with_overwrite_and_only_on_success(synth, tmp_path):
    out = tmp_path / "out"
    write_dataset(synth, 10, out, seed=1)
    before = (out / "part-00000.parquet").read_bytes()
    with pytest.raises(ParameterError, match="exists"):
        write_dataset(synth, 10, out, seed=0)
    with pytest.raises(SimulacraError):
        with staged_dataset(out, overwrite=True) as folder:
            run_partitions(failing_make, 4, folder)
    assert _files(out) == ["part-00000.parquet"] and (out / "part-00000.parquet").read_bytes() == before
    write_dataset(synth, 10, out, seed=0, overwrite=True)
    assert (out / "part-00000.parquet").read_bytes() != before
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_overwrite_never_replaces_a_folder_that_is_not_a_dataset(synth, tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    (mine / "part-00000.parquet").write_bytes(b"x")
    with pytest.raises(ParameterError, match="other than a dataset"):
        write_dataset(synth, 10, mine, seed=0, overwrite=True)
    assert (mine / "notes.txt").read_text() == "keep me"
    monkeypatch.chdir(mine)
    with pytest.raises(ParameterError, match="current folder"):
        write_dataset(synth, 10, tmp_path, seed=0, overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["mine"]


def test_a_relative_output_folder_is_written_by_the_workers(synth, clients, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan, counts = write_dataset(synth, 2_000, "rel", seed=2, partition_rows=1_000, client=clients[2])
    assert _files(tmp_path / "rel") == ["part-00000.parquet", "part-00001.parquet"]
    assert len(pd.read_parquet(tmp_path / "rel")) == 2_000


def test_partition_sizes_beyond_a_workers_memory_are_refused(synth):
    with pytest.raises(ParameterError, match="over 10,000,000 rows"):
        synth.sample_dask(10**9, seed=0, partition_rows=10**9)


def test_a_run_tracking_rows_across_batches_is_refused():
    df = pd.DataFrame({"k": np.arange(300) * 1.5, "x": np.random.default_rng(0).normal(size=300)})
    s = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(df))
    s.add_constraints([Unique(["k"])])
    s.fit(df)
    with pytest.raises(ConstraintError, match="partitions cannot be made apart"):
        s.sample_dask(2_000, seed=0, partition_rows=1_000)
    assert len(s.sample_dask(500, seed=0, partition_rows=1_000).compute(scheduler="sync")) == 500


def test_without_dask_one_error_says_what_to_install(synth, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ParameterError, match=r"pip install 'simulacra\[dask\]'"):
        synth.sample_dask(10)
