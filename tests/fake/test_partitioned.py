"""Fake tables in partitions (fake/partitioned, fake/keyspace): seeds, keys unique by construction,
foreign keys without the parent's keys in memory, and datasets written on a LocalCluster."""

import os
import pickle
import uuid

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import SchemaError, SimulacraError
from simulacra.fake import partitioned
from simulacra.fake.keyspace import Permutation, position_tag, uuid_keys
from simulacra.fake.partitioned import FakePlan, TableMaker, plan_fake, write_fake_dataset

SHOP = {
    "tables": {
        "customers": {
            "rows": 1500,
            "primary_key": "id",
            "columns": {
                "id": {"provider": "codes.uuid4"},
                "name": "person.full_name",
                "email": {"provider": "internet.email", "from": "name", "unique": True},
                "login": {"provider": "internet.username", "unique": True},
                "number": {"provider": "basic.integer", "minimum": -5, "maximum": 100_000, "unique": True},
                "city": {"provider": "address.city", "nulls": 0.3},
            },
        },
        "countries": {
            "rows": 30,
            "primary_key": "code",
            "columns": {"code": {"provider": "address.country", "unique": True}},
        },
        "orders": {
            "rows": 4000,
            "primary_key": "oid",
            "columns": {
                "oid": {"provider": "sequence", "start": 10, "step": 3},
                "customer": {"foreign_key": "customers.id"},
                "number": {"foreign_key": "customers.number", "nulls": 0.2},
                "country": {"foreign_key": "countries.code"},
                "previous": {"foreign_key": "orders.oid"},  # a self-reference: closed form
                "label": {"template": "{oid}-{customer}"},
            },
        },
        "invoices": {  # one invoice per order at most: a unique foreign key
            "rows": 3000,
            "columns": {"order": {"foreign_key": "orders.oid", "unique": True}, "amount": "finance.price"},
        },
    }
}


def whole(plan: FakePlan, table: str) -> pd.DataFrame:
    return pd.concat([plan.make(table, i) for i in range(plan.tables[table].n_partitions)])


@pytest.fixture(scope="module")
def shop():
    plan = plan_fake(SHOP, seed=7, partition_rows=400)
    return plan, {t: whole(plan, t) for t in plan.order}


# ---------------------------------------------------------------------------------------------- keyspace
@pytest.mark.parametrize("size", [1, 2, 3, 5, 16, 17, 1000, 4097])
def test_permutation_is_a_bijection_of_its_range(size):
    values = Permutation(size, np.random.SeedSequence(1))(np.arange(size))
    assert sorted(values.tolist()) == list(range(size))


def test_permutation_is_keyed_and_reaches_64_bits():
    a = Permutation(2**64, np.random.SeedSequence(1))(np.arange(100_000))
    b = Permutation(2**64, np.random.SeedSequence(2))(np.arange(100_000))
    assert len(np.unique(a)) == 100_000 and not np.array_equal(a, b)
    assert a.max() > 2**63  # random-looking over the whole range, not counting up
    assert not np.array_equal(Permutation(1000, np.random.SeedSequence(1))(np.arange(1000)), np.arange(1000))


def test_uuid_keys_are_distinct_version_4_uuids():
    values = uuid_keys(Permutation(2**64, np.random.SeedSequence(3)), np.uint64(9), np.arange(50_000))
    assert values.is_unique and len(values) == 50_000
    parsed = [uuid.UUID(v) for v in values[:200]]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 and str(u) == v for u, v in zip(parsed, values[:200]))


def test_position_tags_have_one_width_and_differ():
    tags = [position_tag(i, 120, np.random.SeedSequence(5)) for i in range(120)]
    assert len(set(tags)) == 120 and {len(t) for t in tags} == {3} and all(t.isdigit() for t in tags)


# ---------------------------------------------------------------------------------------------- the plan
def test_partitions_cover_every_row_once(shop):
    plan, tables = shop
    assert {t: plan.tables[t].n_partitions for t in plan.order} == {
        "customers": 4,
        "countries": 1,
        "orders": 10,
        "invoices": 8,
    }
    for t, df in tables.items():
        assert len(df) == plan.tables[t].rows
        assert list(df.index) == list(range(plan.tables[t].rows))  # indexed by the global row position
    assert plan.tables["orders"].bounds(9) == (3600, 400)
    with pytest.raises(IndexError):
        plan.tables["orders"].bounds(10)


