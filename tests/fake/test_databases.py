"""Fake tables into SQLite (embedded) and PostgreSQL (127.0.0.1:5432, database test)."""

import json
import uuid

import pytest
from click.testing import CliRunner

from simulacra.cli import cli as main

SCHEMA = {
    "tables": {
        "parents_T": {
            "rows": 200,
            "primary_key": "pid",
            "columns": {"pid": {"provider": "sequence"}, "name": "full_name", "born": "person.birthdate"},
        },
        "children_T": {
            "rows": 3000,
            "primary_key": "cid",
            "columns": {
                "cid": {"provider": "sequence"},
                "pid": {"foreign_key": "parents_T.pid"},
                "amount": {"provider": "finance.price", "nulls": 0.1},
                "at": "datetime.datetime",
            },
        },
    }
}


def _schema_file(tmp_path, suffix):
    text = json.dumps(SCHEMA).replace("_T", suffix)
    p = tmp_path / "schema.json"
    p.write_text(text)
    return p


def _pg_url():
    pytest.importorskip("psycopg")
    import sqlalchemy as sa

    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    try:
        with sa.create_engine(url).connect() as c:
            c.execute(sa.text("select 1"))
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"PostgreSQL not reachable: {e}")
    return url


def _run(args):
    return CliRunner().invoke(main, args)


def _check_db(url, suffix):
    import sqlalchemy as sa

    eng = sa.create_engine(url)
    with eng.connect() as c:
        n_p = c.execute(sa.text(f'select count(*) from "parents{suffix}"')).scalar()
        n_c = c.execute(sa.text(f'select count(*) from "children{suffix}"')).scalar()
        orphans = c.execute(
            sa.text(
                f'select count(*) from "children{suffix}" c left join "parents{suffix}" p on c.pid = p.pid where p.pid is null'
            )
        ).scalar()
    eng.dispose()
    return n_p, n_c, orphans


def test_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'fake.db'}"
    schema = _schema_file(tmp_path, "_s")
    r = _run(["fake", str(schema), "--to", url, "--seed", "1", "--chunk-size", "1000"])
    assert r.exit_code == 0, r.output
    assert _check_db(url, "_s") == (200, 3000, 0)
    r = _run(["fake", str(schema), "--to", url])
    assert r.exit_code == 1 and "--if-exists" in r.output
    r = _run(["fake", str(schema), "--to", url, "--if-exists", "append"])
    assert r.exit_code == 1  # appending the same keys breaks the primary key: nothing committed
    assert _check_db(url, "_s") == (200, 3000, 0)
    r = _run(["fake", str(schema), "--to", url, "--if-exists", "replace", "--seed", "2"])
    assert r.exit_code == 0, r.output
    assert _check_db(url, "_s") == (200, 3000, 0)


def test_postgresql_foreign_keys_enforced(tmp_path):
    url = _pg_url()
    suffix = "_" + uuid.uuid4().hex[:8]
    schema = _schema_file(tmp_path, suffix)
    r = _run(["fake", str(schema), "--to", url, "--seed", "1", "--chunk-size", "700"])
    assert r.exit_code == 0, r.output
    assert _check_db(url, suffix) == (200, 3000, 0)
    import sqlalchemy as sa

    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            fks = sa.inspect(c).get_foreign_keys(f"children{suffix}")
            assert fks and fks[0]["referred_table"] == f"parents{suffix}"
            # the database itself rejects an orphan: the constraint is real
            with pytest.raises(sa.exc.IntegrityError):
                c.execute(sa.text(f'insert into "children{suffix}" (cid, pid) values (999999, 123456789)'))
            c.rollback()
        r = _run(["fake", str(schema), "--to", url, "--if-exists", "replace", "--seed", "5"])
        assert r.exit_code == 0, r.output
        assert _check_db(url, suffix) == (200, 3000, 0)
    finally:
        with eng.begin() as c:
            c.execute(sa.text(f'drop table if exists "children{suffix}", "parents{suffix}" cascade'))
        eng.dispose()


