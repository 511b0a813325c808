"""The bounded re-draw loop: rows that satisfy every constraint (and a condition), re-drawing rejects.

The loop knows no model: it calls ``draw(m) -> DataFrame`` for ``m`` candidate rows, asks each
constraint which rows pass (``constraint.run_filter(rows, ctx)``), keeps the first ``n`` that pass
all of them and the ``accept`` test, and tells each constraint which rows it kept
(``constraint.run_accept(kept, ctx)``, where ``Unique`` records what it has seen). Round 1 draws
``n`` rows; each later round draws ``min(max(4 * missing, 64), 20 * n + 64)``; after
``max_tries`` rounds without ``n`` rows it raises a ConstraintError naming the rule that rejected
the most rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError
from ..utils.validation import check_int

#: rounds of re-drawing per batch (``max_tries_per_batch``) by default
MAX_TRIES = 100


def check_max_tries(value, allow_none: bool = True) -> int:
    """``max_tries_per_batch`` as an int of at least 1 (None: :data:`MAX_TRIES`)."""
    value = check_int("max_tries_per_batch", value, minimum=1, allow_none=allow_none)
    return MAX_TRIES if value is None else value


def redraw(draw, n: int, constraints=(), accept=None, ctx=None, max_tries: int = MAX_TRIES) -> pd.DataFrame:
    """``n`` rows from ``draw`` that satisfy every constraint and ``accept``.

    Parameters
    ----------
    draw : callable
        ``draw(m)`` returns a DataFrame of ``m`` candidate rows (fresh randomness each call).
    n : int
        Rows wanted.
    constraints : sequence of Constraint
        Each row kept passes ``c.run_filter(rows, ctx)`` (default: ``c.is_valid(rows)``).
    accept : callable, optional
        ``accept(rows) -> bool array``: an extra test (the conditions), counted as "the conditions".
    ctx : SamplingContext, optional
        The run's context, passed to the constraints' hooks.
    max_tries : int, default 100
        Rounds of drawing before giving up.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows with a fresh ``RangeIndex``.

    Raises
    ------
    ConstraintError
        Fewer than ``n`` rows passed after ``max_tries`` rounds.
    """
    if n == 0:
        return draw(0).reset_index(drop=True)  # an empty table of the right columns and dtypes
    parts, have, rejected = [], 0, {}
    for attempt in range(max_tries):
        need = n - have
        if need <= 0:
            break
        m = need if attempt == 0 else min(max(need * 4, 64), 20 * n + 64)
        df = draw(m)
        ok = np.ones(len(df), dtype=bool)
        for c in constraints:
            valid = np.asarray(c.run_filter(df, ctx), dtype=bool)
            rejected[repr(c)] = rejected.get(repr(c), 0) + int((ok & ~valid).sum())
            ok &= valid
        if accept is not None:
            valid = np.asarray(accept(df), dtype=bool)
            rejected["the conditions"] = rejected.get("the conditions", 0) + int((ok & ~valid).sum())
            ok &= valid
        good = df[ok].iloc[:need]
        for c in constraints:
            c.run_accept(good, ctx)
        parts.append(good)
        have += len(good)
    if have < n:
        worst = max(rejected, key=rejected.get) if rejected else "the constraints"
        raise ConstraintError(
            f"could only make {have} of {n} rows that satisfy {worst} after {max_tries} rounds of re-drawing; "
            "the rule may be impossible for this model (check the constraint or the conditions)"
        )
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
