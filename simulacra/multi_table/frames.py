"""The tables the per-table models learn, and the tables put back together from their samples.

For each table (see :mod:`.plan` for the internal column names): its own columns without its
foreign keys (the composition fills those), plus how many children each row has along every edge
it is the parent of, plus its primary parent's columns (context), plus, for every other foreign
key, the columns of the parent it points to and whether it points anywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metadata import Metadata
from . import linking
from .plan import (
    any_column,
    children_counts,
    context_column,
    count_column,
    has_column,
    key_missing,
    key_values,
    link_column,
)

#: the metadata of an internal count column
COUNT_META = {"sdtype": "numerical", "computer_representation": "Int64"}


def parent_rows(edge: dict, data: dict) -> np.ndarray:
    """The position of each child row's parent row along ``edge`` (-1: no parent)."""
    parent, child = data[edge["parent"]], data[edge["child"]]
    index = pd.Index(key_values(parent, edge["pk"]))
    want = key_values(child, edge["fk"])
    if len(edge["pk"]) > 1:
        want = pd.MultiIndex.from_frame(child[edge["fk"]].set_axis(edge["pk"], axis=1))
    pos = index.get_indexer(want)
    pos[key_missing(child, edge["fk"])] = -1
    return pos


def take(values: pd.Series, pos: np.ndarray) -> pd.Series:
    """``values`` at positions ``pos`` (-1: missing), as a fresh Series."""
    out = values.iloc[np.clip(pos, 0, None)].reset_index(drop=True) if len(values) else values.iloc[:0]
    if (pos < 0).any():
        s = out.astype("float64") if pd.api.types.is_integer_dtype(out) or pd.api.types.is_bool_dtype(out) else out
        out = s.where(pd.Series(pos >= 0))
    return out


def foreign_key_columns(name: str, plan: dict) -> set:
    return {c for e in plan["edges"] if e["child"] == name for c in e["fk"]}


def training_frame(name: str, data: dict, plan: dict, metadata) -> tuple[pd.DataFrame, dict, list]:
    """``(frame, columns metadata, context columns)`` the model of table ``name`` learns."""
    edges = plan["edges"]
    t = plan["tables"][name]
    df = data[name].reset_index(drop=True)
    drop = foreign_key_columns(name, plan)
    meta = metadata.tables[name]["columns"]
    cols = {c: dict(m) for c, m in meta.items() if c not in drop}
    parts = {c: df[c] for c in cols}
    for i, e in enumerate(edges):
        if e["parent"] == name:
            counts = pd.Series(children_counts(e, data))
            # no child: missing, so the model learns the counts of the rows that have some (a skew kept) and,
            # through the missing share, how many rows have none (never smoothed into a few children)
            parts[count_column(i)] = counts.where(counts > 0) if (counts == 0).any() else counts
            cols[count_column(i)] = dict(COUNT_META)
            if (counts == 0).any():  # and whether a row has any, as a category: learned exactly by every model
                parts[any_column(i)] = counts > 0
                cols[any_column(i)] = {"sdtype": "boolean"}
    context: list = []
    if t["primary"] is not None:
        e = edges[t["primary"]]
        pos = parent_rows(e, data)
        pmeta = metadata.tables[e["parent"]]["columns"]
        for c in t["context"]:
            parts[context_column(c)] = take(data[e["parent"]][c].reset_index(drop=True), pos)
            cols[context_column(c)] = dict(pmeta[c])
        n = count_column(t["primary"])
        parts[context_column(n)] = take(pd.Series(children_counts(e, data)), pos)
        cols[context_column(n)] = dict(COUNT_META)
        context = [context_column(c) for c in t["context"]] + [context_column(n)]
    for i, e in enumerate(edges):
        if e["child"] != name or e["role"] == "primary":
            continue
        pos = parent_rows(e, data)
        pmeta = metadata.tables[e["parent"]]["columns"]
        for c in e["link"]:
            parts[link_column(i, c)] = take(data[e["parent"]][c].reset_index(drop=True), pos)
            cols[link_column(i, c)] = dict(pmeta[c])
        if e["nullable"]:
            parts[has_column(i)] = pd.Series(pos >= 0)
            cols[has_column(i)] = {"sdtype": "boolean"}
    frame = pd.DataFrame(parts)
    return frame, cols, context


