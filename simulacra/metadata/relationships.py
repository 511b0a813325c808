"""Relationships between tables: a child's foreign key refers to its parent's primary key.

A relationship is SDV's dict ``{"parent_table_name", "child_table_name", "parent_primary_key",
"child_foreign_key"}``. The functions here check them against the tables (both exist, the parent key
is the parent's primary key, the foreign key a column of the child of the same sdtype, no duplicate,
no foreign key shared by two parents, no cycle), detect them by SDV's column-name rule, order the
tables parents first, and check that data keeps them (every foreign key value is a parent's key).
"""

from __future__ import annotations

import copy

import pandas as pd

from ..errors import InvalidDataError, MetadataError, ParameterError
from ..utils.values import to_jsonable

#: the keys of a relationship dict, in SDV's order
RELATIONSHIP_KEYS = ("parent_table_name", "child_table_name", "parent_primary_key", "child_foreign_key")


def describe(rel: dict) -> str:
    """``relationship 'parent'.'key' -> 'child'.'foreign key'`` for the messages."""
    p, c, pk, fk = (rel.get(k) for k in RELATIONSHIP_KEYS)
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
    """Raise MetadataError unless ``rel`` is a dict whose four names are strings (composite keys refused)."""
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
        if isinstance(v, (list, tuple)) and k in ("parent_primary_key", "child_foreign_key"):
            raise MetadataError(
                f"{describe(rel)}: {k} {list(v)!r} is a composite key, which simulacra does not support; "
                "relate the tables through one id column"
            )
        if not isinstance(v, str):
            raise MetadataError(f"{describe(rel)}: {k} must be a name (a string), got {v!r}")


def check_relationship(tables: dict, rel: dict) -> None:
    """Raise MetadataError unless one relationship fits the tables (names, keys, sdtypes).

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
    if p == c:
        raise MetadataError(
            f"{what}: table {p!r} cannot be its own parent (a table may not be its own ancestor); "
            "simulacra does not model self-references: drop the relationship"
        )
    parent_pk = tables[p].get("primary_key")
    if parent_pk is None:
        raise MetadataError(
            f"{what}: the parent table {p!r} has no primary key; set_primary_key({pk!r}, table_name={p!r}) first"
        )
    if pk != parent_pk:
        raise MetadataError(
            f"{what}: {pk!r} is not the primary key of the parent table {p!r} (its primary key is {parent_pk!r}); "
            "a foreign key refers to its parent's primary key"
        )
    child_cols = tables[c]["columns"]
    if fk not in child_cols:
        raise MetadataError(
            f"{what}: the child table {c!r} has no column {fk!r}; the foreign key must be one of its columns: "
            f"{', '.join(map(repr, child_cols))}"
        )
    pk_sdtype = tables[p]["columns"][pk]["sdtype"]
    fk_sdtype = child_cols[fk]["sdtype"]
    if pk_sdtype != fk_sdtype:
        raise MetadataError(
            f"{what}: the primary key has sdtype {pk_sdtype!r} and the foreign key {fk_sdtype!r}; they must be the "
            f"same (update_column({fk!r}, table_name={c!r}, sdtype={pk_sdtype!r}))"
        )


def check_with_others(rel: dict, others: list) -> None:
    """Raise MetadataError if ``rel`` repeats one of ``others`` or reuses a foreign key another parent uses."""
    key = tuple(rel[k] for k in RELATIONSHIP_KEYS)
    for other in others:
        if tuple(other[k] for k in RELATIONSHIP_KEYS) == key:
            raise MetadataError(f"{describe(rel)} is there twice; remove the duplicate")
        same_fk = (other["child_table_name"], other["child_foreign_key"]) == (
            rel["child_table_name"],
            rel["child_foreign_key"],
        )
        if same_fk and other["parent_table_name"] != rel["parent_table_name"]:
            raise MetadataError(
                f"{describe(rel)}: column {rel['child_foreign_key']!r} of {rel['child_table_name']!r} is already the "
                f"foreign key of {describe(other)}; a foreign key refers to one parent"
            )


def find_cycle(relationships: list) -> list | None:
    """Tables ``[a, b, ..., a]`` that are their own ancestors through ``relationships``, or None."""
    children: dict = {}
    for r in relationships:
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
    """Raise MetadataError naming the first problem of the relationships, if any (see the module's docstring)."""
    if not isinstance(relationships, list):
        raise MetadataError(f"relationships must be a list, got {type(relationships).__name__}")
    for i, rel in enumerate(relationships):
        check_names(rel, i)
        check_relationship(tables, rel)
        check_with_others(rel, relationships[:i])
    cycle = find_cycle(relationships)
    if cycle:
        raise MetadataError(
            f"the relationships form a cycle: {' -> '.join(map(repr, cycle))} (parent -> child); a table may not be "
            "its own ancestor: remove one of these relationships with remove_relationship"
        )


def table_order(tables: dict, relationships: list) -> list[str]:
    """Table names with every parent before its children (tables in their order otherwise)."""
    parents = {t: {r["parent_table_name"] for r in relationships if r["child_table_name"] == t} for t in tables}
    order: list[str] = []
    done: set = set()
    while len(order) < len(tables):
        ready = [t for t in tables if t not in done and parents[t] <= done]
        if not ready:
            raise MetadataError(f"the relationships form a cycle among {', '.join(sorted(set(tables) - done))}")
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


def detect_relationships(tables: dict, relationships: list) -> list[dict]:
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

    Returns
    -------
    list of dict
        The new relationships.
    """
    found = []
    for parent, ptable in tables.items():
        pk = ptable.get("primary_key")
        if pk is None:
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
                if find_cycle(relationships + [rel]):
                    raise MetadataError("cycle")
            except MetadataError:
                ctable["columns"][pk] = fk_meta
                continue
            relationships.append(rel)
            found.append(rel)
    return found


def check_references(relationships: list, data: dict) -> None:
    """Raise InvalidDataError if a foreign key value of ``data`` is not a key of its parent.

    Missing foreign key values (no parent) are allowed. Relationships whose tables are not both in
    ``data`` are skipped.

    Parameters
    ----------
    relationships : list
        The relationships.
    data : dict
        ``{table_name: DataFrame}``.
    """
    for rel in relationships:
        p, c, pk, fk = (rel[k] for k in RELATIONSHIP_KEYS)
        if p not in data or c not in data:
            continue
        child = data[c][fk].dropna()
        parent = data[p][pk]
        unknown = ~child.isin(pd.unique(parent.dropna()))
        n = int(unknown.sum())
        if n == 0:
            continue
        example = to_jsonable(child[unknown].iloc[0])
        hint = ""
        if child.dtype != parent.dtype:
            hint = f" (the foreign key holds {child.dtype} values, the primary key {parent.dtype}: read both alike)"
        raise InvalidDataError(
            f"table {c!r}, column {fk!r}: {n} value(s) are not in the primary key {pk!r} of the parent table {p!r} "
            f"(e.g. {example!r}){hint}; drop those rows, set those values to missing, or add the parent rows"
        )
