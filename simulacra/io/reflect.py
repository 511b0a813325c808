"""Read a whole database through SQLAlchemy: its schema (tables, column types, primary and foreign
keys) and its tables as DataFrames.

SQLite, PostgreSQL and MariaDB/MySQL are tested. Views are skipped; only the tables of the URL's
default schema (PostgreSQL: the first of ``search_path``, or ``schema=``) are read. Names never
become SQL text: tables and columns go through SQLAlchemy's constructs and the dialect's quoting,
so a name like ``x"; DROP TABLE t; --`` is read as a name. Connection problems (unreachable
server, bad URL, missing database, missing driver) are one :class:`~simulacra.errors.DatabaseError`
whose message shows the URL with its password masked.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DatabaseError, ParameterError
from .databases import _first_line, check_identifier, mask_password, safe_url
from .sqlite_files import default_driver, sqlite_file

#: rows fetched per round trip when reading a table
CHUNKSIZE = 50_000


@contextmanager
def connect(url: str):
    """A SQLAlchemy connection to ``url``, or a ``DatabaseError`` that masks the password.

    A SQLite file must exist (SQLite would otherwise create an empty database).
    """
    import sqlalchemy as sa

    if not isinstance(url, str) or "://" not in url:
        raise ParameterError(f"database URL must look like sqlite:///file.db or postgresql://user@host/db, got {url!r}")
    try:
        u = default_driver(sa.engine.make_url(url))
    except sa.exc.ArgumentError as e:
        raise DatabaseError(f"invalid database URL {safe_url(url)}: {e}") from None
    path = sqlite_file(u)
    if path is not None and not Path(path).is_file():
        raise DatabaseError(f"cannot read {safe_url(url)}: no database file {str(path)!r}; check the path")
    try:
        engine = sa.create_engine(u)
        conn = engine.connect()
    except ImportError as e:
        raise DatabaseError(
            f"cannot use {safe_url(url)}: missing driver ({e}); for PostgreSQL: pip install 'psycopg[binary]', "
            "for MariaDB/MySQL: pip install pymysql"
        ) from None
    except sa.exc.ArgumentError as e:
        raise DatabaseError(f"invalid database URL {safe_url(url)}: {e}") from None
    except sa.exc.SQLAlchemyError as e:
        raise DatabaseError(f"cannot connect to {safe_url(url)}: {mask_password(_first_line(e), url)}") from None
    try:
        yield conn
    finally:
        conn.close()
        engine.dispose()


def _selected(insp, tables, schema, url: str) -> list[str]:
    names = insp.get_table_names(schema=schema)  # views are not tables
    if tables is None:
        return sorted(names)
    if isinstance(tables, str):
        tables = [tables]
    missing = [t for t in tables if t not in names]
    if missing:
        there = ", ".join(map(repr, sorted(names))) or "none"
        raise DatabaseError(f"{safe_url(url)} has no table(s) {', '.join(map(repr, missing))}; its tables: {there}")
    return list(dict.fromkeys(tables))


def _type_name(sqltype) -> str:
    try:
        return str(sqltype)
    except Exception:  # noqa: BLE001 - a type that cannot render itself
        return type(sqltype).__name__.upper()


def reflect_schema(url: str, tables=None, schema: str | None = None) -> dict:
    """The tables, column types and primary and foreign keys of a database, as a JSON-able dict.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL (``sqlite:///file.db``, ``postgresql://user@host/db``,
        ``mysql+pymysql://user@host/db``).
    tables : list of str, optional
        Only these tables (default: every table; views are skipped).
    schema : str, optional
        The database schema to read (default: the connection's default schema).

    Returns
    -------
    dict
        ``{"tables": {name: {"columns": [{"name", "type", "nullable"}], "primary_key": [columns],
        "foreign_keys": [{"constrained_columns", "referred_table", "referred_columns"}]}}}``.

    Raises
    ------
    DatabaseError
        The database cannot be reached, or a table of ``tables`` is not there (the message lists
        the tables that are).
    """
    import sqlalchemy as sa

    with connect(url) as conn:
        try:
            insp = sa.inspect(conn)
            out = {}
            for name in _selected(insp, tables, schema, url):
                cols = [
                    {"name": c["name"], "type": _type_name(c["type"]), "nullable": bool(c.get("nullable", True))}
                    for c in insp.get_columns(name, schema=schema)
                ]
                pk = list((insp.get_pk_constraint(name, schema=schema) or {}).get("constrained_columns") or [])
                fks = [
                    {
                        "constrained_columns": list(fk["constrained_columns"]),
                        "referred_table": fk["referred_table"],
                        "referred_columns": list(fk["referred_columns"]),
                    }
                    for fk in insp.get_foreign_keys(name, schema=schema)
                    if fk.get("referred_schema") in (None, schema, insp.default_schema_name)
                ]
                out[name] = {"columns": cols, "primary_key": pk, "foreign_keys": fks}
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(
                f"cannot read the schema of {safe_url(url)}: {mask_password(_first_line(e), url)}"
            ) from None
    return {"tables": out}


# ---------------------------------------------------------------------- reading tables
def _kind(sqltype, dialect_name: str) -> str:
    """How a column of ``sqltype`` is held in pandas: int, bool, datetime, float or object."""
    import sqlalchemy as sa

    if isinstance(sqltype, sa.Boolean):
        return "bool"
    if dialect_name in ("mysql", "mariadb") and type(sqltype).__name__ == "TINYINT":
        if getattr(sqltype, "display_width", None) == 1:  # MySQL's BOOLEAN is TINYINT(1)
            return "bool"
    if isinstance(sqltype, sa.Integer):
        return "int"
    if isinstance(sqltype, (sa.Date, sa.DateTime)):
        return "datetime"
    if isinstance(
        sqltype, (sa.Numeric, sa.Float)
    ):  # REAL, DOUBLE, NUMERIC, DECIMAL (SQLAlchemy 2.1: Float is no Numeric)
        return "float"
    return "object"


def _convert(values: np.ndarray, kind: str) -> pd.Series:
    """One chunk of one column (objects, None for NULL) in the dtype of its kind."""
    if kind == "int":
        return pd.array(values, dtype="Int64")
    if kind == "bool":
        return pd.array(values, dtype="boolean")
    s = pd.Series(values, dtype=object)
    if kind == "float":
        return pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
    if kind == "datetime":
        try:
            out = pd.to_datetime(s)
        except (ValueError, TypeError):  # mixed time zones
            out = pd.to_datetime(s, utc=True)
        return out.dt.as_unit("ns")  # one unit whatever pandas infers (pandas 3 infers seconds)
    return s.to_numpy(dtype=object)


_EMPTY = {"int": "int64", "bool": "boolean", "float": "float64", "datetime": "datetime64[ns]", "object": object}


def _finish(parts: list, kind: str):
    if not parts:
        return pd.Series([], dtype=_EMPTY[kind])
    s = (
        pd.Series(pd.concat([pd.Series(p) for p in parts], ignore_index=True))
        if len(parts) > 1
        else pd.Series(parts[0])
    )
    if kind == "int" and not s.isna().any():
        return s.astype("int64")
    if kind == "object":
        s = s.astype(object)
        if _PANDAS3 and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            return s.astype("str")  # text as pandas 3 reads it everywhere else (read_csv, DataFrame)
        return s
    return s


#: pandas 3 holds text in its own string dtype
_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3


def read_table_sql(conn, name: str, chunksize: int = CHUNKSIZE, schema: str | None = None) -> pd.DataFrame:
    """Read table ``name`` through ``conn`` in chunks of ``chunksize`` rows, dtypes from its SQL types."""
    import sqlalchemy as sa

    check_identifier(name, "table", conn.dialect)
    table = sa.Table(name, sa.MetaData(), autoload_with=conn, schema=schema)
    kinds = [_kind(c.type, conn.dialect.name) for c in table.columns]
    names = [c.name for c in table.columns]
    parts: list[list] = [[] for _ in names]
    query = sa.select(table).order_by(*table.primary_key.columns)  # rows in key order, where there is a key
    result = conn.execution_options(stream_results=True, max_row_buffer=chunksize).execute(query)
    for rows in result.partitions(chunksize):
        columns = list(zip(*rows))  # column tuples, without a Python loop per row
        for j, kind in enumerate(kinds):
            values = np.empty(len(rows), dtype=object)
            values[:] = columns[j]
            parts[j].append(_convert(values, kind))
    cols = {n: _finish(p, k) for n, p, k in zip(names, parts, kinds)}
    return pd.DataFrame(cols, columns=names)


def read_database(url: str, tables=None, chunksize: int = CHUNKSIZE, schema: str | None = None) -> dict:
    """Read every table of a database (or those of ``tables``) into DataFrames.

    Column dtypes follow the SQL types: integers ``int64`` (``Int64`` where there are NULLs),
    booleans ``boolean``, DATE / TIMESTAMP ``datetime64``, NUMERIC / DECIMAL / REAL ``float64``,
    text and anything else ``object``. Rows are streamed ``chunksize`` at a time (a server-side
    cursor where the driver has one), so the driver never buffers a whole table.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL.
    tables : list of str, optional
        Only these tables (default: every table; views are skipped).
    chunksize : int, default 50000
        Rows fetched per round trip.
    schema : str, optional
        The database schema to read (default: the connection's default schema).

    Returns
    -------
    dict
        ``{table_name: DataFrame}``, tables sorted by name (or in the order of ``tables``), rows in
        primary-key order where the table has one.

    Raises
    ------
    DatabaseError
        The database cannot be reached or read, or a table of ``tables`` is not there.
    """
    import sqlalchemy as sa

    if isinstance(chunksize, bool) or not isinstance(chunksize, (int, np.integer)) or chunksize < 1:
        raise ParameterError(f"chunksize must be a whole number of rows >= 1, got {chunksize!r}")
    with connect(url) as conn:
        try:
            names = _selected(sa.inspect(conn), tables, schema, url)
            return {n: read_table_sql(conn, n, int(chunksize), schema) for n in names}
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(f"cannot read {safe_url(url)}: {mask_password(_first_line(e), url)}") from None
