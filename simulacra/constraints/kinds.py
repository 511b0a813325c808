"""What kinds of columns a built-in constraint can read: sdtypes in the metadata, values in the data.

Messages name the constraint, the column and its kind, never the column's values.
"""

from __future__ import annotations

import pandas as pd

from ..errors import ConstraintError

#: inferred value kinds (``pandas.api.types.infer_dtype``) that ``float`` reads as numbers
_NUMBER_KINDS = frozenset({"integer", "floating", "mixed-integer-float", "boolean", "empty"})

#: what each value kind is called in a message
_KIND_TEXT = {"string": "text", "mixed": "mixed values", "datetime": "date objects", "bytes": "bytes"}


def require_sdtypes(constraint, columns_meta: dict, columns, allowed: tuple[str, ...]) -> None:
    """A ConstraintError unless each of ``columns`` has one of the ``allowed`` sdtypes in ``columns_meta``.

    Parameters
    ----------
    constraint : Constraint
        Named in the message.
    columns_meta : dict
        ``{column: column metadata}``; a column missing from it is not checked here.
    columns : iterable of str
        The columns to check.
    allowed : tuple of str
        The sdtypes that work.
    """
    for col in columns:
        if col not in columns_meta:
            continue
        sdtype = columns_meta[col].get("sdtype")
        if sdtype not in allowed:
            raise ConstraintError(
                f"{constraint}: column {col!r} is {sdtype!r} in the metadata; "
                f"{type(constraint).__name__} needs {' or '.join(allowed)} columns"
            )


def value_kind(s: pd.Series) -> str:
    """``"number"``, ``"datetime"`` (a datetime64 dtype) or what else the column holds (``"text"`` ...)."""
    dtype = s.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        inferred = pd.api.types.infer_dtype(dtype.categories, skipna=True)
        return "number" if inferred in _NUMBER_KINDS else f"categories of {_KIND_TEXT.get(inferred, inferred)}"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    inferred = pd.api.types.infer_dtype(s, skipna=True)
    return "number" if inferred in _NUMBER_KINDS else _KIND_TEXT.get(inferred, inferred)


def require_values(constraint, data: pd.DataFrame, columns, allowed: tuple[str, ...], hint: str = "") -> list[str]:
    """A short ConstraintError unless each of ``columns`` of ``data`` holds values of an ``allowed`` kind.

    Parameters
    ----------
    constraint : Constraint
        Named in the message.
    data : pandas.DataFrame
        The real table.
    columns : iterable of str
        The columns to check.
    allowed : tuple of str
        Kinds from :func:`value_kind` that work (``"number"``, ``"datetime"``).
    hint : str, optional
        Appended to the message (what to do).

    Returns
    -------
    list of str
        The kind of each column, in order.
    """
    kinds = []
    for col in columns:
        kind = value_kind(data[col])
        if kind not in allowed:
            names = {"number": "numbers", "datetime": "datetimes"}
            raise ConstraintError(
                f"{constraint}: column {col!r} holds {kind} (dtype {data[col].dtype}), not "
                f"{' or '.join(names.get(a, a) for a in allowed)}{hint}"
            )
        kinds.append(kind)
    return kinds
