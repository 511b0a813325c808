"""Learned rules, derived family: a column equal to an arithmetic, clock or date function of others.

Found forms: ``a = b // k`` and ``a = b % k`` (k in 10, 100, 1000, 60, 24), ``a = b + c``,
``a = b - c``, ``a = minutes(b) - minutes(c)`` for HHMM clock columns (mod 1440 into ``a``'s real
range: a delay), and a datetime ``a = datetime(year, month, day, hour, ...)`` from part columns.
The synthesizer does not learn the derived column: ``reverse_transform`` computes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..registry import register
from .framework import LearnedRule, as_column
from . import clock

KS = (10, 100, 1000, 60, 24)
SAMPLE = 3000
SCREEN = 16  # rows of the first screen (candidates that pass are tried on the sample, then all rows)
PARTS = ("year", "month", "day", "hour", "minute", "second")
_SYMBOL = {"floordiv": "//", "mod": "%", "add": "+", "sub": "-"}


def _values(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _dates(s: pd.Series, fmt) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    return pd.to_datetime(s, format=fmt, errors="coerce") if fmt else pd.to_datetime(s, errors="coerce")


@register
class DerivedColumn(LearnedRule):
    """``target`` equals ``op`` of ``inputs`` on every row where the inputs are present.

    Missing values: where an input is missing the target is missing. When the real target was
    also missing on some rows with its inputs present (``extra_missing``), the synthesizer learns
    a 0/missing placeholder in its place, so that missing rate (and its links) is kept.

    Parameters
    ----------
    target : str
    op : str
        ``floordiv``, ``mod``, ``add``, ``sub``, ``clockdiff`` or ``datetime``.
    inputs : list of str
        The columns read (for ``datetime``: one per part in ``parts``).
    k : float, optional
        The divisor (floordiv, mod) or the low end of the target's range (clockdiff).
    parts : dict, optional
        ``datetime`` only: ``{part: column name or constant int}`` for year..second.
    dtype : str
        The real target's dtype; ``fmt``: its datetime text format (None: datetime64 values).
    extra_missing : bool
    """

    family = "derived"

    def __init__(self, target, op, inputs, k=None, parts=None, dtype="float64", fmt=None, extra_missing=False):
        self.target, self.op, self.inputs = str(target), str(op), [str(c) for c in inputs]
        self.k = None if k is None else float(k)
        self.parts = dict(parts or {})
        self.dtype, self.fmt, self.extra_missing = str(dtype), fmt, bool(extra_missing)

    @property
    def columns(self):
        return [*self.inputs, self.target]

    @property
    def consumed_columns(self):
        return [self.target]

    def describe(self) -> str:
        a, t = self.inputs, self.target
        if self.op in ("floordiv", "mod"):
            return f"{t} == {a[0]} {_SYMBOL[self.op]} {self.k:g}"
        if self.op in ("add", "sub"):
            return f"{t} == {a[0]} {_SYMBOL[self.op]} {a[1]}"
        if self.op == "clockdiff":
            return f"{t} == minutes({a[0]}) - minutes({a[1]}) (mod 1440, from {self.k:g})"
        return f"{t} == datetime({', '.join(str(self.parts[p]) for p in PARTS)})"

    def get_parameters(self):
        return {
            "target": self.target,
            "op": self.op,
            "inputs": list(self.inputs),
            "k": self.k,
            "parts": dict(self.parts),
            "dtype": self.dtype,
            "fmt": self.fmt,
            "extra_missing": self.extra_missing,
        }

    def compute(self, data: pd.DataFrame):
        """The target computed from ``data``'s inputs (float array, or datetime64 array for ``datetime``)."""
        if self.op == "datetime":
            cols = {
                p: (_values(data[c]) if isinstance(c, str) else np.full(len(data), float(c)))
                for p, c in self.parts.items()
            }
            bad = np.zeros(len(data), dtype=bool)
            for v in cols.values():
                bad |= np.isnan(v)
            frame = pd.DataFrame({p: np.where(bad, 1, v).astype(np.int64) for p, v in cols.items()})
            frame.loc[bad, "year"] = 2000
            out = pd.to_datetime(frame, errors="coerce").to_numpy()
            out[bad] = np.datetime64("NaT")
            self._invalid = np.isnat(out) & ~bad  # parts that make no date (e.g. Feb 30)
            return out
        x = [_values(data[c]) for c in self.inputs]
        with np.errstate(invalid="ignore"):
            if self.op == "floordiv":
                return x[0] // self.k
            if self.op == "mod":
                return np.mod(x[0], self.k)
            if self.op == "add":
                return x[0] + x[1]
            if self.op == "sub":
                return x[0] - x[1]
            d = clock.to_minutes(x[0]) - clock.to_minutes(x[1])
            return np.mod(d - self.k, 1440) + self.k

    def _target(self, data):
        if self.op == "datetime":
            return _dates(data[self.target], self.fmt).to_numpy(dtype="datetime64[ns]")
        return _values(data[self.target])

    def is_valid(self, data):
        want, got = self.compute(data), self._target(data)
        if self.op == "datetime":
            eq, w_na, g_na = want == got, np.isnat(want) & ~self._invalid, np.isnat(got)
        else:
            eq, w_na, g_na = np.isclose(want, got, rtol=1e-9, atol=1e-9), np.isnan(want), np.isnan(got)
        return w_na | eq | (g_na & self.extra_missing)

    def transform(self, data):
        if not self.extra_missing:
            return data.drop(columns=[self.target])
        out = data.copy()
        out[self.target] = np.where(data[self.target].isna().to_numpy(), np.nan, 0.0)
        return out

    def transform_columns(self, columns_meta):
        out = dict(columns_meta)
        if self.extra_missing:
            out[self.target] = {"sdtype": "numerical", "computer_representation": "Float"}
        else:
            out.pop(self.target, None)
        return out

    def _clamped_parts(self, data):
        """``data`` with datetime part columns clamped into a real date (day to the month's length)."""
        out = data.copy()
        lim = {
            "year": (1, 9999),
            "month": (1, 12),
            "day": (1, 31),
            "hour": (0, 23),
            "minute": (0, 59),
            "second": (0, 59),
        }
        for p, c in self.parts.items():
            if isinstance(c, str):
                v = np.clip(np.round(_values(data[c])), *lim[p])
                out[c] = as_column(v, data[c].dtype, data.index)
        y, m, d = (self.parts[p] for p in ("year", "month", "day"))
        if all(isinstance(c, str) for c in (y, m, d)):
            ym = pd.to_datetime(
                pd.DataFrame({"year": _values(out[y]), "month": _values(out[m]), "day": 1}), errors="coerce"
            )
            last = ym.dt.days_in_month.to_numpy(dtype=float, na_value=np.nan)
            v = np.fmin(_values(out[d]), last)
            out[d] = as_column(v, data[d].dtype, data.index)
        return out

    def reverse_transform(self, data):
        if self.op == "datetime":
            data = self._clamped_parts(data)
        out = data.copy()
        v = self.compute(data)
        if self.extra_missing and self.target in data:
            gone = data[self.target].isna().to_numpy()
            v = v.copy()
            v[gone] = np.datetime64("NaT") if self.op == "datetime" else np.nan
        if self.op == "datetime":
            s = pd.Series(v, index=data.index)
            out[self.target] = s.dt.strftime(self.fmt).where(s.notna(), np.nan) if self.fmt else s
        else:
            out[self.target] = as_column(v, self.dtype, data.index)
        return out

    def repair(self, data):
        return self.reverse_transform(self.transform(data))[list(data.columns)]


