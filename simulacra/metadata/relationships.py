"""Relationships between tables: a child's foreign key refers to its parent's primary key.

A relationship is SDV's dict ``{"parent_table_name", "child_table_name", "parent_primary_key",
"child_foreign_key"}``. The functions here check them against the tables (both exist, the parent key
is the parent's primary key, the foreign key a column of the child of the same sdtype, no duplicate,
no foreign key shared by two parents, no cycle), detect them by SDV's column-name rule, order the
tables parents first, and check that data keeps them (every foreign key value is a parent's key).
"""

from __future__ import annotations

import copy

from ..errors import MetadataError, ParameterError
from .keys import is_composite, key_columns, key_text, normalize_key

#: the keys of a relationship dict, in SDV's order
RELATIONSHIP_KEYS = ("parent_table_name", "child_table_name", "parent_primary_key", "child_foreign_key")


def describe(rel: dict) -> str:
    """``relationship 'parent'.'key' -> 'child'.'foreign key'`` for the messages (lists for composite keys)."""
    p, c, pk, fk = (rel.get(k) for k in RELATIONSHIP_KEYS)
    pk, fk = (list(k) if is_composite(k) else k for k in (pk, fk))
    return f"relationship {p!r}.{pk!r} -> {c!r}.{fk!r}"


def relationship_from_dict(rel, position: int) -> dict:
    """A relationship as written in a metadata file, checked for shape; other keys are kept.

    Parameters
    ----------
    rel : dict
        The relationship.
    position : int
        Its position in the ``relationships`` list, for the messages.

    Returns
    -------
    dict
    """
    check_names(rel, position)
    out = {k: rel[k] for k in RELATIONSHIP_KEYS}
    out.update({k: copy.deepcopy(v) for k, v in rel.items() if k not in out})
    return out


def check_names(rel, position=None) -> None:
    """Raise MetadataError unless ``rel`` is a dict of four names; the keys may be equal-length lists (composite)."""
    where = "a relationship" if position is None else f"relationship {position}"
    if not isinstance(rel, dict):
        raise MetadataError(f"{where} must be a dict with the keys {', '.join(RELATIONSHIP_KEYS)}, got {rel!r}")
    missing = [k for k in RELATIONSHIP_KEYS if k not in rel]
    if missing:
        raise MetadataError(
            f"{where} has no {', '.join(map(repr, missing))}; it needs all of: {', '.join(RELATIONSHIP_KEYS)}"
        )
    for k in RELATIONSHIP_KEYS:
        v = rel[k]
        if is_composite(v) and k in ("parent_primary_key", "child_foreign_key"):
            normalize_key(v, f"{describe(rel)}: {k}")
        elif not isinstance(v, str):
            raise MetadataError(f"{describe(rel)}: {k} must be a name (a string), got {v!r}")
    pk, fk = key_columns(rel["parent_primary_key"]), key_columns(rel["child_foreign_key"])
    if len(pk) != len(fk):
        raise MetadataError(
            f"{describe(rel)}: the primary key has {len(pk)} column(s) and the foreign key {len(fk)}; a composite "
            "foreign key names one child column per primary key column, in the same order"
        )