def test_refused_connection_is_one_line(tmp_path):
    pytest.importorskip("psycopg")
    schema = _schema_file(tmp_path, "_x")
    r = _run(["fake", str(schema), "--to", "postgresql+psycopg://nobody@127.0.0.1:1/none"])
    assert r.exit_code == 1
    lines = [l for l in r.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot connect")


# ------------------------------------------------------------------ hardening (#11)
import hashlib  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import pandas as pd  # noqa: E402

from simulacra.errors import DatabaseError  # noqa: E402
from simulacra.io.databases import DatabaseWriter  # noqa: E402

# names that broke out of the old f'DROP TABLE "{name}" CASCADE', or that trip bind-parameter
# parsing (% for psycopg, :name for text()), quoting, dots of 'table.column' strings
HOSTILE = [
    '";COMMIT;--',
    '" CASCADE; DROP TABLE "x',
    "e'f",
    "a%b",
    "x%(y)s",
    "%s",
    "c:d",
    "?",
    "a.b",
    "sp ace",
    "ünï",
    "select",
]


def _one_error_line(r):
    lines = [l for l in r.output.splitlines() if l.strip()]
    assert r.exit_code == 1 and len(lines) == 1 and lines[0].startswith("error: "), r.output
    return lines[0]


def _pg_engine():
    import sqlalchemy as sa

    return sa.create_engine(_pg_url())


def _pg_count(eng, name):
    import sqlalchemy as sa

    with eng.connect() as c:
        if not sa.inspect(c).has_table(name):
            return None
        t = sa.Table(name, sa.MetaData())
        return c.execute(sa.select(sa.func.count()).select_from(t)).scalar()


def _pg_drop(eng, *names):
    import sqlalchemy as sa

    with eng.begin() as c:
        for n in names:
            sa.Table(n, sa.MetaData()).drop(c, checkfirst=True)


@pytest.mark.parametrize("payload", ['";COMMIT;--', '" CASCADE; DROP TABLE "{victim}'])
def test_postgresql_table_name_cannot_inject_sql(tmp_path, payload):
    import sqlalchemy as sa

    eng = _pg_engine()
    victim = "victim_" + uuid.uuid4().hex[:8]
    odd = victim + payload.format(victim=victim)
    try:
        with eng.begin() as c:
            t = sa.Table(victim, sa.MetaData(), sa.Column("x", sa.Integer))
            t.create(c)
            c.execute(t.insert(), [{"x": i} for i in range(7)])
            # a table with the odd name already exists, so --if-exists replace drops it
            sa.Table(odd, sa.MetaData(), sa.Column("y", sa.Integer)).create(c)
        schema = tmp_path / "s.json"
        schema.write_text(json.dumps({"tables": {odd: {"rows": 5, "columns": {"id": "sequence", "email": "email"}}}}))
        r = _run(["fake", str(schema), "--to", _pg_url(), "--if-exists", "replace", "--seed", "0"])
        assert r.exit_code == 0, r.output
        assert _pg_count(eng, victim) == 7  # the victim keeps its rows
        assert _pg_count(eng, odd) == 5  # the odd name is just a name: that exact table was replaced
        with eng.connect() as c:
            assert [col["name"] for col in sa.inspect(c).get_columns(odd)] == ["id", "email"]
        # the same through --table
        one = tmp_path / "one.json"
        one.write_text(json.dumps({"columns": {"id": "sequence"}}))
        r = _run(["fake", str(one), "-n", "3", "--to", _pg_url(), "--table", odd, "--if-exists", "replace"])
        assert r.exit_code == 0, r.output
        assert _pg_count(eng, victim) == 7 and _pg_count(eng, odd) == 3
    finally:
        _pg_drop(eng, odd, victim)
        eng.dispose()


def test_postgresql_hostile_table_and_column_names_round_trip():
    import sqlalchemy as sa

    eng = _pg_engine()
    suffix = "_" + uuid.uuid4().hex[:6]
    names = [n + suffix for n in HOSTILE]
    try:
        for if_exists in ("fail", "replace"):
            _write_hostile(_pg_url(), names, if_exists)
        with eng.connect() as c:
            for n, col in zip(names, HOSTILE):
                t = sa.Table(n, sa.MetaData(), autoload_with=c)
                assert list(t.c.keys()) == [col, "v:" + col, "ref.col"]
                assert c.execute(sa.select(sa.func.count()).select_from(t)).scalar() == 3
            assert sa.inspect(c).get_foreign_keys(names[1])[0]["referred_table"] == names[0]
    finally:
        _pg_drop(eng, *reversed(names))
        eng.dispose()


def _write_hostile(url, names, if_exists="fail"):
    with DatabaseWriter(url, if_exists) as w:
        w.drop_for_replace(names)  # replace: the child tables go before their parent
        for i, (n, col) in enumerate(zip(names, HOSTILE)):
            df = pd.DataFrame({col: [1, 2, 3], "v:" + col: ["x", None, "z"], "ref.col": [1, 2, 1]})
            w.create(n, df, primary_key=col, foreign_keys={"ref.col": (names[0], HOSTILE[0])} if i else None)
            w.insert(n, df)


def test_sqlite_hostile_table_and_column_names_round_trip(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'h.db'}"
    _write_hostile(url, HOSTILE)
    _write_hostile(url, HOSTILE, "replace")
    eng = sa.create_engine(url)
    with eng.connect() as c:
        assert sorted(sa.inspect(c).get_table_names()) == sorted(HOSTILE)
        for n in HOSTILE:
            t = sa.Table(n, sa.MetaData(), autoload_with=c)
            assert list(t.c.keys()) == [n, "v:" + n, "ref.col"]
            assert c.execute(sa.select(sa.func.count()).select_from(t)).scalar() == 3
    eng.dispose()


@pytest.mark.parametrize(
    "table, column, match",
    [
        ("t" * 64, "id", "64 bytes long; postgresql holds at most 63"),
        ("é" * 32, "id", "64 bytes long"),  # 32 characters, but PostgreSQL counts bytes
        ("ok", "c" * 64, "column name"),
        ("ok", "", "empty"),
    ],
)
def test_postgresql_refuses_names_it_cannot_hold_and_writes_nothing(tmp_path, table, column, match):
    eng = _pg_engine()
    first = "first_" + uuid.uuid4().hex[:8]
    table = table if table != "ok" else "second_" + uuid.uuid4().hex[:8]
    try:
        with pytest.raises(DatabaseError, match=match):
            with DatabaseWriter(_pg_url()) as w:
                w.create(first, pd.DataFrame({"id": [1]}))
                w.insert(first, pd.DataFrame({"id": [1]}))
                w.create(table, pd.DataFrame({column: [1]}))
        assert _pg_count(eng, first) is None  # table 1 was rolled back with the refusal
        if len(table.encode()) <= 63:
            assert _pg_count(eng, table) is None
    finally:
        _pg_drop(eng, first)
        eng.dispose()


def test_63_byte_postgresql_name_is_kept_whole():
    eng = _pg_engine()
    name = "n" + uuid.uuid4().hex[:16] + "é" * 20 + "x" * 6  # 17 + 40 + 6 bytes
    assert len(name.encode()) == 63
    try:
        with DatabaseWriter(_pg_url()) as w:
            w.create(name, pd.DataFrame({"id": [1, 2]}))
            w.insert(name, pd.DataFrame({"id": [1, 2]}))
        assert _pg_count(eng, name) == 2
    finally:
        _pg_drop(eng, name)
        eng.dispose()


@pytest.mark.parametrize("bad", ["t\x00x", "new\nline", "tab\there", " "])
def test_cli_refuses_control_characters_and_empty_names(tmp_path, bad):
    db = tmp_path / "n.db"
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"columns": {"id": "sequence"}}))
    line = _one_error_line(_run(["fake", str(one), "-n", "3", "--to", f"sqlite:///{db}", "--table", bad]))
    assert "table name" in line
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"tables": {"a": {"columns": {"id": "sequence"}}, "b": {"columns": {bad: "email"}}}}))
    line = _one_error_line(_run(["fake", str(schema), "--to", f"sqlite:///{db}"]))
    assert "column name" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.json", "s.json"]


