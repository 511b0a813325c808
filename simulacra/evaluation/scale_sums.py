"""Per-partition summaries of the quality report at scale (two passes), and their merges.

:mod:`simulacra.evaluation.scale` reads each table twice, one partition at a time, through
:func:`simulacra.io.partitions.map_tasks` (here or on Dask workers, results in task order):

1. :func:`first_pass`: per continuous column of its readable values (rounded to 14 decimals, as
   the in-memory KS test) their count, sum, min and max, the count of unreadable values, their
   exact distinct values with counts while there are at most ``n_edges`` of them
   (:func:`value_counts`), and a seeded bottom-k sample of them (:func:`bottom_values`: each row's
   key from :func:`~simulacra.utils.sketch.row_keys`, named by its file and position, so the
   sample does not depend on the partitions, their order or the workers); per discrete column the
   count of each value (:class:`CategoryCounts`).
2. :func:`second_pass`, given the :class:`PairPlan` made from the merged first pass: each
   continuous column's exact counts at its edges (:class:`~simulacra.utils.sketch.EdgeCounts`;
   edges from :func:`column_edges`), pairwise-complete sums of the continuous columns centred on
   their means (Pearson's r), the joint counts of each contingency pair (numbers cut into the
   in-memory report's 10 equal-width bins between the table's own exact min and max), and a
   seeded bottom-k sample of rows for the pairs with too many cells to count.

Every summary is plain data whose size does not grow with the rows; summaries merge by adding
(or, for the samples and value sets, by a union whose result depends only on the rows), so every
number is the same run to run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..utils.sketch import BottomKSample, CategoryCounts, EdgeCounts, PairMoments, row_keys
from .views import CONTINUOUS, numeric_view

#: a pair's joint counts are one dense array up to this many cells (else the observed cells only)
DENSE_CELLS = 4096
#: rows per block of the sums of the sampled continuous pairs
_BLOCK_VALUES = 2_000_000


def _counts(s: pd.Series, max_categories: int) -> CategoryCounts:
    cc = CategoryCounts(max_categories)
    try:
        return cc.update(s)
    except TypeError:
        return cc.update(s.astype(str).where(s.notna(), None))


# ---------------------------------------------------------------------- exact values and samples
def value_counts(x: np.ndarray, limit: int):
    """``(values, counts)``: the distinct values of ``x`` (sorted) and how often each occurs; None past ``limit`` values."""
    if len(x) > 4 * limit and len(np.unique(x[: 4 * limit])) > limit:  # too many already: skip the full sort
        return None
    u, k = np.unique(x, return_counts=True)
    return (u, k.astype(np.int64)) if len(u) <= limit else None


def merge_value_counts(a, b, limit: int):
    """The :func:`value_counts` of two sets of rows (None when either has too many values, or both together)."""
    if a is None or b is None:
        return None
    u, inv = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    if len(u) > limit:
        return None
    k = np.zeros(len(u), dtype=np.int64)
    np.add.at(k, inv, np.concatenate([a[1], b[1]]))
    return u, k


def bottom_values(keys: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``size`` (key, value) pairs of smallest key (ties: smallest value): a function of the pairs only,
    so the sample is the same whatever the order the rows come in (O(n): one partition of the keys)."""
    if len(keys) <= size:
        return keys, values
    cut = np.partition(keys, size - 1)[size - 1]
    keep = keys < cut
    tie = np.flatnonzero(keys == cut)
    need = size - int(keep.sum())
    if len(tie) > need:
        tie = tie[np.argsort(values[tie], kind="stable")[:need]]
    keep[tie] = True
    return keys[keep], values[keep]


def merge_samples(a, b, size: int):
    return bottom_values(np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]), size)


def _edge_quantiles(vc, m: int) -> np.ndarray:
    """The values at ``m`` evenly spaced positions (the first and last included) of the sorted rows counted in ``vc``."""
    u, k = vc
    pos = np.round(np.linspace(0, int(k.sum()) - 1, m))
    return np.unique(u[np.searchsorted(np.cumsum(k), pos, side="right")])


