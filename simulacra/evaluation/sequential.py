"""Sequential properties: how well synthetic sequences (entities with time-ordered rows) reproduce the real ones.

A table with a sequence key (``md.set_sequence_key(...)``) holds one sequence per key value, its
rows ordered by the sequence index (``md.set_sequence_index(...)``; without one, by row order).
Each property is a score in [0, 1] (1: the same) with per-column details:

- **Sequence Length**: 1 - total variation distance between the histograms of the sequence
  lengths (rows per key).
- **Context Shapes**: the Column Shapes metrics (``KSComplement`` for numerical and datetime
  columns, ``TVComplement`` for the others) over one row per sequence (its first) of the context
  columns: the columns constant within every real sequence (key and index excluded), or those
  given. The details also give the share of synthetic sequences in which each stays constant.
- **Autocorrelation**: per numerical or datetime non-context column, the lag-1 autocorrelation
  pooled over the sequences (Pearson of ``x_t`` and ``x_{t-1}`` over every pair of consecutive
  rows of a sequence); the similarity is ``1 - |r_real - r_synthetic| / 2``.
- **Gaps**: ``KSComplement`` of the index steps (differences of consecutive index values within
  a sequence; datetimes in seconds). When every real step is the same, the details also give the
  share of synthetic steps equal to it.
- **Trends**: per numerical or datetime non-context column, ``KSComplement`` of the per-sequence
  least-squares slopes of the value against its position in the sequence (0, 1, 2, ...; a slope
  per step, whatever the index unit), over the sequences with at least two values.

A property's score is the mean of its columns' scores (NaN ones skipped; NaN when none). A
synthetic column that gives no value to compare where the real one does (no consecutive pair, no
step, no slope, a constant column) scores 0. Every property is computed with array operations
over all sequences at once (sorts, ``bincount`` sums), not sequence by sequence.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import MetadataError
from ..utils.stats import pearson_pairs
from .primitives import category_counts, ks_statistic, tv_counts
from .views import CONTINUOUS, DISCRETE, Views, prepare, views_for

PROPERTIES = ("Sequence Length", "Context Shapes", "Autocorrelation", "Gaps", "Trends")


def sequence_roles(metadata) -> tuple[str | None, str | None]:
    """The (sequence key, sequence index) of single-table metadata, (None, None) when it has no sequence key.

    Parameters
    ----------
    metadata : Metadata or dict
        A simulacra ``Metadata`` (one table) or an SDV-style metadata dict.

    Returns
    -------
    tuple of (str or None, str or None)
    """
    from ..metadata import Metadata

    if isinstance(metadata, Metadata):
        try:
            return metadata.get_sequence_key(), metadata.get_sequence_index()
        except MetadataError:  # several tables: no single-table sequence
            return None, None
    if isinstance(metadata, dict):
        table = next(iter(metadata["tables"].values())) if metadata.get("tables") else metadata
        return table.get("sequence_key"), table.get("sequence_index")
    if hasattr(metadata, "to_dict"):
        return sequence_roles(metadata.to_dict())
    return None, None


class Order(NamedTuple):
    """One table's rows in sequence order: by key, then index (stable, so row order breaks ties)."""

    perm: np.ndarray  # row positions, in sequence order
    same: np.ndarray  # for each sorted row but the first: whether it continues the previous row's sequence
    group: np.ndarray  # sequence number (0..n_sequences-1) of each sorted row
    position: np.ndarray  # position of each sorted row in its sequence (0, 1, ...)
    first: np.ndarray  # sorted positions of each sequence's first row
    n: int  # number of sequences


def sequence_order(views: Views, table: int, key: str, index: str | None) -> Order:
    """:class:`Order` of table ``table`` of ``views`` (computed once per report)."""

    def make():
        k = views.codes(key)[0][table]
        perm = np.lexsort((views.num(index)[table], k)) if index else np.argsort(k, kind="stable")
        ks = k[perm]
        same = ks[1:] == ks[:-1]
        start = np.r_[True, ~same] if len(ks) else np.zeros(0, bool)
        first = np.flatnonzero(start)
        group = np.cumsum(start) - 1
        position = np.arange(len(ks)) - first[group] if len(ks) else np.zeros(0, np.int64)
        return Order(perm, same, group, position, first, len(first))

    return views.memo(("sequence-order", table, key, index), make)