# ------------------------------------------------------------------ SQLite: one transaction, FKs on
FAILS_ON_TABLE_2 = {
    # table 2 fails while it is generated (a provider option that does not exist)
    "generation": {"rows": 50, "columns": {"id": "sequence", "x": {"provider": "basic.integer", "no_such_option": 1}}},
    # table 2 fails in the database (SQLite reserves names starting with sqlite_)
    "database": {"rows": 50, "columns": {"id": "sequence"}},
}


def _two_tables(kind, tmp_path):
    second = "sqlite_reserved" if kind == "database" else "second"
    schema = {
        "tables": {
            "first": {"rows": 300, "primary_key": "id", "columns": {"id": "sequence", "name": "full_name"}},
            second: FAILS_ON_TABLE_2[kind],
        }
    }
    p = tmp_path / "two.json"
    p.write_text(json.dumps(schema))
    return p


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", ["generation", "database"])
def test_sqlite_failure_on_table_2_leaves_nothing(tmp_path, kind):
    import sqlalchemy as sa

    schema = _two_tables(kind, tmp_path)
    # a new file: nothing at all is left (no .db, no 0-byte file, no temporary file, no journal)
    new = tmp_path / "new.db"
    _one_error_line(_run(["fake", str(schema), "--to", f"sqlite:///{new}", "--chunk-size", "100"]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two.json"]
    # an existing file: byte for byte unchanged
    old = tmp_path / "old.db"
    eng = sa.create_engine(f"sqlite:///{old}")
    with eng.begin() as c:
        t = sa.Table("keep", sa.MetaData(), sa.Column("x", sa.Integer))
        t.create(c)
        c.execute(t.insert(), [{"x": i} for i in range(10)])
    eng.dispose()
    before = _sha(old)
    for if_exists in ("fail", "replace"):
        _one_error_line(
            _run(["fake", str(schema), "--to", f"sqlite:///{old}", "--if-exists", if_exists, "--chunk-size", "100"])
        )
        assert _sha(old) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db", "two.json"]


def test_sqlite_orphan_row_is_refused(tmp_path):
    db = tmp_path / "fk.db"
    parent = pd.DataFrame({"id": [1, 2, 3]})
    child = pd.DataFrame({"cid": [1, 2], "pid": [1, 99]})
    with pytest.raises(DatabaseError, match="'child' \\(1 row"):
        with DatabaseWriter(f"sqlite:///{db}") as w:
            w.create("parent", parent, primary_key="id")
            w.insert("parent", parent)
            w.create("child", child, primary_key="cid", foreign_keys={"pid": ("parent", "id")})
            w.insert("child", child)
    assert list(tmp_path.iterdir()) == []
    # a valid run, then an orphan appended to the existing file: refused, file unchanged
    with DatabaseWriter(f"sqlite:///{db}") as w:
        w.create("parent", parent, primary_key="id")
        w.insert("parent", parent)
        w.create("child", child.iloc[:1], primary_key="cid", foreign_keys={"pid": ("parent", "id")})
        w.insert("child", child.iloc[:1])
    before = _sha(db)
    with pytest.raises(DatabaseError, match="parent table does not have"):
        with DatabaseWriter(f"sqlite:///{db}", "append") as w:
            w.create("child", child.iloc[1:])
            w.insert("child", child.iloc[1:])
    assert _sha(db) == before


def test_sqlite_replace_keeps_foreign_keys_valid(tmp_path):
    # replacing a parent while its old child still references it works inside the transaction
    url = f"sqlite:///{tmp_path / 'r.db'}"
    schema = _schema_file(tmp_path, "_r")
    for seed in ("1", "2"):
        r = _run(["fake", str(schema), "--to", url, "--if-exists", "replace", "--seed", seed, "--chunk-size", "700"])
        assert r.exit_code == 0, r.output
        assert _check_db(url, "_r") == (200, 3000, 0)


def test_sqlite_missing_folder_is_a_clear_error(tmp_path):
    schema = _schema_file(tmp_path, "_m")
    line = _one_error_line(_run(["fake", str(schema), "--to", f"sqlite:///{tmp_path / 'nope' / 'x.db'}"]))
    assert "does not exist" in line
    assert not (tmp_path / "nope").exists()


def test_sqlite_sigkill_mid_load_leaves_no_database(tmp_path):
    schema = tmp_path / "big.json"
    schema.write_text(json.dumps({"columns": {"id": "sequence", "name": "full_name", "email": "email"}}))
    db = tmp_path / "k.db"
    proc = _start_slow_load(tmp_path, f"sqlite:///{db}", schema)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert not db.exists()
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".k.db.")]
    assert left  # the killed run's temporary files (nothing with the database's name)
    # the next run into the same folder removes them and writes the database
    r = _run(["fake", str(schema), "-n", "10", "--to", f"sqlite:///{db}"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.json", "k.db"]


def test_sqlite_stale_parts_only_of_that_database_and_this_host(tmp_path):
    import subprocess
    import sys

    from simulacra.io.writers import host_tag

    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    dead, host = p.pid, host_tag()
    stale = [tmp_path / f".k.db.{host}.{dead}.0123abcd.part", tmp_path / f".k.db.{host}.{dead}.0123abcd.part-journal"]
    kept = [
        tmp_path / f".k.db.other-host.{dead}.0123abcd.part",  # another host's run on a shared folder
        tmp_path / f".k.db.{dead}.0123abcd.part-wal",  # no host: not a name this version makes
        tmp_path / f".x.db.{host}.{dead}.0123abcd.part",  # another database's part
        tmp_path / f".notes.txt.{dead}.deadbeef.part",  # a user's file
    ]
    for f in stale + kept:
        f.write_text("x")
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"columns": {"id": "sequence"}}))
    r = _run(["fake", str(schema), "-n", "3", "--to", f"sqlite:///{tmp_path / 'k.db'}"])
    assert r.exit_code == 0, r.output
    assert not any(f.exists() for f in stale) and all(f.read_text() == "x" for f in kept)


