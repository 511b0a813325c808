"""reflect_schema / read_database on SQLite, PostgreSQL (127.0.0.1:5432, db test) and MariaDB (127.0.0.1:3306)."""

import json
import uuid

import numpy as np
import pandas as pd
import pytest

from ..dbhelpers import pg_schema_url, run_sql

from simulacra.errors import DatabaseError, ParameterError
from simulacra.io import read_database, reflect_schema

HOSTILE = 'x"; DROP TABLE t; --'

# one schema, in each database's words: {placeholder}s are the dialect's types
DDL = [
    "CREATE TABLE {p}parent (id INTEGER PRIMARY KEY, name {text} NOT NULL)",
    "CREATE TABLE {p}child (cid INTEGER NOT NULL, n INTEGER, flag {bool}, born DATE, at {ts}, price NUMERIC(10, 2),"
    " x {real}, label {text}, parent_id INTEGER, PRIMARY KEY (cid), FOREIGN KEY (parent_id) REFERENCES {p}parent (id))",
    "CREATE TABLE {p}pair (a INTEGER NOT NULL, b {key} NOT NULL, v INTEGER, PRIMARY KEY (a, b))",
    "CREATE TABLE {p}pair_child (id INTEGER PRIMARY KEY, a INTEGER, b {key},"
    " FOREIGN KEY (a, b) REFERENCES {p}pair (a, b))",
    "CREATE VIEW {p}v AS SELECT id FROM {p}parent",
]
ROWS = [
    "INSERT INTO {p}parent VALUES (1, 'one'), (2, 'two')",
    "INSERT INTO {p}child VALUES (10, 5, {t}, '2020-01-02', '2020-01-02 03:04:05', 1.25, 0.5, 'a', 1),"
    " (11, NULL, {f}, NULL, NULL, NULL, NULL, NULL, NULL), (12, 7, NULL, '2021-06-30', '2021-06-30 00:00:01', 3.5,"
    " -1.5, 'c', 2)",
    "INSERT INTO {p}pair VALUES (1, 'x', 3), (1, 'y', 4)",
    "INSERT INTO {p}pair_child VALUES (1, 1, 'y'), (2, NULL, NULL)",
]
TYPES = {
    "sqlite": dict(text="TEXT", bool="BOOLEAN", ts="TIMESTAMP", real="REAL", key="TEXT", t="1", f="0"),
    "postgresql": dict(
        text="TEXT", bool="BOOLEAN", ts="TIMESTAMP", real="DOUBLE PRECISION", key="TEXT", t="TRUE", f="FALSE"
    ),
    "mysql": dict(text="TEXT", bool="BOOLEAN", ts="DATETIME", real="DOUBLE", key="VARCHAR(20)", t="TRUE", f="FALSE"),
}


def _build(url, kind, p=""):
    run_sql(url, [s.format(p=p, **TYPES[kind]) for s in DDL + ROWS])


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'src.db'}"
    _build(url, "sqlite")
    return url


@pytest.fixture
def pg_url():
    url, drop = pg_schema_url("sim_dbh")
    yield url
    drop()


def mysql_url_or_skip():
    pytest.importorskip("pymysql")
    import sqlalchemy as sa

    url = "mysql+pymysql://root@127.0.0.1:3306/test"
    try:
        sa.create_engine(url).connect().close()
    except sa.exc.SQLAlchemyError:
        pytest.skip("MariaDB/MySQL is not running on 127.0.0.1:3306")
    return url


# ---------------------------------------------------------------------- schema
def _check_schema(s, p=""):
    json.dumps(s)  # plain JSON
    t = s["tables"]
    assert set(t) == {f"{p}parent", f"{p}child", f"{p}pair", f"{p}pair_child"}  # the view is skipped
    assert t[f"{p}parent"]["primary_key"] == ["id"]
    assert t[f"{p}child"]["foreign_keys"] == [
        {"constrained_columns": ["parent_id"], "referred_table": f"{p}parent", "referred_columns": ["id"]}
    ]
    assert t[f"{p}pair"]["primary_key"] == ["a", "b"]
    assert t[f"{p}pair_child"]["foreign_keys"] == [
        {"constrained_columns": ["a", "b"], "referred_table": f"{p}pair", "referred_columns": ["a", "b"]}
    ]
    cols = {c["name"]: c for c in t[f"{p}child"]["columns"]}
    assert list(cols) == ["cid", "n", "flag", "born", "at", "price", "x", "label", "parent_id"]
    assert cols["cid"]["nullable"] is False and cols["n"]["nullable"] is True
    assert "INT" in cols["n"]["type"].upper()
    assert cols["price"]["type"].upper().startswith(("NUMERIC", "DECIMAL"))


def _check_data(d, p=""):
    c = d[f"{p}child"]
    assert str(c["cid"].dtype) == "int64"
    assert str(c["n"].dtype) == "Int64" and c["n"].tolist()[0] == 5 and c["n"].isna().tolist() == [False, True, False]
    assert str(c["flag"].dtype) == "boolean" and c["flag"].tolist()[:2] == [True, False] and c["flag"].isna()[2]
    assert pd.api.types.is_datetime64_any_dtype(c["born"]) and c["born"][0] == pd.Timestamp("2020-01-02")
    assert pd.api.types.is_datetime64_any_dtype(c["at"]) and c["at"][2] == pd.Timestamp("2021-06-30 00:00:01")
    assert c["price"].dtype == np.float64 and c["price"].tolist()[0] == 1.25 and np.isnan(c["price"][1])
    assert c["x"].dtype == np.float64 and c["x"][2] == -1.5
    assert str(c["label"].dtype) in ("object", "str") and c["label"].isna().tolist() == [False, True, False]
    assert c["label"].dropna().tolist() == ["a", "c"]
    assert str(c["parent_id"].dtype) == "Int64"
    assert d[f"{p}parent"]["name"].tolist() == ["one", "two"]
    assert d[f"{p}pair"].to_dict("list") == {"a": [1, 1], "b": ["x", "y"], "v": [3, 4]}


