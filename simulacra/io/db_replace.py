"""Drop the tables that ``if_exists='replace'`` replaces: children first, never with CASCADE.

CASCADE would silently drop what lies outside the run and depends on a replaced table (a view,
another table's foreign key). Instead the run's own tables are dropped in reverse dependency
order (the database's foreign keys among them give it), and when anything else still depends on
one of them, a ``DatabaseError`` names the table and the dependent objects and says what to do.
It all happens in the writer's one transaction, which is rolled back: nothing is changed.

PostgreSQL refuses such a drop itself (``DependentObjectsStillExist``); SQLite does not (a view
simply breaks, a foreign key of another table would point at new rows), so for SQLite the other
tables' foreign keys are read first and the views that worked before the drop are tried after it.
"""

from __future__ import annotations

from ..errors import DatabaseError

WHAT_TO_DO = "nothing was changed: drop the dependent view or foreign-key constraint first, or use --if-exists append (if_exists='append')"


def _key(dialect, name: str) -> str:
    return name.lower() if dialect.name == "sqlite" else name  # SQLite's names ignore case


def drop_order(conn, names: list[str]) -> list[str]:
    """Those of ``names`` that exist, each after every table among them that references it."""
    import sqlalchemy as sa

    insp = sa.inspect(conn)
    existing = [n for n in names if insp.has_table(n)]
    key = {_key(conn.dialect, n): n for n in existing}
    referenced_by: dict[str, list[str]] = {n: [] for n in existing}
    for child in existing:
        for fk in insp.get_foreign_keys(child):
            parent = key.get(_key(conn.dialect, fk.get("referred_table") or ""))
            if parent is not None and parent != child and fk.get("referred_schema") in (None, insp.default_schema_name):
                referenced_by[parent].append(child)
    order, seen = [], set()

    def visit(t):  # children (tables that reference t) first; a cycle is cut where it closes
        if t in seen:
            return
        seen.add(t)
        for c in referenced_by[t]:
            visit(c)
        order.append(t)

    for t in reversed(existing):  # without foreign keys among them: the reverse of the run's order
        visit(t)
    return order


def _sqlite_outside_references(conn, tables: list[str]) -> dict[str, list[str]]:
    """replaced table -> other tables whose foreign keys reference it (SQLite)."""
    import sqlalchemy as sa

    mine = {t.lower(): t for t in tables}
    rows = conn.execute(
        sa.text(
            "select m.name, f.\"table\" from sqlite_master m join pragma_foreign_key_list(m.name) f where m.type = 'table'"
        )
    ).fetchall()
    found: dict[str, list[str]] = {}
    for child, parent in rows:
        t = mine.get(str(parent).lower())
        if t is not None and str(child).lower() not in mine and child not in found.get(t, []):
            found.setdefault(t, []).append(child)
    return found


def _sqlite_views(conn) -> list[str]:
    import sqlalchemy as sa

    return [r[0] for r in conn.execute(sa.text("select name from sqlite_master where type = 'view'")).fetchall()]


def _view_error(conn, view: str) -> str | None:
    """The error of reading ``view`` (None if it reads); the statement is quoted by SQLAlchemy."""
    import sqlalchemy as sa

    try:
        conn.execute(sa.select(sa.literal_column("1")).select_from(sa.table(view)).limit(0)).fetchall()
    except sa.exc.OperationalError as e:
        return str(getattr(e, "orig", e)).strip().splitlines()[0]
    return None


def drop_tables(conn, names: list[str], hint: str = "") -> list[str]:
    """Drop those of ``names`` that exist (children first, no CASCADE); returns them in drop order.

    ``DatabaseError`` when something outside ``names`` depends on one of them; the caller's
    transaction is then to be rolled back (PostgreSQL has already aborted it). ``hint`` ends
    the message (e.g. how to replace several related tables at once).
    """
    import sqlalchemy as sa

    order = drop_order(conn, names)
    if not order:
        return []
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        outside = _sqlite_outside_references(conn, order)
        if outside:
            t, children = next(iter(outside.items()))
            listed = ", ".join(repr(c) for c in children)
            raise DatabaseError(
                f"cannot replace table {t!r}: the foreign key(s) of table(s) {listed} reference it; {WHAT_TO_DO}{hint}"
            )
        working = [v for v in _sqlite_views(conn) if _view_error(conn, v) is None]
    for t in order:
        try:
            conn.execute(sa.schema.DropTable(sa.Table(t, sa.MetaData())))
        except sa.exc.DBAPIError as e:
            orig = getattr(e, "orig", None)
            if getattr(orig, "sqlstate", None) == "2BP01":  # PostgreSQL: dependent objects still exist
                detail = getattr(getattr(orig, "diag", None), "message_detail", None) or str(orig)
                deps = "; ".join(line.strip() for line in detail.splitlines() if line.strip())
                raise DatabaseError(
                    f"cannot replace table {t!r}: other objects depend on it ({deps}); {WHAT_TO_DO}{hint}"
                ) from None
            raise
        if sqlite:  # SQLite drops a table under a view without a word: the view would break
            broken = [v for v in working if _view_error(conn, v) is not None]
            if broken:
                listed = ", ".join(repr(v) for v in broken)
                raise DatabaseError(f"cannot replace table {t!r}: view(s) {listed} read it; {WHAT_TO_DO}{hint}")
    return order