def _limit_pages(w, pages):
    # a full disk, simulated: SQLite refuses to grow the file past max_page_count (SQLITE_FULL)
    w.conn.exec_driver_sql(f"PRAGMA max_page_count = {int(pages)}")


@pytest.mark.parametrize("existing", [False, True])
def test_sqlite_full_disk_leaves_nothing(tmp_path, existing):
    import sqlalchemy as sa

    db = tmp_path / "full.db"
    if existing:
        with DatabaseWriter(f"sqlite:///{db}") as w:
            w.create("keep", pd.DataFrame({"x": range(10)}))
            w.insert("keep", pd.DataFrame({"x": range(10)}))
        before = _sha(db)
    big = pd.DataFrame({"id": range(20_000), "text": ["some text to fill pages"] * 20_000})
    with pytest.raises(DatabaseError, match="full"):
        with DatabaseWriter(f"sqlite:///{db}") as w:
            _limit_pages(w, 20)
            w.create("first", big.iloc[:10])
            w.insert("first", big.iloc[:10])
            w.create("big", big)
            w.insert("big", big)
    if existing:
        assert _sha(db) == before
        eng = sa.create_engine(f"sqlite:///{db}")
        with eng.connect() as c:
            assert sa.inspect(c).get_table_names() == ["keep"]
        eng.dispose()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["full.db"]
    else:
        assert list(tmp_path.iterdir()) == []


