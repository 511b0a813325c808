"""Conditions: rows to sample with some column values fixed (SDV's ``sdv.sampling.Condition``).

A synthesizer meets a condition in one of two ways. Values of columns the model learns as they
are (not generated, not reshaped by a constraint) go to the model when it can condition on them
exactly (``direct``); the others are met by re-drawing (``rest``, tested by :func:`accept_known`).
Either way the fixed values are written into the rows at the end (:func:`fix_known`), in the
column's dtype.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError, ParameterError
from ..utils.validation import check_int


class Condition:
    """Rows to sample with some column values fixed.

    Parameters
    ----------
    column_values : dict
        ``{column: value}``; ``None`` (or NaN) asks for missing values.
    num_rows : int, default 1
        Rows to sample for this condition.
    """

    def __init__(self, column_values: dict, num_rows: int = 1):
        if not isinstance(column_values, dict) or not column_values:
            raise ParameterError("Condition needs column_values, a non-empty dict {column: value}")
        try:
            num_rows = check_int("num_rows", num_rows, minimum=1)
        except ParameterError:
            raise ParameterError(f"Condition num_rows must be a positive integer, got {num_rows!r}") from None
        self.column_values = dict(column_values)
        self.num_rows = num_rows

    def get_column_values(self) -> dict:
        """The fixed ``{column: value}`` (SDV's accessor)."""
        return dict(self.column_values)

    def get_num_rows(self) -> int:
        """The number of rows asked for (SDV's accessor)."""
        return self.num_rows

    def __repr__(self):
        return f"Condition(column_values={self.column_values!r}, num_rows={self.num_rows})"


def is_missing(v) -> bool:
    """Whether the condition value ``v`` asks for a missing value (None, NaN, NaT)."""
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def check_condition_columns(known: dict, columns) -> None:
    """A ConstraintError for a condition on a column the metadata does not have."""
    for c in known:
        if c not in columns:
            raise ConstraintError(f"condition names column {c!r}, which is not in the metadata")


def split_known(known: dict, redrawn_columns) -> tuple[dict, dict]:
    """``(direct, rest)``: the values a model may condition on exactly, and those met by re-drawing.

    ``redrawn_columns`` are the columns no model sees as they are: generated ones (ids, PII, text)
    and those a constraint reshapes.
    """
    redrawn = set(redrawn_columns)
    direct = {c: v for c, v in known.items() if c not in redrawn}
    rest = {c: v for c, v in known.items() if c not in direct}
    return direct, rest


def accept_known(rest: dict):
    """``accept(rows) -> bool array``: rows whose columns hold the values ``rest`` asks for (None: missing)."""

    def accept(df):
        ok = np.ones(len(df), dtype=bool)
        for c, v in rest.items():
            col = df[c]
            ok &= col.isna().to_numpy() if is_missing(v) else (col == v).fillna(False).to_numpy(dtype=bool)
        return ok

    return accept


def fix_known(out: pd.DataFrame, known: dict) -> pd.DataFrame:
    """Write the condition's values into ``out`` (in place), each in its column's dtype."""
    for c, v in known.items():
        dtype = out[c].dtype
        out[c] = (
            pd.Series([v] * len(out), dtype=object).astype(dtype)
            if not is_missing(v)
            else pd.Series([None] * len(out), dtype=dtype)
        )
    return out


def check_conditions(conditions) -> list:
    """``conditions`` (one Condition or a list of them) as a list; ParameterError for anything else."""
    conditions = list(conditions) if isinstance(conditions, (list, tuple)) else [conditions]
    for cond in conditions:
        if not isinstance(cond, Condition):
            raise ParameterError(f"conditions must be Condition objects, got {type(cond).__name__}")
    return conditions


def known_groups(known_columns) -> list[tuple[dict, np.ndarray]]:
    """``[(known values, row positions)]``: the rows of ``known_columns`` grouped by their values.

    Groups come in order of first appearance; missing values are one group each column (None).
    """
    if not isinstance(known_columns, pd.DataFrame) or known_columns.empty:
        raise ParameterError("known_columns must be a non-empty DataFrame")
    keys = list(known_columns.columns)
    dup = known_columns.columns[known_columns.columns.duplicated()]
    if len(dup):
        raise ParameterError(f"known_columns has the column {dup[0]!r} more than once; give each known column once")
    groups = known_columns.reset_index(drop=True).groupby(keys, dropna=False, sort=False).indices
    out = []
    for key, idx in groups.items():
        key = key if isinstance(key, tuple) else (key,)
        out.append(({c: (None if is_missing(v) else v) for c, v in zip(keys, key)}, np.asarray(idx)))
    return out


def condition_batches(num_rows: int, batch_size, seed_sequence: np.random.SeedSequence):
    """``[(offset, rows, seed sequence)]``: one condition's rows in batches of at most ``batch_size``.

    With ``batch_size`` None (or at least ``num_rows``) one batch drawn from ``seed_sequence``
    itself; otherwise batch *b* draws from child ``b + 1`` of it (:func:`nth_child`; child 0 is
    left unused, so the layout matches the plan's, where child 0 seeds a run's context).
    """
    if batch_size is None or num_rows <= batch_size:
        return [(0, num_rows, seed_sequence)]
    return [
        (start, min(batch_size, num_rows - start), nth_child(seed_sequence, b + 1))
        for b, start in enumerate(range(0, num_rows, batch_size))
    ]


def nth_child(seed_sequence: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """Child ``i`` of a fresh ``seed_sequence`` (what its ``spawn(i + 1)[i]`` gives), without spawning."""
    ss = seed_sequence
    return np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (i,), pool_size=ss.pool_size)
