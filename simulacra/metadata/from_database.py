"""Metadata of a whole database: column sdtypes detected from the data, keys and relationships read
from the database's own PRIMARY KEY and FOREIGN KEY constraints (never guessed).

``Metadata.detect_from_database(url)`` calls :func:`metadata_from_database`.
"""

from __future__ import annotations

import warnings

from ..errors import MetadataError
from ..io.reflect import read_database, reflect_schema
from .metadata import Metadata
from .tables import KEY_SDTYPES


def _key(cols: list):
    """One column as its name, several as a list (a composite key)."""
    return cols[0] if len(cols) == 1 else list(cols)


def _make_key_sdtype(md: Metadata, table: str, column: str, sdtype: str | None = None) -> None:
    """Give a key column the sdtype ``sdtype`` (default: keep a key sdtype, else 'id')."""
    now = md.tables[table]["columns"][column]["sdtype"]
    want = sdtype or (now if now in KEY_SDTYPES else "id")
    if now != want:
        md.update_column(column, table_name=table, sdtype=want)


def metadata_from_database(url: str, tables=None, schema: str | None = None, data: dict | None = None) -> Metadata:
    """Detect the metadata of a database's tables, with its keys and relationships from its constraints.

    Each table's columns are detected from its rows (as :meth:`Metadata.detect_table_from_dataframe`
    does); each PRIMARY KEY becomes the table's primary key and each FOREIGN KEY that refers to a
    primary key of a table read becomes a relationship (composite keys as lists of columns,
    self-references included). Key columns get sdtype 'id' (a PII sdtype detected on a primary
    key is kept, and its foreign keys get the same one).

    Parameters
    ----------
    url : str
        A SQLAlchemy URL (``sqlite:///file.db``, ``postgresql://user@host/db``, ...).
    tables : list of str, optional
        Only these tables (default: every table; views are skipped). A foreign key to a table
        left out is not a relationship (a warning names it).
    schema : str, optional
        The database schema to read (default: the connection's default schema).
    data : dict, optional
        ``{table: DataFrame}`` already read with :func:`simulacra.io.read_database` (not read again).

    Returns
    -------
    Metadata

    Warns
    -----
    UserWarning
        For a constraint that the metadata cannot hold (a foreign key to a table not read, or to
        columns that are not its primary key, or one the metadata refuses); it is left out.
    """
    schema_info = reflect_schema(url, tables, schema=schema)["tables"]
    if data is None:
        data = read_database(url, list(schema_info), schema=schema)
    md = Metadata()
    for name in schema_info:
        md.detect_table_from_dataframe(name, data[name], infer_keys=None)
    for name, info in schema_info.items():
        pk = info["primary_key"]
        if not pk:
            continue
        try:
            for c in pk:
                _make_key_sdtype(md, name, c)
            md.set_primary_key(_key(pk), table_name=name)
        except (MetadataError, TypeError) as e:
            warnings.warn(f"table {name!r}: its primary key {pk} is left out of the metadata: {e}", stacklevel=2)
    for name, info in schema_info.items():
        for fk in info["foreign_keys"]:
            _relate(md, name, fk)
    return md


def _relate(md: Metadata, child: str, fk: dict) -> None:
    parent, cols, refs = fk["referred_table"], fk["constrained_columns"], fk["referred_columns"]
    what = f"the foreign key {child}{cols} -> {parent}{refs}"
    if parent not in md.tables:
        for c in cols:  # still a key: its values name rows of another table
            _make_key_sdtype(md, child, c)
        warnings.warn(f"{what} is not a relationship: table {parent!r} was not read", stacklevel=3)
        return
    pk = md.tables[parent].get("primary_key")
    pk_cols = [pk] if isinstance(pk, str) else list(pk or [])
    if pk_cols != list(refs):
        warnings.warn(
            f"{what} is not a relationship: it refers to {refs}, not to the primary key {pk_cols} of {parent!r}",
            stacklevel=3,
        )
        return
    try:
        for c, r in zip(cols, refs):
            _make_key_sdtype(md, child, c, md.tables[parent]["columns"][r]["sdtype"])
        md.add_relationship(
            parent_table_name=parent, child_table_name=child, parent_primary_key=pk, child_foreign_key=_key(cols)
        )
    except (MetadataError, TypeError) as e:
        warnings.warn(f"{what} is left out of the metadata: {e}", stacklevel=3)
