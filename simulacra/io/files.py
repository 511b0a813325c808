"""Read and write tables: CSV, TSV, Parquet and JSON lines, chosen by file extension.

Writers go through a temporary file in the same folder that is moved into place only when the
whole table is written, so a failed run never leaves a half-written output behind.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import FileFormatError, InvalidDataError, ParameterError
from ..utils.dtypes import is_text_dtype
from .csvread import check_field_counts, check_other_delimiter, detect_sep, excel_sep_line, normalize_sep, read_header
from .nested import nested_parquet_columns, nested_to_json
from .numtext import read_number_text
from .writers import (  # noqa: F401 - the writers live in .writers; their names stay importable from here
    TableWriter,
    check_writable,
    estimate_bytes_per_row,
    remove_stale_parts,
    temp_path,
    write_table,
    write_target,
    write_text_atomically,
)

READ_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".json": "json",
    ".ndjson": "jsonl",
}
WRITE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


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


def read_table(path, sep=None, **kwargs) -> pd.DataFrame:
    """Read a table file into a DataFrame.

    Integer columns with missing values come back as pandas ``Int64`` (not float), so they are
    written back as integers.

    CSV and text files: ``sep`` is the field delimiter; ``None`` detects it among ``, ; tab |``
    for ``.csv``/``.txt`` (``.tsv`` is tab); with another delimiter than the comma, text columns
    of numbers with a decimal comma (``7,32``, ``8.093,10``) or thousands separators (``12,500``)
    are read as numbers when the column has one reading (see :mod:`simulacra.io.numtext`), and a
    column that could be read either way is a ``FileFormatError``. Duplicate or empty column names and rows with more
    or fewer fields than the header are a ``FileFormatError`` naming them (never renamed, padded
    or turned into a hidden index). Parquet list, struct and map columns become JSON text, as
    nested values from JSON files do.
    """
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{str(path)!r} does not exist")
    if path.is_dir():
        raise FileFormatError(f"{str(path)!r} is a folder, not a data file")
    fmt = _format_of(path, READ_FORMATS)
    if sep is not None:
        if fmt not in ("csv", "tsv"):
            raise ParameterError(f"sep= applies to CSV/TSV/TXT files, not to {str(path)!r} ({fmt})")
        sep = normalize_sep(sep)
    if path.stat().st_size == 0:
        raise InvalidDataError(f"{str(path)!r} is empty; it needs a header row and at least one data row")
    try:
        if fmt in ("csv", "tsv"):
            with open(path, "rb") as f:
                head = f.read(8192)
            if b"\x00" in head and not path.name.endswith(".gz"):
                raise FileFormatError(f"{str(path)!r} is not a text CSV file (it contains binary data)")
            # the checks read the file as plain CSV: pandas options that change its layout skip them
            layout = {
                "header",
                "names",
                "skiprows",
                "skipfooter",
                "comment",
                "quotechar",
                "escapechar",
                "lineterminator",
                "nrows",
            }
            # Excel's "sep=;" first line names the delimiter and is not data (Excel reads it so)
            excel = excel_sep_line(path) if not layout & set(kwargs) else None
            skip = 0 if excel is None else 1
            if sep is None:
                sep = excel or ("\t" if fmt == "tsv" else detect_sep(path))
            header = read_header(path, sep, skip=skip) if not layout & set(kwargs) else []
            if header:
                check_other_delimiter(path, sep, header, skip=skip, excel=excel)
                check_field_counts(path, sep, len(header), skip=skip)
            if skip:
                kwargs = {**kwargs, "skiprows": 1}
            df = pd.read_csv(path, sep=sep, low_memory=False, index_col=False, **kwargs)
            given_layout = {k: v for k, v in kwargs.items() if k in layout}
            df = _keep_leading_zeros(df, path, sep, **given_layout)
            df = _exact_big_integers(df, path, sep, **given_layout)
            if sep != "," and "decimal" not in kwargs and "thousands" not in kwargs:
                df = read_number_text(df, path)
        elif fmt == "parquet":
            try:
                df = nested_to_json(pd.read_parquet(path, **kwargs), nested_parquet_columns(path))
            except ValueError as e:
                _nanosecond_times(path, e)
                raise
        elif fmt == "jsonl":
            df = _exact_json_integers(pd.read_json(path, lines=True, **_json_options(kwargs)), path)
        else:
            try:
                df = pd.read_json(path, **_json_options(kwargs))
            except ValueError as e:
                if "too big" in str(e) or "too small" in str(e):
                    raise
                df = pd.read_json(path, lines=True, **_json_options(kwargs))
    except UnicodeDecodeError:
        raise FileFormatError(f"{str(path)!r} is not UTF-8 text; save it as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise InvalidDataError(
            f"{str(path)!r} has no columns; it needs a header row and at least one data row"
        ) from None
    except pd.errors.ParserError as e:
        raise FileFormatError(f"{str(path)!r} could not be parsed as {fmt.upper()}: {str(e).splitlines()[0]}") from None
    except FileFormatError:
        raise
    except (ValueError, OSError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        if fmt in ("json", "jsonl") and ("too big" in msg.lower() or "too small" in msg.lower()):
            raise FileFormatError(
                f"{str(path)!r} has an integer too big for 64 bits (outside -2**63 .. 2**64-1); "
                'write such values as JSON strings ("123...") to keep them as text, or as floats (1.5e20)'
            ) from None
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


def _nanosecond_times(path, error: Exception) -> None:
    """Raise a FileFormatError naming the time64('ns') columns when Arrow refused their nanoseconds."""
    if "non-zero nanoseconds" not in str(error):
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = [f.name for f in pq.read_schema(str(path)) if pa.types.is_time64(f.type) and f.type.unit == "ns"]
    if cols:
        raise FileFormatError(
            f"{str(path)!r}: time-of-day column(s) {', '.join(repr(c) for c in cols[:5])} have nanoseconds "
            f"({str(error).splitlines()[0]}), which Python's datetime.time cannot hold; cast the column to "
            "time64('us') (rounding to microseconds) or store it as integer nanoseconds since midnight"
        ) from None


def _exact_json_integers(df: pd.DataFrame, path) -> pd.DataFrame:
    """JSON-lines integer columns beyond 2**53 with missing values, exact (pandas rounds them through
    float64): read again by Arrow's JSON reader with a 64-bit integer type (C++, no Python loop)."""
    import pyarrow as pa
    import pyarrow.json as pj

    cols = {}
    for c in _float_columns_with_missing(df):
        v = df[c].dropna().to_numpy()
        if (
            isinstance(c, str)
            and len(v)
            and np.isfinite(v).all()
            and (np.abs(v) >= 2**53).any()
            and (np.mod(v, 1) == 0).all()
        ):
            cols[c] = pa.int64() if v.min() < 0 else pa.uint64()
    for c, t in cols.items():  # one column at a time: a column Arrow refuses keeps pandas' reading
        try:
            opts = pj.ParseOptions(explicit_schema=pa.schema([(c, t)]), unexpected_field_behavior="ignore")
            with pa.input_stream(str(path), compression="detect") as f:
                col = pj.read_json(f, parse_options=opts).column(c)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OSError, KeyError):
            continue  # e.g. 1e17 written as a float, or values no 64-bit type holds
        if len(col) == len(df):
            df[c] = col.to_pandas(types_mapper={t: pd.Int64Dtype() if t == pa.int64() else pd.UInt64Dtype()}.get).array
    return df


