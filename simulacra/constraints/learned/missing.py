"""Learned co-missingness: ``a`` missing implies ``b`` missing (cancelled flights lack arrival times).

Missing values: a rule reads only whether values are missing; it never fills a value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import ConstraintError
from ..registry import register
from .framework import LearnedRule

#: an implication needs at least this many rows where its premise column is missing
MIN_MISSING = 5


@register
class LearnedMissingness(LearnedRule):
    """On every row, each ``[a, b]`` of ``implications`` holds: ``a`` missing -> ``b`` missing.

    Sampling blanks ``b`` wherever ``a`` came out missing (to a fixed point over the group).

    Parameters
    ----------
    implications : list of [a, b]
        Column pairs; ``[a, b]`` and ``[b, a]`` together mean the two are missing together.
    """

    family = "missing"

    def __init__(self, implications):
        try:
            self.implications = [[str(a), str(b)] for a, b in implications]
        except (TypeError, ValueError):
            raise ConstraintError(f"LearnedMissingness: implications are [a, b] pairs, got {implications!r}") from None
        if not self.implications:
            raise ConstraintError("LearnedMissingness needs at least one [a, b] implication")

    @property
    def columns(self):
        return sorted({c for e in self.implications for c in e})

    def get_parameters(self):
        return {"implications": [list(e) for e in self.implications]}

    def describe(self):
        pairs = {tuple(e) for e in self.implications}
        both = sorted({tuple(sorted(e)) for e in pairs if (e[1], e[0]) in pairs})
        one = [e for e in self.implications if (e[1], e[0]) not in pairs]
        parts = [f"{a} missing <-> {b} missing" for a, b in both]
        parts += [f"{a} missing -> {b} missing" for a, b in one]
        return ", ".join(parts)

    def is_valid(self, data):
        na = {c: data[c].isna().to_numpy() for c in self.columns}
        ok = np.ones(len(data), dtype=bool)
        for a, b in self.implications:
            ok &= ~(na[a] & ~na[b])
        return ok

    def transform(self, data):
        return data

    def reverse_transform(self, data):
        out = data.copy()
        na = {c: out[c].isna().to_numpy() for c in self.columns}
        for _ in range(len(self.columns)):
            changed = False
            for a, b in self.implications:
                new = na[a] & ~na[b]
                if new.any():
                    na[b] = na[b] | new
                    changed = True
            if not changed:
                break
        for c in self.columns:
            blank = na[c] & ~out[c].isna().to_numpy()
            if blank.any():
                col = out[c]
                if pd.api.types.is_integer_dtype(col.dtype) and not isinstance(
                    col.dtype, pd.api.extensions.ExtensionDtype
                ):
                    col = col.astype(float)
                out[c] = col.mask(blank)
        return out


def discover(data: pd.DataFrame, columns_meta: dict, skip: frozenset) -> list:
    """The co-missingness rules of ``data``: one :class:`LearnedMissingness` per connected group."""
    cols = [c for c in columns_meta if c not in skip and c in data.columns]
    if not cols:
        return []
    na = data[cols].isna().to_numpy()
    count = na.sum(axis=0)
    idx = [i for i in range(len(cols)) if MIN_MISSING <= count[i] < len(data)]
    if len(idx) < 2:
        return []
    N = na[:, idx].astype(np.int32)
    both = N.T @ N  # rows where i and j are both missing
    imp = both == count[idx][:, None]  # i missing -> j missing
    np.fill_diagonal(imp, False)
    comp = list(range(len(idx)))

    def find(a):
        while comp[a] != a:
            a = comp[a]
        return a

    pairs = [(int(i), int(j)) for i, j in np.argwhere(imp)]
    for i, j in pairs:
        comp[find(i)] = find(j)
    groups: dict[int, list] = {}
    for i, j in pairs:
        groups.setdefault(find(i), []).append([cols[idx[i]], cols[idx[j]]])
    return [LearnedMissingness(g) for g in groups.values()]
