"""Write tables into databases through SQLAlchemy (SQLite embedded, PostgreSQL, ...).

All tables of one call are written in one transaction, DDL included: if anything fails, nothing
is committed. A SQLite file that did not exist before is built under a hidden temporary name in
the same folder and moved into place only after the commit, so a killed run leaves no database
behind. Primary and foreign keys of a schema become real constraints (SQLite gets
``PRAGMA foreign_keys=ON``), so the database itself checks referential integrity.

SQL is never built from names: tables and columns go through SQLAlchemy's constructs and the
dialect's identifier quoting, and names that a database cannot hold as identifiers (empty,
control characters, longer than the dialect allows) are refused before anything is written.

``replace`` drops the run's existing tables up front, children first, never with CASCADE: a view
or another table's foreign key on one of them is an error naming it (``db_replace``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DatabaseError, ParameterError
from .db_replace import drop_tables
from .sqlite_files import default_driver, new_sqlite_part, remove_sqlite, sqlite_file, sqlite_transactions

IF_EXISTS = ("fail", "append", "replace")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe_url(url) -> str:
    """``url`` with its password shown as ``***`` (for messages)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(str(url)).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for messages
        return "<database url>"


def mask_password(text, url) -> str:
    """``text`` without the password of ``url`` (a driver may echo the connection string)."""
    text = str(text)
    try:
        from sqlalchemy.engine import make_url

        pw = make_url(str(url)).password
    except Exception:  # noqa: BLE001 - only for messages
        return text
    return text.replace(str(pw), "***") if pw else text


def check_identifier(name, what: str, dialect, where: str = "") -> str:
    """``name`` if ``dialect`` can hold it as a quoted identifier, else a ``DatabaseError``.

    Refused: non-text, empty or blank names, control characters (NUL, newline, tab, ...), text
    that is not valid Unicode, and names longer than the dialect's limit (PostgreSQL counts 63
    bytes and would silently cut longer names, so two names could become one). ``where``
    prefixes the message (e.g. ``"table 'orders': "``).
    """
    if not isinstance(name, str):
        raise DatabaseError(f"{where}{what} name must be text, got {name!r}")
    if not name.strip():
        raise DatabaseError(f"{where}{what} name {name!r} is empty; give the {what} a name")
    bad = _CONTROL.search(name)
    if bad:
        raise DatabaseError(
            f"{where}{what} name {name!r} contains the control character {bad.group()!r}; a database cannot hold it, rename the {what}"
        )
    try:
        size = len(name.encode("utf-8")) if dialect.name == "postgresql" else len(name)
    except UnicodeEncodeError:
        raise DatabaseError(f"{where}{what} name {name!r} is not valid Unicode text; rename the {what}") from None
    limit = getattr(dialect, "max_identifier_length", None)
    if limit and size > limit:
        unit = "bytes" if dialect.name == "postgresql" else "characters"
        raise DatabaseError(
            f"{where}{what} name {name!r} is {size} {unit} long; {dialect.name} holds at most {limit} "
            f"(longer names are cut, so two names could collide): use a shorter name"
        )
    return name


def _sql_type(series: pd.Series):
    import sqlalchemy as sa

    dt = series.dtype
    if pd.api.types.is_bool_dtype(dt):
        return sa.Boolean()
    if pd.api.types.is_integer_dtype(dt):
        return sa.BigInteger()
    if pd.api.types.is_float_dtype(dt):
        return sa.Float()
    if isinstance(dt, pd.DatetimeTZDtype):
        return sa.DateTime(timezone=True)
    if pd.api.types.is_datetime64_any_dtype(dt):
        nonnull = series.dropna()
        if len(nonnull) and (nonnull == nonnull.dt.normalize()).all():
            return sa.Date()
        return sa.DateTime()
    return sa.Text()


def _records(df: pd.DataFrame, types: dict) -> list[dict]:
    import sqlalchemy as sa

    cols = {}
    for c in df.columns:
        s = df[c]
        missing = s.isna().to_numpy()
        # np.array copies: pandas 3 (copy on write) hands back read-only arrays
        if isinstance(types[c], sa.Date):
            vals = np.array(s.dt.date.to_numpy(dtype=object), dtype=object)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            vals = np.array(s.to_numpy(dtype=object), dtype=object)
            vals[~missing] = [v.to_pydatetime() for v in vals[~missing]]
        else:
            vals = np.array(s.to_numpy(dtype=object), dtype=object)
        vals[missing] = None  # NaN, NaT and pd.NA are NULL (NaT once slipped through as a value)
        cols[c] = vals.tolist()
    names = list(df.columns)
    return [dict(zip(names, row)) for row in zip(*(cols[c] for c in names))]


