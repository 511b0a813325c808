"""Dtype names read back from a model file.

A model file's checksum proves nothing about its author, so a dtype name that a component
restores and casts values to is checked first: ``"V8"`` (void), ``"<U1"`` / ``"S1"`` (fixed-width
text or bytes, which cut values) or a complex dtype would silently change the values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["as_dtype", "check_value_dtype", "dtype_name", "is_text_dtype"]

# pandas 3's default text dtype: StringDtype(na_value=np.nan), named "str" (pandas 2 reads "str" as numpy's "<U")
_STR = "str"


def dtype_name(dtype) -> str:
    """A name that :func:`pandas.api.types.pandas_dtype` turns back into ``dtype``.

    Parameters
    ----------
    dtype : dtype
        A column's dtype.

    Returns
    -------
    str
        ``str(dtype)``, except for text: ``"string[python]"`` / ``"string[pyarrow]"`` for the
        ``pd.NA`` string dtypes (which keep their storage), ``"str"`` for pandas 3's default text
        dtype (``StringDtype(na_value=np.nan)``, whatever its storage).
    """
    if isinstance(dtype, pd.StringDtype):
        if _nan_string(dtype):
            return _STR
        return f"string[{dtype.storage}]"
    return str(dtype)


def as_dtype(name: str):
    """The dtype :func:`dtype_name` named: ``pandas_dtype(name)``, except ``"str"`` on pandas 2.

    Parameters
    ----------
    name : str
        A dtype name (from :func:`dtype_name` or a model file).

    Returns
    -------
    dtype
        For ``"str"``: ``StringDtype(na_value=np.nan)`` (pandas 3's text dtype; pandas 2.3 has it
        too), or object where this pandas cannot make it; else ``pandas_dtype(name)``.

    Raises
    ------
    TypeError
        When pandas does not know the name.
    """
    if name == _STR:
        try:
            return pd.StringDtype(na_value=np.nan)
        except TypeError:  # pandas < 2.3
            return np.dtype(object)
    return pd.api.types.pandas_dtype(name)


def _nan_string(dtype) -> bool:
    na = getattr(dtype, "na_value", pd.NA)
    return na is not pd.NA and isinstance(na, float) and np.isnan(na)


def is_text_dtype(dtype) -> bool:
    """Whether ``dtype`` holds text as pandas stores it: object or any ``StringDtype`` (pandas 3's ``str``)."""
    return isinstance(dtype, pd.StringDtype) or np.dtype(object) == dtype


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
    if name == _STR:  # pandas 3's text dtype (pandas 2 reads it as numpy "<U", which would be refused below)
        return name
    try:
        dt = pd.api.types.pandas_dtype(name)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {name[:40]!r} is not a dtype name") from None
    if getattr(dt, "kind", "O") in "VSUc":
        raise ValueError(f"{what} {name[:40]!r} cannot hold the column's values")
    return name
