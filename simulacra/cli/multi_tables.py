"""Reading and writing several linked tables for the multi-table commands.

A multi-table input is a folder of table files (each CSV/TSV/Parquet/JSON Lines file one table,
named by its file stem) or a database URL (``sqlite:///file.db``, ``postgresql://user@host/db``).
A folder output is written to a hidden folder next to it and moved into place only once every
table is written; a database output is written by :func:`simulacra.io.write_database` (one
transaction). Database URLs are shown with their password masked in every message.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from ..errors import DatabaseError, ParameterError

#: file endings read as tables in a folder
TABLE_FILES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".parquet", ".pq", ".jsonl", ".ndjson")
FOLDER_FORMATS = {"csv": ".csv", "parquet": ".parquet"}


def is_database_url(text) -> bool:
    """``True`` for ``dialect[+driver]://...`` (a SQLAlchemy URL), not for a file or folder path."""
    text = str(text)
    head, sep, _ = text.partition("://")
    return bool(sep) and head.replace("+", "").replace("_", "").isalnum()


def is_multi_input(data) -> bool:
    """A folder or a database URL: the multi-table commands read it."""
    return is_database_url(data) or Path(str(data)).is_dir()


def safe_url(url) -> str:
    """:func:`simulacra.io.databases.safe_url`, imported when needed (``--help`` stays light)."""
    from ..io.databases import safe_url as _safe

    return _safe(url)


def mask_password(text, url) -> str:
    """:func:`simulacra.io.databases.mask_password`, imported when needed."""
    from ..io.databases import mask_password as _mask

    return _mask(text, url)


def shown(data) -> str:
    return safe_url(data) if is_database_url(data) else repr(str(data))


def table_names_option(tables) -> list[str] | None:
    """``--tables a,b,c`` -> ``['a', 'b', 'c']`` (``None`` when not given)."""
    if tables is None:
        return None
    names = [t.strip() for t in str(tables).split(",") if t.strip()]
    if not names:
        raise ParameterError("--tables: give table names separated by commas, e.g. --tables airlines,flights")
    dup = sorted({t for t in names if names.count(t) > 1})
    if dup:
        raise ParameterError(f"--tables names {', '.join(map(repr, dup))} more than once")
    return names


def _table_stem(path: Path) -> str | None:
    name = path.name
    low = name.lower()
    for ext in sorted(TABLE_FILES, key=len, reverse=True):
        if low.endswith(ext):
            return name[: -len(ext)]
    return None


def folder_files(folder) -> dict[str, Path]:
    """``{table name: file}`` of the table files in ``folder`` (hidden files skipped)."""
    folder = Path(folder)
    out: dict[str, Path] = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith(".") or not p.is_file():
            continue
        stem = _table_stem(p)
        if stem is None or not stem:
            continue
        if stem in out:
            raise ParameterError(
                f"folder {str(folder)!r} holds two files for table {stem!r} ({out[stem].name}, {p.name}); keep one"
            )
        out[stem] = p
    if not out:
        raise ParameterError(
            f"folder {str(folder)!r} holds no table files ({', '.join(TABLE_FILES[:6])}, ...); "
            "put one file per table in it, named after the table"
        )
    return out


def check_parents_listed(url: str, names: list[str]) -> None:
    """``--tables`` must hold every parent of the tables it names (a clear error naming the parent)."""
    from ..io import reflect_schema

    everything = reflect_schema(url)["tables"]
    missing = [t for t in names if t not in everything]
    if missing:
        there = ", ".join(map(repr, sorted(everything))) or "none"
        raise ParameterError(
            f"--tables: {safe_url(url)} has no table(s) {', '.join(map(repr, missing))}; its tables: {there}"
        )
    for t in names:
        for fk in everything[t]["foreign_keys"]:
            parent = fk["referred_table"]
            if parent not in names:
                raise ParameterError(
                    f"--tables: table {t!r} references table {parent!r} ({', '.join(fk['constrained_columns'])} -> "
                    f"{parent}.{', '.join(fk['referred_columns'])}), which is not listed; add it: "
                    f"--tables {','.join(names + [parent])}"
                )