def _start_slow_load(tmp_path, url, schema):
    cmd = [sys.executable, "-m", "simulacra", "fake", str(schema), "-n", "5000000", "--chunk-size", "2000", "--to", url]
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    # mid-load: the transaction has begun writing (a rollback journal exists)
    while not any(p.name.endswith("-journal") for p in tmp_path.iterdir()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the load never started: {proc.communicate()}")
        time.sleep(0.02)
    time.sleep(0.2)
    assert proc.poll() is None
    return proc


def test_sqlite_sigterm_mid_load_cleans_up(tmp_path):
    schema = tmp_path / "big.json"
    schema.write_text(json.dumps({"columns": {"id": "sequence", "name": "full_name"}}))
    proc = _start_slow_load(tmp_path, f"sqlite:///{tmp_path / 't.db'}", schema)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.json"], err


def test_sqlite_sigkill_mid_load_into_existing_file_keeps_it(tmp_path):
    import sqlalchemy as sa

    db = tmp_path / "e.db"
    with DatabaseWriter(f"sqlite:///{db}") as w:
        w.create("keep", pd.DataFrame({"x": range(10)}))
        w.insert("keep", pd.DataFrame({"x": range(10)}))
    schema = tmp_path / "big.json"
    schema.write_text(json.dumps({"columns": {"id": "sequence", "name": "full_name"}}))
    proc = _start_slow_load(tmp_path, f"sqlite:///{db}", schema)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    # SQLite rolls the hot journal back on the next open: the file holds what it held before
    eng = sa.create_engine(f"sqlite:///{db}")
    with eng.connect() as c:
        assert sa.inspect(c).get_table_names() == ["keep"]
        assert c.exec_driver_sql('SELECT count(*) FROM "keep"').scalar() == 10
    eng.dispose()


def test_sqlite_target_that_is_not_a_database_is_left_alone(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"columns": {"id": "sequence"}}))
    csv = tmp_path / "data.db"
    csv.write_text("a,b\n1,2\n" * 100)
    before = _sha(csv)
    line = _one_error_line(_run(["fake", str(one), "-n", "5", "--to", f"sqlite:///{csv}"]))
    assert "not a database" in line and _sha(csv) == before
    link = tmp_path / "dangling.db"
    link.symlink_to(tmp_path / "nowhere" / "x.db")
    line = _one_error_line(_run(["fake", str(one), "-n", "5", "--to", f"sqlite:///{link}"]))
    assert "symbolic link" in line and not (tmp_path / "nowhere").exists()
    line = _one_error_line(_run(["fake", str(one), "-n", "5", "--to", f"sqlite:///{tmp_path}"]))
    assert "is a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.db", "data.db", "one.json"]


