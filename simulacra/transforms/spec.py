"""What a fitted transform declares about its float outputs, for models to read.

Models never look at transform classes or their attributes: they read one :class:`OutputSpec` per
output column of the encoded matrix (``TableTransformer.output_specs``) and one
:class:`ColumnSpec` per table column (``TableTransformer.column_specs``).

- ``OutputKind.CONTINUOUS``: a real-valued output (missing rows are NaN);
- ``OutputKind.DISCRETE``: few distinct values (small integer counts, coarse dates);
- ``OutputKind.CATEGORY``: an encoded category, uniform on (0, 1): category ``k`` owns the interval
  ``[upper[k-1], upper[k])`` whose width is its learned probability;
- ``OutputKind.NULL``: a 0/1 missing-value indicator of the output before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np


class OutputKind(str, Enum):
    """How a model should treat an output's marginal (the values are those stored in model files)."""

    CONTINUOUS = "continuous"
    DISCRETE = "discrete"
    CATEGORY = "uniform01"
    NULL = "null"

    def __str__(self) -> str:  # f"{kind}" gives the stored value, as the plain strings did
        return self.value


@dataclass(frozen=True, eq=False)
class OutputSpec:
    """One float output column of the encoded matrix.

    Attributes
    ----------
    name : str
        The output's name (the column's own name for its first output, ``column#null`` and the
        like for the others).
    column : str
        The table column it encodes.
    kind : OutputKind
        How a model should treat the output's marginal.
    probabilities : numpy.ndarray or None
        ``CATEGORY`` only: the learned probability of each category code ``0..k-1``.
    low, high : float or None
        Bounds of the encoded value a sample may take (the learned [min, max] when the column
        enforces them), else None.
    """

    name: str
    column: str
    kind: OutputKind
    probabilities: np.ndarray | None = None
    low: float | None = None
    high: float | None = None
    _upper: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "kind", OutputKind(self.kind))
        if self.probabilities is not None:
            p = np.array(self.probabilities, dtype=float)  # a copy: the spec does not change with its transform
            upper = np.cumsum(p)
            p.flags.writeable = upper.flags.writeable = False
            object.__setattr__(self, "probabilities", p)
            object.__setattr__(self, "_upper", upper)

    @property
    def is_category(self) -> bool:
        """Whether the output is an encoded category (``kind is OutputKind.CATEGORY``)."""
        return self.kind is OutputKind.CATEGORY

    @property
    def n_categories(self) -> int:
        """The number of categories (0 for outputs that are not categories)."""
        return 0 if self.probabilities is None else len(self.probabilities)

    @property
    def upper(self) -> np.ndarray:
        """Exact upper bound of each category's interval: the cumulative probabilities (the last is ~1).

        Returns
        -------
        numpy.ndarray of shape (n_categories,), read-only
        """
        return self._upper

    def interval(self, code: int) -> tuple[float, float]:
        """The interval ``[low, high)`` of category ``code`` in the encoded (0, 1) space.

        Parameters
        ----------
        code : int
            A category code, ``0 <= code < n_categories``.

        Returns
        -------
        (float, float)
            ``(upper[code - 1], upper[code])``, with 0 below the first category.
        """
        up = self._upper
        return (float(up[code - 1]) if code > 0 else 0.0), float(up[code])

    def midpoints(self) -> np.ndarray:
        """The middle of each category's interval (a representative encoded value per code).

        Returns
        -------
        numpy.ndarray of shape (n_categories,)
        """
        return self._upper - self.probabilities / 2

    def codes(self, u: np.ndarray) -> np.ndarray:
        """Category codes of encoded values, by the exact interval bounds.

        Parameters
        ----------
        u : numpy.ndarray
            Encoded values; those outside (0, 1) go to the first or last category.

        Returns
        -------
        numpy.ndarray of int64, codes ``0..n_categories-1``
        """
        up = self._upper.copy()
        up[-1] = np.inf
        return np.searchsorted(up, np.clip(u, 0.0, 1.0), side="right").clip(0, len(up) - 1)


@dataclass(frozen=True, eq=False)
class ColumnSpec:
    """One table column: what it is and which outputs (if any) encode it.

    ``learned`` columns have outputs that a model learns; the others (ids, PII, free text) have
    none and are generated at decode time. ``positional`` columns (ids) depend on the rows'
    global positions, so a run regenerates them once the final rows are known.

    Attributes
    ----------
    column : str
        The table column.
    sdtype : str
        Its semantic type, as the transform reads it (``numerical``, ``categorical``, ``id`` ...).
    outputs : tuple of OutputSpec
        Its outputs in the encoded matrix, in order (empty for generated columns).
    positional : bool
        Whether its values depend on the rows' global positions (ids).
    """

    column: str
    sdtype: str
    outputs: tuple[OutputSpec, ...]
    positional: bool = False

    @property
    def learned(self) -> bool:
        """Whether a model learns the column (it has outputs); ids, PII and free text are generated."""
        return bool(self.outputs)
