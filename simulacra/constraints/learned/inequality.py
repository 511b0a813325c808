"""Learned inequalities ``low <= high`` between numerical or datetime columns (text dates too).

Missing values: an edge ``low <= high`` holds on a row when either value is missing; a missing value
is never filled, so each column keeps its real missing rate.

Enforcement by construction: ``transform`` turns every column that has lower columns into its
offset above the largest of them (in topological order), which the model learns as a non-negative
number; ``reverse_transform`` adds the offset back, at least 0, on the values it already rebuilt. On
rows that broke a rule (the values path's ``repair``) that is a clip onto the largest lower value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import ConstraintError
from ...utils.dtypes import check_value_dtype
from ..datetext import guess_format, parse_dates
from ..registry import register
from .framework import LearnedRule

_SAMPLE = 3000


def _kind(col: pd.Series, fmt) -> str:
    if fmt is not None:
        return "text"
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        return f"tz:{col.dt.tz}"
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        return "datetime"
    return str(col.dtype)


def _values(col: pd.Series, fmt=None) -> np.ndarray:
    """The column as float (datetimes as seconds since the epoch, UTC), NaN where missing."""
    if fmt is not None:
        col = parse_dates(col, fmt)
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            col = col.dt.tz_convert("UTC").dt.tz_localize(None)
        out = col.to_numpy(dtype="datetime64[ns]").view("int64").astype(float) / 1e9
        out[col.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _decimals(x: np.ndarray) -> int:
    """The fewest decimals (<= 10) that write every value of ``x`` (a sample) exactly."""
    x = x[np.isfinite(x)][:2000]
    for d in range(11):
        if np.allclose(np.round(x, d), x, rtol=0, atol=1e-9 * max(1.0, float(np.abs(x).max(initial=0)))):
            return d
    return 10


def _restore(x: np.ndarray, kind: str, fmt, index, decimals, floor=None) -> pd.Series:
    """Float values ``x`` (NaN = missing) back in the column's representation ``kind``; rounding
    (to whole numbers, ``decimals`` or the date format) never goes below ``floor``."""
    if kind == "text" or kind == "datetime" or kind.startswith("tz:"):
        ns = np.where(np.isnan(x), 0, np.round(x * 1e9)).astype("int64")
        dt = pd.Series(pd.to_datetime(ns), index=index).mask(np.isnan(x))
        if kind == "text":
            return dt.dt.strftime(fmt).astype(object).where(dt.notna(), np.nan)
        if kind.startswith("tz:"):
            return dt.dt.tz_localize("UTC").dt.tz_convert(kind[3:])
        return dt
    dtype = pd.api.types.pandas_dtype(kind)
    if pd.api.types.is_integer_dtype(dtype):
        x = _round_up_to(x, 0, floor)
        if np.isnan(x).any() and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
            return pd.Series(x, index=index)
        return pd.Series(x, index=index).astype(dtype)
    if decimals is not None:
        x = _round_up_to(x, decimals, floor)
    return pd.Series(x, index=index).astype(dtype)


def _round_up_to(x: np.ndarray, decimals: int, floor) -> np.ndarray:
    """``x`` rounded to ``decimals``, or rounded up where rounding would fall below ``floor``."""
    r = np.round(x, decimals)
    if floor is None:
        return r
    with np.errstate(invalid="ignore"):
        low = r < floor
    if low.any():
        scale = 10.0**decimals
        r[low] = np.ceil(floor[low] * scale - 1e-9) / scale
    return r


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

    Parameters
    ----------
    edges : list of [low, high]
        Every inequality that holds on the real table (implied ones too: with missing values
        ``a <= c <= b`` does not imply ``a <= b``); :meth:`describe` shows the transitive reduction.
    formats : dict, optional
        ``{column: datetime format}`` of the columns that hold dates as text.
    """

    family = "inequality"

    def __init__(self, edges, formats=None):
        try:
            self.edges = [[str(lo), str(hi)] for lo, hi in edges]
        except (TypeError, ValueError):
            raise ConstraintError(f"LearnedInequality: edges are [low, high] pairs, got {edges!r}") from None
        if not self.edges:
            raise ConstraintError("LearnedInequality needs at least one [low, high] edge")
        if formats is not None and not (
            isinstance(formats, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in formats.items())
        ):
            raise ConstraintError(f"LearnedInequality: formats is {{column: format}}, got {formats!r:.80}")
        self.formats = dict(formats or {})
        cols = sorted({c for e in self.edges for c in e})
        self._order = _topo(cols, [tuple(e) for e in self.edges])
        self._lows = {c: [lo for lo, hi in self.edges if hi == c] for c in self._order}
        self._fills: dict = {}
        self._kinds: dict = {}
        self._decimals: dict = {}
        self._offset_lows: dict | None = None  # fit: the lows whose real range overlaps the column's
        self._bounds: dict = {}  # fit: the real [min, max] of each offset column

    @property
    def columns(self):
        return list(self._order)

    def _offset_from(self, c) -> list:
        """The lower columns ``c`` is learned as an offset above (all of them until fitted)."""
        return self._lows[c] if self._offset_lows is None else self._offset_lows.get(c, [])

    @property
    def _offset_columns(self):
        return [c for c in self._order if self._offset_from(c)]

    def get_parameters(self):
        params = {"edges": [list(e) for e in self.edges]}
        if self.formats:
            params["formats"] = dict(self.formats)
        return params

    def get_state(self):
        st = {"fills": dict(self._fills), "kinds": dict(self._kinds), "decimals": dict(self._decimals)}
        if self._offset_lows is not None:
            st["offset_lows"] = {c: list(v) for c, v in self._offset_lows.items()}
            st["bounds"] = {c: list(v) for c, v in self._bounds.items()}
        return st

    def set_state(self, st):
        fills, kinds, decimals = st.get("fills", {}), st.get("kinds", {}), st.get("decimals", {})
        offset = {c for c in self._order if self._lows[c]}
        if not all(isinstance(d, dict) and set(d) <= offset for d in (fills, kinds, decimals)):
            raise ValueError(f"LearnedInequality state names columns outside {sorted(offset)}")
        lows = st.get("offset_lows")
        if lows is not None and not (
            isinstance(lows, dict)
            and set(lows) <= offset
            and all(isinstance(v, list) and set(v) <= set(self._lows[c]) for c, v in lows.items())
        ):
            raise ValueError("LearnedInequality offset_lows must name each column's lower columns")
        self._offset_lows = None if lows is None else {c: list(v) for c, v in lows.items()}
        bounds = st.get("bounds", {})
        if not (
            isinstance(bounds, dict)
            and set(bounds) <= offset
            and all(
                isinstance(v, list) and len(v) == 2 and all(isinstance(b, (int, float)) and np.isfinite(b) for b in v)
                for v in bounds.values()
            )
        ):
            raise ValueError("LearnedInequality bounds must be [min, max] pairs of finite numbers")
        self._bounds = {c: [float(v[0]), float(v[1])] for c, v in bounds.items()}
        if not all(isinstance(v, (int, float)) and np.isfinite(v) for v in fills.values()):
            raise ValueError("LearnedInequality fills must be finite numbers")
        if not all(isinstance(v, int) and 0 <= v <= 10 for v in decimals.values()):
            raise ValueError("LearnedInequality decimals must be whole numbers 0..10")
        for k in kinds.values():
            if not isinstance(k, str):
                raise ValueError(f"LearnedInequality kind must be text, got {k!r:.40}")
            if k not in ("text", "datetime") and not k.startswith("tz:"):
                check_value_dtype(k, "learned inequality dtype")
        self._fills = {c: float(v) for c, v in fills.items()}
        self._kinds, self._decimals = dict(kinds), dict(decimals)

    def value_range(self, column):
        b = self._bounds.get(column)
        return None if b is None else tuple(b)

    def describe(self):
        E = {tuple(e) for e in self.edges}
        cols = self._order
        red = [e for e in self.edges if not any((e[0], k) in E and (k, e[1]) in E for k in cols)]
        return ", ".join(f"{lo} <= {hi}" for lo, hi in red)

    def _raw(self, data, c):
        return _values(data[c], self.formats.get(c))

    def is_valid(self, data):
        ok = np.ones(len(data), dtype=bool)
        vals = {c: self._raw(data, c) for c in self._order}
        for lo, hi in self.edges:
            ok &= ~(vals[lo] > vals[hi])
        return ok

    def _floor(self, vals, c, lows=None):
        return np.fmax.reduce(np.vstack([vals[lo] for lo in (self._lows[c] if lows is None else lows)]), axis=0)

    def fit(self, data, columns_meta, check=False):
        super().fit(data, columns_meta, check)
        vals = {c: self._raw(data, c) for c in self._order}
        # an edge whose real ranges do not overlap (penguins bill_depth_mm <= body_mass_g) holds on
        # any values in the learned ranges: the column is not learned as an offset above that low
        top = {c: np.nanmax(v) if np.isfinite(v).any() else np.nan for c, v in vals.items()}
        bottom = {c: np.nanmin(v) if np.isfinite(v).any() else np.nan for c, v in vals.items()}
        self._offset_lows = {
            c: [lo for lo in self._lows[c] if top[lo] > bottom[c]] for c in self._order if self._lows[c]
        }
        self._bounds = {c: [float(bottom[c]), float(top[c])] for c in self._offset_columns if np.isfinite(bottom[c])}
        for c in [c for c in self._order if self._lows[c]]:
            floor = self._floor(vals, c, self._offset_from(c) or None)
            present = floor[~np.isnan(floor)]
            self._fills[c] = float(np.median(present)) if len(present) else 0.0
            self._kinds[c] = _kind(data[c], self.formats.get(c))
            if self._kinds[c] not in ("text", "datetime") and not self._kinds[c].startswith("tz:"):
                self._decimals[c] = _decimals(vals[c])

    def transform(self, data):
        out = data.copy()
        vals = {c: self._raw(data, c) for c in self._order}
        for c in self._order:
            if self._lows[c]:
                self._kinds.setdefault(c, _kind(data[c], self.formats.get(c)))  # an unfitted rule's repair
        for c in self._offset_columns:
            floor = self._floor(vals, c, self._offset_from(c))
            out[c] = vals[c] - np.where(np.isnan(floor), self._fills.get(c, 0.0), floor)
        return out

    def transform_columns(self, columns_meta):
        out = dict(columns_meta)
        for c in self._offset_columns:
            out[c] = {"sdtype": "numerical", "computer_representation": "Float"}
        return out

    def reverse_transform(self, data):
        out = data.copy()
        vals = {}
        for c in self._order:
            if not self._lows[c]:
                vals[c] = self._raw(data, c)
                continue
            floor = self._floor(vals, c)
            lows = self._offset_from(c)
            if lows:
                off = pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                base = self._floor(vals, c, lows)
                x = np.where(np.isnan(base), off + self._fills.get(c, 0.0), base + np.maximum(off, 0.0))
                if c in self._bounds:  # within the real range (the floor is in it: its columns are)
                    x = np.clip(x, *self._bounds[c])
            else:
                x = self._raw(data, c)
                if not (x < floor).any():
                    vals[c] = x
                    continue
            with np.errstate(invalid="ignore"):
                x = np.where(x < floor, floor, x)  # the lows it is not an offset above
            out[c] = _restore(x, self._kinds[c], self.formats.get(c), data.index, self._decimals.get(c), floor)
            vals[c] = _values(out[c], self.formats.get(c))  # as written: what the columns above compare with
        return out