class DatabaseWriter:
    """Context manager: create (or append to) tables and insert chunks in one transaction."""

    def __init__(self, url: str, if_exists: str = "fail"):
        if if_exists not in IF_EXISTS:
            raise ParameterError(f"if_exists must be one of {', '.join(IF_EXISTS)}, got {if_exists!r}")
        if not isinstance(url, str) or "://" not in url:
            raise ParameterError(
                f"database URL must look like sqlite:///file.db or postgresql://user@host/db, got {url!r}"
            )
        self.url = url
        self.if_exists = if_exists
        self.tables: dict = {}
        self.rows: dict[str, int] = {}
        self._final: Path | None = None  # a new SQLite file, built under self._part
        self._part: Path | None = None

    # ------------------------------------------------------------------ open / close
    def __enter__(self):
        import sqlalchemy as sa

        try:
            u = sa.engine.make_url(self.url)
        except sa.exc.ArgumentError as e:
            raise DatabaseError(f"invalid database URL {safe_url(self.url)}: {e}") from None
        u = default_driver(u)
        path = sqlite_file(u)
        if path is not None:
            if path.is_dir():
                raise DatabaseError(
                    f"{str(path)!r} is a folder; give a database file such as sqlite:///{path / 'fake.db'}"
                )
            if not path.exists() and path.is_symlink():
                raise DatabaseError(
                    f"{str(path)!r} is a symbolic link to {os.readlink(path)!r}, which does not exist; remove the link or point it at a file"
                )
            if not path.exists():
                if not (path.parent if str(path.parent) else Path(".")).is_dir():
                    raise DatabaseError(
                        f"cannot create {str(path)!r}: folder {str(path.parent)!r} does not exist; create it first"
                    )
                self._final = path
                try:
                    self._part = new_sqlite_part(path)
                except OSError as e:
                    raise DatabaseError(f"cannot create {str(path)!r}: {e.strerror or e}") from None
                u = u.set(database=str(self._part))
        try:
            self.engine = sa.create_engine(u)
            if self.engine.dialect.name == "sqlite":
                sqlite_transactions(self.engine)
            self.conn = self.engine.connect()
            self.tx = self.conn.begin()
        except Exception as e:
            self._discard()
            if isinstance(e, ImportError):
                raise DatabaseError(
                    f"cannot use {safe_url(self.url)}: missing driver ({e}); for PostgreSQL: pip install 'psycopg[binary]'"
                ) from None
            if isinstance(e, sa.exc.ArgumentError):
                raise DatabaseError(f"invalid database URL {safe_url(self.url)}: {e}") from None
            if isinstance(e, sa.exc.SQLAlchemyError):
                raise DatabaseError(f"cannot connect to {safe_url(self.url)}: {_first_line(e)}") from None
            raise
        self.dialect = self.engine.dialect
        self.metadata = sa.MetaData()
        return self

    def __exit__(self, exc_type, exc, tb):
        import sqlalchemy as sa

        committed = False
        try:
            if exc_type is None:
                try:
                    self.tx.commit()
                    committed = True
                except sa.exc.SQLAlchemyError as e:
                    raise DatabaseError(
                        f"cannot commit to {safe_url(self.url)}: {self._why_not_committed(e)}"
                    ) from None
        finally:
            if not committed:
                try:
                    self.tx.rollback()
                except Exception:  # noqa: BLE001 - the first error is the one to report
                    pass
            try:
                self.conn.close()
            finally:
                self.engine.dispose()
                if committed:
                    self._move_into_place()
                else:
                    self._discard()
        return False

    def _why_not_committed(self, e) -> str:
        """The commit's error; for SQLite's deferred foreign keys, the tables with orphan rows."""
        why = _first_line(e)
        if self.dialect.name != "sqlite" or "FOREIGN KEY" not in why:
            return why
        bad = {}
        try:  # the failed COMMIT leaves SQLite's transaction open: ask it, on the driver's connection
            raw = self.conn.connection.dbapi_connection
            for name in self.tables:
                rows = raw.execute("SELECT count(*) FROM pragma_foreign_key_check(?)", (name,)).fetchone()[0]
                if rows:
                    bad[name] = rows
        except Exception:  # noqa: BLE001 - only to improve the message
            return why
        if not bad:
            return why
        listed = ", ".join(f"{n!r} ({k:,} row(s))" for n, k in bad.items())
        return f"rows reference keys that their parent table does not have, in {listed}; nothing was written"

    def _move_into_place(self) -> None:
        if self._part is None:
            return
        part, final = self._part, self._final
        self._part = None
        try:
            try:
                os.link(part, final)  # fails if someone created the file meanwhile
            except FileExistsError:
                remove_sqlite(part)
                raise DatabaseError(
                    f"{str(final)!r} was created by another program during the run; nothing was written, run again"
                ) from None
            except OSError:
                os.replace(part, final)  # a file system without hard links
                return
            os.unlink(part)
        except OSError as e:
            remove_sqlite(part)
            raise DatabaseError(
                f"cannot move the new database into place at {str(final)!r}: {e.strerror or e}"
            ) from None

    def _discard(self) -> None:
        if self._part is not None:
            remove_sqlite(self._part)
            self._part = None

    # ------------------------------------------------------------------ tables
    def check_names(self, name: str, columns) -> None:
        """Refuse a table or column name that the database cannot hold (``DatabaseError``), and
        two column names that it takes for one (``X`` and ``x`` where it ignores case)."""
        check_identifier(name, "table", self.dialect)
        for c in columns:
            check_identifier(c, "column", self.dialect, where=f"table {name!r}: ")
        if _columns_ignore_case(self.dialect):
            _check_case_collisions(list(columns), "column", f"table {name!r}: ", self.dialect.name)

    def check_tables(self, names) -> None:
        """Refuse two table names of one run that the database takes for one table (SQLite
        compares names ignoring case: ``t`` and ``T`` would be one table, their rows merged)."""
        if self._tables_ignore_case():
            _check_case_collisions(list(dict.fromkeys(names)), "table", "", self.dialect.name)

    def _tables_ignore_case(self) -> bool:
        name = self.dialect.name
        if name in ("mysql", "mariadb"):  # lower_case_table_names: 0 compares as written (Linux)
            try:
                return str(self.conn.exec_driver_sql("SELECT @@lower_case_table_names").scalar()) != "0"
            except Exception:  # noqa: BLE001 - unknown: the safe answer
                return True
        return name in _CASE_INSENSITIVE_TABLES

    def _existing_name(self, name: str) -> str:
        """The name the database holds for table ``name`` (``T`` for ``t`` where case is ignored)."""
        import sqlalchemy as sa

        if not self._tables_ignore_case():
            return name
        try:
            same = [t for t in sa.inspect(self.conn).get_table_names() if t.casefold() == name.casefold()]
        except sa.exc.SQLAlchemyError:
            return name
        return name if name in same or not same else same[0]

    def existing_tables(self, names) -> list[str]:
        """Those of ``names`` that the database has, as it holds them (``T`` for ``t`` where case is ignored)."""
        import sqlalchemy as sa

        try:
            insp = sa.inspect(self.conn)
            return [self._existing_name(n) for n in names if insp.has_table(n)]
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(f"cannot read the tables of {safe_url(self.url)}: {_first_line(e)}") from None

    def drop_for_replace(self, names) -> list[str]:
        """With ``if_exists='replace'``: drop those of ``names`` that exist; else do nothing.

        Call it with all the tables of a run before creating any: children are dropped before
        their parents, never with CASCADE. When anything outside ``names`` depends on one of them
        (a view, another table's foreign key), a ``DatabaseError`` names it and the run's one
        transaction changes nothing. Returns the dropped tables, in drop order.
        """
        self.check_tables(names)
        if self.if_exists != "replace":
            return []
        return self._drop([self._existing_name(n) for n in names], "")  # SQLite: 'T' for 't'

    def _drop(self, names, hint: str) -> list[str]:
        import sqlalchemy as sa

        names = list(dict.fromkeys(names))
        for n in names:
            check_identifier(n, "table", self.dialect)
        try:
            return drop_tables(self.conn, names, hint)
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(
                f"cannot drop the tables to replace in {safe_url(self.url)}: {_first_line(e)}"
            ) from None

    def create(
        self, name: str, first_chunk: pd.DataFrame, primary_key: str | None = None, foreign_keys: dict | None = None
    ):
        """Create table ``name`` shaped like ``first_chunk`` (or check it for ``append``).

        With ``replace``, an existing table is dropped first (see ``drop_for_replace``, which a run
        of several related tables calls before creating any).

        ``foreign_keys`` maps a column to ``(parent_table, parent_column)``; the parent is a
        table created earlier by this writer, ``name`` itself, or a table in the database.
        """
        import sqlalchemy as sa

        self.check_names(name, first_chunk.columns)
        self.check_tables([*self.tables, name])
        try:
            exists = sa.inspect(self.conn).has_table(name)
            held = self._existing_name(name) if exists else name
            same = (
                f" ({self.dialect.name} compares table names ignoring case: {name!r} is that table)"
                if held != name
                else ""
            )
            if exists and self.if_exists == "fail":
                raise DatabaseError(
                    f"table {held!r} already exists in {safe_url(self.url)}{same}; pass --if-exists append or replace (if_exists=...)"
                )
            if exists and self.if_exists == "replace":
                self._drop(
                    [held],
                    "; to replace related tables together, call drop_for_replace() with all of them before creating any",
                )
                exists = False
            types = {c: _sql_type(first_chunk[c]) for c in first_chunk.columns}
            if exists:
                table = sa.Table(name, sa.MetaData(), autoload_with=self.conn)
                missing = [c for c in first_chunk.columns if c not in table.c]
                if missing:
                    raise DatabaseError(
                        f"table {held!r}{same} exists without column(s) {', '.join(map(repr, missing))}; use --if-exists replace"
                    )
            else:
                cols = [
                    sa.Column(
                        c, types[c], primary_key=(c == primary_key), nullable=(c != primary_key), autoincrement=False
                    )
                    for c in first_chunk.columns
                ]
                table = sa.Table(name, self.metadata, *cols)
                for c, (pt, pcol) in (foreign_keys or {}).items():
                    table.append_constraint(
                        sa.ForeignKeyConstraint([table.c[c]], [self._parent_column(name, table, pt, pcol)])
                    )
                table.create(self.conn)
        except DatabaseError:
            raise
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(f"cannot create table {name!r} in {safe_url(self.url)}: {_first_line(e)}") from None
        self.tables[name] = (table, types)
        self.rows[name] = 0
        return table

    def _parent_column(self, name, table, pt, pcol):
        import sqlalchemy as sa

        if pt == name:
            parent = table
        elif pt in self.tables:
            parent = self.tables[pt][0]
        else:
            check_identifier(pt, "table", self.dialect)
            if not sa.inspect(self.conn).has_table(pt):
                raise DatabaseError(
                    f"table {name!r}: its foreign key names table {pt!r}, which neither this run nor the database has"
                )
            parent = sa.Table(pt, sa.MetaData(), autoload_with=self.conn)
        if pcol not in parent.c:
            raise DatabaseError(
                f"table {name!r}: its foreign key names column {pcol!r}, which table {pt!r} does not have"
            )
        return parent.c[pcol]

    def insert(self, name: str, chunk: pd.DataFrame) -> None:
        import sqlalchemy as sa

        table, types = self.tables[name]
        if len(chunk) == 0:
            return
        try:
            self.conn.execute(table.insert(), _records(chunk, types))
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(f"cannot write table {name!r} to {safe_url(self.url)}: {_first_line(e)}") from None
        self.rows[name] += len(chunk)


