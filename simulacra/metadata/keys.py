"""Primary keys, single or composite, and the checks a table's rows must pass to be related.

A key is one column name (a string, as SDV writes it) or a list of column names (a composite key,
e.g. ``["order_id", "line"]``). :func:`key_columns` gives the columns of either form; a string stays
a string in the metadata dict, a list stays a list.
"""

from __future__ import annotations

import pandas as pd

from ..errors import InvalidDataError, MetadataError
from ..utils.values import to_jsonable
from .sdtypes import PII_SDTYPES

#: sdtypes a single-column primary key may have (a composite key's columns may have any sdtype)
PRIMARY_KEY_SDTYPES = ("id",) + PII_SDTYPES
#: how many example values an error message shows
N_EXAMPLES = 3


def key_columns(key) -> list[str]:
    """The columns of a key: ``[]`` for None, ``[key]`` for a name, the list itself for a composite key."""
    if key is None:
        return []
    if isinstance(key, str):
        return [key]
    return list(key)


def is_composite(key) -> bool:
    """True for a key of several columns given as a list (or tuple)."""
    return isinstance(key, (list, tuple))


def key_text(key) -> str:
    """A key for messages: ``'id'`` or ``['a', 'b']``."""
    return repr(list(key)) if is_composite(key) else repr(key)


def normalize_key(key, where: str):
    """``key`` checked for shape: a non-empty name, or a non-empty list of distinct names (a tuple becomes a list).

    Parameters
    ----------
    key : str or list of str
        The key.
    where : str
        What the key belongs to, for the messages (e.g. ``"table 'orders': primary key"``).

    Returns
    -------
    str or list of str
    """
    if isinstance(key, str) and key:
        return key
    if is_composite(key):
        names = list(key)
        if not names or not all(isinstance(c, str) and c for c in names):
            raise MetadataError(f"{where} {names!r}: a composite key must be a non-empty list of column names")
        if len(set(names)) < len(names):
            raise MetadataError(f"{where} {names!r}: a column appears twice in the key; name each column once")
        return names
    raise MetadataError(f"{where} must be a column name or a list of column names, got {key!r}")


def check_primary_key(tname: str, table: dict, key) -> None:
    """Raise MetadataError unless ``key`` (a name or a list of names) can be the table's primary key.

    A single column must have sdtype 'id' or a PII sdtype; a composite key's columns must exist, and
    none may be the sequence key.
    """
    key = normalize_key(key, f"table {tname!r}: primary key")
    cols = table["columns"]
    missing = [c for c in key_columns(key) if c not in cols]
    if missing:
        raise MetadataError(
            f"table {tname!r}: cannot set primary key {key_text(key)}: no column named "
            f"{', '.join(map(repr, missing))}; columns: {', '.join(map(repr, cols))}"
        )
    if not is_composite(key) and cols[key]["sdtype"] not in PRIMARY_KEY_SDTYPES:
        raise MetadataError(
            f"table {tname!r}: cannot make {key!r} the primary key: its sdtype is {cols[key]['sdtype']!r}; a key must "
            f"be 'id' or a PII sdtype (update_column({key!r}, table_name={tname!r}, sdtype='id') first)"
        )
    seq = table.get("sequence_key")
    if seq is not None and seq in key_columns(key):
        raise MetadataError(
            f"table {tname!r}: cannot make {key_text(key)} the primary key: "
            + ("it" if seq == key else f"its column {seq!r}")
            + " is the sequence key (its values repeat); set_sequence_key(None) first or pick another column"
        )


def primary_key_arguments(tables: dict, column_name, table_name) -> tuple:
    """``set_primary_key``'s ``(column_name, table_name)``, in SDV 2's order or SDV 1's multi-table one.

    SDV 2 writes ``set_primary_key('user_id', 'users')`` (or keywords, or a list for a composite key);
    SDV 1's multi-table metadata wrote ``set_primary_key('users', 'user_id')`` (table first). The second
    is recognised when the first argument names a table, not a column of it, and the second a column
    (or columns) of that table.
    """
    if (
        isinstance(column_name, str)
        and column_name in tables
        and table_name not in tables
        and table_name is not None
        and column_name not in tables[column_name]["columns"]
        and all(isinstance(c, str) and c in tables[column_name]["columns"] for c in key_columns(table_name))
    ):
        return table_name, column_name
    return column_name, table_name


def _examples(values) -> str:
    def one(v):
        return [to_jsonable(x) for x in v] if isinstance(v, tuple) else to_jsonable(v)

    return ", ".join(repr(one(v)) for v in list(values)[:N_EXAMPLES])


def check_table_rows(tname: str, table: dict, df: pd.DataFrame) -> None:
    """Raise InvalidDataError if a table to relate has no rows, or its primary key has missing or repeated values.

    Parameters
    ----------
    tname : str
        The table's name, for the messages.
    table : dict
        The table's metadata.
    df : pandas.DataFrame
        Its data (with the columns the metadata names).
    """
    if len(df) == 0:
        raise InvalidDataError(
            f"table {tname!r} has no rows; a synthesizer learns from rows: pass its data, or remove_table({tname!r}) "
            "from the metadata"
        )
    pk = table.get("primary_key")
    cols = key_columns(pk)
    if not cols or any(c not in df.columns for c in cols):
        return
    frame = df[cols]
    missing = frame.isna().any(axis=1).to_numpy()
    if missing.any():
        bad = [c for c in cols if frame[c].isna().any()]
        raise InvalidDataError(
            f"table {tname!r}, primary key {key_text(pk)}: {int(missing.sum())} row(s) have no value in "
            f"{', '.join(map(repr, bad))} (e.g. row(s) {_examples(df.index[missing])}); a primary key identifies "
            "every row: fill those values, drop those rows, or choose another key (set_primary_key)"
        )
    dup = frame.duplicated(keep=False).to_numpy()
    if dup.any():
        repeated = frame[dup].drop_duplicates()
        head = repeated.head(N_EXAMPLES)
        examples = head[cols[0]] if len(cols) == 1 else list(head.itertuples(index=False, name=None))
        raise InvalidDataError(
            f"table {tname!r}, primary key {key_text(pk)}: {len(repeated)} value(s) appear more than once "
            f"(e.g. {_examples(examples)}); a primary key is unique: drop the duplicates or choose another key "
            "(set_primary_key)"
        )
