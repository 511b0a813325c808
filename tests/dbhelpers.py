"""Database helpers shared by the tests: run SQL, and a PostgreSQL schema of a test's own."""

from __future__ import annotations

import uuid

import pytest

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def run_sql(url, statements) -> None:
    """Run ``statements`` on ``url`` in one transaction."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for s in statements:
            conn.exec_driver_sql(s)
    engine.dispose()


def pg_schema_url(prefix: str = "sim_db"):
    """``(url, drop)``: a fresh PostgreSQL schema (the URL's search_path) and a function that drops it.

    Skips the test when psycopg or the server on 127.0.0.1:5432 is missing.
    """
    pytest.importorskip("psycopg")
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        run_sql(PG_BASE, [f"CREATE SCHEMA {name}"])
    except sa.exc.OperationalError:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    return f"{PG_BASE}?options=-csearch_path%3D{name}", lambda: run_sql(PG_BASE, [f"DROP SCHEMA {name} CASCADE"])
