"""``Metadata``: what each column of a table is, detected from data or written by the user.

The JSON format is SDV's: ``{"METADATA_SPEC_VERSION": "V1", "tables": {name: {"columns": {...},
"primary_key": ...}}, "relationships": []}``; SDV 1's single-table dict (``{"columns": ...}``) is
read too.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from ..errors import InvalidDataError, MetadataError
from .sdtypes import NUMERICAL_REPRESENTATIONS, PII_SDTYPES, canonical_sdtype

SPEC_VERSION = "V1"
DEFAULT_TABLE = "table"

_ALLOWED_KEYS = {
    "numerical": {"sdtype", "computer_representation", "range_min", "range_max", "decimal_places"},
    "categorical": {"sdtype", "order", "order_by"},
    "boolean": {"sdtype"},
    "datetime": {"sdtype", "datetime_format", "range_min", "range_max"},
    "id": {"sdtype", "regex_format"},
    "text": {"sdtype", "regex_format"},
    "unknown": {"sdtype", "pii"},
}


class _hybridmethod:
    """A method that works on the class (returns a new object) and on an instance (fills it)."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __get__(self, obj, cls):
        target = obj if obj is not None else cls
        import functools

        return functools.wraps(self.fn)(lambda *a, **k: self.fn(target, *a, **k))