def _json_options(kwargs: dict) -> dict:
    """pandas' read_json options with ``dtype=False``: values stay as JSON wrote them (its default
    coerces: "007" became 7, true next to floats became 1.0); the caller's ``dtype=`` wins."""
    return {"dtype": False, **kwargs}


def _keep_leading_zeros(df: pd.DataFrame, path, sep, **layout) -> pd.DataFrame:
    """Columns read as numbers whose text has leading zeros (codes like '00501') stay text."""
    numeric = [c for c in df.columns if df[c].dtype.kind in "iuf"]
    if not numeric or not _may_have_leading_zeros(path, sep, layout.get("quotechar"), layout.get("encoding")):
        return df
    raw = pd.read_csv(
        path, sep=sep, dtype=str, usecols=numeric, keep_default_na=True, low_memory=False, index_col=False, **layout
    )
    for c in numeric:
        text = raw[c].dropna()
        if text.str.match(r"^-?0\d").any():
            df[c] = raw[c]
    return df


def _may_have_leading_zeros(path, sep, quotechar=None, encoding=None) -> bool:
    """False only when no field of the file can start with a leading zero: one scan of the raw bytes
    (memory-mapped) instead of reading every numerical column again as text (True when unsure)."""
    import mmap
    import re

    if not isinstance(sep, str) or len(sep) != 1 or str(path).lower().endswith((".gz", ".bz2", ".zip", ".xz", ".zst")):
        return True
    if encoding is not None and str(encoding).lower().replace("_", "-") not in (
        "utf-8",
        "utf8",
        "ascii",
        "latin-1",
        "latin1",
        "iso-8859-1",
        "cp1252",
    ):
        return True
    # a field with a leading zero has a separator, quote, line break, blank or sign just before its 0
    before = re.escape((sep + "\"'+-" + (quotechar or "")).encode())
    pattern = re.compile(rb"[" + before + rb"\s]0\d")
    try:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            return m[:1] == b"0" or pattern.search(m) is not None
    except (OSError, ValueError):
        return True