def check_relationship(tables: dict, rel: dict) -> None:
    """Raise MetadataError unless one relationship fits the tables (names, keys, sdtypes).

    A table may be its own parent (a self-reference such as ``employees.manager_id ->
    employees.employee_id``), through a foreign key other than its primary key.

    Parameters
    ----------
    tables : dict
        ``{table_name: table metadata}``.
    rel : dict
        The relationship.
    """
    check_names(rel)
    p, c, pk, fk = (rel[k] for k in RELATIONSHIP_KEYS)
    what = describe(rel)
    for role, name in (("parent", p), ("child", c)):
        if name not in tables:
            raise MetadataError(f"{what}: there is no {role} table {name!r}; tables: {', '.join(map(repr, tables))}")
    parent_pk = tables[p].get("primary_key")
    if parent_pk is None:
        raise MetadataError(
            f"{what}: the parent table {p!r} has no primary key; set_primary_key({pk!r}, table_name={p!r}) first"
        )
    if key_columns(pk) != key_columns(parent_pk):
        raise MetadataError(
            f"{what}: {key_text(pk)} is not the primary key of the parent table {p!r} (its primary key is "
            f"{key_text(parent_pk)}); a foreign key refers to its parent's primary key"
        )
    if p == c and key_columns(fk) == key_columns(pk):
        raise MetadataError(
            f"{what}: a table's primary key cannot refer to itself; a self-reference needs another column "
            "(e.g. employees.manager_id -> employees.employee_id)"
        )
    child_cols = tables[c]["columns"]
    for pcol, fcol in zip(key_columns(pk), key_columns(fk)):
        if fcol not in child_cols:
            raise MetadataError(
                f"{what}: the child table {c!r} has no column {fcol!r}; the foreign key must be one of its columns: "
                f"{', '.join(map(repr, child_cols))}"
            )
        pk_sdtype = tables[p]["columns"][pcol]["sdtype"]
        fk_sdtype = child_cols[fcol]["sdtype"]
        if pk_sdtype != fk_sdtype:
            key, fkey = ("primary key", "foreign key") if pcol == pk else (f"key column {pcol!r}", f"column {fcol!r}")
            raise MetadataError(
                f"{what}: the {key} has sdtype {pk_sdtype!r} and the {fkey} {fk_sdtype!r}; they must be "
                f"the same (update_column({fcol!r}, table_name={c!r}, sdtype={pk_sdtype!r}))"
            )


def _key_of(rel: dict) -> tuple:
    return (
        rel["parent_table_name"],
        rel["child_table_name"],
        tuple(key_columns(rel["parent_primary_key"])),
        tuple(key_columns(rel["child_foreign_key"])),
    )


def same_relationship(a: dict, b: dict) -> bool:
    """True when ``a`` and ``b`` relate the same tables through the same columns."""
    return _key_of(a) == _key_of(b)


def check_with_others(rel: dict, others: list) -> None:
    """Raise MetadataError if ``rel`` repeats one of ``others`` or reuses a foreign key another parent uses."""
    key = _key_of(rel)
    for other in others:
        okey = _key_of(other)
        if okey == key:
            raise MetadataError(f"{describe(rel)} is there twice; remove the duplicate")
        if (okey[1], okey[3]) == (key[1], key[3]) and okey[0] != key[0]:
            raise MetadataError(
                f"{describe(rel)}: column {key_text(rel['child_foreign_key'])} of {rel['child_table_name']!r} is "
                f"already the foreign key of {describe(other)}; a foreign key refers to one parent"
            )


def find_cycle(relationships: list) -> list | None:
    """Tables ``[a, b, ..., a]`` that are their own ancestors through ``relationships``, or None.

    Self-references (a table its own parent) are not cycles here: they relate rows of one table.
    """
    children: dict = {}
    for r in relationships:
        if r["parent_table_name"] != r["child_table_name"]:
            children.setdefault(r["parent_table_name"], []).append(r["child_table_name"])
    state: dict = {}  # 1: on the current path, 2: done
    for start in children:
        if state.get(start):
            continue
        path, stack = [start], [iter(children.get(start, []))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(children.get(nxt, [])))
    return None


def check_relationships(tables: dict, relationships: list) -> None:
    """Raise MetadataError naming the first problem of the relationships, if any (see the module's docstring).

    Cycles and self-references are allowed: the multi-table synthesizer decides, from the data, which
    edge of a cycle it cuts (a nullable one); :func:`table_order` names a cycle that is left.
    """
    if not isinstance(relationships, list):
        raise MetadataError(f"relationships must be a list, got {type(relationships).__name__}")
    for i, rel in enumerate(relationships):
        check_names(rel, i)
        check_relationship(tables, rel)
        check_with_others(rel, relationships[:i])