#: dialects whose table names match ignoring case (MySQL / MariaDB: asked, see ``_tables_ignore_case``)
_CASE_INSENSITIVE_TABLES = ("sqlite", "mssql")


def _columns_ignore_case(dialect) -> bool:
    return dialect.name in ("sqlite", "mysql", "mariadb", "mssql")


def _check_case_collisions(names: list, what: str, where: str, dialect_name: str) -> None:
    seen: dict = {}
    for n in names:
        other = seen.setdefault(n.casefold(), n)
        if other != n:
            raise DatabaseError(
                f"{where}{what} names {other!r} and {n!r} differ only in case; {dialect_name} takes them for one {what} "
                f"({'their rows would be merged' if what == 'table' else 'it cannot hold both'}): rename one of them"
            )


def _first_line(e) -> str:
    text = str(getattr(e, "orig", None) or e)
    return " ".join(text.strip().splitlines()[0].split()) if text.strip() else type(e).__name__


def write_dataframe(
    df: pd.DataFrame, url: str, table: str, if_exists: str = "fail", primary_key: str | None = None
) -> int:
    """Write one DataFrame into ``table`` at ``url`` in one transaction; returns the row count."""
    with DatabaseWriter(url, if_exists) as w:
        w.create(table, df, primary_key=primary_key)
        w.insert(table, df)
    return len(df)