def _check(rule, data) -> bool:
    """The rule holds on ``data``: equal where all present, target missing wherever an input is."""
    want, got = rule.compute(data), rule._target(data)
    w_na = np.isnat(want) if rule.op == "datetime" else np.isnan(want)
    g_na = np.isnat(got) if rule.op == "datetime" else np.isnan(got)
    both = ~w_na & ~g_na
    if both.sum() < 10 or (w_na & ~g_na).any():
        return False
    eq = want[both] == got[both] if rule.op == "datetime" else np.isclose(want[both], got[both], rtol=1e-9, atol=1e-9)
    if not eq.all():
        return False
    rule.extra_missing = bool((g_na & ~w_na).any())
    return True


def _candidates(data, columns_meta, skip):
    num = [c for c, m in columns_meta.items() if c not in skip and c in data and m.get("sdtype") == "numerical"]
    vals = {c: _values(data[c]) for c in num}
    targets = [c for c in num if np.unique(vals[c][~np.isnan(vals[c])]).size >= 2]
    ints = [c for c in num if np.all(np.isnan(vals[c]) | (vals[c] == np.round(vals[c])))]
    clocks = {r.column for r in clock.discover(data, columns_meta, skip)}
    for c, m in columns_meta.items():  # datetimes from parts
        if c in skip or c not in data or m.get("sdtype") != "datetime":
            continue
        dt = _dates(data[c], m.get("datetime_format"))
        if dt.isna().all() or dt.nunique() < 2:
            continue
        parts = {}
        for p in PARTS:
            comp = getattr(dt.dt, p).to_numpy(dtype=float, na_value=np.nan)
            match = next((b for b in ints if np.array_equal(vals[b], comp, equal_nan=True)), None)
            present = comp[~np.isnan(comp)]
            if match is None and present.size and (present == present[0]).all():
                match = int(present[0])
            if match is None:
                break
            parts[p] = match
        if len(parts) == len(PARTS) and any(isinstance(v, str) for v in parts.values()):
            yield DerivedColumn(
                c,
                "datetime",
                [v for v in parts.values() if isinstance(v, str)],
                parts=parts,
                dtype=str(data[c].dtype),
                fmt=m.get("datetime_format"),
            )
    if not targets:
        return
    tgt = np.column_stack([vals[c][:SCREEN] for c in targets])  # a quick screen on the first rows
    names = np.asarray(targets, dtype=object)
    for b in ints:
        for k in KS:
            for op, x in (("floordiv", vals[b][:SCREEN] // k), ("mod", np.mod(vals[b][:SCREEN], k))):
                ok = (x[:, None] == tgt) | np.isnan(x)[:, None] | np.isnan(tgt)
                for t in names[ok.all(axis=0)]:
                    if t != b:
                        yield DerivedColumn(t, op, [b], k=k, dtype=str(data[t].dtype))
    for t in targets:
        v = vals[t][~np.isnan(vals[t])]
        if t in clocks or v.max() - v.min() >= 1440:
            continue
        for a in clocks:
            for b in clocks:
                if len({a, b, t}) == 3:
                    yield DerivedColumn(t, "clockdiff", [a, b], k=float(v.min()), dtype=str(data[t].dtype))
    head = np.column_stack([vals[c][:SCREEN] for c in num])  # a quick screen of every sum and difference
    tol = 1e-9 * (1 + np.abs(tgt))[:, None, :]
    nan_t = np.isnan(tgt)[:, None, :]
    for op, grid in (("add", head[:, :, None] + head[:, None, :]), ("sub", head[:, :, None] - head[:, None, :])):
        n = len(num)
        flat = grid.reshape(len(head), n * n, 1)
        with np.errstate(invalid="ignore"):
            ok = ((np.abs(flat - tgt[:, None, :]) <= tol) | np.isnan(flat) | nan_t).all(axis=0)
        for p, t in zip(*np.nonzero(ok)):
            i, j = divmod(int(p), n)
            a, b, t = num[i], num[j], targets[int(t)]
            if len({a, b, t}) == 3 and (op == "sub" or i < j):
                yield DerivedColumn(t, op, [a, b], dtype=str(data[t].dtype))


def _reaches(edges, start, goal) -> bool:
    seen, todo = set(), [start]
    while todo:
        x = todo.pop()
        if x == goal:
            return True
        if x not in seen:
            seen.add(x)
            todo.extend(edges.get(x, ()))
    return False


def discover(data: pd.DataFrame, columns_meta: dict, skip=frozenset()) -> list:
    """Derived-column rules holding on every real row (candidates tried on a sample, then on all rows).

    A column is derived once, and no rule closes a cycle (``a = b - c`` and ``b = a + c``: the first
    found is kept). The rules come ordered for the chain: one reading a derived column comes before
    the rule deriving it (so its reverse runs after that column is computed).
    """
    sample = data.sample(n=SAMPLE, random_state=0) if len(data) > SAMPLE else data
    accepted, edges = [], {}
    for rule in _candidates(sample, columns_meta, frozenset(skip)):
        if any(r.target == rule.target for r in accepted):
            continue
        if any(_reaches(edges, rule.target, i) for i in rule.inputs):
            continue
        if not _check(rule, sample):
            continue
        if rule.op == "clockdiff":  # the window starts at the target's real minimum (the sample's may be higher)
            rule.k = float(np.nanmin(_values(data[rule.target])))
        if not _check(rule, data):
            continue
        accepted.append(rule)
        for i in rule.inputs:
            edges.setdefault(i, set()).add(rule.target)
    level = {}

    def depth(col):
        if col not in level:
            r = next((r for r in accepted if r.target == col), None)
            level[col] = 0 if r is None else 1 + max((depth(i) for i in r.inputs), default=0)
        return level[col]

    return sorted(accepted, key=lambda r: -depth(r.target))