def test_a_partition_made_alone_equals_it_in_a_whole_run(shop):
    plan, tables = shop
    again = plan_fake(SHOP, seed=7, partition_rows=400)  # another plan, another process's view
    for t in plan.order:
        i = plan.tables[t].n_partitions - 1
        pd.testing.assert_frame_equal(again.make(t, i), tables[t].loc[plan.tables[t].bounds(i)[0] :])
    unpickled = pickle.loads(pickle.dumps(plan))
    assert unpickled.probes == {}  # the probe frames stay with the client
    pd.testing.assert_frame_equal(unpickled.make("orders", 3), plan.make("orders", 3))


def test_other_seed_other_rows_and_no_seed_is_fixed_once(shop):
    plan, tables = shop
    other = plan_fake(SHOP, seed=8, partition_rows=400)
    assert not other.make("customers", 0)["id"].equals(tables["customers"]["id"].iloc[:400])
    free = plan_fake(SHOP, partition_rows=400)  # no seed: random entropy, kept in the plan
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(free)).make("orders", 2), free.make("orders", 2))


def test_keys_and_unique_columns_are_unique_across_partitions(shop):
    plan, tables = shop
    c = tables["customers"]
    for col in ("id", "email", "login", "number"):
        assert c[col].is_unique, col
    assert c["number"].between(-5, 100_000).all()
    assert c["email"].str.count("@").eq(1).all()
    assert tables["orders"]["oid"].tolist() == list(range(10, 10 + 3 * 4000, 3))
    assert tables["invoices"]["order"].is_unique
    # each partition's e-mails and user names carry its own tag of one width
    tags = {c["login"].iloc[start : start + 400].str[-1].nunique() for start in range(0, 1500, 400)}
    assert tags == {1}


def test_foreign_keys_point_at_existing_parent_keys(shop):
    plan, tables = shop
    o, c = tables["orders"], tables["customers"]
    assert o["customer"].isin(c["id"]).all()
    assert o["customer"].nunique() > 1000  # drawn over all the parent's partitions
    assert o["number"].dropna().isin(c["number"]).all() and o["number"].isna().mean() == pytest.approx(0.2, abs=0.05)
    assert o["country"].isin(tables["countries"]["code"]).all()
    assert o["previous"].isin(o["oid"]).all()
    assert tables["invoices"]["order"].isin(o["oid"]).all()
    assert (o["label"] == o["oid"].astype(str) + "-" + o["customer"]).all()


def test_the_default_partition_size_comes_from_the_probe():
    from simulacra.io.dask_engine import partition_rows_for

    plan = plan_fake(SHOP, seed=1)
    df = plan.probes["customers"]
    per_row = df.memory_usage(index=False, deep=True).sum() / len(df)
    assert plan.tables["customers"].partition_rows == partition_rows_for(per_row)
    assert plan_fake(SHOP, seed=2).tables["customers"].partition_rows == plan.tables["customers"].partition_rows
    assert plan.tables["customers"].n_partitions == 1


def _one(columns, rows=1000, **extra):
    return {"tables": {"t": {"rows": rows, "columns": columns, **extra}}}


@pytest.mark.parametrize(
    "schema, match",
    [
        (_one({"c": {"provider": "address.city", "unique": True}}), "column 'c'.*partition-rows 1000"),
        (_one({"u": "codes.uuid4", "c": {"template": "u{u}"}}, primary_key="c"), "column 'c'.*a template"),
        (_one({"n": {"provider": "basic.integer", "maximum": 50, "unique": True}}), "hold only 51"),
        (
            {
                "tables": {
                    "p": {"rows": 1000, "columns": {"k": "person.last_name"}},
                    "c": {"rows": 10, "columns": {"r": {"foreign_key": "p.k"}}},
                }
            },
            "column 'r'.*3 partitions that is not a function of the row position",
        ),
        (
            _one({"k": "person.last_name", "r": {"foreign_key": "t.k"}}, rows=10),
            "column 'r'.*of its own table that is not a function",
        ),
        (
            {
                "tables": {
                    "p": {"rows": 1000, "primary_key": "k", "columns": {"k": {"provider": "sequence", "nulls": 0.1}}},
                    "c": {"rows": 10, "columns": {"r": {"foreign_key": "p.k"}}},
                }
            },
            "has nulls",
        ),
        (
            {
                "tables": {
                    "p": {"rows": 100, "primary_key": "k", "columns": {"k": "sequence"}},
                    "c": {"rows": 200, "columns": {"r": {"foreign_key": "p.k", "unique": True}}},
                }
            },
            "200 rows for 100",
        ),
        (
            {
                "tables": {
                    "p": {"rows": 0, "primary_key": "k", "columns": {"k": "sequence"}},
                    "c": {"rows": 5, "columns": {"r": {"foreign_key": "p.k"}}},
                }
            },
            "no rows to reference",
        ),
    ],
)
def test_what_cannot_be_made_in_partitions_is_one_schema_error(schema, match):
    with pytest.raises(SchemaError, match=match):
        plan_fake(schema, seed=0, partition_rows=400)


