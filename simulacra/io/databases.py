"""Write tables into databases through SQLAlchemy (SQLite embedded, PostgreSQL, ...).

All tables of one call are written in one transaction: if anything fails, nothing is committed.
Primary and foreign keys of a schema become real constraints, so the database itself checks
referential integrity.
"""

from __future__ import annotations

import pandas as pd

from ..errors import DatabaseError, ParameterError

IF_EXISTS = ("fail", "append", "replace")


def _safe_url(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for messages
        return "<database url>"


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
        if isinstance(types[c], sa.Date):
            vals = s.dt.date.astype(object).where(s.notna(), None)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            vals = s.astype(object).where(s.notna(), None)
            vals = vals.map(lambda v: v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
        else:
            vals = s.astype(object).where(s.notna(), None)
        cols[c] = vals.tolist()
    names = list(df.columns)
    return [dict(zip(names, row)) for row in zip(*(cols[c] for c in names))]


class DatabaseWriter:
    """Context manager: create (or append to) tables and insert chunks in one transaction."""

    def __init__(self, url: str, if_exists: str = "fail"):
        if if_exists not in IF_EXISTS:
            raise ParameterError(f"if_exists must be one of {', '.join(IF_EXISTS)}, got {if_exists!r}")
        if not isinstance(url, str) or "://" not in url:
            raise ParameterError(f"database URL must look like sqlite:///file.db or postgresql://user@host/db, got {url!r}")
        self.url = url
        self.if_exists = if_exists
        self.tables: dict = {}
        self.rows: dict[str, int] = {}

    def __enter__(self):
        import sqlalchemy as sa

        try:
            self.engine = sa.create_engine(self.url)
            self.conn = self.engine.connect()
            self.tx = self.conn.begin()
        except ImportError as e:
            raise DatabaseError(f"cannot use {_safe_url(self.url)}: missing driver ({e}); for PostgreSQL: pip install 'psycopg[binary]'") from None
        except sa.exc.ArgumentError as e:
            raise DatabaseError(f"invalid database URL {_safe_url(self.url)}: {e}") from None
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(f"cannot connect to {_safe_url(self.url)}: {_first_line(e)}") from None
        self.metadata = sa.MetaData()
        return self

    def create(self, name: str, first_chunk: pd.DataFrame, primary_key: str | None = None, foreign_keys: dict | None = None):
        """Create table ``name`` shaped like ``first_chunk`` (or check it for ``append``)."""
        import sqlalchemy as sa

        try:
            exists = sa.inspect(self.conn).has_table(name)
            if exists and self.if_exists == "fail":
                raise DatabaseError(
                    f"table {name!r} already exists in {_safe_url(self.url)}; pass --if-exists append or replace (if_exists=...)"
                )
            if exists and self.if_exists == "replace":
                if self.conn.dialect.name == "postgresql":
                    self.conn.execute(sa.text(f'DROP TABLE "{name}" CASCADE'))
                else:
                    sa.Table(name, sa.MetaData(), autoload_with=self.conn).drop(self.conn)
                exists = False
            types = {c: _sql_type(first_chunk[c]) for c in first_chunk.columns}
            if exists:
                table = sa.Table(name, sa.MetaData(), autoload_with=self.conn)
                missing = [c for c in first_chunk.columns if c not in table.c]
                if missing:
                    raise DatabaseError(f"table {name!r} exists without column(s) {', '.join(missing)}; use --if-exists replace")
            else:
                cols = []
                for c in first_chunk.columns:
                    args = []
                    if foreign_keys and c in foreign_keys:
                        pt, pcol = foreign_keys[c]
                        args.append(sa.ForeignKey(f"{pt}.{pcol}"))
                    cols.append(sa.Column(c, types[c], *args, primary_key=(c == primary_key), nullable=(c != primary_key), autoincrement=False))
                table = sa.Table(name, self.metadata, *cols)
                table.create(self.conn)
        except DatabaseError:
            raise
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(f"cannot create table {name!r} in {_safe_url(self.url)}: {_first_line(e)}") from None
        self.tables[name] = (table, types)
        self.rows[name] = 0
        return table

    def insert(self, name: str, chunk: pd.DataFrame) -> None:
        import sqlalchemy as sa

        table, types = self.tables[name]
        if len(chunk) == 0:
            return
        try:
            self.conn.execute(table.insert(), _records(chunk, types))
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(f"cannot write table {name!r} to {_safe_url(self.url)}: {_first_line(e)}") from None
        self.rows[name] += len(chunk)

    def __exit__(self, exc_type, exc, tb):
        import sqlalchemy as sa

        try:
            if exc_type is None:
                try:
                    self.tx.commit()
                except sa.exc.SQLAlchemyError as e:
                    raise DatabaseError(f"cannot commit to {_safe_url(self.url)}: {_first_line(e)}") from None
            else:
                self.tx.rollback()
        finally:
            self.conn.close()
            self.engine.dispose()
        return False


def _first_line(e) -> str:
    text = str(getattr(e, "orig", None) or e)
    return " ".join(text.strip().splitlines()[0].split()) if text.strip() else type(e).__name__


def write_dataframe(df: pd.DataFrame, url: str, table: str, if_exists: str = "fail", primary_key: str | None = None) -> int:
    """Write one DataFrame into ``table`` at ``url`` in one transaction; returns the row count."""
    with DatabaseWriter(url, if_exists) as w:
        w.create(table, df, primary_key=primary_key)
        w.insert(table, df)
    return len(df)
