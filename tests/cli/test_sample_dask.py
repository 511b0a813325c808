"""simulacra sample MODEL -n ROWS -o FOLDER --engine dask: a Parquet dataset, the same rows as the stream engine."""

import os

import pandas as pd
import pytest

from .conftest import assert_one_error_line, invoke

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    """The address of a running 2-worker LocalCluster (what a user gives as --scheduler)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c.scheduler_address


def test_dask_engine_writes_the_stream_engines_rows_as_a_dataset(model_dir, tmp_path, scheduler):
    model = model_dir / "model.zip"
    r = invoke("sample", model, "-n", "2.5e4", "-o", tmp_path / "out", "--engine", "dask", "--scheduler", scheduler,
               "--partition-rows", "1e4", "--seed", "5")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "25,000 rows in 3 partitions" in r.output and "2 worker(s)" in r.output
    assert sorted(os.listdir(tmp_path / "out")) == [f"part-{i:05d}.parquet" for i in range(3)]
    r = invoke("sample", model, "-n", "25000", "-o", tmp_path / "s.parquet", "--batch-size", "10000", "--seed", "5")
    assert r.exit_code == 0, r.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out"), pd.read_parquet(tmp_path / "s.parquet"))


def test_dask_engine_on_a_local_cluster_of_n_workers(model_dir, tmp_path):
    r = invoke("sample", model_dir / "model.zip", "-n", "3000", "-o", tmp_path / "out", "--engine", "dask",
               "--workers", "1", "--partition-rows", "1000", "--seed", "1")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert len(pd.read_parquet(tmp_path / "out")) == 3000 and len(os.listdir(tmp_path / "out")) == 3


@pytest.mark.parametrize(
    "args, match",
    [
        (["-o", "{tmp}/out.csv", "--engine", "dask"], "folder of Parquet files"),
        (["-o", "{tmp}/out", "--workers", "2"], "--workers is for --engine dask"),
        (["-o", "{tmp}/out", "--engine", "dask", "--workers", "2", "--scheduler", "tcp://x:1"], "not both"),
        (["-o", "{tmp}/out", "--engine", "dask", "--batch-size", "10"], "--partition-rows"),
        (["-o", "{tmp}/no/such/out", "--engine", "dask"], "does not exist"),
        (["-o", "{tmp}/out", "-n", "1.5", "--engine", "dask"], "not a whole number"),
        (["-o", "{tmp}/out", "-n", "1e30", "--engine", "dask"], "over 2**63"),
        (["-o", "{tmp}/out", "-n", "1e15", "--engine", "dask"], "raise --partition-rows"),
        (["-o", "{tmp}/out", "--engine", "dask", "--format", "parquet"], "--format is not for --engine dask"),
        (["-o", "{tmp}/out", "--engine", "dask", "--workers", "100000"], "use at most"),
        (["-o", "{tmp}/out", "-n", "1e11", "--engine", "dask", "--partition-rows", "1e7"], "free"),  # disk space
    ],
)
def test_bad_dask_runs_are_one_line_and_leave_nothing(model_dir, tmp_path, args, match):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-n" not in args:
        args += ["-n", "1000"]
    r = invoke("sample", model_dir / "model.zip", *args)
    assert_one_error_line(r, match)
    assert os.listdir(tmp_path) == []


def test_an_unreachable_scheduler_is_one_line(model_dir, tmp_path):
    r = invoke("sample", model_dir / "model.zip", "-n", "10", "-o", tmp_path / "out", "--engine", "dask",
               "--scheduler", "tcp://127.0.0.1:9")  # fmt: skip
    assert_one_error_line(r, "cannot reach the Dask scheduler")
    assert os.listdir(tmp_path) == []


def test_an_existing_dataset_is_kept_without_overwrite(model_dir, tmp_path):
    out = tmp_path / "out"
    base = ["sample", model_dir / "model.zip", "-n", "100", "-o", out, "--engine", "dask", "--workers", "1"]
    assert invoke(*base, "--seed", "1").exit_code == 0
    first = pd.read_parquet(out)
    assert_one_error_line(invoke(*base, "--seed", "2"), "exists")
    pd.testing.assert_frame_equal(pd.read_parquet(out), first)
    assert invoke(*base, "--seed", "2", "--overwrite").exit_code == 0
    assert not pd.read_parquet(out).equals(first)
