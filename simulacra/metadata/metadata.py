"""``Metadata``: what each column of each table is, the tables' keys and the relationships between them.

The JSON format is SDV's: ``{"METADATA_SPEC_VERSION": "V1", "tables": {name: {"columns": {...},
"primary_key": ..., "sequence_key": ..., "sequence_index": ...}}, "relationships": [{"parent_table_name",
"child_table_name", "parent_primary_key", "child_foreign_key"}]}``; SDV 1's single-table dict
(``{"columns": ...}``) is read too. Keys simulacra does not use (``alternate_keys``,
``column_relationships``, a user's own) are kept and written back unchanged.
"""

from __future__ import annotations

import copy
import functools
import json
import warnings
from pathlib import Path

from ..errors import InvalidDataError, MetadataError
from ..utils.validation import check_bool
from . import relationships as rels
from .data_checks import check_tables_data, check_tables_given
from .foreign_keys import detect_foreign_keys, values_overlap
from .keys import check_primary_key, key_columns, normalize_key, primary_key_arguments
from .schema_svg import SchemaView, schema_svg
from .sdtypes import canonical_sdtype
from .sequences import propose_sequence
from .serialize import (
    DEFAULT_TABLE,
    SPEC_VERSION,
    metadata_dict,
    metadata_text,
    parse_metadata_dict,
    read_json,
    write_json,
)
from .tables import (
    KEY_SDTYPES,
    check_alternate_keys,
    check_column,
    check_frame_columns,
    check_key,
    check_table,
    drop_column_roles,
    roles_lost,
    updated_column,
)

__all__ = ["Metadata", "SingleTableMetadata", "SPEC_VERSION", "DEFAULT_TABLE"]