class Metadata:
    """Column types (sdtypes) and keys of one or more tables.

    Create it with :meth:`detect_from_dataframe` (or SDV 2's :meth:`detect_from_dataframes`),
    adjust it with :meth:`update_column` and :meth:`set_primary_key`, check it with
    :meth:`validate`, and keep it with :meth:`save_to_json` / :meth:`load_from_json`.
    """

    def __init__(self):
        self.tables: dict[str, dict] = {}
        self.relationships: list[dict] = []

    # ------------------------------------------------------------------ creation
    @_hybridmethod
    def detect_from_dataframe(cls_or_self, data, table_name: str = DEFAULT_TABLE) -> "Metadata":
        """Detect the metadata of one DataFrame.

        Parameters
        ----------
        data : pandas.DataFrame
            The real table.
        table_name : str
            Name under which the table is stored.

        Returns
        -------
        Metadata
        """
        # SDV 1: md = SingleTableMetadata(); md.detect_from_dataframe(data) fills md itself
        md = cls_or_self() if isinstance(cls_or_self, type) else cls_or_self
        md.detect_table_from_dataframe(table_name, data)
        return md

    @classmethod
    def detect_from_dataframes(cls, data: dict) -> "Metadata":
        """Detect the metadata of several tables given as ``{table_name: DataFrame}`` (SDV 2)."""
        if not isinstance(data, dict) or not data:
            raise InvalidDataError("detect_from_dataframes expects a non-empty dict {table_name: DataFrame}")
        md = cls()
        for name, df in data.items():
            md.detect_table_from_dataframe(name, df)
        return md

    @classmethod
    def detect_from_csv(cls, filepath, table_name: str | None = None) -> "Metadata":
        """Read a CSV file and detect its metadata."""
        from ..io.files import read_table

        df = read_table(filepath)
        return cls.detect_from_dataframe(df, table_name or Path(filepath).stem)

    def detect_table_from_dataframe(self, table_name: str, data) -> None:
        """Detect one table and add it under ``table_name``."""
        from .detection import detect_table

        columns, pk = detect_table(data)
        self.tables[str(table_name)] = {"columns": columns, "primary_key": pk}

    @classmethod
    def load_from_dict(cls, metadata_dict: dict) -> "Metadata":
        """Build metadata from its dict form (SDV 2 multi-table or SDV 1 single-table)."""
        if not isinstance(metadata_dict, dict):
            raise MetadataError(f"metadata must be a dict, got {type(metadata_dict).__name__}")
        md = cls()
        d = copy.deepcopy(metadata_dict)
        if "tables" in d:
            if not isinstance(d["tables"], dict):
                raise MetadataError("metadata 'tables' must be a dict {table_name: table metadata}")
            for name, t in d["tables"].items():
                md.tables[str(name)] = _table_from_dict(t, name)
            rel = d.get("relationships", [])
            if not isinstance(rel, list):
                raise MetadataError("metadata 'relationships' must be a list")
            md.relationships = rel
        elif "columns" in d:
            md.tables[DEFAULT_TABLE] = _table_from_dict(d, DEFAULT_TABLE)
        else:
            raise MetadataError("metadata dict has neither 'tables' nor 'columns'; is this a metadata file?")
        return md

    @classmethod
    def load_from_json(cls, filepath) -> "Metadata":
        """Read metadata saved by :meth:`save_to_json` (or by SDV)."""
        path = Path(filepath)
        if not path.is_file():
            raise MetadataError(f"metadata file {str(path)!r} does not exist")
        from ..io.safe_load import load_json_text

        d = load_json_text(path.read_bytes(), f"metadata file {str(path)!r}", MetadataError)
        md = cls.load_from_dict(d)
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

    @property
    def table_name(self) -> str:
        """Name of the single table (error if there are several)."""
        self._table(None)
        return next(iter(self.tables))

    @property
    def columns(self) -> dict:
        """Column metadata of the single table: ``{name: {"sdtype": ...}}``."""
        return self._table(None)["columns"]

    @property
    def primary_key(self) -> str | None:
        return self._table(None).get("primary_key")

    def get_columns(self, table_name: str | None = None) -> dict:
        return self._table(table_name)["columns"]

    def get_column_names(self, table_name: str | None = None, **filters) -> list[str]:
        """Column names, optionally filtered by metadata values (e.g. ``sdtype='numerical'``)."""
        cols = self._table(table_name)["columns"]
        return [c for c, m in cols.items() if all(m.get(k) == v for k, v in filters.items())]

    # ------------------------------------------------------------------ updates
    def update_column(self, column_name: str, table_name: str | None = None, **kwargs) -> None:
        """Change a column's sdtype and/or its options (``computer_representation``, ``datetime_format``, ``regex_format``, ``pii``)."""
        table = self._table(table_name)
        cols = table["columns"]
        if column_name not in cols:
            raise MetadataError(f"no column named {column_name!r}; columns: {', '.join(map(repr, cols))}")
        new = dict(cols[column_name]) if "sdtype" not in kwargs else {}
        if "sdtype" in kwargs:
            kwargs["sdtype"] = canonical_sdtype(kwargs["sdtype"])
        new.update(kwargs)
        if "sdtype" not in new:
            new["sdtype"] = cols[column_name]["sdtype"]
        _check_column(column_name, new)
        cols[column_name] = new
        if table.get("primary_key") == column_name and new["sdtype"] not in ("id",) + PII_SDTYPES:
            import warnings

            warnings.warn(
                f"column {column_name!r} is no longer the primary key (a key must be 'id' or a PII sdtype)",
                stacklevel=2,
            )
            table["primary_key"] = None

    def update_columns(self, column_names, table_name: str | None = None, **kwargs) -> None:
        for c in column_names:
            self.update_column(c, table_name=table_name, **kwargs)

    def update_columns_metadata(self, column_metadata: dict, table_name: str | None = None) -> None:
        for c, kw in column_metadata.items():
            self.update_column(c, table_name=table_name, **kw)

    def add_column(self, column_name: str, table_name: str | None = None, **kwargs) -> None:
        cols = self._table(table_name)["columns"]
        if column_name in cols:
            raise MetadataError(f"column {column_name!r} already exists; use update_column")
        if "sdtype" not in kwargs:
            raise MetadataError(f"add_column({column_name!r}) needs an sdtype")
        kwargs["sdtype"] = canonical_sdtype(kwargs["sdtype"])
        _check_column(column_name, kwargs)
        cols[column_name] = dict(kwargs)

    def remove_column(self, column_name: str, table_name: str | None = None) -> None:
        table = self._table(table_name)
        if column_name not in table["columns"]:
            raise MetadataError(f"no column named {column_name!r}")
        del table["columns"][column_name]
        if table.get("primary_key") == column_name:
            table["primary_key"] = None

    def set_primary_key(self, column_name: str | None, table_name: str | None = None) -> None:
        """Make ``column_name`` the primary key (it becomes an 'id' column if it was not one)."""
        table = self._table(table_name)
        if column_name is None:
            table["primary_key"] = None
            return
        if column_name not in table["columns"]:
            raise MetadataError(
                f"cannot set primary key: no column named {column_name!r}; columns: {', '.join(map(repr, table['columns']))}"
            )
        meta = table["columns"][column_name]
        if meta["sdtype"] not in ("id",) + PII_SDTYPES:
            raise MetadataError(
                f"cannot make {column_name!r} the primary key: its sdtype is {meta['sdtype']!r}; a key must be 'id' "
                f"or a PII sdtype (update_column({column_name!r}, sdtype='id') first)"
            )
        table["primary_key"] = column_name

    def remove_primary_key(self, table_name: str | None = None) -> None:
        self._table(table_name)["primary_key"] = None

    # ------------------------------------------------------------------ checks
    def validate(self) -> None:
        """Raise MetadataError naming the first problem found, if any."""
        if not self.tables:
            raise MetadataError("the metadata has no table")
        for tname, table in self.tables.items():
            cols = table.get("columns")
            if not isinstance(cols, dict) or not cols:
                raise MetadataError(f"table {tname!r} has no columns")
            for c, m in cols.items():
                _check_column(c, m)
            pk = table.get("primary_key")
            if pk is not None:
                if pk not in cols:
                    raise MetadataError(f"table {tname!r}: primary key {pk!r} is not one of its columns")
                if cols[pk]["sdtype"] not in ("id",) + PII_SDTYPES:
                    raise MetadataError(
                        f"table {tname!r}: primary key {pk!r} has sdtype {cols[pk]['sdtype']!r}; a key must be 'id' or a PII sdtype"
                    )

    def validate_data(self, data, table_name: str | None = None) -> None:
        """Check that ``data`` has the columns the metadata names, and nothing else."""
        import pandas as pd

        if isinstance(data, dict):
            for name, df in data.items():
                self.validate_data(df, name)
            return
        if not isinstance(data, pd.DataFrame):
            raise InvalidDataError(f"expected a pandas DataFrame, got {type(data).__name__}")
        cols = self._table(table_name)["columns"]
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

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict:
        return {
            "METADATA_SPEC_VERSION": SPEC_VERSION,
            "tables": copy.deepcopy(self.tables),
            "relationships": copy.deepcopy(self.relationships),
        }

    def save_to_json(self, filepath, mode: str = "write") -> None:
        """Write the metadata as JSON (refuses to overwrite unless ``mode='overwrite'``).

        Atomic: written to a hidden temporary file in the same folder and moved into place when
        complete; on any failure the temporary file is removed and an existing file is unchanged.
        """
        from ..io.writers import write_text_atomically

        path = Path(filepath)
        if path.exists() and mode != "overwrite":
            raise MetadataError(f"{str(path)!r} already exists; remove it or pass mode='overwrite'")
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
        try:
            write_text_atomically(path, text)
        except OSError as e:
            raise MetadataError(
                f"cannot write metadata to {str(path)!r}: {e.strerror or e}; check that the folder exists and is writable"
            ) from None

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def visualize(self, show_table_details: str = "full", output_filepath=None):
        """A plain-text view of the tables, their columns and keys (SDV draws it with graphviz)."""
        lines = []
        for tname, t in self.tables.items():
            lines.append(f"Table {tname}" + (f" (primary key: {t.get('primary_key')})" if t.get("primary_key") else ""))
            if show_table_details in ("full", "summarized", True):
                for c, m in t["columns"].items():
                    extra = ", ".join(f"{k}={v}" for k, v in m.items() if k != "sdtype")
                    lines.append(f"  {c}: {m['sdtype']}" + (f" ({extra})" if extra else ""))
        for r in self.relationships:
            lines.append(
                f"{r.get('parent_table_name')}.{r.get('parent_primary_key')} <- {r.get('child_table_name')}.{r.get('child_foreign_key')}"
            )
        text = "\n".join(lines)
        if output_filepath:
            Path(output_filepath).write_text(text + "\n", encoding="utf-8")
        return _Text(text)

    def __repr__(self) -> str:
        return f"Metadata({json.dumps(self.to_dict(), indent=2, ensure_ascii=False)})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Metadata) and self.to_dict() == other.to_dict()


class _Text(str):
    def __repr__(self) -> str:  # so a notebook shows the text, not a quoted string
        return str(self)


def _table_from_dict(t, name) -> dict:
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
    if pk is not None and not isinstance(pk, str):
        raise MetadataError(f"table {name!r}: primary_key must be a column name (composite keys are not supported)")
    return {"columns": cols, "primary_key": pk}


def _check_column(name, m: dict) -> None:
    if not isinstance(m, dict) or "sdtype" not in m:
        raise MetadataError(f"column {name!r} needs an 'sdtype'")
    sdtype = canonical_sdtype(m["sdtype"])
    allowed = _ALLOWED_KEYS.get(sdtype, {"sdtype", "pii", "locales"})
    allowed = allowed | {"pii"}
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
        from ..utils.regex import parse_regex
        from ..errors import ParameterError

        try:
            parse_regex(m["regex_format"])
        except ParameterError as e:
            raise MetadataError(f"column {name!r}: {e}") from None


# SDV 1 name
SingleTableMetadata = Metadata