def _constant_share(views: Views, c: str, table: int, order: Order) -> float:
    """Share of the sequences of table ``table`` in which column ``c`` keeps one value (missing counts as a value)."""
    codes = views.codes(c)[0][table][order.perm]
    change = order.same & (codes[1:] != codes[:-1])
    if not order.n:
        return np.nan
    return float((np.bincount(order.group[1:][change], minlength=order.n) == 0).mean())


def find_context_columns(data: pd.DataFrame, metadata) -> list[str]:
    """The columns constant within every sequence of ``data`` (sequence key and index excluded).

    Parameters
    ----------
    data : pandas.DataFrame
        The real table.
    metadata : Metadata or dict
        Metadata with a sequence key.

    Returns
    -------
    list of str
        The numerical, datetime, categorical and boolean columns with one value (missing counts as
        a value) in every sequence, in table order.
    """
    data, _, meta = prepare(data, data, metadata)
    key, index = sequence_roles(metadata)
    if key is None:
        raise MetadataError("the metadata has no sequence key; set one with set_sequence_key")
    views = Views([data], meta)
    return _context(views, meta, key, index, sequence_order(views, 0, key, index))


def _context(views, meta, key, index, order) -> list[str]:
    cols = [c for c, m in meta.items() if c not in (key, index) and m["sdtype"] in CONTINUOUS + DISCRETE]
    return [c for c in cols if _constant_share(views, c, 0, order) == 1.0]


def _mean(df: pd.DataFrame) -> float:
    return float(df["Score"].mean()) if len(df) and df["Score"].notna().any() else np.nan


def _ks_score(r: np.ndarray, s: np.ndarray) -> float:
    """KSComplement of two arrays (NaN dropped): NaN without real values, 0 without synthetic ones."""
    r, s = (np.sort(np.round(v[~np.isnan(v)], 14)) for v in (r, s))
    if not len(r):
        return np.nan
    return 0.0 if not len(s) else 1 - ks_statistic(r, s)


def _lengths(key, orders) -> pd.DataFrame:
    lengths = [np.diff(np.r_[o.first, len(o.perm)]) for o in orders]
    top = max(int(x.max(initial=0)) for x in lengths) + 1
    cr, cs = (np.bincount(x, minlength=top) for x in lengths)
    score = tv_counts(cr, cs)
    row = {"Column": key, "Metric": "TVComplement", "Score": score}
    for label, x in zip(("Real", "Synthetic"), lengths):
        row[f"{label} Sequences"] = len(x)
        row[f"{label} Mean Length"] = float(x.mean()) if len(x) else np.nan
    return pd.DataFrame([row])


def _context_shapes(views, meta, context, orders) -> pd.DataFrame:
    rows = []
    for c in context:
        firsts = [o.perm[o.first] for o in orders]  # each sequence's first row
        if meta[c]["sdtype"] in CONTINUOUS:
            nums = views.num(c)
            metric, score = "KSComplement", _ks_score(nums[0][firsts[0]], nums[1][firsts[1]])
        else:
            codes, n_codes, na = views.codes(c)
            cr, cs = category_counts([codes[t][firsts[t]] for t in (0, 1)], n_codes, na)
            metric, score = "TVComplement", tv_counts(cr, cs)
            if cr.sum() and not cs.sum():
                score = 0.0
        rows.append((c, metric, score, _constant_share(views, c, 1, orders[1])))
    return pd.DataFrame(rows, columns=["Column", "Metric", "Score", "Synthetic Constant Share"])


def _autocorrelation(views, columns, orders) -> pd.DataFrame:
    r = np.full((2, len(columns)), np.nan)
    for t, o in enumerate(orders):
        if not len(columns) or not o.same.any():
            continue
        x = np.column_stack([views.num(c)[t][o.perm] for c in columns])
        pairs = np.hstack([x[1:][o.same], x[:-1][o.same]])  # x_t beside x_{t-1}, consecutive rows of a sequence
        k = np.arange(len(columns))
        r[t] = pearson_pairs(pairs, k, k + len(columns))
    score = np.where(np.isnan(r[0]), np.nan, np.where(np.isnan(r[1]), 0.0, 1 - np.abs(r[0] - r[1]) / 2))
    return pd.DataFrame(
        {
            "Column": pd.Series(columns, dtype=object),
            "Metric": "AutocorrelationSimilarity",
            "Score": score,
            "Real Autocorrelation": r[0],
            "Synthetic Autocorrelation": r[1],
        }
    )