def table_metadata(name: str, cols: dict, pk: list) -> Metadata:
    """A one-table Metadata for the per-table model (a single-column primary key kept, if it is learned)."""
    table = {"columns": cols}
    if len(pk) == 1 and pk[0] in cols:
        table["primary_key"] = pk[0]
    return Metadata.load_from_dict({"METADATA_SPEC_VERSION": "V1", "tables": {name: table}})


def context_rows(name: str, plan: dict, parent: pd.DataFrame, scale: float, rng) -> tuple[pd.DataFrame, np.ndarray]:
    """``(context, parent position per row)`` for a child table made from its sampled primary parent.

    Each sampled parent row gets as many children as its model asked for, scaled so the table has
    ``scale`` times its real rows (a small parent table's sampled counts can miss its few big
    parents by chance; deeper tables would inherit the error).
    """
    t = plan["tables"][name]
    i = t["primary"]
    n = count_column(i)
    counts = linking.capacities(sampled_counts(parent, i, rng), scaled(t["rows"] - t["missing_primary"], scale), rng)
    if t["pk"] and set(t["pk"]) <= set(plan["edges"][i]["fk"]):  # one-to-one: the key is the parent's key
        counts = np.minimum(counts, 1)
    pos = np.repeat(np.arange(len(parent), dtype=np.int64), counts)
    missing = scaled(t["missing_primary"], scale)
    pos = np.r_[pos, np.full(missing, -1, dtype=np.int64)]
    ctx = {context_column(c): take(parent[c].reset_index(drop=True), pos) for c in t["context"]}
    ctx[context_column(n)] = take(pd.Series(counts.astype(np.int64)), pos)
    return pd.DataFrame(ctx), pos