def test_postgresql_url_without_driver_uses_psycopg3():
    # README's postgresql://user@host/db works with psycopg 3 alone, whether SQLAlchemy 2.0 or 2.1
    _pg_url()
    with DatabaseWriter("postgresql://postgres@127.0.0.1:5432/test") as w:
        assert w.engine.dialect.driver == "psycopg"


# ------------------------------------------------------------------ replace without CASCADE (#11)
def _rows(eng, name):
    import sqlalchemy as sa

    with eng.connect() as c:
        t = sa.Table(name, sa.MetaData(), autoload_with=c)
        return sorted(map(tuple, c.execute(sa.select(t)).fetchall()))


def _replace_refusal_cases(eng, schema, url, suffix):
    """A view and another table's foreign key on the run's parent table: replace is refused."""
    import sqlalchemy as sa

    parents, view, other = f"parents{suffix}", f"view{suffix}", f"other{suffix}"
    assert _run(["fake", str(schema), "--to", url, "--seed", "1", "--chunk-size", "700"]).exit_code == 0
    before = (_rows(eng, parents), _rows(eng, f"children{suffix}"))
    with eng.begin() as c:
        c.execute(sa.text(f'create view "{view}" as select pid, name from "{parents}" where pid < 50'))
    view_rows = _rows(eng, view)
    line = _one_error_line(_run(["fake", str(schema), "--to", url, "--if-exists", "replace", "--seed", "2"]))
    assert f"cannot replace table {parents!r}" in line and view in line and "--if-exists append" in line
    assert (_rows(eng, parents), _rows(eng, f"children{suffix}")) == before and _rows(eng, view) == view_rows
    with eng.begin() as c:
        c.execute(sa.text(f'drop view "{view}"'))
        c.execute(sa.text(f'create table "{other}" (id integer primary key, pid bigint references "{parents}" (pid))'))
        c.execute(sa.text(f'insert into "{other}" values (1, 7)'))
    line = _one_error_line(_run(["fake", str(schema), "--to", url, "--if-exists", "replace", "--seed", "2"]))
    assert f"cannot replace table {parents!r}" in line and other in line
    assert (_rows(eng, parents), _rows(eng, f"children{suffix}")) == before and _rows(eng, other) == [(1, 7)]
    with eng.begin() as c:
        c.execute(sa.text(f'drop table "{other}"'))
    for seed in ("3", "4"):  # without outside dependents, parent + child are replaced, again and again
        r = _run(["fake", str(schema), "--to", url, "--if-exists", "replace", "--seed", seed, "--chunk-size", "700"])
        assert r.exit_code == 0, r.output
        assert _check_db(url, suffix) == (200, 3000, 0)
    assert (_rows(eng, parents), _rows(eng, f"children{suffix}")) != before
    with eng.connect() as c:
        assert sa.inspect(c).get_foreign_keys(f"children{suffix}")[0]["referred_table"] == parents