def _date_format(s: pd.Series, m: dict):
    """The text-date format of column ``s`` when every value reads as a date in it, else None."""
    if m.get("sdtype") != "datetime" or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return None
    fmt = m.get("datetime_format") or guess_format(s)
    if fmt is None or pd.api.types.infer_dtype(s, skipna=True) != "string":
        return None
    head = s.dropna().head(_SAMPLE)
    if parse_dates(head, fmt).isna().any():
        return None
    return fmt


def _candidates(data, columns_meta, skip):
    num, dt, formats = [], [], {}
    for c, m in columns_meta.items():
        if c in skip or c not in data.columns:
            continue
        s = data[c]
        if s.nunique(dropna=True) < 2:  # a constant (flights' year) bounds the others: no rule, only noise
            continue
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            dt.append(c)
        elif m.get("sdtype") == "numerical" and pd.api.types.is_numeric_dtype(s.dtype) and s.dtype != bool:
            num.append(c)
        else:
            fmt = _date_format(s, m)
            if fmt is not None:
                dt.append(c)
                formats[c] = fmt
    return [g for g in (num, dt) if len(g) >= 2], formats


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
    groups_of_columns, formats = _candidates(data, columns_meta, skip)
    for cols in groups_of_columns:
        X = np.column_stack([_values(data[c], formats.get(c)) for c in cols])
        if len(X) > _SAMPLE:
            H = _holds(X[rng.choice(len(X), _SAMPLE, replace=False)])
            pairs = np.argwhere(H)
            keep = [(i, j) for i, j in pairs if not (X[:, i] > X[:, j]).any() and (X[:, i] < X[:, j]).any()]
        else:
            keep = [tuple(p) for p in np.argwhere(_holds(X))]
        E = {(int(i), int(j)) for i, j in keep}
        red = {(i, j) for i, j in E if not any((i, k) in E and (k, j) in E for k in range(len(cols)))}
        comp = list(range(len(cols)))  # groups: connected components of the reduced graph

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
            fmts = {c: formats[c] for e in edges for c in e if c in formats}
            rules.append(LearnedInequality(edges, fmts or None))
    return rules