def column_edges(numbers, n_edges: int) -> tuple[np.ndarray, bool]:
    """``(edges, exact)`` of a continuous column from both tables' merged pass-1 ``numbers`` (real, synthetic).

    When the two tables together have at most ``n_edges`` distinct values, the edges are all of them
    (``exact``: every value is an edge, so the counts at the edges are the whole distributions).
    Else each table gives half of the ``n_edges``: its distinct values when it has that few (the
    other table then gets the rest), else its exact quantiles (from its value counts) or its
    seeded sample's quantiles with its exact min and max. At most ``n_edges`` edges.
    """
    vcs = [n["values"] for n in numbers]
    if all(vc is not None for vc in vcs):
        u = np.union1d(vcs[0][0], vcs[1][0])
        if len(u) <= n_edges:
            return u, True
    need = [len(vc[0]) if vc is not None else n_edges for vc in vcs]
    budget = [n_edges // 2, n_edges - n_edges // 2]
    if need[0] < budget[0]:
        budget = [need[0], n_edges - need[0]]
    elif need[1] < budget[1]:
        budget = [n_edges - need[1], need[1]]
    parts = []
    for n, vc, m in zip(numbers, vcs, budget):
        if vc is not None:
            parts.append(vc[0] if len(vc[0]) <= m else _edge_quantiles(vc, m))
        elif n["count"]:
            parts += [EdgeCounts.from_sample(n["sample"][1], m - 2).edges, np.round([n["low"], n["high"]], 14)]
    return np.unique(np.concatenate(parts)), False


# ---------------------------------------------------------------------- pass 1
def first_pass(
    task, frames, meta: dict, cols: list, n_edges: int, sample_size: int, seed, table: int, max_categories: int
) -> dict:
    """Pass 1 of one task of table ``table`` (0 real, 1 synthetic; ``frames``: its DataFrames), as plain data
    (see :func:`merge_first`). ``seed`` (a SeedSequence, the same on every worker) keys the value samples:
    the rows of stream ``2 * file + table``, from the task's first row on."""
    out = None
    first_row = task.first_row
    cont = [c for c in cols if meta[c]["sdtype"] in CONTINUOUS]
    for df in frames:
        part = {"rows": len(df), "partitions": 1, "numbers": {}, "counts": {}}
        keys = row_keys(seed, 2 * task.file_index + table, first_row, len(df))[0] if cont else None
        first_row += len(df)
        for c in cols:
            s = df[c]
            if meta[c]["sdtype"] in CONTINUOUS:
                v = numeric_view(s, meta[c])
                ok = ~np.isnan(v)
                bad = ~ok & s.notna().to_numpy(dtype=bool)
                x = v[ok]
                r = np.round(x, 14)  # the values the KS test compares (as in memory)
                part["numbers"][c] = {
                    "values": value_counts(r, n_edges),
                    "sample": bottom_values(keys[ok], r, sample_size),
                    "count": int(len(x)),
                    "total": float(x.sum()),
                    "low": float(x.min()) if len(x) else np.inf,
                    "high": float(x.max()) if len(x) else -np.inf,
                    "bad": int(bad.sum()),
                    "example": s.iloc[int(np.argmax(bad))] if bad.any() else None,
                }
            else:
                part["counts"][c] = _counts(s, max_categories)
        out = part if out is None else merge_first(out, part, n_edges, sample_size)
    if out is None:
        out = {"rows": 0, "partitions": 0, "numbers": {}, "counts": {}}
    out["partitions"] = 1  # one task
    return to_state(out)


def to_state(summary: dict) -> dict:
    """Pass 1 summary with its category counts as plain data (for a worker to send back)."""
    out = dict(summary)
    out["counts"] = {c: cc.to_state() for c, cc in summary["counts"].items()}
    return out


def from_state(state: dict) -> dict:
    out = dict(state)
    out["counts"] = {c: CategoryCounts.from_state(cc) for c, cc in state["counts"].items()}
    return out


def merge_first(a: dict, b: dict, n_edges: int, sample_size: int) -> dict:
    """``a`` with ``b`` merged into it (pass 1 summaries with :class:`CategoryCounts` objects)."""
    a["rows"] += b["rows"]
    a["partitions"] += b["partitions"]
    for c, n in b["numbers"].items():
        m = a["numbers"].get(c)
        if m is None:
            a["numbers"][c] = n
            continue
        m["values"] = merge_value_counts(m["values"], n["values"], n_edges)
        m["sample"] = merge_samples(m["sample"], n["sample"], sample_size)
        for key in ("count", "total", "bad"):
            m[key] += n[key]
        m["low"], m["high"] = min(m["low"], n["low"]), max(m["high"], n["high"])
        if m["example"] is None:
            m["example"] = n["example"]
    for c, cc in b["counts"].items():
        a["counts"][c] = a["counts"][c].merge(cc) if c in a["counts"] else cc
    return a


# ---------------------------------------------------------------------- pass 2
def bin_range(v: np.ndarray, count: int, low: float, high: float) -> np.ndarray:
    """The in-memory pair-trend binning (:func:`~simulacra.evaluation.pair_metrics.bin_codes`) of ``v``,
    from the whole table's count, min and max of its readable values: 10 equal-width bins (codes
    1..10; the max and NaN 11), a constant column's values all 6."""
    if count and low == high:
        return np.where(np.isnan(v), 11, 6)
    try:
        edges = np.histogram_bin_edges(np.array([low, high])) if count else np.linspace(0, 1, 11)
    except ValueError:  # a range too narrow for float64 bins
        return np.where(np.isnan(v), 11, 6)
    with np.errstate(invalid="ignore"):
        return np.digitize(v, edges)


@dataclass
class PairPlan:
    """What pass 2 needs from pass 1 (small and picklable: sent to the workers).

    ``cont``: the continuous columns of correlation pairs; ``shift[t]``: their means in table ``t``
    (0 real, 1 synthetic); ``corr``: ``"all"`` (every pair: :class:`PairMoments` matrices), the
    positions ``(a, b)`` of the sampled pairs in ``cont``, or None; ``ranges[t][c]``: (count, min,
    max) of a binned column; ``books[c]``: the values of a discrete column (a value not in it, one
    lumped by the category cap, gets code ``len(book)``, a missing value ``len(book) + 1``);
    ``unread``: continuous columns with unreadable synthetic values; ``present``: also count the
    synthetic rows where both columns of a correlation pair are present; ``counted`` and
    ``sampled``: the contingency pairs counted exactly and those scored on the sample;
    ``n_codes[c]``: a column's number of codes; ``sample_cols``, ``sample_rows`` and ``seed``: the
    columns, size and seed of the sample of rows (none when ``sample_cols`` is empty); ``index``:
    each task's position (the sample's keys depend on it, not on who reads it); ``edges[c]``: the
    edges a continuous column's values are counted at (:func:`column_edges`).
    """

    meta: dict
    cont: list
    shift: list
    corr: object
    ranges: list
    books: dict
    unread: frozenset
    present: bool
    counted: list
    sampled: list
    n_codes: dict
    sample_cols: list
    sample_rows: int
    seed: object
    index: dict
    edges: dict


def codes_of(df: pd.DataFrame, plan: PairPlan, table: int, c: str) -> np.ndarray:
    """Contingency codes of column ``c`` in rows ``df`` of table ``table`` (the in-memory codes, numbered otherwise)."""
    s = df[c]
    m = plan.meta[c]
    if m["sdtype"] in CONTINUOUS:
        v = numeric_view(s, m)
        codes = bin_range(v, *plan.ranges[table][c]).astype(np.int64)
        if table == 1 and c in plan.unread:  # unreadable synthetic values: a code no real value has
            codes[np.isnan(v) & s.notna().to_numpy(dtype=bool)] = 12
        return codes
    book = plan.books[c]
    missing = s.isna().to_numpy(dtype=bool)
    try:
        k = book.get_indexer(pd.Index(s.astype(object), dtype=object))
    except TypeError:  # lists, dicts...: compared as text (as the counts of pass 1)
        k = book.get_indexer(pd.Index(s.astype(str), dtype=object))
    k[k < 0] = len(book)
    k[missing] = len(book) + 1
    return k.astype(np.int64)


def pair_counts(x: np.ndarray, y: np.ndarray, kx: int, ky: int):
    """Joint counts of two code arrays: dense (kx * ky cells) when small, else (observed cells, counts)."""
    keys = x * ky + y
    if kx * ky <= DENSE_CELLS:
        return np.bincount(keys, minlength=kx * ky).astype(np.int64)
    cells, counts = np.unique(keys, return_counts=True)
    return cells, counts.astype(np.int64)


def add_counts(a, b):
    if isinstance(a, np.ndarray):
        return a + b
    cells, inv = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    return cells, np.bincount(inv, weights=np.concatenate([a[1], b[1]]), minlength=len(cells)).astype(np.int64)


def _pair_sums(X0, M, P, a, b) -> np.ndarray:
    """Rows: n, sum a, sum b, sum a^2, sum b^2, sum ab over the rows where both are present (+ present-both count)."""
    out = np.zeros((6 + (P is not None), len(a)))
    step = max(1, _BLOCK_VALUES // max(1, len(X0)))
    for start in range(0, len(a), step):
        i, j = a[start : start + step], b[start : start + step]
        m = (M[:, i] & M[:, j]).astype(float)
        xa, xb = X0[:, i] * m, X0[:, j] * m
        block = [m.sum(0), xa.sum(0), xb.sum(0), (xa * xa).sum(0), (xb * xb).sum(0), (xa * xb).sum(0)]
        if P is not None:
            block.append((P[:, i] & P[:, j]).sum(0))
        out[:, start : start + step] = block
    return out


def second_pass(task, frames, plan: PairPlan, table: int) -> dict:
    """Pass 2 of one task of table ``table`` (0 real, 1 synthetic), as plain data (see :func:`merge_second`)."""
    out = None
    present = table == 1 and plan.present
    sample = BottomKSample(plan.sample_rows) if plan.sample_cols else None
    edges = {c: EdgeCounts(e) for c, e in plan.edges.items()}
    first_row = task.first_row  # sample keys by file and row: the same whatever the partition size
    for df in frames:
        part: dict = {"counts": {}}
        views = {c: numeric_view(df[c], plan.meta[c]) for c in dict.fromkeys([*plan.edges, *plan.cont])}
        for c, ec in edges.items():
            ec.update(np.round(views[c][~np.isnan(views[c])], 14))
        if plan.corr is not None:
            X = np.column_stack([views[c] for c in plan.cont])
            P = np.column_stack([df[c].notna().to_numpy(dtype=bool) for c in plan.cont]) if present else None
            if plan.corr == "all":
                part["moments"] = PairMoments(len(plan.cont), plan.shift[table]).update(X).to_state()
                if P is not None:
                    Pf = P.astype(float)
                    part["present"] = Pf.T @ Pf
            else:
                M = ~np.isnan(X)
                X0 = np.where(M, X - plan.shift[table], 0.0)
                part["pairs"] = _pair_sums(X0, M, P, *plan.corr)
                part["ss"] = (X0 * X0).sum(axis=0)
        codes: dict = {}
        for c1, c2 in plan.counted:
            for c in (c1, c2):
                if c not in codes:
                    codes[c] = codes_of(df, plan, table, c)
            part["counts"][(c1, c2)] = pair_counts(codes[c1], codes[c2], plan.n_codes[c1], plan.n_codes[c2])
        if sample is not None:
            sample.update(df[plan.sample_cols], plan.seed, 2 * task.file_index + table, first_row=first_row)
        first_row += len(df)
        out = part if out is None else merge_second(out, part)
    out = {"counts": {}} if out is None else out
    if edges:
        out["edges"] = {c: ec.to_state() for c, ec in edges.items()}
    if sample is not None:
        out["sample"] = sample.to_state()
    return out


def merge_second(a: dict, b: dict) -> dict:
    """``a`` with ``b`` added to it (pass 2 summaries as plain data)."""
    for key, v in b.items():
        if key == "counts":
            for p, cnt in v.items():
                a["counts"][p] = add_counts(a["counts"][p], cnt) if p in a["counts"] else cnt
        elif key not in a:
            a[key] = v
        elif key == "moments":
            a[key] = PairMoments.from_state(a[key]).merge(PairMoments.from_state(v)).to_state()
        elif key == "sample":
            a[key] = BottomKSample.from_state(a[key]).merge(BottomKSample.from_state(v)).to_state()
        elif key == "edges":
            a[key] = {
                c: EdgeCounts.from_state(e).merge(EdgeCounts.from_state(v[c])).to_state() for c, e in a[key].items()
            }
        else:
            a[key] = a[key] + v
    return a