def test_any_unique_column_of_a_one_partition_table_is_unique():
    schema = _one({"c": {"provider": "address.city", "unique": True}, "k": "person.last_name"}, rows=300)
    plan = plan_fake(schema, seed=0, partition_rows=300)
    assert plan.make("t", 0)["c"].is_unique
    dup = _one({"a": {"provider": "basic.choice", "values": ["x", "y"]}, "c": {"template": "{a}"}}, primary_key="c")
    with pytest.raises(SchemaError, match="duplicate values"):
        plan_fake(dup, seed=0)


# ---------------------------------------------------------------------------------------------- on Dask
@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cl:
        with distributed.Client(cl) as c:
            yield c


def files(folder) -> dict:
    return {
        os.path.relpath(os.path.join(r, f), folder): open(os.path.join(r, f), "rb").read()
        for r, _, fs in os.walk(folder)
        for f in fs
    }


def test_same_bytes_on_one_worker_two_workers_and_threads(client, tmp_path):
    distributed = pytest.importorskip("distributed")
    plan = plan_fake(SHOP, seed=11, partition_rows=700)
    counts = write_fake_dataset(plan, tmp_path / "two", client)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cl:
        with distributed.Client(cl) as one:
            write_fake_dataset(plan_fake(SHOP, seed=11, partition_rows=700), tmp_path / "one", one)
    write_fake_dataset(plan_fake(SHOP, seed=11, partition_rows=700), tmp_path / "threads")
    two = files(tmp_path / "two")
    assert two == files(tmp_path / "one") == files(tmp_path / "threads")
    assert sorted(two) == sorted(
        f"{t}/part-{i:05d}.parquet" for t in plan.order for i in range(plan.tables[t].n_partitions)
    )
    assert counts == {t: [plan.tables[t].bounds(i)[1] for i in range(plan.tables[t].n_partitions)] for t in plan.order}
    orders = pd.read_parquet(tmp_path / "two" / "orders")
    customers = pd.read_parquet(tmp_path / "two" / "customers")
    assert len(orders) == 4000 and orders["oid"].is_unique and orders["customer"].isin(customers["id"]).all()
    assert customers["email"].is_unique and customers["id"].is_unique
    pd.testing.assert_frame_equal(orders, whole(plan, "orders").reset_index(drop=True), check_dtype=False)


def test_a_one_table_dataset_is_the_folder_itself(client, tmp_path):
    plan = plan_fake(_one({"k": "codes.uuid4", "n": "basic.integer"}, rows=2500), seed=1, partition_rows=1000)
    assert write_fake_dataset(plan, tmp_path / "out", client) == {"t": [1000, 1000, 500]}
    assert sorted(os.listdir(tmp_path / "out")) == [f"part-0000{i}.parquet" for i in range(3)]
    assert len(pd.read_parquet(tmp_path / "out")) == 2500


class FailingMaker(TableMaker):
    """Fails in partition 2 of every table (importable by the workers: pickled by reference)."""

    def __call__(self, i):
        if i == 2:
            raise RuntimeError("disk on fire")
        return super().__call__(i)


@pytest.mark.parametrize("on_cluster", [True, False])
def test_a_failing_partition_leaves_nothing_and_one_error(client, tmp_path, monkeypatch, on_cluster):
    monkeypatch.setattr(partitioned, "TableMaker", FailingMaker)
    plan = plan_fake(SHOP, seed=3, partition_rows=400)
    with pytest.raises(SimulacraError, match=r"partition (2 )?failed.*disk on fire.*nothing was written"):
        write_fake_dataset(plan, tmp_path / "out", client if on_cluster else None)
    assert os.listdir(tmp_path) == []  # neither the dataset nor its staging folder


def test_a_schema_error_on_a_worker_leaves_nothing(client, tmp_path):
    # the probe (512 rows) finds 512 distinct days of 1000; the one 1,200-row partition cannot
    schema = {
        "tables": {
            "big": {"rows": 3000, "columns": {"k": "codes.uuid4"}},
            "days": {
                "rows": 1200,
                "columns": {
                    "d": {"provider": "datetime.date", "start": "2020-01-01", "end": "2022-09-26", "unique": True}
                },
            },
        }
    }
    plan = plan_fake(schema, seed=0, partition_rows=1500)
    with pytest.raises(SchemaError, match=r"partition 0 failed: table 'days', column 'd'.*distinct"):
        write_fake_dataset(plan, tmp_path / "out", client)
    assert os.listdir(tmp_path) == []
