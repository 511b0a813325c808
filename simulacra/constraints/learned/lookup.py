"""Learned lookups: a numerical column that is a function of one or two categorical columns.

flights: ``distance`` is the same on every row of a route (``origin``, ``dest``). The rule drops the
column from what the model learns and looks it up again from the sampled keys; a sampled key
combination never seen on the real table takes the most frequent seen combination with the same
first key, so every row has a real route and its real value. Only columns without missing values
(keys and value) are ruled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import ConstraintError
from ..registry import register
from .framework import LearnedRule

MAX_KEYS = 2000  # distinct values of a key column
MIN_ROWS_PER_KEY = 10  # rows per distinct key combination on average (a lookup, not an id)
_SAMPLE = 3000


def _plain(v):
    return v.item() if hasattr(v, "item") else v


@register
class LearnedLookup(LearnedRule):
    """``target`` equals the value ``table`` gives for the row's ``keys``.

    Parameters
    ----------
    keys : list of str
        One or two categorical columns.
    target : str
        The numerical column looked up.
    table : list of list
        ``[key values..., value]`` per seen key combination, most frequent first.
    """

    family = "lookup"

    def __init__(self, keys, target, table):
        self.keys = [str(k) for k in keys]
        self.target = str(target)
        try:
            self.table = [list(r) for r in table]
        except TypeError:
            raise ConstraintError(f"LearnedLookup: table rows are lists, got {table!r:.80}") from None
        if not 1 <= len(self.keys) <= 2 or self.target in self.keys:
            raise ConstraintError("LearnedLookup needs one or two key columns other than the target")
        if not self.table or any(len(r) != len(self.keys) + 1 for r in self.table):
            raise ConstraintError("LearnedLookup table rows are [key values..., value]")
        if not all(isinstance(r[-1], (int, float)) and np.isfinite(r[-1]) for r in self.table):
            raise ConstraintError("LearnedLookup values must be finite numbers")
        keys = self._make_index([r[:-1] for r in self.table])
        first = ~keys.duplicated()  # the most frequent value of each key combination (rows come most frequent first)
        self._index = keys[first]
        self._values = np.array([r[-1] for r in self.table], dtype=float)[first]
        self._seen = self._make_index([r for r in self.table], with_value=True)
        self._dtype = None

    def _make_index(self, rows, with_value=False):
        if len(self.keys) == 1 and not with_value:
            return pd.Index([r[0] for r in rows], dtype=object)
        return pd.MultiIndex.from_tuples([tuple(r) for r in rows])

    @property
    def columns(self):
        return [*self.keys, self.target]

    @property
    def consumed_columns(self):
        return [self.target]

    def get_parameters(self):
        return {"keys": list(self.keys), "target": self.target, "table": [list(r) for r in self.table]}

    def describe(self):
        return f"{self.target} is looked up from {' + '.join(self.keys)} ({len(self.table)} seen values)"

    def _positions(self, data) -> np.ndarray:
        if len(self.keys) == 1:
            return self._index.get_indexer(data[self.keys[0]].astype(object))
        return self._index.get_indexer(pd.MultiIndex.from_frame(data[self.keys].astype(object)))

    def is_valid(self, data):
        y = pd.to_numeric(data[self.target], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        frame = data[self.keys].astype(object).assign(**{self.target: y})
        return self._seen.get_indexer(pd.MultiIndex.from_frame(frame)) >= 0

    def fit(self, data, columns_meta, check=False):
        super().fit(data, columns_meta, check)
        self._dtype = data[self.target].dtype

    def transform(self, data):
        if self._dtype is None:  # an unfitted rule's repair
            self._dtype = data[self.target].dtype
        return data.drop(columns=[self.target])

    def transform_columns(self, columns_meta):
        return {c: m for c, m in columns_meta.items() if c != self.target}

    def reverse_transform(self, data):
        out = data.copy()
        pos = self._positions(out)
        unseen = pos < 0
        if unseen.any():  # the most frequent seen combination with the same first key (else overall)
            lead_of = self._index.get_level_values(0) if len(self.keys) == 2 else self._index
            first = pd.Series(np.arange(len(self._index)), index=lead_of)
            first = first[~first.index.duplicated()]
            lead = out[self.keys[0]].astype(object).to_numpy()[unseen]
            fix = first.reindex(lead).fillna(0).to_numpy(dtype=int)
            rows = np.flatnonzero(unseen)
            for k, c in enumerate(self.keys):
                level = self._index.get_level_values(k) if len(self.keys) == 2 else self._index
                col = out[c].astype(object)
                col.iloc[rows] = np.asarray(level, dtype=object)[fix]
                try:
                    out[c] = col.astype(data[c].dtype)
                except (TypeError, ValueError):
                    out[c] = col
            pos = pos.copy()
            pos[unseen] = fix
        y = self._values[pos]
        dtype = self._dtype if self._dtype is not None else np.dtype(float)
        out[self.target] = np.round(y).astype(dtype) if pd.api.types.is_integer_dtype(dtype) else y.astype(dtype)
        return out


def _codes(data, c):
    return pd.factorize(data[c], use_na_sentinel=False)[0]


def _nearly_constant_within(codes: np.ndarray, y: np.ndarray) -> bool:
    """``y`` takes one value on (nearly) every row of each code: at most 0.1% of the rows another,
    then one second value in at most 2% of the codes (flights: 2 of 211 routes have 2 distances a
    mile apart)."""
    ycode = pd.factorize(y)[0]
    pair = pd.factorize(codes.astype(np.int64) * (int(ycode.max()) + 1) + ycode)[0]
    pair_code = np.zeros(pair.max() + 1, dtype=np.int64)
    pair_code[pair] = codes
    per_code = np.bincount(pair_code, minlength=codes.max() + 1)  # distinct values per code
    if per_code.max() > 2 or (per_code == 2).sum() > 0.02 * len(per_code):
        return False
    counts = np.bincount(pair)
    best = np.zeros(codes.max() + 1, dtype=np.int64)
    np.maximum.at(best, pair_code, counts)
    return len(y) - int(best.sum()) <= 0.001 * len(y)


def discover(data: pd.DataFrame, columns_meta: dict, skip: frozenset) -> list:
    """The lookup rules of ``data``: one :class:`LearnedLookup` per numerical column found."""
    n = len(data)
    if n < 50:
        return []
    keys = [
        c
        for c, m in columns_meta.items()
        if c not in skip
        and m.get("sdtype") in ("categorical", "boolean")
        and data[c].notna().all()
        and 2 <= data[c].nunique() <= min(MAX_KEYS, n // MIN_ROWS_PER_KEY)
    ]
    targets = [
        c
        for c, m in columns_meta.items()
        if c not in skip
        and m.get("sdtype") == "numerical"
        and pd.api.types.is_numeric_dtype(data[c].dtype)
        and data[c].dtype != bool
        and data[c].notna().all()
        and data[c].nunique() > 1
    ]
    if not keys or not targets:
        return []
    codes = {c: _codes(data, c) for c in keys}
    sets = [(k,) for k in keys] + [(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]]
    combined = {}
    for s in sets:
        code = codes[s[0]] if len(s) == 1 else codes[s[0]] * (codes[s[1]].max() + 1) + codes[s[1]]
        code = pd.factorize(code)[0]
        if code.max() + 1 <= n // MIN_ROWS_PER_KEY:
            combined[s] = code
    sample = np.random.default_rng(0).choice(n, min(n, _SAMPLE), replace=False)
    rules = []
    for t in targets:
        y = data[t].to_numpy(dtype=float)
        for s, code in combined.items():
            if _nearly_constant_within(code[sample], y[sample]) and _nearly_constant_within(code, y):
                counts = data.groupby([*s, t], sort=False, observed=True).size()
                counts = counts.sort_values(ascending=False, kind="stable")
                table = [list(map(_plain, k)) for k in counts.index.to_list()]
                rules.append(LearnedLookup(list(s), t, table))
                break
    return rules
