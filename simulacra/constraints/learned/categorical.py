"""Learned allowed combinations between categorical (and boolean) columns (species -> island set).

A pair of columns is ruled when some unseen combination would be expected on at least
:data:`MIN_EXPECTED` rows were the two independent; overlapping pairs join one group whose allowed
combinations are the ones seen. Missing values: a missing value is one more category.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import ConstraintError
from ..registry import register
from .framework import LearnedRule

MIN_EXPECTED = 5.0
MAX_CATEGORIES = 60
_NA = "\x00<NA>"


def _keys(data, columns):
    return pd.MultiIndex.from_frame(data[columns].astype(object).where(data[columns].notna(), _NA))


@register
class LearnedCombinations(LearnedRule):
    """Each row's values of ``columns`` are one of ``combinations`` (those seen on the real table).

    Sampling keeps the first column's value of a row with an unseen combination and takes the
    other columns from the most frequent seen combination with that value.

    Parameters
    ----------
    columns : list of str
        The group's columns.
    combinations : list of list
        The allowed combinations (missing as None), most frequent first.
    """

    family = "categorical"

    def __init__(self, columns, combinations):
        self._cols = [str(c) for c in columns]
        try:
            self.combinations = [list(t) for t in combinations]
        except TypeError:
            raise ConstraintError(f"LearnedCombinations: combinations are lists, got {combinations!r}") from None
        if len(self._cols) < 2 or not self.combinations or any(len(t) != len(self._cols) for t in self.combinations):
            raise ConstraintError("LearnedCombinations needs 2+ columns and combinations of that length")

    @property
    def columns(self):
        return list(self._cols)

    def get_parameters(self):
        return {"columns": list(self._cols), "combinations": [list(t) for t in self.combinations]}

    def describe(self):
        return f"only the {len(self.combinations)} seen combinations of {', '.join(self._cols)}"

    def _allowed(self):
        return pd.MultiIndex.from_tuples([tuple(_NA if v is None else v for v in t) for t in self.combinations])

    def is_valid(self, data):
        keys = _keys(data, self._cols)
        return np.asarray(keys.isin(self._allowed()), dtype=bool)

    def transform(self, data):
        return data

    def reverse_transform(self, data):
        bad = ~self.is_valid(data)
        if not bad.any():
            return data
        out = data.copy()
        first = {}
        for t in self.combinations:  # most frequent first
            first.setdefault(t[0], t)
        rows = np.flatnonzero(bad)
        lead = out[self._cols[0]].iloc[rows].astype(object).where(out[self._cols[0]].iloc[rows].notna(), None)
        default = self.combinations[0]
        fill = [first.get(v, default) for v in lead.tolist()]
        for k, c in enumerate(self._cols):
            vals = pd.Series([t[k] for t in fill], index=out.index[rows], dtype=object)
            col = out[c].astype(object) if out[c].dtype != object else out[c].copy()
            col.iloc[rows] = vals.to_numpy()
            try:
                out[c] = col.astype(data[c].dtype)
            except (TypeError, ValueError):
                out[c] = col
        return out


def _candidates(data, columns_meta, skip):
    out = []
    for c, m in columns_meta.items():
        if c in skip or c not in data.columns or m.get("sdtype") not in ("categorical", "boolean"):
            continue
        if 1 < data[c].nunique(dropna=False) <= MAX_CATEGORIES:
            out.append(c)
    return out


def discover(data: pd.DataFrame, columns_meta: dict, skip: frozenset) -> list:
    """The allowed-combination rules of ``data``: one :class:`LearnedCombinations` per joined group."""
    cols = _candidates(data, columns_meta, skip)
    if len(cols) < 2:
        return []
    codes = {c: pd.factorize(data[c], use_na_sentinel=False)[0] for c in cols}
    n = len(data)
    comp = {c: c for c in cols}

    def find(a):
        while comp[a] != a:
            a = comp[a]
        return a

    for i, a in enumerate(cols):
        ka = codes[a].max() + 1
        pa = np.bincount(codes[a], minlength=ka) / n
        for b in cols[i + 1 :]:
            kb = codes[b].max() + 1
            table = np.bincount(codes[a] * kb + codes[b], minlength=ka * kb).reshape(ka, kb)
            expected = n * np.outer(pa, np.bincount(codes[b], minlength=kb) / n)
            if ((table == 0) & (expected >= MIN_EXPECTED)).any():
                comp[find(a)] = find(b)
    groups: dict[str, list] = {}
    for c in cols:
        groups.setdefault(find(c), []).append(c)
    rules = []
    for g in groups.values():
        if len(g) < 2:
            continue
        counts = _keys(data, g).value_counts()
        combos = [[None if v == _NA else (v.item() if hasattr(v, "item") else v) for v in t] for t in counts.index]
        rules.append(LearnedCombinations(g, combos))
    return rules
