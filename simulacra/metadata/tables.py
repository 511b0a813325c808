"""One table's metadata: its columns, its keys, its sequence columns, and the keys it keeps as they are.

A table is a plain dict in SDV's layout: ``{"columns": {name: {"sdtype": ...}}, "primary_key": ...}``,
with ``"sequence_key"``, ``"sequence_index"``, ``"alternate_keys"`` and ``"column_relationships"``
when set, and any other key (SDV's or a user's) kept and written back unchanged.
"""

from __future__ import annotations

import copy

from ..errors import InvalidDataError, MetadataError, ParameterError
from ..utils.regex import parse_regex
from .keys import key_columns, key_text, normalize_key
from .sdtypes import NUMERICAL_REPRESENTATIONS, PII_SDTYPES, canonical_sdtype

#: sdtypes a key column (primary, sequence or alternate key) may have
KEY_SDTYPES = ("id",) + PII_SDTYPES
#: sdtypes a sequence index may have
SEQUENCE_INDEX_SDTYPES = ("numerical", "datetime")
#: table-level keys simulacra reads; any other is kept as it is
KNOWN_TABLE_KEYS = (
    "columns",
    "primary_key",
    "sequence_key",
    "sequence_index",
    "alternate_keys",
    "column_relationships",
)

_ALLOWED_KEYS = {
    "numerical": {"sdtype", "computer_representation", "range_min", "range_max", "decimal_places"},
    "categorical": {"sdtype", "order", "order_by"},
    "boolean": {"sdtype"},
    "datetime": {"sdtype", "datetime_format", "range_min", "range_max"},
    "id": {"sdtype", "regex_format"},
    "text": {"sdtype", "regex_format"},
    "unknown": {"sdtype", "pii"},
}


def table_from_dict(t, name) -> dict:
    """A table's metadata dict checked for shape (not for meaning: see :func:`check_table`).

    Parameters
    ----------
    t : dict
        The table as written in a metadata file.
    name : str
        The table's name, for the messages.

    Returns
    -------
    dict
        ``columns`` (sdtypes in their canonical spelling) and ``primary_key`` first, then every other
        key of ``t`` in its order, unchanged.
    """
    if not isinstance(t, dict) or not isinstance(t.get("columns"), dict):
        raise MetadataError(f"table {name!r}: metadata needs a 'columns' dict")
    cols = {}
    for c, m in t["columns"].items():
        if not isinstance(m, dict) or "sdtype" not in m:
            raise MetadataError(f"column {c!r} of table {name!r}: needs a dict with an 'sdtype'")
        m = dict(m)
        m["sdtype"] = canonical_sdtype(m["sdtype"])
        cols[str(c)] = m
    pk = t.get("primary_key")
    if pk is not None:
        pk = normalize_key(pk, f"table {name!r}: primary_key")
    out = {"columns": cols, "primary_key": pk}
    for key, value in t.items():
        if key not in out and key != "METADATA_SPEC_VERSION":  # SDV 1 wrote it in each table of a multi-table file
            out[key] = copy.deepcopy(value)
    for key in ("sequence_key", "sequence_index"):
        value = out.get(key)
        if value is not None and not isinstance(value, str):
            raise MetadataError(
                f"table {name!r}: {key} must be a column name, got {value!r}"
                + (" (composite keys are not supported)" if isinstance(value, (list, tuple)) else "")
            )
    for key in ("alternate_keys", "column_relationships"):
        if key in out and not isinstance(out[key], list):
            raise MetadataError(f"table {name!r}: {key} must be a list, got {type(out[key]).__name__}")
    return out


def check_column(name, m: dict) -> None:
    """Raise MetadataError if a column's metadata has an unknown sdtype, an unknown option or a bad value."""
    if not isinstance(m, dict) or "sdtype" not in m:
        raise MetadataError(f"column {name!r} needs an 'sdtype'")
    sdtype = canonical_sdtype(m["sdtype"])
    allowed = _ALLOWED_KEYS.get(sdtype, {"sdtype", "pii", "locales"})
    allowed = allowed | {"pii", "range_is_nullable"}  # SDV 2.0 writes range_is_nullable on many columns
    bad = set(m) - allowed
    if bad:
        raise MetadataError(
            f"column {name!r} ({sdtype}): unknown option(s) {', '.join(sorted(bad))}; allowed: {', '.join(sorted(allowed))}"
        )
    if sdtype == "numerical" and "computer_representation" in m:
        if m["computer_representation"] not in NUMERICAL_REPRESENTATIONS:
            raise MetadataError(
                f"column {name!r}: computer_representation {m['computer_representation']!r} is not one of "
                f"{', '.join(NUMERICAL_REPRESENTATIONS)}"
            )
    if sdtype == "datetime" and m.get("datetime_format") is not None:
        fmt = m["datetime_format"]
        if not isinstance(fmt, str) or "%" not in fmt:
            raise MetadataError(f"column {name!r}: datetime_format {fmt!r} is not a strftime format like '%Y-%m-%d'")
    if "regex_format" in m:
        try:
            parse_regex(m["regex_format"])
        except ParameterError as e:
            raise MetadataError(f"column {name!r}: {e}") from None