_INT_TEXT = r"^\s*[+-]?\d+\s*$"


def _exact_big_integers(df: pd.DataFrame, path, sep, **layout) -> pd.DataFrame:
    """Integer columns beyond 2**53 with missing values come back exact, as ``Int64``/``UInt64``.

    pandas reads them as float64 (rounded) or, past 2**63, as text with '' for the missing
    values; they are read again as text and converted with nullable integer dtypes.
    """
    cols = []
    with_missing = _float_columns_with_missing(df)
    for c in df.columns:
        s = df[c]
        if c in with_missing:
            v = s.dropna().to_numpy()
            if len(v) and np.isfinite(v).all() and (np.abs(v) >= 2**53).any() and (np.mod(v, 1) == 0).all():
                cols.append(c)
        elif is_text_dtype(s.dtype):
            text = s[s.notna() & (s != "")]
            if len(text) and isinstance(text.iloc[0], str) and pd.Series(text.iloc[:20]).str.match(_INT_TEXT).all():
                if text.astype(str).str.match(_INT_TEXT).all():
                    cols.append(c)
    if not cols:
        return df
    raw = pd.read_csv(
        path, sep=sep, dtype=str, usecols=cols, keep_default_na=True, low_memory=False, index_col=False, **layout
    )
    for c in cols:
        text = raw[c].str.strip()
        if text.str.match(r"^[+-]?0\d").any():
            continue  # codes with leading zeros stay text
        num = pd.to_numeric(text, errors="coerce", dtype_backend="numpy_nullable")
        if str(num.dtype) not in ("Int64", "UInt64") or int(num.notna().sum()) != int(text.notna().sum()):
            continue
        big = num.dropna().astype(object)
        if len(big) and (big.abs() >= 2**53).any():
            df[c] = num.to_numpy() if not num.isna().any() else num.array
    return df


def _flatten_nested(df: pd.DataFrame) -> pd.DataFrame:
    """Lists and objects from JSON become JSON text (one column each)."""
    import json

    for c in df.columns:
        if df[c].dtype == object and df[c].map(lambda v: isinstance(v, (list, dict))).any():
            df[c] = df[c].map(
                lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (list, dict)) else v
            )
    return df


def _float_columns_with_missing(df: pd.DataFrame) -> set:
    """Names of the float columns that have missing values (one pass, not one per column)."""
    floats = df.dtypes.map(lambda t: t.kind == "f").to_numpy()
    return set(df.columns[floats][df.loc[:, floats].isna().any().to_numpy()]) if floats.any() else set()


def integer_columns_to_nullable(df: pd.DataFrame) -> pd.DataFrame:
    """Float columns whose values are all whole numbers, with some missing -> ``Int64``."""
    with_missing = _float_columns_with_missing(df)
    for c in df.columns:
        s = df[c]
        if c in with_missing:
            v = s.dropna().to_numpy()
            if len(v) and np.isfinite(v).all() and (np.abs(v) < 2**53).all() and (np.mod(v, 1) == 0).all():
                df[c] = s.astype("Int64")
    return df