def test_postgresql_replace_never_cascades_to_objects_outside_the_run(tmp_path):
    import sqlalchemy as sa

    url = _pg_url()
    suffix = "_" + uuid.uuid4().hex[:8]
    eng = sa.create_engine(url)
    try:
        _replace_refusal_cases(eng, _schema_file(tmp_path, suffix), url, suffix)
    finally:
        with eng.begin() as c:
            c.execute(sa.text(f'drop view if exists "view{suffix}"'))
            for t in ("other", "children", "parents"):
                c.execute(sa.text(f'drop table if exists "{t}{suffix}"'))
        eng.dispose()


def test_sqlite_replace_never_breaks_objects_outside_the_run(tmp_path):
    import sqlalchemy as sa

    db = tmp_path / "v.db"
    url = f"sqlite:///{db}"
    eng = sa.create_engine(url)  # plain SQLite would drop the table under the view without a word
    _replace_refusal_cases(eng, _schema_file(tmp_path, "_v"), url, "_v")
    eng.dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.json", "v.db"]


def test_replace_drops_children_first_whatever_order_it_is_given(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'o.db'}"
    parent = pd.DataFrame({"id": [1, 2, 3]})
    child = pd.DataFrame({"cid": [1, 2], "pid": [1, 3]})

    def write(order):
        with DatabaseWriter(url, "replace") as w:
            assert w.drop_for_replace(order) == ([] if first else ["child", "parent"])
            w.create("parent", parent, primary_key="id")
            w.insert("parent", parent)
            w.create("child", child, primary_key="cid", foreign_keys={"pid": ("parent", "id")})
            w.insert("child", child)

    first = True
    write(["parent", "child"])
    first = False
    write(["parent", "child"])
    write(["child", "parent"])  # the database's own foreign keys give the order
    # one table at a time, the parent first: refused with what to do, nothing changed
    before = _sha(tmp_path / "o.db")
    with pytest.raises(DatabaseError, match="'child'.*reference it.*drop_for_replace"):
        with DatabaseWriter(url, "replace") as w:
            w.create("parent", parent, primary_key="id")
    assert _sha(tmp_path / "o.db") == before
    eng = sa.create_engine(url)
    with eng.connect() as c:
        assert sorted(sa.inspect(c).get_table_names()) == ["child", "parent"]
    eng.dispose()


# --------------------------------------------------------------- names that differ only in case (audit2 3)
def _case_schema(tmp_path, t1="case_t", t2="case_T"):
    p = tmp_path / "case.yaml"
    p.write_text(
        f"tables:\n  {t1}: {{columns: {{x: {{provider: sequence}}}}}}\n  {t2}: {{columns: {{x: {{provider: sequence}}}}}}\n"
    )
    return p


def _sqlite_tables(path):
    import sqlite3

    c = sqlite3.connect(path)
    try:
        return {
            n: c.execute(f'select count(*) from "{n}"').fetchone()[0]
            for (n,) in c.execute("select name from sqlite_master where type='table'")
        }
    finally:
        c.close()