def table_order(tables, relationships: list, skip=()) -> list[str]:
    """Table names with every parent before its children (tables in their order otherwise).

    Parameters
    ----------
    tables : dict or list
        The table names (a dict's keys).
    relationships : list of dict
        The relationships; self-references are ignored.
    skip : list of dict, optional
        Relationships to ignore (e.g. the edges of cycles a synthesizer cuts).

    Returns
    -------
    list of str

    Raises
    ------
    MetadataError
        If the relationships left make a table its own ancestor (the message names the cycle).
    """
    skipped = {_key_of(r) for r in skip}
    edges = [r for r in relationships if r["parent_table_name"] != r["child_table_name"] and _key_of(r) not in skipped]
    cycle = find_cycle(edges)
    if cycle:
        raise MetadataError(
            f"the relationships form a cycle: {' -> '.join(map(repr, cycle))} (parent -> child), so no table of it "
            "can come first; remove one of these relationships (remove_relationship), or let the multi-table "
            "synthesizer cut one whose foreign key has missing values"
        )
    names = list(tables)
    parents = {t: set() for t in names}
    for r in edges:
        if r["child_table_name"] in parents:
            parents[r["child_table_name"]].add(r["parent_table_name"])
    order: list[str] = []
    done: set = set()
    while len(order) < len(names):
        ready = [t for t in names if t not in done and parents[t] <= done | (parents[t] - set(names))]
        order += ready
        done.update(ready)
    return order


def check_detection_options(
    infer_keys, algorithm="column_name_match", allowed=("primary_and_foreign", "primary_only", None)
) -> None:
    """Raise ParameterError unless ``infer_keys`` is one of ``allowed`` and ``algorithm`` SDV's ``column_name_match``."""
    if infer_keys not in allowed:
        raise ParameterError(f"infer_keys must be {' or '.join(map(repr, allowed))}, got {infer_keys!r}")
    if algorithm != "column_name_match":
        raise ParameterError(f"foreign_key_inference_algorithm must be 'column_name_match', got {algorithm!r}")


def detect_relationships(tables: dict, relationships: list, accept=None) -> list[dict]:
    """Relationships found by SDV's ``column_name_match`` rule, added to ``relationships`` (in place).

    A column of one table that has the name of another table's primary key is a foreign key to it
    when their sdtypes match or the primary key is an 'id' (the column then becomes an 'id'), and
    the relationship breaks no rule (no cycle, no foreign key with two parents). Tables are tried in
    their order, parents first.

    Parameters
    ----------
    tables : dict
        ``{table_name: table metadata}``; a foreign key column's sdtype may be set to 'id'.
    relationships : list
        The relationships already there.
    accept : callable, optional
        ``accept(rel) -> bool``: a further test of each relationship found (e.g. on the data's values).

    Returns
    -------
    list of dict
        The new relationships.
    """
    found = []
    for parent, ptable in tables.items():
        pk = ptable.get("primary_key")
        if not isinstance(pk, str):  # no key, or a composite one (related by hand)
            continue
        pk_sdtype = ptable["columns"][pk]["sdtype"]
        for child, ctable in tables.items():
            if child == parent or pk not in ctable["columns"]:
                continue
            fk_meta = ctable["columns"][pk]
            if pk_sdtype != "id" and fk_meta["sdtype"] != pk_sdtype:
                continue
            rel = dict(zip(RELATIONSHIP_KEYS, (parent, child, pk, pk)))
            ctable["columns"][pk] = fk_meta if fk_meta["sdtype"] == pk_sdtype else {"sdtype": "id"}
            try:
                check_relationship(tables, rel)
                check_with_others(rel, relationships)
                if find_cycle(relationships + [rel]) or (accept is not None and not accept(rel)):
                    raise MetadataError("cycle or refused")
            except MetadataError:
                ctable["columns"][pk] = fk_meta
                continue
            relationships.append(rel)
            found.append(rel)
    return found
