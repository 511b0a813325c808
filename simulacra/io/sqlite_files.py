"""SQLite files and drivers for the database writer: the file of a URL, the hidden part a new database is
built in (``.<name>.<host>.<pid>.<8 hex>.part`` and its journals, next to the final file), and pysqlite in
real transactions with foreign keys enforced."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DatabaseError

SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
#: the journals that may follow a part's name
JOURNALS = "(" + "|".join(SQLITE_SIDE_FILES) + ")?"


def sqlite_file(u) -> Path | None:
    """The file of a SQLite URL, or None (in-memory, URI filenames)."""
    if u.get_backend_name() != "sqlite":
        return None
    db = u.database
    if not db or db == ":memory:" or db.startswith("file:") or str(u.query.get("uri", "")).lower() in ("true", "1"):
        return None
    return Path(db)


def default_driver(u):
    """``postgresql://`` with psycopg 3 (the ``postgres`` extra) when it is installed.

    SQLAlchemy 2.0 picks psycopg2 for a URL without a driver, 2.1 picks psycopg; the URL works
    the same with either SQLAlchemy when only psycopg 3 is installed.
    """
    if u.drivername == "postgresql":
        import importlib.util

        if importlib.util.find_spec("psycopg") is not None:
            return u.set(drivername="postgresql+psycopg")
    return u


def new_sqlite_part(path: Path) -> Path:
    """A new temporary SQLite file next to ``path``, after removing the ones (and journals) dead runs left."""
    from .writers import create_part, remove_stale_parts

    remove_stale_parts(path.parent, path.name, JOURNALS)
    try:
        return create_part(path.parent, path.name)
    except FileExistsError:
        raise DatabaseError(f"cannot create a temporary file next to {str(path)!r}") from None


def remove_sqlite(path: Path) -> None:
    for p in [path] + [Path(f"{path}{s}") for s in SQLITE_SIDE_FILES]:
        try:
            os.unlink(p)
        except OSError:  # absent, or not ours to remove
            pass


def sqlite_transactions(engine) -> None:
    """Make pysqlite run real transactions, DDL included, with foreign keys enforced.

    pysqlite's legacy transaction handling commits before every CREATE/DROP; with its own
    transaction handling off (``isolation_level = None``) SQLAlchemy's ``begin`` emits
    ``BEGIN IMMEDIATE`` itself (the recipe of SQLAlchemy's SQLite dialect documentation).
    Foreign keys are checked at commit (``defer_foreign_keys``), so a table can be replaced
    while its children are replaced later in the same run.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
