"""Growing sequences step by step, every active sequence of a batch at once.

The state of a batch is one entry per sequence: its entity row (context and length), the position
it has reached, its last index value and, per column, its last value (and, for numbers, the last
value on the working scale and the last change). Each step asks the step model for one row per
sequence still growing, given that state (``sample_given``: one vectorized call a step), and moves
the state on. Step ``t`` of batch ``b`` draws from its own seed, a pure function of the run's seed,
``b`` and ``t``: the same seed and batch size give the same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frames import DELTA, DLAG, GAP, LAG, LENGTH, POS, START, changes, index_values, numbers_of, positions


def step_seed(root: np.random.SeedSequence, b: int, t: int) -> np.random.SeedSequence:
    """The seed of step ``t`` of batch ``b`` (a pure function: no spawn counter involved)."""
    return np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (1, int(b), int(t)))


class State:
    """Where each sequence of a batch stands (arrays of one entry per sequence)."""

    def __init__(self, entities: pd.DataFrame, layout, columns: dict):
        self.entities = entities.reset_index(drop=True)
        self.layout = layout
        self.columns = columns
        n = len(self.entities)
        self.length = np.maximum(1, entities[LENGTH].to_numpy(dtype=float, na_value=1).round().astype(np.int64))
        self.reached = np.zeros(n, dtype=np.int64)  # steps made so far
        self.secs = np.zeros(n)
        self.last = {}
        self.last_w = {}
        self.last_d = {}

    @classmethod
    def first_steps(cls, entities: pd.DataFrame, layout, columns: dict) -> tuple["State", dict]:
        """The state after each sequence's first step (drawn with its entity row), and that step's rows."""
        st = cls(entities, layout, columns)
        if layout.index is not None:
            st.secs = entities[START].to_numpy(dtype=float, na_value=np.nan)
            st.secs = np.round(st.secs / layout.unit) * layout.unit
        st.record({c: entities[c] for c in layout.steps}, np.arange(len(entities)), None)
        st.reached[:] = 1
        rows = {c: entities[c].reset_index(drop=True) for c in layout.steps}
        first = {"entity": np.arange(len(entities)), "pos": np.zeros(len(entities), dtype=np.int64), **rows}
        first["__secs"] = st.secs.copy()
        return st, first

    @classmethod
    def from_prefixes(cls, prefixes: pd.DataFrame, entities: pd.DataFrame, layout, columns: dict) -> "State":
        """The state at the end of given sequences (sorted; one ``entities`` row per sequence, in order)."""
        st = cls(entities, layout, columns)
        codes, pos, length = positions(prefixes, layout.key)
        last = np.flatnonzero(pos == length - 1)
        st.reached = length[last].astype(np.int64)
        if layout.index is not None:
            st.secs = index_values(prefixes[layout.index], layout.index_kind, layout.index_parse)[last]
        st.record({c: prefixes[c].iloc[last].reset_index(drop=True) for c in layout.steps}, np.arange(len(last)), None)
        for c in layout.numbers:
            st.last_d[c] = changes(layout.working(c, numbers_of(prefixes, c)), pos)[last]
        return st

    def record(self, values: dict, idx: np.ndarray, deltas: dict | None) -> None:
        """Remember the step just made by sequences ``idx``."""
        n = len(self.entities)
        for c in self.layout.steps:
            if self.columns[c]["sdtype"] not in ("numerical", "datetime", "categorical", "boolean"):
                continue
            v = values[c]
            if c in self.layout.numbers:
                x = pd.to_numeric(pd.Series(v), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                self.last.setdefault(c, np.full(n, np.nan))[idx] = x
                self.last_w.setdefault(c, np.full(n, np.nan))[idx] = self.layout.working(c, x)
                d = np.full(len(idx), np.nan) if deltas is None else deltas[c]
                self.last_d.setdefault(c, np.full(n, np.nan))[idx] = d
            elif self.columns[c]["sdtype"] == "datetime":
                x = index_values(pd.Series(v), "datetime", self.columns[c].get("datetime_format"))
                self.last.setdefault(c, np.full(n, np.nan))[idx] = x
            else:
                arr = self.last.setdefault(c, np.full(n, None, dtype=object))
                arr[idx] = pd.Series(v).astype(object).where(pd.Series(v).notna(), None).to_numpy()

    def context(self, idx: np.ndarray, t: np.ndarray) -> pd.DataFrame:
        """The step model's context rows for sequences ``idx`` about to make step ``t``."""
        lay = self.layout
        ctx = {c: self.entities[c].iloc[idx].reset_index(drop=True) for c in lay.learned_context(self.columns)}
        ctx[LENGTH] = self.length[idx]
        ctx[POS] = t
        for c in lay.learned_steps(self.columns):
            ctx[LAG + c] = self.last[c][idx]
            if c in lay.numbers:
                ctx[DLAG + c] = self.last_d[c][idx]
        return pd.DataFrame(ctx)


def grow(state: State, step_model, root: np.random.SeedSequence, b: int) -> list[dict]:
    """Every step after the ones ``state`` has reached, one ``sample_given`` call a position."""
    lay = state.layout
    pieces = []
    if len(state.entities) == 0:
        return pieces
    for t in range(int(state.reached.min()), int(state.length.max())):
        idx = np.flatnonzero((state.reached == t) & (state.length > t))
        if len(idx) == 0:
            continue
        rows = step_model.sample_given(state.context(idx, np.full(len(idx), t)), seed=step_seed(root, b, t))
        values, deltas = {}, {}
        for c in lay.steps:
            if c in lay.numbers:
                values[c], deltas[c] = _number(lay, c, state, idx, rows)
            else:
                values[c] = rows[c].reset_index(drop=True)
        if lay.index is not None:
            gap = rows[GAP].to_numpy(dtype=float, na_value=np.nan) if lay.gap is None else np.full(len(idx), lay.gap)
            gap = np.round(np.nan_to_num(gap, nan=lay.min_gap or lay.unit) / lay.unit) * lay.unit
            state.secs[idx] = state.secs[idx] + np.maximum(gap, lay.min_gap if lay.min_gap else lay.unit)
        state.record(values, idx, deltas)
        state.reached[idx] = t + 1
        pieces.append({"entity": idx, "pos": np.full(len(idx), t), **values, "__secs": state.secs[idx].copy()})
    return pieces


def _number(lay, c, state: State, idx, rows) -> tuple[pd.Series, np.ndarray]:
    """A number's value at this step: the last value moved by the drawn change, or the drawn level
    after a missing step (or missing where the model says so). A column learned as levels (a point
    mass such as zero sales) takes the drawn level."""
    spec = lay.numbers[c]
    prev = state.last_w[c][idx]
    if spec["levels"]:
        level = pd.to_numeric(rows[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return pd.Series(level), np.where(np.isfinite(prev), lay.working(c, level) - prev, np.nan)
    d = rows[DELTA + c].to_numpy(dtype=float, na_value=np.nan)
    lo, hi = lay.working_bounds(c)
    start = np.clip(prev, lo, hi)  # a given prefix beyond the learned range goes on from the nearest bound
    moved = np.isfinite(prev) & np.isfinite(d)
    x = np.full(len(idx), np.nan)
    x[moved] = lay.from_working(c, start[moved] + d[moved])
    if c in rows.columns:  # the level, learned where the column has missing values
        level = pd.to_numeric(rows[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        use = ~moved & np.isfinite(level) & ~np.isfinite(prev)
        x[use] = level[use]
    d = np.where(moved, lay.working(c, x) - start, np.nan)
    return pd.Series(x), d