def sampled_counts(parent: pd.DataFrame, i: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """How many children each sampled parent row asked for along edge ``i`` (whole, >= 0).

    A row with children whose count came out missing (a model that learned the count's missing
    share apart from ``__any``) takes a count drawn from the other rows' counts.
    """
    counts = pd.to_numeric(parent[count_column(i)], errors="coerce").to_numpy(float, na_value=np.nan)
    some = ~np.isnan(counts)  # missing: no child (see training_frame)
    if any_column(i) in parent:
        some = parent[any_column(i)].fillna(False).astype(bool).to_numpy()
    gap = some & np.isnan(counts)
    if gap.any():
        known = counts[~np.isnan(counts) & (counts > 0)]
        rng = rng if rng is not None else np.random.default_rng(0)
        counts = counts.copy()
        counts[gap] = rng.choice(known, int(gap.sum())) if len(known) else 1.0
    return np.where(some, np.maximum(np.rint(np.nan_to_num(counts, nan=1.0)), 1), 0).astype(np.int64)


def scaled(n: int, scale: float) -> int:
    """Rows for ``n`` real rows at ``scale`` (at least one when there were rows and scale > 0)."""
    if n <= 0 or scale <= 0:
        return 0
    return max(1, int(round(n * scale)))


def set_keys(rows: pd.DataFrame, edge: dict, parent: pd.DataFrame, pos: np.ndarray) -> None:
    """Fill the child's foreign key from the parent's sampled keys (``pos`` -1: missing), in place."""
    for pk, fk in zip(edge["pk"], edge["fk"]):
        rows[fk] = take(parent[pk].reset_index(drop=True), pos).to_numpy()


def linked_counts(counts: np.ndarray, used: int, rng: np.random.Generator) -> np.ndarray:
    """The parents' sampled counts with exactly ``used`` rows having children (the real share, scaled).

    A parent model learns a rare "has children" (3 of 1,458 airports are New York's) only up to
    chance; the number of parents used is kept from the real data, their counts drawn from the
    model's non-zero counts.
    """
    used = min(max(int(used), 1), len(counts)) if len(counts) else 0
    nonzero = np.flatnonzero(counts > 0)
    if used == len(nonzero) or not len(counts):
        return counts
    values = counts[nonzero] if len(nonzero) else np.ones(1, dtype=np.int64)
    rows = nonzero if len(nonzero) else np.zeros(0, dtype=np.int64)
    if used < len(rows):
        rows = rng.choice(rows, used, replace=False)
    else:
        others = np.setdiff1d(np.arange(len(counts)), rows)
        rows = np.r_[rows, rng.choice(others, used - len(rows), replace=False)]
    out = np.zeros_like(counts)
    out[rows] = rng.choice(values, used, replace=True) if used != len(values) else values
    return out


def link_edge(
    i: int, rows: pd.DataFrame, parent: pd.DataFrame, plan: dict, rng: np.random.Generator, scale: float = 1.0
) -> None:
    """Link the rows' foreign key of edge ``i`` to the sampled parent rows, in place."""
    e = plan["edges"][i]
    present = rows[has_column(i)].fillna(False).astype(bool).to_numpy() if e["nullable"] else np.ones(len(rows), bool)
    cols = list(e["link"])
    want = rows.loc[present, [link_column(i, c) for c in cols]].set_axis(cols, axis=1)
    counts = linked_counts(sampled_counts(parent, i, rng), scaled(e["parents_used"], scale), rng)
    cap = linking.capacities(counts, int(present.sum()), rng)
    cf, pf = linking.features([want, parent], cols)
    cap = linking.by_demand(cap, cf, pf, rng)
    pos = np.full(len(rows), -1, dtype=np.int64)
    pos[present] = linking.link(cf, pf, cap, rng)
    set_keys(rows, e, parent, pos)


def break_cycles(rows: pd.DataFrame, edge: dict) -> None:
    """Cut the cycles a self-reference's links made (a manager of their own manager), in place.

    Vectorized pointer jumping: after ``log2(n)`` doublings a row whose chain of parents ends has no
    ancestor left, and a row on or above a cycle still has one, on the cycle. Each cycle loses one
    link (at its lowest row), so the rows form trees and that row becomes a root.
    """
    pos = parent_rows(edge, {edge["parent"]: rows, edge["child"]: rows})
    n = len(pos)
    if not n:
        return
    anc, low = pos.copy(), np.arange(n)
    low = np.where(pos >= 0, np.minimum(low, np.clip(pos, 0, None)), low)
    for _ in range(int(np.ceil(np.log2(max(n, 2)))) + 1):
        has = anc >= 0
        step = np.clip(anc, 0, None)
        low = np.where(has, np.minimum(low, low[step]), low)
        anc = np.where(has, anc[step], -1)
    on_cycle = np.unique(anc[anc >= 0])
    if not len(on_cycle):
        return
    cut = np.unique(low[on_cycle])  # the lowest row of each cycle
    for fk in edge["fk"]:
        rows.loc[cut, fk] = None


def finish(rows: pd.DataFrame, t: dict) -> pd.DataFrame:
    """The table's own columns, in their order, with the dtypes they came with where they fit."""
    out = rows[t["columns"]].copy()
    for c, dtype in t["dtypes"].items():
        if str(out[c].dtype) == dtype:
            continue
        try:
            if dtype.startswith("int") and out[c].isna().any():
                out[c] = out[c].astype("Int64")
            elif dtype == "object":
                out[c] = out[c].astype("object")
            else:
                out[c] = out[c].astype(dtype)
        except (TypeError, ValueError):
            pass
    return out