def _gaps(views, index, orders) -> pd.DataFrame:
    cols = [
        "Column",
        "Metric",
        "Score",
        "Real Median Gap",
        "Synthetic Median Gap",
        "Regular Gap",
        "Synthetic Share Regular",
    ]
    if index is None:
        return pd.DataFrame(columns=cols)
    gaps = []
    for t, o in enumerate(orders):
        g = np.diff(views.num(index)[t][o.perm])[o.same]
        gaps.append(g[~np.isnan(g)])
    regular = share = np.nan
    if len(gaps[0]) and np.all(gaps[0] == gaps[0][0]):
        regular = float(gaps[0][0])
        share = float(np.isclose(gaps[1], regular, rtol=1e-9, atol=0).mean()) if len(gaps[1]) else 0.0
    median = [float(np.median(g)) if len(g) else np.nan for g in gaps]
    return pd.DataFrame([(index, "KSComplement", _ks_score(*gaps), *median, regular, share)], columns=cols)


def _slopes(x: np.ndarray, o: Order) -> np.ndarray:
    """Least-squares slope of ``x`` (in sequence order) against the position, per sequence with two or more values."""
    ok = ~np.isnan(x)
    g, p, y = o.group[ok], o.position[ok].astype(float), x[ok]
    n, sp, sy, spp, spy = (np.bincount(g, weights=w, minlength=o.n) for w in (None, p, y, p * p, p * y))
    den = n * spp - sp * sp
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (n * spy - sp * sy) / den
    return slope[den > 0]


def _trends(views, columns, orders) -> pd.DataFrame:
    rows = []
    for c in columns:
        r, s = (_slopes(views.num(c)[t][o.perm], o) for t, o in enumerate(orders))
        med = [float(np.median(v)) if len(v) else np.nan for v in (r, s)]
        rows.append((c, "KSComplement", _ks_score(r, s), *med))
    return pd.DataFrame(rows, columns=["Column", "Metric", "Score", "Real Median Slope", "Synthetic Median Slope"])


def sequential_properties(
    real, synthetic, metadata, context_columns=None, views: Views | None = None
) -> dict[str, tuple[float, pd.DataFrame]]:
    """Score the synthetic sequences against the real ones (see the module docstring).

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the sequence key (and index) column of ``metadata``.
    metadata : Metadata or dict
        Single-table metadata with a sequence key.
    context_columns : list of str, optional
        The columns constant within a sequence; by default those constant within every real
        sequence (:func:`find_context_columns`).
    views : Views, optional
        A report's shared column views of the two tables.

    Returns
    -------
    dict
        Property name (``"Sequence Length"``, ``"Context Shapes"``, ``"Autocorrelation"``,
        ``"Gaps"``, ``"Trends"``) -> (score, details DataFrame with a row per column).
    """
    real, synthetic, meta = prepare(real, synthetic, metadata)
    key, index = sequence_roles(metadata)
    if key is None:
        raise MetadataError("the metadata has no sequence key; set one with set_sequence_key")
    for c in (key, index):
        if c is not None and c not in meta:
            raise MetadataError(f"the sequence column {c!r} is not a column of the metadata")
    views = views_for([real, synthetic], meta, views)
    orders = [sequence_order(views, t, key, index) for t in (0, 1)]
    if context_columns is None:
        context = _context(views, meta, key, index, orders[0])
    else:
        context = [str(c) for c in ([context_columns] if isinstance(context_columns, str) else context_columns)]
        bad = [c for c in context if c not in meta or c in (key, index)]
        if bad:
            raise MetadataError(
                f"context column(s) {', '.join(map(repr, bad))} are not columns of the metadata besides the sequence key and index"
            )
        context = [c for c in context if meta[c]["sdtype"] in CONTINUOUS + DISCRETE]
    numeric = [c for c, m in meta.items() if m["sdtype"] in CONTINUOUS and c not in (key, index) and c not in context]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        details = {
            "Sequence Length": _lengths(key, orders),
            "Context Shapes": _context_shapes(views, meta, context, orders),
            "Autocorrelation": _autocorrelation(views, numeric, orders),
            "Gaps": _gaps(views, index, orders),
            "Trends": _trends(views, numeric, orders),
        }
    return {name: (_mean(df), df) for name, df in details.items()}