def updated_column(name, old: dict, options: dict) -> dict:
    """A column's metadata with ``options`` applied: a new ``sdtype`` starts afresh, other options update ``old``."""
    new = {} if "sdtype" in options else dict(old)
    new.update(options)
    new["sdtype"] = canonical_sdtype(new["sdtype"]) if "sdtype" in options else old["sdtype"]
    check_column(name, new)
    return new


def check_key(tname: str, table: dict, role: str, column) -> None:
    """Raise MetadataError unless ``column`` can be the ``role`` of the table.

    Parameters
    ----------
    tname : str
        The table's name, for the messages.
    table : dict
        The table's metadata.
    role : {'sequence_key', 'sequence_index'}
        What the column is to be.
    column : str
        The column's name.
    """
    what = role.replace("_", " ")
    setter = f"set_{role}"
    if not isinstance(column, str):
        raise MetadataError(
            f"table {tname!r}: the {what} must be one column name, got {column!r}"
            + (" (composite keys are not supported)" if isinstance(column, (list, tuple)) else "")
        )
    cols = table["columns"]
    if column not in cols:
        raise MetadataError(
            f"table {tname!r}: {what} {column!r} is not one of its columns; "
            f"{setter}() takes one of: {', '.join(map(repr, cols))}"
        )
    sdtype = cols[column]["sdtype"]
    if role == "sequence_key":
        if sdtype not in KEY_SDTYPES:
            raise MetadataError(
                f"table {tname!r}: sequence key {column!r} has sdtype {sdtype!r}; a sequence key must be 'id' or a "
                f"PII sdtype (update_column({column!r}, sdtype='id') first)"
            )
        if table.get("primary_key") == column:
            raise MetadataError(
                f"table {tname!r}: {column!r} is the primary key, so it cannot be the sequence key (a sequence key "
                "repeats: it names the entity each row belongs to); remove the primary key or pick another column"
            )
    else:
        if sdtype not in SEQUENCE_INDEX_SDTYPES:
            raise MetadataError(
                f"table {tname!r}: sequence index {column!r} has sdtype {sdtype!r}; a sequence index must be "
                "'numerical' or 'datetime' (it orders the rows of each sequence)"
            )
        if table.get("sequence_key") == column:
            raise MetadataError(
                f"table {tname!r}: {column!r} is the sequence key; the sequence index must be another column"
            )


def check_alternate_keys(tname: str, table: dict, keys) -> None:
    """Raise MetadataError unless ``keys`` is a list of key columns (or lists of columns) other than the primary key."""
    if not isinstance(keys, list):
        raise MetadataError(f"table {tname!r}: alternate_keys must be a list of column names, got {keys!r}")
    cols = table["columns"]
    for key in keys:
        names = key if isinstance(key, list) else [key]
        if not names or not all(isinstance(c, str) for c in names):
            raise MetadataError(f"table {tname!r}: alternate key {key!r} is not a column name (or a list of them)")
        missing = [c for c in names if c not in cols]
        if missing:
            raise MetadataError(
                f"table {tname!r}: alternate key column(s) {', '.join(map(repr, missing))} are not among its columns"
            )
        if not any(cols[c]["sdtype"] in KEY_SDTYPES for c in names):
            raise MetadataError(
                f"table {tname!r}: alternate key {key!r} has no column of sdtype 'id' or a PII sdtype; "
                "update_column(..., sdtype='id') first"
            )
        if key == table.get("primary_key"):
            raise MetadataError(f"table {tname!r}: {key!r} is the primary key already; it cannot be an alternate key")


