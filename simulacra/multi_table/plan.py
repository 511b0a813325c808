"""The plan of a relational synthesizer: which edges drive which table, in which order, from what.

Every relationship of the metadata is one *edge* ``parent.pk -> child.fk`` (keys may be composite).
Each child table has at most one **primary** edge: its rows are made per row of that parent (the
parent's model learns how many children each of its rows has, and the child's model learns its
columns given the parent's columns). The child's other edges are **secondary**: their foreign keys
are linked after the child is sampled, to the parent rows whose columns best fit what the child's
model asked for, each parent row taking as many children as its own model gave it. Self-references
and the edges that close a cycle are **late** edges: linked once every table is sampled. An edge can
close a cycle only if its foreign key is nullable in the data (a missing value somewhere), else the
schema cannot be generated and fit says so.

The plan is plain JSON (saved in the model file) and names the internal columns the per-table
models learn: ``__n{i}`` children per row along edge *i* (in the parent's model; missing for a
row with none, so the counts of the rows that have children keep their skew), ``__any{i}`` whether
a row has any (a category: "none" is never smoothed into a few children), ``__c__<col>``
the primary parent's columns (context, in the child's model), ``__l{i}__<col>`` the columns of the
parent a secondary edge wants (in the child's model) and ``__has{i}`` whether that key is present.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidDataError, MetadataError

#: how many of a parent's columns a child learns as its context (or as what a link wants)
MAX_PARENT_COLUMNS = 8
#: sdtypes a parent's column may have to be learned by its children
PARENT_SDTYPES = ("numerical", "categorical", "boolean", "datetime")
#: how orphan foreign keys (a value that is not a key of the parent) are handled at fit
ORPHANS = ("error", "drop", "keep_as_missing")
#: the prefix of every internal column: a real column may not start with it
INTERNAL = "__"


def keys(k) -> list[str]:
    """A key as a list of column names (a composite key is already a list)."""
    return [k] if isinstance(k, str) else [str(c) for c in k]


def count_column(i: int) -> str:
    return f"__n{i}"


def any_column(i: int) -> str:
    return f"__any{i}"


def context_column(col: str) -> str:
    return f"__c__{col}"


def link_column(i: int, col: str) -> str:
    return f"__l{i}__{col}"


def has_column(i: int) -> str:
    return f"__has{i}"


def describe(edge: dict) -> str:
    return f"relationship {edge['parent']!r}.{'+'.join(edge['pk'])} -> {edge['child']!r}.{'+'.join(edge['fk'])}"


def edges_of(metadata) -> list[dict]:
    """The metadata's relationships as edges ``{parent, child, pk, fk}`` (lists of columns)."""
    out = []
    for r in metadata.relationships:
        out.append(
            {
                "parent": r["parent_table_name"],
                "child": r["child_table_name"],
                "pk": keys(r["parent_primary_key"]),
                "fk": keys(r["child_foreign_key"]),
            }
        )
    return out


def key_values(df: pd.DataFrame, cols: list[str]):
    """The key of each row: a Series for one column, a MultiIndex for a composite key."""
    if len(cols) == 1:
        return df[cols[0]]
    return pd.MultiIndex.from_frame(df[cols])