@pytest.mark.parametrize("if_exists", ["fail", "append", "replace"])
def test_sqlite_refuses_table_names_differing_only_in_case(tmp_path, if_exists):
    db = tmp_path / "c.db"
    r = _run(["fake", str(_case_schema(tmp_path)), "-n", "3", "--to", f"sqlite:///{db}", "--if-exists", if_exists])
    assert r.exit_code == 1, r.output
    assert "'case_t' and 'case_T' differ only in case" in r.output and "already exists" not in r.output
    assert not db.exists()  # nothing written: no merged table
    import sqlite3

    sqlite3.connect(db).execute("create table other (y int)").connection.commit()
    r = _run(["fake", str(_case_schema(tmp_path)), "-n", "3", "--to", f"sqlite:///{db}", "--if-exists", if_exists])
    assert r.exit_code == 1 and "differ only in case" in r.output
    assert _sqlite_tables(db) == {"other": 0}


def test_sqlite_refuses_column_names_differing_only_in_case(tmp_path):
    from simulacra.errors import DatabaseError
    from simulacra.io.databases import write_dataframe
    import pandas as pd

    p = tmp_path / "cols.yaml"
    p.write_text("columns:\n  x: {provider: sequence}\n  X: {provider: sequence}\n")
    db = tmp_path / "c.db"
    r = _run(["fake", str(p), "-n", "3", "--to", f"sqlite:///{db}"])
    assert r.exit_code == 1 and "column names 'x' and 'X' differ only in case" in r.output
    assert not db.exists()
    with pytest.raises(DatabaseError, match="'a' and 'A' differ only in case"):
        write_dataframe(pd.DataFrame({"a": [1], "A": [2]}), f"sqlite:///{db}", "t")
    assert not db.exists()


def test_sqlite_existing_table_of_other_case(tmp_path):
    import sqlite3

    db = tmp_path / "e.db"
    one = tmp_path / "one.yaml"
    one.write_text("columns:\n  x: {provider: sequence}\n")
    url = f"sqlite:///{db}"

    def fresh():
        db.unlink(missing_ok=True)
        c = sqlite3.connect(db)
        c.execute('create table "case_T" (x integer)')
        c.commit()
        c.close()

    fresh()
    r = _run(["fake", str(one), "-n", "3", "--to", url, "--table", "case_t"])
    assert r.exit_code == 1
    assert "table 'case_T' already exists" in r.output and "ignoring case" in r.output, r.output
    assert _sqlite_tables(db) == {"case_T": 0}
    r = _run(["fake", str(one), "-n", "3", "--to", url, "--table", "case_t", "--if-exists", "append"])
    assert r.exit_code == 0, r.output
    assert _sqlite_tables(db) == {"case_T": 3}  # the one table SQLite has under that name
    fresh()
    r = _run(["fake", str(one), "-n", "3", "--to", url, "--table", "case_t", "--if-exists", "replace"])
    assert r.exit_code == 0, r.output
    assert _sqlite_tables(db) == {"case_t": 3}


def test_postgresql_keeps_table_names_differing_only_in_case_apart(tmp_path):
    import sqlalchemy as sa

    url = _pg_url()
    suffix = uuid.uuid4().hex[:8]
    t1, t2 = f"case_{suffix}", f"CASE_{suffix}"
    r = _run(["fake", str(_case_schema(tmp_path, t1, t2)), "-n", "3", "--to", url])
    eng = sa.create_engine(url)
    try:
        assert r.exit_code == 0, r.output  # PostgreSQL compares quoted names as written: two tables
        with eng.connect() as c:
            assert [c.execute(sa.text(f'select count(*) from "{t}"')).scalar() for t in (t1, t2)] == [3, 3]
    finally:
        with eng.begin() as c:
            for t in (t1, t2):
                c.execute(sa.text(f'drop table if exists "{t}"'))
        eng.dispose()


def test_folder_output_refuses_table_names_differing_only_in_case(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    r = _run(["fake", str(_case_schema(tmp_path)), "-n", "3", "-o", str(out)])
    assert r.exit_code == 1 and "'case_t' and 'case_T' differ only in case" in r.output
    assert list(out.iterdir()) == []
