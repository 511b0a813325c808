"""Checks of related tables' data against their metadata: every table given, keys of one kind, no orphan.

:func:`check_tables_data` is what ``Metadata.validate_data({name: DataFrame})`` runs after each
table's columns are checked: each table has rows and a unique, complete primary key
(:func:`~simulacra.metadata.keys.check_table_rows`), each relationship's tables are given, a foreign key
holds values of the same kind as its primary key (numbers, text, dates), and every foreign key value
is a key of its parent (or missing).
"""

from __future__ import annotations

import pandas as pd

from ..errors import InvalidDataError
from ..utils.values import to_jsonable
from .keys import N_EXAMPLES, check_table_rows, key_columns
from .relationships import RELATIONSHIP_KEYS, describe

#: how many non-missing values :func:`value_kind` looks at in an object column
_SAMPLE = 2000


def value_kind(s: pd.Series) -> str:
    """What a key column holds: ``'number'``, ``'text'``, ``'datetime'``, ``'bool'``, ``'empty'`` or ``'mixed'``."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(s.dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "datetime"
    nonnull = s.dropna()
    if len(nonnull) == 0:
        return "empty"
    kind = pd.api.types.infer_dtype(nonnull.iloc[:_SAMPLE], skipna=True)
    if kind in ("string", "unicode", "bytes"):
        return "text"
    if kind in ("integer", "floating", "decimal", "mixed-integer-float"):
        return "number"
    if kind in ("datetime", "datetime64", "date"):
        return "datetime"
    return "bool" if kind == "boolean" else "mixed"


def _jsonable(v):
    return [to_jsonable(x) for x in v] if isinstance(v, tuple) else to_jsonable(v)


def _examples(values) -> str:
    return ", ".join(repr(_jsonable(v)) for v in list(values)[:N_EXAMPLES])


def check_tables_given(tables: dict, relationships: list, data: dict) -> None:
    """Raise InvalidDataError if a table of the metadata, or one a relationship names, is not in ``data``."""
    for rel in relationships:
        for role in ("parent", "child"):
            name = rel[f"{role}_table_name"]
            if name not in data:
                other = rel["child_table_name" if role == "parent" else "parent_table_name"]
                raise InvalidDataError(
                    f"the data has no table {name!r}, the {role} table of {describe(rel)} ({other!r} "
                    f"{'references it' if role == 'parent' else 'is its parent'}); pass every table of the metadata "
                    f"as {{name: DataFrame}}, or remove_relationship({rel['parent_table_name']!r}, "
                    f"{rel['child_table_name']!r}) first"
                )
    missing = [t for t in tables if t not in data]
    if missing:
        raise InvalidDataError(
            f"the data has no table(s) {', '.join(map(repr, missing))}; pass every table of the metadata "
            f"({', '.join(map(repr, tables))}) as {{name: DataFrame}}"
        )


def check_key_kinds(rel: dict, data: dict) -> None:
    """Raise InvalidDataError if a foreign key column holds other values than its primary key (e.g. text vs int)."""
    p, c, pk, fk = (rel[k] for k in RELATIONSHIP_KEYS)
    for pcol, fcol in zip(key_columns(pk), key_columns(fk)):
        child, parent = data[c][fcol], data[p][pcol]
        ck, pk_kind = value_kind(child), value_kind(parent)
        if "empty" in (ck, pk_kind) or ck == pk_kind:
            continue
        raise InvalidDataError(
            f"table {c!r}, column {fcol!r}: the foreign key holds {ck} values ({child.dtype}, e.g. "
            f"{_examples(pd.unique(child.dropna()))}) and the primary key {pcol!r} of the parent table {p!r} holds "
            f"{pk_kind} values ({parent.dtype}, e.g. {_examples(pd.unique(parent.dropna()))}) in {describe(rel)}; "
            "keys of two kinds never match: read both alike (e.g. dtype=str for both when reading the files)"
        )


def _key_index(df: pd.DataFrame, cols: list[str]) -> pd.Index:
    if len(cols) == 1:
        return pd.Index(df[cols[0]])
    return pd.MultiIndex.from_frame(df[cols])


def check_references(relationships: list, data: dict) -> None:
    """Raise InvalidDataError if a foreign key value of ``data`` is not a key of its parent.

    A foreign key with a missing value (in any of its columns, for a composite key) has no parent,
    which is allowed. Relationships whose tables are not both in ``data`` are skipped.

    Parameters
    ----------
    relationships : list
        The relationships.
    data : dict
        ``{table_name: DataFrame}``.
    """
    for rel in relationships:
        p, c, pk, fk = (rel[k] for k in RELATIONSHIP_KEYS)
        if p not in data or c not in data:
            continue
        fcols, pcols = key_columns(fk), key_columns(pk)
        child = data[c][fcols].dropna()
        parent = data[p][pcols].dropna()
        parent_keys = _key_index(parent, pcols).unique()
        known = _key_index(child, fcols).isin(parent_keys)
        unknown = ~known
        n = int(unknown.sum())
        if n == 0:
            continue
        bad = child[unknown]
        if len(fcols) == 1:
            examples = pd.unique(bad[fcols[0]])
        else:
            examples = list(bad.drop_duplicates().head(N_EXAMPLES).itertuples(index=False, name=None))
        hint = ""
        if len(fcols) == 1 and child[fcols[0]].dtype != parent[pcols[0]].dtype:
            hint = (
                f" (the foreign key holds {child[fcols[0]].dtype} values, the primary key {parent[pcols[0]].dtype}: "
                "read both alike)"
            )
        fk_text = repr(fk) if isinstance(fk, str) else repr(list(fk))
        pk_text = repr(pk) if isinstance(pk, str) else repr(list(pk))
        raise InvalidDataError(
            f"table {c!r}, column {fk_text}: {n} value(s) are not in the primary key {pk_text} of the parent table "
            f"{p!r} (e.g. {_examples(examples)}){hint}; drop those rows, set those values to missing, or add the "
            "parent rows"
        )


def check_tables_data(tables: dict, relationships: list, data: dict) -> None:
    """Raise InvalidDataError naming the first problem of related tables' data (see the module's docstring).

    Each table's columns are checked before (``Metadata.validate_data``).

    Parameters
    ----------
    tables : dict
        ``{table_name: table metadata}``.
    relationships : list
        The relationships.
    data : dict
        ``{table_name: DataFrame}``.
    """
    check_tables_given(tables, relationships, data)
    for name, df in data.items():
        check_table_rows(name, tables[name], df)
    for rel in relationships:
        check_key_kinds(rel, data)
    check_references(relationships, data)
