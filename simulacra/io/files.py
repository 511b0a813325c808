"""Read and write tables: CSV, TSV, Parquet and JSON lines, chosen by file extension.

Writers go through a temporary file in the same folder that is moved into place only when the
whole table is written, so a failed run never leaves a half-written output behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import FileFormatError, InvalidDataError

READ_FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".json": "json", ".ndjson": "jsonl"}
WRITE_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _format_of(path: Path, table: dict) -> str:
    ext = path.suffix.lower()
    if ext == ".gz" and len(path.suffixes) > 1:
        ext = path.suffixes[-2].lower()
        if table.get(ext) == "parquet":
            raise FileFormatError(f"{str(path)!r}: Parquet is compressed already; drop the .gz")
    if ext not in table:
        raise FileFormatError(
            f"{str(path)!r}: unsupported file extension {path.suffix!r}; use one of {', '.join(sorted(table))}"
        )
    return table[ext]


def read_table(path, **kwargs) -> pd.DataFrame:
    """Read a table file into a DataFrame.

    Integer columns with missing values come back as pandas ``Int64`` (not float), so they are
    written back as integers.
    """
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{str(path)!r} does not exist")
    if path.is_dir():
        raise FileFormatError(f"{str(path)!r} is a folder, not a data file")
    fmt = _format_of(path, READ_FORMATS)
    if path.stat().st_size == 0:
        raise InvalidDataError(f"{str(path)!r} is empty; it needs a header row and at least one data row")
    try:
        if fmt in ("csv", "tsv"):
            with open(path, "rb") as f:
                head = f.read(8192)
            if b"\x00" in head and not path.name.endswith(".gz"):
                raise FileFormatError(f"{str(path)!r} is not a text CSV file (it contains binary data)")
            df = pd.read_csv(path, sep="\t" if fmt == "tsv" else ",", low_memory=False, **kwargs)
            df = _keep_leading_zeros(df, path, "\t" if fmt == "tsv" else ",")
        elif fmt == "parquet":
            df = pd.read_parquet(path, **kwargs)
        elif fmt == "jsonl":
            df = pd.read_json(path, lines=True, **kwargs)
        else:
            try:
                df = pd.read_json(path, **kwargs)
            except ValueError:
                df = pd.read_json(path, lines=True, **kwargs)
    except UnicodeDecodeError:
        raise FileFormatError(f"{str(path)!r} is not UTF-8 text; save it as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise InvalidDataError(f"{str(path)!r} has no columns; it needs a header row and at least one data row") from None
    except pd.errors.ParserError as e:
        raise FileFormatError(f"{str(path)!r} could not be parsed as {fmt.upper()}: {str(e).splitlines()[0]}") from None
    except FileFormatError:
        raise
    except (ValueError, OSError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise FileFormatError(f"{str(path)!r} could not be read as {fmt.upper()}: {msg}") from None
    if df.shape[1] == 0:
        raise InvalidDataError(f"{str(path)!r} has no columns")
    if len(df) == 0:
        raise InvalidDataError(f"{str(path)!r} has a header but no data rows; add rows to learn from")
    if isinstance(df.columns, pd.MultiIndex):
        raise FileFormatError(f"{str(path)!r} has a multi-level header; flatten it to one header row")
    if fmt in ("json", "jsonl"):
        df = _flatten_nested(df)
    return integer_columns_to_nullable(df)


def _keep_leading_zeros(df: pd.DataFrame, path, sep) -> pd.DataFrame:
    """Columns read as numbers whose text has leading zeros (codes like '00501') stay text."""
    numeric = [c for c in df.columns if df[c].dtype.kind in "iuf"]
    if not numeric:
        return df
    raw = pd.read_csv(path, sep=sep, dtype=str, usecols=numeric, keep_default_na=True, low_memory=False)
    for c in numeric:
        text = raw[c].dropna()
        if text.str.match(r"^-?0\d").any():
            df[c] = raw[c]
    return df


def _flatten_nested(df: pd.DataFrame) -> pd.DataFrame:
    """Lists and objects from JSON become JSON text (one column each)."""
    import json

    for c in df.columns:
        if df[c].dtype == object and df[c].map(lambda v: isinstance(v, (list, dict))).any():
            df[c] = df[c].map(lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (list, dict)) else v)
    return df


def integer_columns_to_nullable(df: pd.DataFrame) -> pd.DataFrame:
    """Float columns whose values are all whole numbers, with some missing -> ``Int64``."""
    for c in df.columns:
        s = df[c]
        if s.dtype.kind == "f" and s.isna().any():
            v = s.dropna().to_numpy()
            if len(v) and np.isfinite(v).all() and (np.abs(v) < 2**53).all() and (np.mod(v, 1) == 0).all():
                df[c] = s.astype("Int64")
    return df


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _tmp_path(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".part", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # the final file gets ordinary permissions
    return Path(tmp)


def check_writable(path) -> Path:
    """Raise FileFormatError unless ``path`` can be written (folder exists, format known)."""
    path = Path(path)
    _format_of(path, WRITE_FORMATS)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise FileFormatError(f"cannot write {str(path)!r}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise FileFormatError(f"cannot write {str(path)!r}: folder {str(parent)!r} is not writable")
    if path.is_dir():
        raise FileFormatError(f"cannot write {str(path)!r}: it is a folder")
    return path


class TableWriter:
    """Write a table chunk by chunk to CSV, TSV, Parquet or JSON lines, atomically.

    Use as a context manager: the file appears at ``path`` only when the block ends without an
    exception; otherwise the temporary file is removed.
    """

    def __init__(self, path):
        self.path = check_writable(path)
        self.fmt = _format_of(self.path, WRITE_FORMATS)
        self._tmp: Path | None = None
        self._fh = None
        self._pq = None
        self._schema = None
        self.rows = 0

    def __enter__(self):
        self._tmp = _tmp_path(self.path)
        if self.fmt in ("csv", "tsv", "jsonl"):
            if self.path.suffix.lower() == ".gz":
                import gzip

                self._fh = gzip.open(self._tmp, "wt", encoding="utf-8", newline="")
            else:
                self._fh = open(self._tmp, "w", encoding="utf-8", newline="")
        return self

    def write(self, chunk: pd.DataFrame) -> None:
        if self.fmt in ("csv", "tsv"):
            chunk.to_csv(self._fh, index=False, header=self.rows == 0, sep="\t" if self.fmt == "tsv" else ",")
        elif self.fmt == "jsonl":
            text = chunk.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
            self._fh.write(text if text.endswith("\n") or not text else text + "\n")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            if self._pq is None:
                table = pa.Table.from_pandas(chunk, preserve_index=False)
                # a column that is all missing in the first chunk has Arrow type null: make it text
                fields = [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
                self._schema = pa.schema(fields, metadata=table.schema.metadata)
                table = table.cast(self._schema)
                self._pq = pq.ParquetWriter(str(self._tmp), self._schema)
            else:
                table = pa.Table.from_pandas(chunk, preserve_index=False, schema=self._schema)
            self._pq.write_table(table)
        self.rows += len(chunk)

    def __exit__(self, exc_type, exc, tb):
        try:
            if self._fh is not None:
                self._fh.close()
            if self._pq is not None:
                self._pq.close()
        finally:
            if exc_type is None:
                os.replace(self._tmp, self.path)
            elif self._tmp is not None and self._tmp.exists():
                self._tmp.unlink()
        return False


def write_table(df: pd.DataFrame, path) -> Path:
    """Write ``df`` to ``path`` (format by extension), atomically."""
    with TableWriter(path) as w:
        w.write(df)
    return Path(path)