def test_sqlite_schema_and_data(sqlite_url):
    _check_schema(reflect_schema(sqlite_url))
    data = read_database(sqlite_url)
    _check_data(data)
    small = read_database(sqlite_url, chunksize=1)  # one row per round trip: the same tables
    for name in data:
        pd.testing.assert_frame_equal(small[name], data[name])


def test_tables_option_and_unknown_table(sqlite_url):
    assert list(reflect_schema(sqlite_url, tables=["parent"])["tables"]) == ["parent"]
    assert list(read_database(sqlite_url, tables=["pair", "parent"])) == ["pair", "parent"]
    with pytest.raises(DatabaseError, match="no table.*'nope'.*its tables: 'child', 'pair', 'pair_child', 'parent'"):
        reflect_schema(sqlite_url, tables=["nope"])
    with pytest.raises(DatabaseError, match="'v'"):  # a view is not a table
        read_database(sqlite_url, tables=["v"])


def test_empty_table_keeps_dtypes(tmp_path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    run_sql(url, ["CREATE TABLE e (i INTEGER, b BOOLEAN, d DATE, f REAL, s TEXT)"])
    df = read_database(url)["e"]
    assert len(df) == 0 and list(df.columns) == ["i", "b", "d", "f", "s"]
    assert [str(t) for t in df.dtypes] == ["int64", "boolean", "datetime64[ns]", "float64", "object"]


def test_hostile_names_are_read_as_names(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    q = HOSTILE.replace('"', '""')
    run_sql(
        url,
        [
            "CREATE TABLE t (a INTEGER)",
            f'CREATE TABLE "{q}" ("{q}" INTEGER PRIMARY KEY)',
            f'INSERT INTO "{q}" VALUES (1)',
        ],
    )
    s = reflect_schema(url)
    assert set(s["tables"]) == {"t", HOSTILE} and s["tables"][HOSTILE]["primary_key"] == [HOSTILE]
    d = read_database(url, tables=[HOSTILE])
    assert d[HOSTILE][HOSTILE].tolist() == [1]
    assert "t" in reflect_schema(url)["tables"]  # nothing was executed


def test_connection_errors(tmp_path):
    with pytest.raises(DatabaseError, match="no database file"):
        read_database(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()  # not created by reading
    with pytest.raises(DatabaseError, match="invalid database URL"):
        reflect_schema("nosuchdialect://x/y")
    with pytest.raises(ParameterError, match="database URL"):
        read_database("not a url")
    with pytest.raises(ParameterError, match="chunksize"):
        read_database(f"sqlite:///{tmp_path / 'x.db'}", chunksize=0)


def test_unreachable_server_masks_password():
    pytest.importorskip("psycopg")
    with pytest.raises(DatabaseError, match="cannot connect") as e:
        reflect_schema("postgresql://postgres:s3cretpw@127.0.0.1:1/test")
    assert "s3cretpw" not in str(e.value) and "***" in str(e.value)


def test_postgres_missing_database_masks_password():
    pytest.importorskip("psycopg")
    import sqlalchemy as sa

    try:
        sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test").connect().close()
    except sa.exc.OperationalError:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    with pytest.raises(DatabaseError, match="sim_no_such_db") as e:
        read_database("postgresql://postgres:s3cretpw@127.0.0.1:5432/sim_no_such_db")
    assert "s3cretpw" not in str(e.value)


def test_postgres_schema_and_data(pg_url):
    _build(pg_url, "postgresql")
    _check_schema(reflect_schema(pg_url))
    _check_data(read_database(pg_url))
    small = read_database(pg_url, tables=["child"], chunksize=2)
    pd.testing.assert_frame_equal(small["child"], read_database(pg_url, tables=["child"])["child"])


def test_postgres_timezone_column(pg_url):
    run_sql(pg_url, ["CREATE TABLE tz (at TIMESTAMPTZ)", "INSERT INTO tz VALUES ('2020-01-01 00:00:00+02'), (NULL)"])
    at = read_database(pg_url)["tz"]["at"]
    assert isinstance(at.dtype, pd.DatetimeTZDtype)
    assert at[0] == pd.Timestamp("2019-12-31 22:00:00", tz="UTC") and pd.isna(at[1])


def test_mariadb_schema_and_data():
    url = mysql_url_or_skip()
    p = f"sim_dbh_{uuid.uuid4().hex[:6]}_"
    try:
        _build(url, "mysql", p)
        names = [f"{p}{t}" for t in ("parent", "child", "pair", "pair_child")]
        _check_schema(reflect_schema(url, tables=names), p)
        _check_data(read_database(url, tables=names), p)
    finally:
        run_sql(
            url,
            [f"DROP VIEW IF EXISTS {p}v"]
            + [f"DROP TABLE IF EXISTS {p}{t}" for t in ("pair_child", "pair", "child", "parent")],
        )
