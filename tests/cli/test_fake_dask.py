"""``simulacra fake SCHEMA -o out/ --engine dask``: a Parquet dataset folder, refusals, -n 1e9."""

import json
import os
import sys
from collections import namedtuple

import pandas as pd
import pytest

from .conftest import assert_one_error_line, invoke, listing, write

PEOPLE = {"columns": {"id": "codes.uuid4", "name": "person.full_name", "email": {"provider": "email", "unique": True}}}
SHOP = {
    "tables": {
        "customers": {"rows": 900, "primary_key": "id", "columns": {"id": "sequence", "name": "person.full_name"}},
        "orders": {
            "rows": 2000,
            "primary_key": "oid",
            "columns": {"oid": "codes.uuid4", "customer": {"foreign_key": "customers.id"}, "price": "finance.price"},
        },
    }
}


@pytest.fixture(scope="module")
def scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cl:
        yield cl.scheduler_address


@pytest.fixture
def work(tmp_path):
    write(tmp_path / "people.json", json.dumps(PEOPLE))
    write(tmp_path / "shop.json", json.dumps(SHOP))
    return tmp_path


def dask_fake(work, schema, out, *args, scheduler=None):
    extra = ("--scheduler", scheduler) if scheduler else ()
    return invoke("fake", work / schema, "-o", work / out, "--engine", "dask", *extra, *args)


def test_one_table_is_a_folder_of_parquet_partitions(work, scheduler):
    r = dask_fake(
        work, "people.json", "out", "-n", "2_500", "--partition-rows", "1e3", "--seed", "4", scheduler=scheduler
    )
    assert r.exit_code == 0, r.output
    assert "wrote 2,500 rows of 1 table(s)" in r.output and "3 Parquet file(s)" in r.output
    assert listing(work / "out") == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    df = pd.read_parquet(work / "out")
    assert len(df) == 2500 and df["id"].is_unique and df["email"].is_unique
    assert [p.name for p in work.iterdir() if p.name.startswith(".")] == []  # no staging folder left
    # same seed and partition size: the same bytes again; --overwrite replaces the folder
    again = dask_fake(
        work, "people.json", "out", "-n", "2500", "--partition-rows", "1000", "--seed", "4", "--overwrite",
        scheduler=scheduler,
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(pd.read_parquet(work / "out"), df)


def test_several_tables_are_one_folder_each_with_their_keys(work, scheduler):
    r = dask_fake(work, "shop.json", "out", "--partition-rows", "500", "--no-progress", scheduler=scheduler)
    assert r.exit_code == 0, r.output
    assert listing(work / "out") == ["customers"] + [f"customers/part-0000{i}.parquet" for i in range(2)] + [
        "orders"
    ] + [f"orders/part-0000{i}.parquet" for i in range(4)]
    customers, orders = pd.read_parquet(work / "out" / "customers"), pd.read_parquet(work / "out" / "orders")
    assert customers["id"].tolist() == list(range(1, 901))
    assert orders["oid"].is_unique and orders["customer"].isin(customers["id"]).all() and len(orders) == 2000


def test_a_run_failing_on_a_worker_leaves_nothing(work, scheduler):
    # a probe of 512 rows finds 512 distinct days of 1000; the run's 1,200-row partition cannot
    days = {"d": {"provider": "datetime.date", "start": "2020-01-01", "end": "2022-09-26", "unique": True}}
    write(work / "days.json", json.dumps({"columns": days}))
    line = assert_one_error_line(dask_fake(work, "days.json", "out", "-n", "1200", "--seed", "0", scheduler=scheduler))
    assert "partition 0 failed" in line and "column 'd'" in line and "nothing was written" in line
    assert sorted(os.listdir(work)) == ["days.json", "people.json", "shop.json"]


@pytest.mark.parametrize(
    "args, match",
    [
        (["-o", "{w}/out.csv", "--engine", "dask"], "names a csv file"),
        (["-o", "{w}/out", "--scheduler", "tcp://x:1"], "--scheduler is for --engine dask"),
        (["-o", "{w}/out", "--partition-rows", "10"], "--partition-rows is for --engine dask"),
        (["--to", "sqlite:///{w}/f.db", "--engine", "dask"], "--to DATABASE is for the stream engine"),
        (["--engine", "dask"], "give -o FOLDER"),
        (["-o", "{w}/out", "--engine", "dask", "--chunk-size", "10"], "use --partition-rows"),
        (["-o", "{w}/out", "--engine", "dask", "--format", "csv"], "Parquet files only"),
        (["-o", "{w}/out", "--engine", "dask", "--table", "t"], "--table"),
        (["-o", "{w}/out", "--engine", "dask", "--if-exists", "append"], "--if-exists is for the stream engine"),
        (["-o", "{w}/people.json", "--engine", "dask", "--overwrite"], "is a file"),
        (["-o", "{w}", "--engine", "dask", "--overwrite"], "holds the schema"),
        (["-o", "{w}/out", "--engine", "dask", "--workers", "1", "--scheduler", "tcp://x:1"], "not both"),
        (["-o", "{w}/out", "--engine", "dask", "-n", "1.5"], "not a whole number"),
    ],
)
def test_combinations_that_make_no_sense_are_one_line_errors(work, args, match):
    pytest.importorskip("distributed")
    assert_one_error_line(invoke("fake", work / "people.json", *[a.format(w=work) for a in args]), match)
    assert not (work / "out").exists()


def test_an_existing_folder_needs_overwrite(work):
    pytest.importorskip("distributed")
    (work / "out").mkdir()
    assert_one_error_line(dask_fake(work, "people.json", "out"), "--overwrite")


@pytest.mark.parametrize("engine", ["dask", "stream"])
def test_a_billion_rows_parse_and_meet_the_disk_space_check(work, monkeypatch, engine):
    if engine == "dask":
        pytest.importorskip("distributed")
    from simulacra.sampling import plan as plan_module

    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(plan_module.shutil, "disk_usage", lambda p: Usage(10**12, 10**12 - 10**9, 10**9))
    out = "out" if engine == "dask" else "out.parquet"
    line = assert_one_error_line(
        invoke("fake", work / "people.json", "-n", "1e9", "-o", work / out, "--engine", engine)
    )
    assert "1,000,000,000 rows" in line and "free" in line
    assert not (work / out).exists()


def test_without_the_dask_extra_one_error_says_what_to_install(work, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    line = assert_one_error_line(dask_fake(work, "people.json", "out"))
    assert "pip install 'simulacra[dask]'" in line


def test_the_stream_engine_takes_rows_as_exponents_and_is_unchanged(work):
    r = invoke("fake", work / "people.json", "-n", "1e2", "-o", work / "p.csv", "--seed", "1")
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(work / "p.csv")) == 100
