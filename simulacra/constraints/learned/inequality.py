"""Learned inequalities ``low <= high`` between numerical (or datetime) columns.

Missing values: an edge ``low <= high`` holds on a row when either value is missing; a missing value
is never filled, so each column keeps its real missing rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import ConstraintError
from ..registry import register
from .framework import LearnedRule

_SAMPLE = 3000


def _values(col: pd.Series) -> np.ndarray:
    """The column as float (datetimes in nanoseconds), NaN where missing."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        out = col.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float)
        out[col.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _topo(columns, edges) -> list[str]:
    parents = {c: {lo for lo, hi in edges if hi == c} for c in columns}
    order, done = [], set()
    while len(order) < len(columns):
        ready = [c for c in columns if c not in done and parents[c] <= done]
        if not ready:
            raise ConstraintError(f"learned inequalities on {columns} form a cycle")
        order.extend(ready)
        done.update(ready)
    return order


@register
class LearnedInequality(LearnedRule):
    """Every ``low <= high`` of ``edges`` holds on each row where both values are present.

    Sampling clips each column to the largest of its lower columns, in topological order, so all
    edges hold together; missing values stay missing.

    Parameters
    ----------
    edges : list of [low, high]
        Every inequality that holds on the real table (implied ones too: with missing values
        ``a <= c <= b`` does not imply ``a <= b``); :meth:`describe` shows the transitive reduction.
    """

    family = "inequality"

    def __init__(self, edges):
        try:
            self.edges = [[str(lo), str(hi)] for lo, hi in edges]
        except (TypeError, ValueError):
            raise ConstraintError(f"LearnedInequality: edges are [low, high] pairs, got {edges!r}") from None
        if not self.edges:
            raise ConstraintError("LearnedInequality needs at least one [low, high] edge")
        cols = sorted({c for e in self.edges for c in e})
        self._order = _topo(cols, [tuple(e) for e in self.edges])

    @property
    def columns(self):
        return list(self._order)

    def get_parameters(self):
        return {"edges": [list(e) for e in self.edges]}

    def describe(self):
        E = {tuple(e) for e in self.edges}
        cols = self._order
        red = [e for e in self.edges if not any((e[0], k) in E and (k, e[1]) in E for k in cols)]
        return ", ".join(f"{lo} <= {hi}" for lo, hi in red)

    def is_valid(self, data):
        ok = np.ones(len(data), dtype=bool)
        for lo, hi in self.edges:
            a, b = _values(data[lo]), _values(data[hi])
            ok &= ~(a > b)
        return ok

    def transform(self, data):
        return data

    def reverse_transform(self, data):
        out = data.copy()
        vals = {c: _values(out[c]) for c in self._order}
        for c in self._order:
            lows = [lo for lo, hi in self.edges if hi == c]
            if not lows:
                continue
            x = vals[c]
            floor = np.fmax.reduce(np.vstack([vals[lo] for lo in lows]), axis=0)
            fix = ~np.isnan(x) & (floor > x)
            if not fix.any():
                continue
            x = x.copy()
            x[fix] = floor[fix]
            vals[c] = x
            col = out[c]
            if pd.api.types.is_datetime64_any_dtype(col.dtype):
                new = pd.Series(pd.to_datetime(x[fix].astype("int64")), index=col.index[fix])
                col = col.copy()
                col.iloc[np.flatnonzero(fix)] = new.dt.tz_localize(col.dt.tz) if col.dt.tz else new.to_numpy()
            else:
                col = col.copy()
                col.iloc[np.flatnonzero(fix)] = np.asarray(x[fix], dtype=float).astype(col.dtype, copy=False)
            out[c] = col
        return out


def _candidates(data, columns_meta, skip):
    num, dt = [], []
    for c, m in columns_meta.items():
        if c in skip or c not in data.columns:
            continue
        s = data[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            dt.append(c)
        elif m.get("sdtype") == "numerical" and pd.api.types.is_numeric_dtype(s.dtype) and s.dtype != bool:
            num.append(c)
    return [g for g in (num, dt) if len(g) >= 2]


def _holds(X):
    """``H[i, j]``: ``X[:, i] <= X[:, j]`` wherever both present, and ``<`` on some row."""
    with np.errstate(invalid="ignore"):
        le = ~(X[:, :, None] > X[:, None, :])
        lt = X[:, :, None] < X[:, None, :]
    return le.all(axis=0) & lt.any(axis=0)


def discover(data: pd.DataFrame, columns_meta: dict, skip: frozenset) -> list:
    """The inequality rules of ``data``: one :class:`LearnedInequality` per connected group."""
    rules = []
    rng = np.random.default_rng(0)
    for cols in _candidates(data, columns_meta, skip):
        X = np.column_stack([_values(data[c]) for c in cols])
        if len(X) > _SAMPLE:
            H = _holds(X[rng.choice(len(X), _SAMPLE, replace=False)])
            pairs = np.argwhere(H)
            keep = [(i, j) for i, j in pairs if not (X[:, i] > X[:, j]).any() and (X[:, i] < X[:, j]).any()]
        else:
            keep = [tuple(p) for p in np.argwhere(_holds(X))]
        E = {(int(i), int(j)) for i, j in keep}
        red = {(i, j) for i, j in E if not any((i, k) in E and (k, j) in E for k in range(len(cols)))}
        # groups: connected components of the reduced graph
        comp = list(range(len(cols)))

        def find(a):
            while comp[a] != a:
                a = comp[a]
            return a

        for i, j in red:
            comp[find(i)] = find(j)
        groups: dict[int, list] = {}
        for i, j in sorted(E):
            groups.setdefault(find(i), []).append((i, j))
        for g in groups.values():
            edges = [[cols[i], cols[j]] for i, j in g]
            rules.append(LearnedInequality(edges))
    return rules
