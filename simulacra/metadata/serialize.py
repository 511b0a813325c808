"""Metadata as a dict, as JSON text and as a plain-text view: read (SDV 1 and 2 layouts) and written."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from ..errors import MetadataError
from .relationships import relationship_from_dict
from .tables import table_from_dict, table_text

SPEC_VERSION = "V1"
DEFAULT_TABLE = "table"
#: top-level keys simulacra reads; any other is kept and written back
TOP_KEYS = ("METADATA_SPEC_VERSION", "tables", "relationships")


def parse_metadata_dict(metadata_dict, single_table_name: str | None = None) -> tuple[dict, list, dict]:
    """The tables, relationships and other top-level keys of a metadata dict, checked for shape.

    Parameters
    ----------
    metadata_dict : dict
        SDV 2's multi-table layout (``{"tables": ..., "relationships": ...}``) or SDV 1's
        single-table one (``{"columns": ..., "primary_key": ...}``).
    single_table_name : str, optional
        The table's name for SDV 1's layout (default ``'table'``).

    Returns
    -------
    tables : dict
    relationships : list
    extra : dict
        The top-level keys other than ``METADATA_SPEC_VERSION``, ``tables`` and ``relationships``.
    """
    if not isinstance(metadata_dict, dict):
        raise MetadataError(f"metadata must be a dict, got {type(metadata_dict).__name__}")
    d = copy.deepcopy(metadata_dict)
    if "tables" in d:
        if not isinstance(d["tables"], dict):
            raise MetadataError("metadata 'tables' must be a dict {table_name: table metadata}")
        tables = {str(name): table_from_dict(t, name) for name, t in d["tables"].items()}
        rel = d.get("relationships", [])
        if not isinstance(rel, list):
            raise MetadataError("metadata 'relationships' must be a list")
        relationships = [relationship_from_dict(r, i) for i, r in enumerate(rel)]
        return tables, relationships, {k: v for k, v in d.items() if k not in TOP_KEYS}
    if "columns" in d:
        d.pop("METADATA_SPEC_VERSION", None)
        name = str(single_table_name or DEFAULT_TABLE)
        return {name: table_from_dict(d, name)}, [], {}
    raise MetadataError("metadata dict has neither 'tables' nor 'columns'; is this a metadata file?")


def metadata_dict(tables: dict, relationships: list, extra: dict) -> dict:
    """SDV's dict layout of the metadata (copies)."""
    out = {
        "METADATA_SPEC_VERSION": SPEC_VERSION,
        "tables": copy.deepcopy(tables),
        "relationships": copy.deepcopy(relationships),
    }
    out.update(copy.deepcopy(extra))
    return out


def read_json(filepath) -> dict:
    """The dict in a metadata JSON file (MetadataError if it is missing or not JSON)."""
    path = Path(filepath)
    if not path.is_file():
        raise MetadataError(f"metadata file {str(path)!r} does not exist")
    from ..io.safe_load import load_json_text

    return load_json_text(path.read_bytes(), f"metadata file {str(path)!r}", MetadataError)


def write_json(d: dict, filepath, mode: str = "write") -> None:
    """Write ``d`` as JSON, atomically; refuse to overwrite unless ``mode='overwrite'``."""
    from ..io.writers import write_text_atomically

    path = Path(filepath)
    if path.exists() and mode != "overwrite":
        raise MetadataError(f"{str(path)!r} already exists; remove it or pass mode='overwrite'")
    text = json.dumps(d, indent=2, ensure_ascii=False)
    try:
        write_text_atomically(path, text)
    except OSError as e:
        raise MetadataError(
            f"cannot write metadata to {str(path)!r}: {e.strerror or e}; check that the folder exists and is writable"
        ) from None


def metadata_text(tables: dict, relationships: list, details: bool) -> str:
    """A plain-text view of the tables, their columns, keys and relationships."""
    lines = []
    for tname, t in tables.items():
        lines += table_text(tname, t, details)
    for r in relationships:
        lines.append(
            f"{r.get('parent_table_name')}.{r.get('parent_primary_key')} <- "
            f"{r.get('child_table_name')}.{r.get('child_foreign_key')}"
        )
    return "\n".join(lines)