def key_missing(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Rows whose key has a missing part (no parent)."""
    return df[cols].isna().any(axis=1).to_numpy()


def children_counts(edge: dict, data: dict) -> np.ndarray:
    """How many rows of the child point to each row of the parent along ``edge`` (0 included)."""
    parent, child = data[edge["parent"]], data[edge["child"]]
    present = child.loc[~key_missing(child, edge["fk"]), edge["fk"]]
    sizes = present.groupby(edge["fk"], sort=False).size()
    want = key_values(parent, edge["pk"])
    if len(edge["pk"]) > 1:
        want = want.set_names(edge["fk"])
    return sizes.reindex(want).fillna(0).to_numpy(dtype=np.int64)


def check_tables(metadata, data: dict) -> None:
    """A clear error for data that cannot be learned: unknown or absent tables, empty tables, bad keys."""
    if not isinstance(data, dict) or not data:
        raise InvalidDataError("fit expects {table_name: DataFrame} with every table of the metadata")
    unknown = [t for t in data if t not in metadata.tables]
    if unknown:
        raise InvalidDataError(
            f"the data has table(s) {', '.join(map(repr, unknown))} that the metadata does not name; "
            f"the metadata's tables: {', '.join(map(repr, metadata.tables))}"
        )
    for e in edges_of(metadata):
        for role in ("parent", "child"):
            if e[role] not in data:
                other = e["child"] if role == "parent" else e["parent"]
                raise InvalidDataError(
                    f"{describe(e)}: table {e[role]!r} is not in the data, and {other!r} refers to it; "
                    "pass every table the relationships name"
                )
    for name in metadata.tables:
        if name not in data:
            raise InvalidDataError(f"the data has no table {name!r}; pass every table of the metadata")
        df = data[name]
        if not isinstance(df, pd.DataFrame):
            raise InvalidDataError(f"table {name!r} must be a pandas DataFrame, got {type(df).__name__}")
        if len(df) == 0:
            raise InvalidDataError(f"table {name!r} has no rows; a synthesizer learns from rows: give it some")
        metadata.validate_data(df, name)
        pk = metadata.tables[name].get("primary_key")
        if pk is not None:
            check_primary_key(name, df, keys(pk))
    for e in edges_of(metadata):
        check_key_types(e, data)


def check_primary_key(name: str, df: pd.DataFrame, pk: list[str]) -> None:
    missing = key_missing(df, pk)
    if missing.any():
        raise InvalidDataError(
            f"table {name!r}: the primary key {'+'.join(pk)} is missing in {int(missing.sum())} row(s) "
            f"(e.g. row {int(np.flatnonzero(missing)[0])}); every row needs a key: fill or drop those rows"
        )
    dup = key_values(df, pk).duplicated()
    dup = np.asarray(dup)
    if dup.any():
        examples = df.loc[dup, pk].drop_duplicates().head(3)
        shown = ", ".join(repr(tuple(r) if len(pk) > 1 else r[0]) for r in examples.itertuples(index=False))
        raise InvalidDataError(
            f"table {name!r}: the primary key {'+'.join(pk)} has {int(dup.sum())} duplicate value(s) (e.g. {shown}); "
            "a primary key is unique: drop the duplicates or choose another key (set_primary_key)"
        )


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_numeric_dtype(s):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    return "text"


def check_key_types(edge: dict, data: dict) -> None:
    parent, child = data[edge["parent"]], data[edge["child"]]
    for pk, fk in zip(edge["pk"], edge["fk"]):
        a, b = _kind(parent[pk]), _kind(child[fk].dropna()) if child[fk].notna().any() else _kind(parent[pk])
        if a != b:
            raise InvalidDataError(
                f"{describe(edge)}: the primary key {pk!r} holds {a} values ({parent[pk].dtype}) and the foreign key "
                f"{fk!r} {b} values ({child[fk].dtype}); read both with the same type (e.g. both as text)"
            )


def orphans(edge: dict, data: dict) -> np.ndarray:
    """Rows of the child whose foreign key is present but not a key of the parent."""
    child, parent = data[edge["child"]], data[edge["parent"]]
    present = ~key_missing(child, edge["fk"])
    if not present.any():
        return present
    want = key_values(child, edge["fk"])
    have = key_values(parent, edge["pk"])
    if len(edge["fk"]) > 1:
        have = have.set_names(want.names)
    found = np.asarray(want.isin(have))
    return present & ~found


def handle_orphans(metadata, data: dict, how: str) -> tuple[dict, dict]:
    """``(data, report)``: the tables with orphan foreign keys handled as ``how`` says.

    ``report`` is ``{relationship text: number of orphan rows}`` (relationships with none left out).
    ``error`` raises an InvalidDataError naming the relationship and a few values; ``drop`` drops the
    child rows (and, through their keys, the rows below them that lose their parent); ``keep_as_missing``
    sets the foreign key to missing.
    """
    if how not in ORPHANS:
        raise MetadataError(f"orphans must be one of {', '.join(map(repr, ORPHANS))}, got {how!r}")
    data = dict(data)
    report: dict = {}
    changed = True
    rounds = 0
    while changed and rounds <= len(metadata.relationships) + 1:
        changed, rounds = False, rounds + 1
        for e in edges_of(metadata):
            bad = orphans(e, data)
            n = int(bad.sum())
            if not n:
                continue
            report[describe(e)] = report.get(describe(e), 0) + n
            if how == "error":
                child = data[e["child"]]
                vals = child.loc[bad, e["fk"]].drop_duplicates().head(3)
                shown = ", ".join(repr(tuple(r) if len(e["fk"]) > 1 else r[0]) for r in vals.itertuples(index=False))
                raise InvalidDataError(
                    f"{describe(e)}: {n} row(s) of {e['child']!r} refer to keys that {e['parent']!r} does not have "
                    f"(e.g. {shown}); pass orphans='drop' to drop them or orphans='keep_as_missing' to keep them "
                    "without a parent, or add the parent rows"
                )
            child = data[e["child"]].copy()
            if how == "drop":
                child = child.loc[~bad].reset_index(drop=True)
            else:
                for c in e["fk"]:
                    if pd.api.types.is_integer_dtype(child[c]) and not pd.api.types.is_extension_array_dtype(child[c]):
                        child[c] = child[c].astype("Int64")
                    child.loc[bad, c] = None
            data[e["child"]] = child
            changed = True
    for name, df in data.items():
        if len(df) == 0:
            raise InvalidDataError(
                f"table {name!r} has no rows left after dropping orphan foreign keys ({report}); "
                "use orphans='keep_as_missing' or fix the keys"
            )
    return data, report


def _order(tables: list[str], edges: list[dict], skip: set) -> tuple[list[str], list[str]]:
    """(tables parents first, tables left in a cycle) over the edges not in ``skip``."""
    parents = {t: set() for t in tables}
    for i, e in enumerate(edges):
        if i not in skip and e["parent"] != e["child"]:
            parents[e["child"]].add(e["parent"])
    order, done = [], set()
    while True:
        ready = [t for t in tables if t not in done and parents[t] <= done]
        if not ready:
            break
        order += ready
        done.update(ready)
    return order, [t for t in tables if t not in done]


def late_edges(tables: list[str], edges: list[dict], data: dict) -> set:
    """Indexes of the edges linked after every table is sampled: self-references and cycle edges.

    Raises MetadataError for a cycle none of whose edges has a missing foreign key value.
    """
    late = {i for i, e in enumerate(edges) if e["parent"] == e["child"]}
    for i in late:
        e = edges[i]
        if not key_missing(data[e["child"]], e["fk"]).any():
            raise MetadataError(
                f"{describe(e)} is a self-reference whose foreign key is never missing: some row must have no "
                f"parent (e.g. the top manager); set the foreign key of those rows to missing"
            )
    while True:
        order, stuck = _order(tables, edges, late)
        if not stuck:
            return late
        inside = [i for i, e in enumerate(edges) if i not in late and e["parent"] in stuck and e["child"] in stuck]
        nullable = [i for i in inside if key_missing(data[edges[i]["child"]], edges[i]["fk"]).any()]
        if not nullable:
            raise MetadataError(
                f"the relationships form a cycle among {', '.join(map(repr, stuck))} and none of its foreign keys "
                "is ever missing, so no table can be made first; make one foreign key of the cycle nullable "
                "(missing for some rows) or remove one relationship"
            )
        late.add(nullable[0])


def parent_columns(metadata, table: str, exclude=()) -> list[str]:
    """The columns of ``table`` its children learn: learned sdtypes, not keys, at most MAX_PARENT_COLUMNS."""
    t = metadata.tables[table]
    key_cols = set(keys(t["primary_key"])) if t.get("primary_key") is not None else set()
    for r in metadata.relationships:
        if r["child_table_name"] == table:
            key_cols |= set(keys(r["child_foreign_key"]))
    out = []
    for c, m in t["columns"].items():
        if c in key_cols or c in exclude or m.get("sdtype") not in PARENT_SDTYPES or m.get("pii"):
            continue
        out.append(c)
    return out[:MAX_PARENT_COLUMNS]


def build(metadata, data: dict) -> dict:
    """The plan (JSON) for ``data`` (checked, orphans handled) under ``metadata``."""
    tables = list(metadata.tables)
    edges = edges_of(metadata)
    for name, df in data.items():
        bad = [c for c in df.columns if str(c).startswith(INTERNAL) and is_internal(str(c))]
        if bad:
            raise InvalidDataError(
                f"table {name!r}: column {bad[0]!r} has a name the synthesizer uses internally; rename it"
            )
    late = late_edges(tables, edges, data)
    order, _ = _order(tables, edges, late)
    plan_tables: dict = {}
    for name in order:
        df = data[name]
        incoming = [i for i, e in enumerate(edges) if e["child"] == name and i not in late]
        primary = _choose_primary(incoming, edges, data)
        pk = metadata.tables[name].get("primary_key")
        plan_tables[name] = {
            "rows": int(len(df)),
            "columns": [str(c) for c in df.columns],
            "dtypes": {str(c): str(df[c].dtype) for c in df.columns},
            "pk": keys(pk) if pk is not None else [],
            "primary": primary,
            "context": [],
            "missing_primary": 0,
        }
        if primary is not None:
            e = edges[primary]
            plan_tables[name]["context"] = parent_columns(metadata, e["parent"])
            plan_tables[name]["missing_primary"] = int(key_missing(df, e["fk"]).sum())
    out_edges = []
    for i, e in enumerate(edges):
        child = data[e["child"]]
        role = "late" if i in late else ("primary" if plan_tables[e["child"]]["primary"] == i else "secondary")
        out_edges.append(
            {
                **e,
                "role": role,
                "nullable": bool(key_missing(child, e["fk"]).any()),
                "parents_used": _parents_used(e, data),
                "link": [] if role == "primary" else parent_columns(metadata, e["parent"]),
            }
        )
    return {"order": order, "edges": out_edges, "tables": plan_tables}


def _parents_used(edge: dict, data: dict) -> int:
    """How many parent rows have at least one child along ``edge`` (orphans already handled)."""
    return int((children_counts(edge, data) > 0).sum())


def is_internal(c: str) -> bool:
    """Whether ``c`` is one of the synthesizer's internal column names."""
    import re

    return re.match(r"__(n\d+|any\d+|c__.*|l\d+__.*|has\d+)$", c) is not None


def _choose_primary(incoming: list[int], edges: list[dict], data: dict):
    """The edge that drives a child's rows: no missing keys if possible, then the most distinct parents used."""
    if not incoming:
        return None

    def score(i):
        e = edges[i]
        return (-int(key_missing(data[e["child"]], e["fk"]).sum()), _parents_used(e, data))

    return max(incoming, key=score)
