"""Write related tables into a database: the schema from the metadata, keys as real constraints.

``write_database`` creates every table (column types from the DataFrame dtypes, PRIMARY KEY and
FOREIGN KEY constraints, composite ones too) and loads the rows parents first, in chunks, all in
:class:`~simulacra.io.databases.DatabaseWriter`'s one transaction (DDL included; a new SQLite file
is built under a hidden name and moved into place after the commit). A bad value, a foreign-key
violation or Ctrl-C rolls everything back: the target is left as it was.

Foreign keys on a cycle (a self-reference such as an employee's manager, or two tables that
reference each other) cannot be met by any insert order: SQLite checks foreign keys at commit
(``defer_foreign_keys``), other databases get those constraints added after the inserts
(``ALTER TABLE ... ADD FOREIGN KEY``, which checks the rows already there).

MariaDB/MySQL commit each CREATE / DROP TABLE on their own: there the new tables are created and
loaded under hidden names (``_simstage_<token>_<i>``, dropped again on failure), then swapped in by
one ``RENAME TABLE`` (atomic there), and the old tables dropped after it.

This module is below ``simulacra.metadata`` in the layers: ``metadata`` is read by duck typing
(a ``Metadata`` object, or its dict form ``{"tables": ..., "relationships": ...}``).
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import pandas as pd

from ..errors import DatabaseError, InvalidDataError, ParameterError
from .databases import DatabaseWriter, _first_line, safe_url, _sql_type

#: rows per INSERT batch
CHUNKSIZE = 10_000
IF_EXISTS = ("fail", "replace")


def _as_list(key) -> list:
    if key is None:
        return []
    return list(key) if isinstance(key, (list, tuple)) else [key]


def _keys(metadata, tables: dict) -> tuple[dict, list]:
    """``{table: [primary key columns]}`` and ``[(child, [fk cols], parent, [pk cols])]`` for ``tables``."""
    if isinstance(metadata, dict):
        md_tables, rels = metadata.get("tables", {}), metadata.get("relationships", [])
    else:
        md_tables, rels = getattr(metadata, "tables", None), getattr(metadata, "relationships", None)
    if not isinstance(md_tables, dict) or not isinstance(rels, list):
        raise ParameterError(
            "metadata must be a simulacra Metadata (or its dict form with 'tables' and 'relationships'), "
            f"got {type(metadata).__name__}"
        )
    pks = {}
    for name, df in tables.items():
        if name not in md_tables:
            raise InvalidDataError(
                f"table {name!r} is not in the metadata; its tables: {', '.join(map(repr, md_tables))}"
            )
        pk = _as_list(md_tables[name].get("primary_key"))
        missing = [c for c in pk if c not in df.columns]
        if missing:
            raise InvalidDataError(f"table {name!r}: its primary key column(s) {missing!r} are not in the data")
        pks[name] = pk
    fks = []
    for r in rels:
        child, parent = r["child_table_name"], r["parent_table_name"]
        if child not in tables:
            continue
        fk, pk = _as_list(r["child_foreign_key"]), _as_list(r["parent_primary_key"])
        what = f"the relationship {parent}.{pk} -> {child}.{fk}"
        if parent not in tables:
            raise InvalidDataError(f"{what}: the parent table {parent!r} is not among the tables to write; add it")
        if len(fk) != len(pk) or not fk:
            raise InvalidDataError(f"{what}: the foreign key and the primary key have different numbers of columns")
        for t, cols in ((child, fk), (parent, pk)):
            gone = [c for c in cols if c not in tables[t].columns]
            if gone:
                raise InvalidDataError(f"{what}: table {t!r} has no column(s) {gone!r}")
        fks.append((child, fk, parent, pk))
    return pks, fks


def _integer_foreign_keys(tables: dict, fks: list) -> dict:
    """Foreign keys held as floats (whole numbers and NaN, as pandas keeps integers with gaps) that refer
    to an integer key become ``Int64``, so both sides of the constraint get one SQL type."""
    out = dict(tables)
    for child, fk, parent, pk in fks:
        for c, k in zip(fk, pk):
            s, ref = out[child][c], out[parent][k]
            if pd.api.types.is_float_dtype(s.dtype) and pd.api.types.is_integer_dtype(ref.dtype):
                vals = s.dropna()
                if (vals == vals.round()).all():
                    if out[child] is tables[child]:
                        out[child] = tables[child].copy(deep=False)
                    out[child][c] = s.astype("Int64")
    return out


def load_order(names: list, fks: list) -> tuple[list, set]:
    """Tables parents first, and the foreign keys (indexes into ``fks``) that lie on a cycle."""
    children = {n: set() for n in names}
    for child, _, parent, _ in fks:
        children[parent].add(child)

    def reaches(a, b) -> bool:  # a path a -> ... -> b along parent -> child edges
        seen, todo = set(), [a]
        while todo:
            t = todo.pop()
            if t == b:
                return True
            if t not in seen:
                seen.add(t)
                todo.extend(children[t])
        return False

    cyclic = {i for i, (child, _, parent, _) in enumerate(fks) if child == parent or reaches(child, parent)}
    graph = {n: set() for n in names}
    for i, (child, _, parent, _) in enumerate(fks):
        if i not in cyclic:
            graph[child].add(parent)
    try:
        ts = TopologicalSorter(graph)
        order = list(ts.static_order())
    except CycleError:  # cannot happen: every edge on a cycle was left out
        order = list(names)
    return order, cyclic


def _column_type(df: pd.DataFrame, col: str, dialect, keyed: bool):
    import sqlalchemy as sa

    t = _sql_type(df[col])
    if dialect.name in ("mysql", "mariadb"):
        if isinstance(t, sa.Float):
            return sa.Double()  # MySQL's FLOAT has 4 bytes
        if isinstance(t, sa.DateTime) and not t.timezone:
            from sqlalchemy.dialects.mysql import DATETIME

            return DATETIME(fsp=6)  # microseconds kept
    if keyed and isinstance(t, sa.Text) and dialect.name in ("mysql", "mariadb"):  # a TEXT cannot be a key there
        longest = df[col].dropna().astype(str).str.len().max()
        t = sa.String(max(255, int(longest) if pd.notna(longest) else 0))
    return t


def write_database(url: str, tables: dict, metadata, if_exists: str = "fail", chunksize: int = CHUNKSIZE) -> dict:
    """Create the tables at ``url`` with their keys as constraints and load them, in one transaction.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL (``sqlite:///out.db``, ``postgresql://user@host/db``, ...).
    tables : dict
        ``{table_name: DataFrame}``.
    metadata : Metadata or dict
        Gives each table's primary key (a column or a list of columns) and the relationships,
        which become FOREIGN KEY constraints.
    if_exists : {'fail', 'replace'}
        'fail': refuse (naming them) when any of the tables exists; 'replace': drop those tables,
        children first (refused, changing nothing, when a view or another table depends on one).
    chunksize : int, default 10000
        Rows per insert batch.

    Returns
    -------
    dict
        ``{table_name: rows written}``.

    Raises
    ------
    DatabaseError
        A table exists (``fail``), a name cannot be held, the connection fails, or the database
        refuses a row (a bad value, a duplicate key, a foreign key with no parent row); nothing
        is written then.
    """

    if if_exists not in IF_EXISTS:
        raise ParameterError(f"if_exists must be one of {', '.join(IF_EXISTS)}, got {if_exists!r}")
    if not isinstance(tables, dict) or not tables:
        raise InvalidDataError("write_database expects a non-empty dict {table_name: DataFrame}")
    for name, df in tables.items():
        if not isinstance(df, pd.DataFrame):
            raise InvalidDataError(f"table {name!r} must be a pandas DataFrame, got {type(df).__name__}")
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ParameterError(f"chunksize must be a whole number of rows >= 1, got {chunksize!r}")
    pks, fks = _keys(metadata, tables)
    tables = _integer_foreign_keys(tables, fks)
    order, cyclic = load_order(list(tables), fks)
    with DatabaseWriter(url, if_exists) as w:
        w.check_tables(order)
        for name in order:
            w.check_names(name, tables[name].columns)
        there = w.existing_tables(order)
        if there and if_exists == "fail":
            raise DatabaseError(
                f"table(s) {', '.join(map(repr, there))} already exist in {safe_url(url)}; nothing was written: "
                "pass if_exists='replace' (--if-exists replace) to replace them"
            )
        if w.dialect.name in ("mysql", "mariadb"):
            _write_mysql(w, tables, order, pks, fks, cyclic, chunksize, there)
        else:
            w.drop_for_replace(order)
            _create_and_load(w, tables, order, pks, fks, cyclic, chunksize, [])
    return dict(w.rows)


def _write_mysql(w, tables, order, pks, fks, cyclic, chunksize, there) -> None:
    """MySQL / MariaDB commit each CREATE and DROP: load new tables under hidden names, then swap them in
    with one RENAME TABLE (atomic there; foreign keys follow a renamed table), then drop the old ones."""
    import uuid

    import sqlalchemy as sa

    token = uuid.uuid4().hex[:8]
    stage = {n: f"_simstage_{token}_{i}" for i, n in enumerate(order)}
    if there:
        _check_outside_references(w, there)
    created: list[str] = []
    try:
        _create_and_load(w, tables, order, pks, fks, cyclic, chunksize, created, stage)
        q = w.dialect.identifier_preparer.quote_identifier
        trash = {old: f"_simtrash_{token}_{i}" for i, old in enumerate(there)}
        moves = [f"{q(old)} TO {q(t)}" for old, t in trash.items()] + [f"{q(stage[n])} TO {q(n)}" for n in order]
        try:
            w.conn.exec_driver_sql("RENAME TABLE " + ", ".join(moves))
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(
                f"cannot move the new tables into place in {safe_url(w.url)}: {_first_line(e)}; nothing was changed"
            ) from None
    except BaseException:
        _drop_created(w, created)  # the hidden tables; the old ones were not touched
        raise
    if trash:
        _drop_created(w, list(trash.values()))


def _check_outside_references(w, there: list) -> None:
    """Refuse to replace tables that a foreign key of a table outside the run references (MySQL)."""
    import sqlalchemy as sa

    query = sa.text(
        "SELECT TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS "
        "WHERE CONSTRAINT_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IN :names"
    ).bindparams(sa.bindparam("names", expanding=True))
    try:
        rows = w.conn.execute(query, {"names": list(there)}).fetchall()
    except sa.exc.SQLAlchemyError as e:
        raise DatabaseError(f"cannot read the foreign keys of {safe_url(w.url)}: {_first_line(e)}") from None
    outside = [(c, p) for c, p in rows if c not in there]
    if outside:
        child, parent = outside[0]
        raise DatabaseError(
            f"cannot replace table {parent!r}: the foreign key(s) of table {child!r} reference it; nothing was "
            "changed: drop that foreign-key constraint first"
        )


def _create_and_load(w, tables, order, pks, fks, cyclic, chunksize, created, db_names=None) -> None:
    """Create the tables (named ``db_names[name]`` in the database, default ``name``) and load them;
    ``created`` collects the database names of the tables created."""
    import sqlalchemy as sa

    db_names = db_names or {}

    keyed = {(t, c) for t, cols in pks.items() for c in cols}
    for child, fk, parent, pk in fks:
        keyed |= {(child, c) for c in fk} | {(parent, c) for c in pk}
    later = w.dialect.name != "sqlite"  # SQLite checks foreign keys at commit
    sa_tables = {}
    for name in order:  # every table first, so that a foreign key can name any of them
        df = tables[name]
        types = {c: _column_type(df, c, w.dialect, (name, c) in keyed) for c in df.columns}
        cols = [sa.Column(c, types[c], nullable=c not in pks[name], autoincrement=False) for c in df.columns]
        sa_tables[name] = table = sa.Table(db_names.get(name, name), w.metadata, *cols)
        if pks[name]:
            table.append_constraint(sa.PrimaryKeyConstraint(*pks[name]))
        w.tables[name] = (table, types)
        w.rows[name] = 0
    for i, (child, fk, parent, pk) in enumerate(fks):
        if not (later and i in cyclic):
            sa_tables[child].append_constraint(sa.ForeignKeyConstraint(fk, [sa_tables[parent].c[c] for c in pk]))
    for name in order:
        try:
            sa_tables[name].create(w.conn)
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(f"cannot create table {name!r} in {safe_url(w.url)}: {_first_line(e)}") from None
        created.append(sa_tables[name].name)
    for name in order:
        df = tables[name]
        for start in range(0, len(df), chunksize):
            w.insert(name, df.iloc[start : start + chunksize])
    for i in sorted(cyclic) if later else []:
        child, fk, parent, pk = fks[i]
        c = sa.ForeignKeyConstraint(fk, [sa_tables[parent].c[k] for k in pk])
        sa_tables[child].append_constraint(c)
        try:
            w.conn.execute(sa.schema.AddConstraint(c))
        except sa.exc.SQLAlchemyError as e:
            raise DatabaseError(
                f"cannot write table {child!r} to {safe_url(w.url)}: its foreign key {fk} -> {parent}{pk} "
                f"is not met: {_first_line(e)}; nothing was written"
            ) from None


def _drop_created(w, created: list) -> None:
    """Drop tables of this run (MySQL / MariaDB, where DDL commits itself), children first; best effort."""
    import sqlalchemy as sa

    def run(statement) -> None:
        try:
            with w.conn.begin():
                if isinstance(statement, str):
                    w.conn.exec_driver_sql(statement)
                else:
                    w.conn.execute(statement)
        except Exception:  # noqa: BLE001 - best effort; the first error is the one to report
            pass

    try:
        w.tx.rollback()
    except Exception:  # noqa: BLE001 - the first error is the one to report
        pass
    run("SET FOREIGN_KEY_CHECKS=0")  # the tables of a run may reference each other in a cycle
    for name in reversed(created):
        run(sa.schema.DropTable(sa.Table(name, sa.MetaData())))
    run("SET FOREIGN_KEY_CHECKS=1")
    try:
        w.tx = w.conn.begin()  # for the writer to end
    except Exception:  # noqa: BLE001 - a broken connection: the writer's close reports nothing more
        pass
