"""Unique: no two rows of a sampling run share the values of some columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError
from .base import Constraint, run_store

_NO_HASHES = np.empty(0, dtype=np.uint64)


class Unique(Constraint):
    """No two synthetic rows share the values of ``column_names`` (checked; duplicates are re-drawn).

    Across the batches of a run: the row hashes kept so far live in the run's sampling context
    (``ctx.store(("unique", column_names))["hashes"]``, a sorted ``uint64`` array), so a batch made
    alone only equals that batch of a full run when it is given the context the batches before
    it left (:attr:`tracks_run`).

    Parameters
    ----------
    column_names : str or list of str
        The column, or the columns whose combination, must not repeat.
    """

    def __init__(self, column_names):
        if isinstance(column_names, str):
            column_names = [column_names]
        if not isinstance(column_names, (list, tuple)) or not column_names:
            raise ConstraintError(f"Unique needs a column name or a list of column names, got {column_names!r}")
        self.column_names = list(column_names)

    @property
    def columns(self):
        return self.column_names

    @property
    def tracks_run(self) -> bool:
        return True

    def get_parameters(self):
        return {"column_names": self.column_names}

    def guaranteed_by(self, unique_columns) -> bool:
        """True when the columns include one that is unique by construction (an id): the rows never repeat."""
        return not set(self.column_names).isdisjoint(unique_columns)

    def is_valid(self, data):
        return ~data.duplicated(subset=self.column_names, keep="first").to_numpy()

    def _key(self) -> tuple:
        # Unique constraints on the same columns share one memory (as they always did)
        return ("unique", tuple(self.column_names))

    def _hashes(self, data: pd.DataFrame) -> np.ndarray:
        return pd.util.hash_pandas_object(data[self.column_names], index=False).to_numpy(dtype=np.uint64)

    def run_filter(self, data, ctx):
        """Rows whose values are the first of their kind in ``data`` and not seen earlier in the run.

        Parameters
        ----------
        data : pandas.DataFrame
            One draw of decoded rows.
        ctx : object
            The run's sampling context (``ctx.store(key) -> dict``), or None for ``data`` alone.

        Returns
        -------
        numpy.ndarray of bool
        """
        h = self._hashes(data)
        keep = ~pd.Series(h).duplicated().to_numpy()
        seen = _NO_HASHES if ctx is None else run_store(ctx, self._key()).get("hashes", _NO_HASHES)
        if len(seen) and len(h):
            order = np.argsort(h)  # sorted look-ups walk the sorted memory in order (cache-friendly)
            sorted_h = h[order]
            found = np.empty(len(h), dtype=bool)
            found[order] = seen[np.minimum(np.searchsorted(seen, sorted_h), len(seen) - 1)] == sorted_h
            keep &= ~found
        return keep

    def run_accept(self, data, ctx):
        """Remember the values of the rows the sampler kept (``data``) for the rest of the run."""
        if ctx is None or not len(data):
            return
        store = run_store(ctx, self._key())
        seen = store.get("hashes", _NO_HASHES)
        new = np.unique(self._hashes(data))  # sorted
        if len(seen):
            at = np.searchsorted(seen, new)
            fresh = seen[np.minimum(at, len(seen) - 1)] != new
            store["hashes"] = np.insert(seen, at[fresh], new[fresh])
        else:
            store["hashes"] = new
