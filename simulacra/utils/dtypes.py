"""Dtype names read back from a model file.

A model file's checksum proves nothing about its author, so a dtype name that a component
restores and casts values to is checked first: ``"V8"`` (void), ``"<U1"`` / ``"S1"`` (fixed-width
text or bytes, which cut values) or a complex dtype would silently change the values.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["check_value_dtype"]


def check_value_dtype(name, what: str = "dtype") -> str:
    """The dtype name ``name`` if pandas knows it and it holds whole values.

    Parameters
    ----------
    name : object
        A dtype name from a model file (turned into text first).
    what : str, default "dtype"
        How the error message names the field, e.g. ``"constraint dtype"``.

    Returns
    -------
    str
        ``name`` as text.

    Raises
    ------
    ValueError
        ``"<what> '<name>' is not a dtype name"`` when pandas does not know it, or
        ``"<what> '<name>' cannot hold the column's values"`` for void, fixed-width text or bytes,
        and complex dtypes. A model loader turns it into a ``ModelFileError``.
    """
    name = str(name)
    try:
        dt = pd.api.types.pandas_dtype(name)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {name[:40]!r} is not a dtype name") from None
    if getattr(dt, "kind", "O") in "VSUc":
        raise ValueError(f"{what} {name[:40]!r} cannot hold the column's values")
    return name