class _hybridmethod:
    """A method that works on the class (returns a new object) and on an instance (fills it)."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __get__(self, obj, cls):
        target = obj if obj is not None else cls
        return functools.wraps(self.fn)(lambda *a, **k: self.fn(target, *a, **k))


class Metadata:
    """Column types (sdtypes) and keys of one or more tables, and the relationships between them.

    Create it with :meth:`detect_from_dataframe` (or SDV 2's :meth:`detect_from_dataframes`),
    adjust it with :meth:`update_column`, :meth:`set_primary_key`, :meth:`set_sequence_key`,
    :meth:`set_sequence_index` and :meth:`add_relationship`, check it with :meth:`validate`, and keep it
    with :meth:`save_to_json` / :meth:`load_from_json`. :meth:`get_table_metadata` gives one table's
    metadata, for a single-table synthesizer.
    """

    def __init__(self):
        self.tables: dict[str, dict] = {}
        self.relationships: list[dict] = []
        self._extra: dict = {}  # top-level keys simulacra does not use, written back unchanged

    # ------------------------------------------------------------------ creation
    @_hybridmethod
    def detect_from_dataframe(
        cls_or_self, data, table_name: str = DEFAULT_TABLE, infer_sdtypes: bool = True, infer_keys="primary_only"
    ) -> "Metadata":
        """Detect the metadata of one DataFrame.

        Parameters
        ----------
        data : pandas.DataFrame
            The real table.
        table_name : str
            Name under which the table is stored.
        infer_sdtypes : bool, default True
            Detect each column's sdtype; False leaves them all 'unknown' (to set by hand).
        infer_keys : {'primary_only', None}
            Detect the primary key (without one, a sequence key and index: ``sequences.detect_sequence``), or not.

        Returns
        -------
        Metadata
        """
        rels.check_detection_options(infer_keys, allowed=("primary_only", None))
        # SDV 1: md = SingleTableMetadata(); md.detect_from_dataframe(data) fills md itself
        md = cls_or_self() if isinstance(cls_or_self, type) else cls_or_self
        md.detect_table_from_dataframe(table_name, data, infer_sdtypes, infer_keys)
        if infer_sdtypes and infer_keys:  # a panel (entities x time) gets its sequence key and index
            propose_sequence(md.tables[str(table_name)], data)
        return md

    @_hybridmethod
    def detect_from_dataframes(
        cls_or_self,
        data: dict,
        infer_sdtypes: bool = True,
        infer_keys="primary_and_foreign",
        foreign_key_inference_algorithm="column_name_match",
    ) -> "Metadata":
        """Detect the metadata of several tables given as ``{table_name: DataFrame}``.

        SDV 2 calls it on the class (``Metadata.detect_from_dataframes(data)``), SDV 1 on an object
        (``md.detect_from_dataframes(data)`` fills ``md``): both work.

        Parameters
        ----------
        data : dict
            ``{table_name: DataFrame}``.
        infer_sdtypes : bool, default True
            Detect each column's sdtype; False leaves them all 'unknown' (to set by hand).
        infer_keys : {'primary_and_foreign', 'primary_only', None}
            Detect each table's primary key and the foreign keys that refer to them (a column named
            as another table's primary key, SDV's ``column_name_match``, then key-naming conventions
            and value containment: see :mod:`simulacra.metadata.foreign_keys`), only the primary
            keys, or no key.
        foreign_key_inference_algorithm : {'column_name_match'}
            How foreign keys are found (SDV's only open one).

        Returns
        -------
        Metadata
        """
        if not isinstance(data, dict) or not data:
            raise InvalidDataError("detect_from_dataframes expects a non-empty dict {table_name: DataFrame}")
        rels.check_detection_options(infer_keys, foreign_key_inference_algorithm)
        md = cls_or_self() if isinstance(cls_or_self, type) else cls_or_self
        for name, df in data.items():
            md.detect_table_from_dataframe(name, df, infer_sdtypes, infer_keys and "primary_only")
        if infer_keys == "primary_and_foreign":
            frames = {str(k): v for k, v in data.items()}
            rels.detect_relationships(md.tables, md.relationships, lambda rel: values_overlap(rel, frames))
            detect_foreign_keys(md.tables, md.relationships, frames)
        return md

    @classmethod
    def detect_from_database(cls, url, tables=None) -> "Metadata":
        """Reflect a database's tables, column types, primary and foreign keys (SQLAlchemy ``url``; ``tables``
        limits it to those names)."""
        from .from_database import metadata_from_database

        return metadata_from_database(url, tables)

    @classmethod
    def detect_from_csv(cls, filepath, table_name: str | None = None) -> "Metadata":
        """Read a CSV file and detect its metadata."""
        from ..io.files import read_table

        df = read_table(filepath)
        return cls.detect_from_dataframe(df, table_name or Path(filepath).stem)

    def detect_table_from_dataframe(self, table_name: str, data, infer_sdtypes=True, infer_keys="primary_only") -> None:
        """Detect one table and add it under ``table_name`` (options as in :meth:`detect_from_dataframe`)."""
        from .detection import detect_table

        columns, pk = detect_table(data, check_bool("infer_sdtypes", infer_sdtypes))
        self.tables[str(table_name)] = {"columns": columns, "primary_key": pk if infer_keys else None}

    @classmethod
    def load_from_dict(cls, metadata_dict: dict, single_table_name: str | None = None) -> "Metadata":
        """Build metadata from its dict form (SDV 2 multi-table, or SDV 1 single-table named ``single_table_name``)."""
        md = cls()
        md.tables, md.relationships, md._extra = parse_metadata_dict(metadata_dict, single_table_name)
        return md

    @classmethod
    def load_from_json(cls, filepath, single_table_name: str | None = None) -> "Metadata":
        """Read metadata saved by :meth:`save_to_json` (or by SDV)."""
        d = read_json(filepath)
        md = cls.load_from_dict(d, single_table_name)
        md.validate()
        return md

    # ------------------------------------------------------------------ access
    def _table(self, table_name: str | None) -> dict:
        if not self.tables:
            raise MetadataError("the metadata has no table yet; detect it from data or load it")
        if table_name is None:
            if len(self.tables) > 1:
                raise MetadataError(f"the metadata has several tables ({', '.join(self.tables)}); pass table_name")
            return next(iter(self.tables.values()))
        if table_name not in self.tables:
            raise MetadataError(f"no table named {table_name!r}; tables: {', '.join(self.tables)}")
        return self.tables[table_name]

    def _name(self, table_name: str | None) -> str:
        self._table(table_name)
        return next(iter(self.tables)) if table_name is None else table_name

    @property
    def table_name(self) -> str:
        """Name of the single table (error if there are several)."""
        return self._name(None)

    @property
    def columns(self) -> dict:
        """Column metadata of the single table: ``{name: {"sdtype": ...}}``."""
        return self._table(None)["columns"]

    @property
    def primary_key(self) -> str | None:
        """Primary key of the single table (None if it has none)."""
        return self._table(None).get("primary_key")

    @property
    def sequence_key(self) -> str | None:
        """Sequence key of the single table: the column naming the entity each row belongs to (or None)."""
        return self.get_sequence_key()

    @property
    def sequence_index(self) -> str | None:
        """Sequence index of the single table: the column that orders each sequence's rows (or None)."""
        return self.get_sequence_index()

    def get_sequence_key(self, table_name: str | None = None) -> str | None:
        """The sequence key of a table (None if it has none)."""
        return self._table(table_name).get("sequence_key")

    def get_sequence_index(self, table_name: str | None = None) -> str | None:
        """The sequence index of a table (None if it has none)."""
        return self._table(table_name).get("sequence_index")

    def get_columns(self, table_name: str | None = None) -> dict:
        """Column metadata of a table: ``{name: {"sdtype": ...}}``."""
        return self._table(table_name)["columns"]

    def get_column_names(self, table_name: str | None = None, **filters) -> list[str]:
        """Column names, optionally filtered by metadata values (e.g. ``sdtype='numerical'``)."""
        cols = self._table(table_name)["columns"]
        return [c for c, m in cols.items() if all(m.get(k) == v for k, v in filters.items())]

    def get_table_metadata(self, table_name: str | None = None) -> "Metadata":
        """One table's metadata (``table_name`` needed when there are several), as a one-table Metadata that a
        single-table synthesizer accepts (SDV 2's name): a copy of its columns, primary key, sequence key and
        index and its other keys; no relationships."""
        name = self._name(table_name)
        md = type(self)()
        md.tables[name] = copy.deepcopy(self.tables[name])
        return md

    def copy(self) -> "Metadata":
        """A deep copy (SDV 2)."""
        return type(self).load_from_dict(self.to_dict())

    def get_relationships(self, table_name: str | None = None) -> list[dict]:
        """Copies of the relationships, or of those of ``table_name`` (as parent or child)."""
        if table_name is not None:
            self._table(table_name)
        return [
            copy.deepcopy(r)
            for r in self.relationships
            if table_name is None or table_name in (r["parent_table_name"], r["child_table_name"])
        ]

    def get_table_order(self) -> list[str]:
        """Table names with every parent before its children: the order to fit and sample related tables in."""
        return rels.table_order(self.tables, self.relationships)

    # ------------------------------------------------------------------ updates
    def update_column(self, column_name: str, table_name: str | None = None, **kwargs) -> None:
        """Change a column's sdtype and/or its options (``computer_representation``, ``datetime_format``, ``regex_format``, ``pii``)."""
        table = self._table(table_name)
        cols = table["columns"]
        if column_name not in cols:
            raise MetadataError(f"no column named {column_name!r}; columns: {', '.join(map(repr, cols))}")
        cols[column_name] = new = updated_column(column_name, cols[column_name], kwargs)
        if table.get("primary_key") == column_name and new["sdtype"] not in KEY_SDTYPES:
            warnings.warn(
                f"column {column_name!r} is no longer the primary key (a key must be 'id' or a PII sdtype)",
                stacklevel=2,
            )
            self._drop_primary_key(self._name(table_name))
        lost = roles_lost(table, column_name, new["sdtype"])
        if lost:
            warnings.warn(
                f"column {column_name!r} is no longer the table's {' or '.join(r.replace('_', ' ') for r in lost)} "
                f"(sdtype {new['sdtype']!r} cannot be one)",
                stacklevel=2,
            )
            drop_column_roles(table, column_name, lost)

    def update_columns(self, column_names, table_name: str | None = None, **kwargs) -> None:
        """Apply :meth:`update_column` with the same options to several columns."""
        for c in column_names:
            self.update_column(c, table_name=table_name, **kwargs)

    def update_columns_metadata(self, column_metadata: dict, table_name: str | None = None) -> None:
        """Apply :meth:`update_column` to each column of ``{column: {option: value}}``."""
        for c, kw in column_metadata.items():
            self.update_column(c, table_name=table_name, **kw)

    def add_table(self, table_name: str) -> None:
        """Add an empty table (give it columns with :meth:`add_column`)."""
        if not isinstance(table_name, str) or not table_name:
            raise MetadataError(f"a table name must be a non-empty string, got {table_name!r}")
        if table_name in self.tables:
            raise MetadataError(f"a table named {table_name!r} exists already; choose another name")
        self.tables[table_name] = {"columns": {}, "primary_key": None}

    def remove_table(self, table_name: str) -> None:
        """Remove a table and the relationships it is part of."""
        self._table(table_name)
        del self.tables[table_name]
        self.relationships = [
            r for r in self.relationships if table_name not in (r["parent_table_name"], r["child_table_name"])
        ]

    def add_column(self, column_name: str, table_name: str | None = None, **kwargs) -> None:
        """Add a column (``sdtype`` and its options as keyword arguments)."""
        cols = self._table(table_name)["columns"]
        if column_name in cols:
            raise MetadataError(f"column {column_name!r} already exists; use update_column")
        if "sdtype" not in kwargs:
            raise MetadataError(f"add_column({column_name!r}) needs an sdtype")
        kwargs["sdtype"] = canonical_sdtype(kwargs["sdtype"])
        check_column(column_name, kwargs)
        cols[column_name] = dict(kwargs)

    def remove_column(self, column_name: str, table_name: str | None = None) -> None:
        """Remove a column, and the keys and relationships it is part of."""
        name = self._name(table_name)
        table = self.tables[name]
        if column_name not in table["columns"]:
            raise MetadataError(f"no column named {column_name!r}")
        if column_name in key_columns(table.get("primary_key")):
            self._drop_primary_key(name)
        self.relationships = [
            r
            for r in self.relationships
            if r["child_table_name"] != name or column_name not in key_columns(r["child_foreign_key"])
        ]
        drop_column_roles(table, column_name)
        del table["columns"][column_name]

    def set_primary_key(self, column_name=None, table_name: str | None = None) -> None:
        """Make ``column_name`` (an 'id' or PII column), or a list of columns (a composite key), the primary key.

        None removes it. SDV 1's ``set_primary_key(table_name=..., column_name=...)`` and its multi-table
        order ``set_primary_key('users', 'user_id')`` work too.
        """
        column_name, table_name = primary_key_arguments(self.tables, column_name, table_name)
        name = self._name(table_name)
        if column_name is None:
            self._drop_primary_key(name)
            return
        check_primary_key(name, self.tables[name], column_name)
        self.tables[name]["primary_key"] = normalize_key(column_name, "primary key")

    def remove_primary_key(self, table_name: str | None = None) -> None:
        """Remove a table's primary key (and the relationships in which it is the parent)."""
        self._drop_primary_key(self._name(table_name))

    def _drop_primary_key(self, name: str) -> None:
        self.tables[name]["primary_key"] = None
        gone = [r for r in self.relationships if r["parent_table_name"] == name]
        if gone:
            warnings.warn(
                f"table {name!r} has no primary key any more: removed " + ", ".join(rels.describe(r) for r in gone),
                stacklevel=3,
            )
            self.relationships = [r for r in self.relationships if r["parent_table_name"] != name]

    def set_sequence_key(self, column_name: str | None, table_name: str | None = None) -> None:
        """Make ``column_name`` (an 'id' or PII column, not the primary key) the sequence key: the column
        naming the entity (sequence) each row belongs to; None removes it."""
        self._set_role("sequence_key", column_name, table_name)

    def set_sequence_index(self, column_name: str | None, table_name: str | None = None) -> None:
        """Make ``column_name`` (a 'numerical' or 'datetime' column, not the sequence key) the sequence index:
        the column that orders the rows of each sequence; None removes it."""
        self._set_role("sequence_index", column_name, table_name)

    def _set_role(self, role: str, column_name: str | None, table_name: str | None) -> None:
        name = self._name(table_name)
        table = self.tables[name]
        if column_name is None:
            table.pop(role, None)
            return
        check_key(name, table, role, column_name)
        table[role] = column_name

    def remove_sequence_index(self, table_name: str | None = None) -> None:
        """Remove a table's sequence index."""
        self.set_sequence_index(None, table_name)

    def add_alternate_keys(self, column_names, table_name: str | None = None) -> None:
        """Add columns (or lists of columns) that identify rows like the primary key (kept, not used)."""
        name = self._name(table_name)
        table = self.tables[name]
        check_alternate_keys(name, table, column_names)
        keys = table.setdefault("alternate_keys", [])
        keys += [k for k in column_names if k not in keys]

    def add_relationship(
        self, parent_table_name: str, child_table_name: str, parent_primary_key, child_foreign_key
    ) -> None:
        """Relate a child table's foreign key to its parent's primary key.

        A table may be its own parent (``employees.manager_id -> employees.employee_id``) and the
        relationships may form a cycle: the multi-table synthesizer cuts a nullable edge at fit.

        Parameters
        ----------
        parent_table_name, child_table_name : str
            The tables (the same one for a self-reference).
        parent_primary_key : str or list of str
            The parent's primary key (a list for a composite key).
        child_foreign_key : str or list of str
            The child's column(s) that hold parent keys (same sdtypes as the primary key's, in its order).

        Raises
        ------
        MetadataError
            If a table or column is missing, the key is not the parent's primary key, the sdtypes or
            the numbers of columns differ, the relationship is there already, or the foreign key has
            another parent.
        """
        rel = dict(
            zip(rels.RELATIONSHIP_KEYS, (parent_table_name, child_table_name, parent_primary_key, child_foreign_key))
        )
        rels.check_relationships(self.tables, self.relationships + [rel])
        self.relationships.append(rel)

    def remove_relationship(self, parent_table_name: str, child_table_name: str) -> None:
        """Remove the relationships between a parent and a child table (a warning if there is none)."""
        keep = [
            r
            for r in self.relationships
            if (r["parent_table_name"], r["child_table_name"]) != (parent_table_name, child_table_name)
        ]
        if len(keep) == len(self.relationships):
            warnings.warn(
                f"no relationship between parent table {parent_table_name!r} and child table {child_table_name!r}",
                stacklevel=2,
            )
        self.relationships = keep

    # ------------------------------------------------------------------ checks
    def validate(self) -> None:
        """Raise MetadataError naming the first problem found, if any: columns, keys, sequences, relationships."""
        if not self.tables:
            raise MetadataError("the metadata has no table")
        for tname, table in self.tables.items():
            check_table(tname, table)
        rels.check_relationships(self.tables, self.relationships)

    def validate_data(self, data, table_name: str | None = None) -> None:
        """Check that ``data`` has the columns the metadata names, and nothing else.

        ``data`` is a DataFrame, or ``{table_name: DataFrame}`` with every table: then each table
        needs rows and a unique, complete primary key, each foreign key holds values of its primary
        key's kind, and each foreign key value must be a key of its parent (or missing): an
        InvalidDataError names the table, column and a few values otherwise.
        """
        if isinstance(data, dict):
            for name in data:
                self._table(name)  # an unknown name first: "no table named ..."
            if table_name is None:
                check_tables_given(self.tables, self.relationships, data)
            for name, df in data.items():
                self.validate_data(df, name)
            given = [r for r in self.relationships if {r["parent_table_name"], r["child_table_name"]} <= set(data)]
            check_tables_data({t: self.tables[t] for t in data}, given, data)
            return
        check_frame_columns(self._table(table_name)["columns"], data)

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict:
        """The metadata as SDV's dict (``METADATA_SPEC_VERSION``, ``tables``, ``relationships``, kept keys)."""
        return metadata_dict(self.tables, self.relationships, self._extra)

    def save_to_json(self, filepath, mode: str = "write") -> None:
        """Write the metadata as JSON (refuses to overwrite unless ``mode='overwrite'``).

        Atomic: written to a hidden temporary file in the same folder and moved into place when
        complete; on any failure the temporary file is removed and an existing file is unchanged.
        """
        write_json(self.to_dict(), filepath, mode)

    def to_json(self) -> str:
        """The metadata as JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def visualize(self, show_table_details: str = "full", output_filepath=None):
        """The schema: a plain-text view (a ``str``) that a notebook shows as an SVG picture (``.svg``).

        ``output_filepath`` ending in ``.svg`` gets the picture, any other the text.
        """
        text = metadata_text(self.tables, self.relationships, show_table_details in ("full", "summarized", True))
        view = SchemaView(text, schema_svg(self, show_table_details))
        if output_filepath:
            path = Path(output_filepath)
            path.write_text(view.svg if path.suffix.lower() == ".svg" else text + "\n", encoding="utf-8")
        return view

    def __repr__(self) -> str:
        return f"Metadata({json.dumps(self.to_dict(), indent=2, ensure_ascii=False)})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Metadata) and self.to_dict() == other.to_dict()


# SDV 1 name
SingleTableMetadata = Metadata