def read_tables(data, tables=None, sep=None) -> dict:
    """``{table name: DataFrame}`` of a folder or a database (only ``tables`` when given)."""
    if is_database_url(data):
        from ..io import read_database

        if tables is not None:
            check_parents_listed(data, tables)
        try:
            out = read_database(str(data), tables)
        except DatabaseError as e:
            raise DatabaseError(mask_password(e, data)) from None
        if not out:
            raise ParameterError(f"{safe_url(data)} holds no tables; give a database with tables to learn")
        return out
    from .options import read_data

    files = folder_files(data)
    if tables is not None:
        missing = [t for t in tables if t not in files]
        if missing:
            raise ParameterError(
                f"--tables: folder {str(data)!r} has no table(s) {', '.join(map(repr, missing))}; "
                f"its tables: {', '.join(map(repr, files))}"
            )
        files = {t: files[t] for t in tables}
    return {name: read_data(p, sep) for name, p in files.items()}


def multi_metadata(data, tables: dict, metadata_path=None):
    """Multi-table metadata of ``tables``: from ``metadata_path``, the database's constraints, or detected."""
    from ..metadata import Metadata

    if metadata_path:
        md = Metadata.load_from_json(metadata_path)
        missing = [t for t in md.tables if t not in tables]
        if missing:
            raise ParameterError(
                f"metadata {str(metadata_path)!r} names table(s) {', '.join(map(repr, missing))} that "
                f"{shown(data)} does not hold; it holds {', '.join(map(repr, tables))}"
            )
        md.validate_data({t: tables[t] for t in md.tables})
        return md
    if is_database_url(data):
        from ..metadata.from_database import metadata_from_database

        return metadata_from_database(str(data), list(tables), data=tables)
    return Metadata.detect_from_dataframes(tables)


def prepare_folder_output(out, names, fmt: str, overwrite: bool) -> None:
    """Refuse, before any work, an output folder whose table files exist (without ``--overwrite``)."""
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise ParameterError(f"output {str(out)!r} is a file; a multi-table sample is a folder (one file per table)")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise ParameterError(f"cannot write folder {str(out)!r}: folder {str(parent)!r} does not exist")
    if not os.access(parent if not p.exists() else p, os.W_OK):
        raise ParameterError(f"cannot write folder {str(out)!r}: it is not writable")
    for n in names:
        if "/" in n or "\\" in n or n in (".", ".."):
            raise ParameterError(f"table name {n!r} cannot be a file name in folder {str(out)!r}")
    if p.is_dir() and not overwrite:
        there = [n + FOLDER_FORMATS[fmt] for n in names if (p / (n + FOLDER_FORMATS[fmt])).exists()]
        if there:
            raise ParameterError(
                f"folder {str(out)!r} already holds {', '.join(there[:5])}; pass --overwrite to replace them"
            )


def write_folder(out, tables: dict, fmt: str = "csv") -> list[Path]:
    """Write each table to ``out/<table>.<fmt>``: into a hidden folder first, moved into place at the end."""
    from ..io.writers import write_table

    p = Path(out)
    parent = p.parent if str(p.parent) else Path(".")
    tmp = parent / f".{p.name}.part-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name, df in tables.items():
            write_table(df, tmp / (name + FOLDER_FORMATS[fmt]))
        if not p.exists():
            os.rename(tmp, p)
            return [p / (n + FOLDER_FORMATS[fmt]) for n in tables]
        for f in sorted(tmp.iterdir()):
            os.replace(f, p / f.name)
        return [p / (n + FOLDER_FORMATS[fmt]) for n in tables]
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_tables(out, tables: dict, metadata, fmt: str = "csv", if_exists: str = "fail") -> str:
    """Write ``tables`` to a folder or a database URL; return how the output is shown."""
    if is_database_url(out):
        from ..io import write_database

        try:
            write_database(str(out), tables, metadata, if_exists=if_exists)
        except DatabaseError as e:
            raise DatabaseError(mask_password(e, out)) from None
        return safe_url(out)
    write_folder(out, tables, fmt)
    return str(out)


def rows_summary(tables: dict) -> str:
    return ", ".join(f"{n} {len(df):,}" for n, df in tables.items())
