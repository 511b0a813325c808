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
        orphans = c.execute(sa.text(f'select count(*) from "children{suffix}" c left join "parents{suffix}" p on c.pid = p.pid where p.pid is null')).scalar()
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