def check_table(tname: str, table: dict) -> None:
    """Raise MetadataError naming the first problem of one table's metadata, if any."""
    cols = table.get("columns")
    if not isinstance(cols, dict) or not cols:
        raise MetadataError(f"table {tname!r} has no columns")
    for c, m in cols.items():
        check_column(c, m)
    pk = table.get("primary_key")
    if pk is not None:
        pk = normalize_key(pk, f"table {tname!r}: primary key")
        missing = [c for c in key_columns(pk) if c not in cols]
        if missing:
            raise MetadataError(
                f"table {tname!r}: primary key {key_text(pk)}: {', '.join(map(repr, missing))} is not one of its columns"
            )
        if isinstance(pk, str) and cols[pk]["sdtype"] not in KEY_SDTYPES:
            raise MetadataError(
                f"table {tname!r}: primary key {pk!r} has sdtype {cols[pk]['sdtype']!r}; a key must be 'id' or a PII sdtype"
            )
    for role in ("sequence_key", "sequence_index"):
        if table.get(role) is not None:
            check_key(tname, table, role, table[role])
    if "alternate_keys" in table:
        check_alternate_keys(tname, table, table["alternate_keys"])
    for rel in table.get("column_relationships", []):
        names = rel.get("column_names") if isinstance(rel, dict) else None
        if not isinstance(rel, dict) or not isinstance(rel.get("type"), str) or not isinstance(names, list):
            raise MetadataError(
                f"table {tname!r}: column relationship {rel!r} must be a dict with a 'type' and a 'column_names' list"
            )
        missing = [c for c in names if c not in cols]
        if missing:
            raise MetadataError(
                f"table {tname!r}: column relationship {rel['type']!r} names column(s) "
                f"{', '.join(map(repr, missing))} that the table does not have"
            )


def roles_lost(table: dict, column: str, sdtype: str) -> list[str]:
    """The keys of ``table`` that ``column`` holds and could not hold with sdtype ``sdtype``."""
    lost = []
    if table.get("sequence_key") == column and sdtype not in KEY_SDTYPES:
        lost.append("sequence_key")
    if table.get("sequence_index") == column and sdtype not in SEQUENCE_INDEX_SDTYPES:
        lost.append("sequence_index")
    if column in table.get("alternate_keys", []) and sdtype not in KEY_SDTYPES:
        lost.append("alternate_keys")
    return lost


def drop_column_roles(table: dict, column: str, roles=None) -> None:
    """Remove ``column`` from the table's sequence key, sequence index, alternate keys and column relationships.

    ``roles`` limits this to those keys (default: all of them, for a column that is removed).
    """
    roles = ("sequence_key", "sequence_index", "alternate_keys", "column_relationships") if roles is None else roles
    for role in ("sequence_key", "sequence_index"):
        if role in roles and table.get(role) == column:
            del table[role]
    if "alternate_keys" in roles and "alternate_keys" in table:
        table["alternate_keys"] = [k for k in table["alternate_keys"] if k != column]
    if "column_relationships" in roles and "column_relationships" in table:
        table["column_relationships"] = [
            r
            for r in table["column_relationships"]
            if not (isinstance(r, dict) and column in (r.get("column_names") or []))
        ]


#: the keys the plain-text view names beside a table's name
KEY_LABELS = (("primary key", "primary_key"), ("sequence key", "sequence_key"), ("sequence index", "sequence_index"))


def table_text(tname: str, table: dict, details: bool) -> list[str]:
    """Lines of the plain-text view of one table (``Metadata.visualize``)."""
    keys = [(what, table.get(key)) for what, key in KEY_LABELS if table.get(key)]
    keys = [(w, ", ".join(v) if isinstance(v, list) else v) for w, v in keys]
    lines = [f"Table {tname}" + (f" ({', '.join(f'{w}: {v}' for w, v in keys)})" if keys else "")]
    if details:
        for c, m in table["columns"].items():
            extra = ", ".join(f"{k}={v}" for k, v in m.items() if k != "sdtype")
            lines.append(f"  {c}: {m['sdtype']}" + (f" ({extra})" if extra else ""))
    return lines


def check_frame_columns(cols: dict, data) -> None:
    """Raise unless the DataFrame ``data`` has exactly the columns ``cols`` describes (in any order)."""
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise InvalidDataError(f"expected a pandas DataFrame, got {type(data).__name__}")
    names = [str(c) for c in data.columns]
    missing = [c for c in cols if c not in names]
    if missing:
        raise MetadataError(
            f"the metadata names column(s) {', '.join(map(repr, missing))} that the data does not have; "
            "fix the metadata or pass the right table"
        )
    extra = [c for c in names if c not in cols]
    if extra:
        raise MetadataError(
            f"the data has column(s) {', '.join(map(repr, extra))} that the metadata does not describe; "
            "add them with add_column or detect the metadata again"
        )
