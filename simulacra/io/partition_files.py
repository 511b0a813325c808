"""Files of a partitioned source: what each holds (from its footer or header) and reading one task.

The helpers of :mod:`simulacra.io.partitions`: a task is a small picklable :class:`PartitionTask`
(a file, a row-group range, the CSV types), read anywhere by :func:`iter_task` / :func:`read_task`
with nothing else (a Dask worker needs only the task).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from ..errors import FileFormatError, InvalidDataError, ParameterError

MIN_PARTITION_ROWS = 1_000
MAX_PARTITION_ROWS = 4_000_000
_PARQUET = (".parquet", ".pq", ".parq")
_CSV = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
_SKIP = ("_SUCCESS", "_metadata", "_common_metadata")
_CSV_BLOCK = 1 << 24  # bytes of CSV text per Arrow block
#: file name endings of the data files a partitioned source reads
DATA_FILE_ENDINGS = _PARQUET + _CSV


@dataclasses.dataclass(frozen=True)
class PartitionTask:
    """One partition, described without its rows (small and picklable, for a Dask worker).

    ``kind``: ``"parquet"``, ``"csv"`` or ``"dask"``; ``path``: the file (text); ``row_groups``:
    ``(start, stop)`` of a Parquet file's row groups; ``max_rows``: rows per DataFrame read;
    ``columns``: the columns read, in order; ``constants``: ``((name, text), ...)`` of a hive-style
    folder; ``csv``: ``(sep, skip, ((column, arrow type name), ...))`` for a CSV file; ``index``:
    the task's place in its source (for a Dask DataFrame, the partition number); ``file_index`` and
    ``first_row``: the file's place among the source's files and the position in it of the task's
    first row (so a row is named by ``(file_index, row)`` whatever the partition size).
    """

    kind: str
    path: str = ""
    row_groups: tuple = ()
    max_rows: int = 1_000_000
    columns: tuple = ()
    constants: tuple = ()
    csv: tuple = ()
    index: int = 0
    file_index: int = 0
    first_row: int = 0


def kind_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(_PARQUET):
        return "parquet"
    if name.endswith(_CSV):
        return "csv"
    raise FileFormatError(
        f"{str(path)!r}: unknown file extension {path.suffix!r}; a partitioned source holds CSV / TSV "
        f"({', '.join(_CSV)}) or Parquet ({', '.join(_PARQUET)}) files (remove or rename the others)"
    )


def data_files(folder: Path) -> list[Path]:
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
        and p.name not in _SKIP
    )
    if not files:
        raise InvalidDataError(f"{str(folder)!r} holds no data files; put CSV or Parquet files in it")
    return files


def _hive_keys(path: Path, root: Path) -> tuple:
    parts = path.relative_to(root).parts[:-1] if path != root else ()
    return tuple(tuple(p.split("=", 1)) for p in parts if "=" in p)


def file_info(path: Path, root: Path) -> dict:
    """Columns, Arrow types, rows and row groups of one file (only its footer or header is read)."""
    import pyarrow as pa

    kind = kind_of(path)
    constants = _hive_keys(path, root)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            meta = pq.ParquetFile(str(path)).metadata
            schema = meta.schema.to_arrow_schema()
        except (pa.ArrowException, OSError, ValueError) as e:
            raise FileFormatError(
                f"{str(path)!r} cannot be read as Parquet ({first_line(e)}); is it corrupt?"
            ) from None
        groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        index = _pandas_index_columns(schema)  # a DataFrame's index pandas stored as a column: not data
        names = [f.name for f in schema if f.name not in index]
        types = {f.name: f.type for f in schema if f.name not in index}
        rows, csv = meta.num_rows, ()
    else:
        names, types, csv = _csv_info(path)
        rows, groups = None, []
    for k, _ in constants:
        if k not in types:
            names.append(k)
            types[k] = pa.string()
    return {
        "path": path,
        "kind": kind,
        "names": names,
        "types": types,
        "rows": rows,
        "groups": groups,
        "constants": constants,
        "csv": csv,
    }


def _csv_info(path: Path):
    """Header names (checked), Arrow types of the first block, and ``(sep, skip)`` of a CSV file."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from .csvread import detect_sep, excel_sep_line, read_header

    if path.stat().st_size == 0:
        raise InvalidDataError(f"{str(path)!r} is empty; it needs a header row and data rows")
    try:
        excel = excel_sep_line(path)
        skip = 0 if excel is None else 1
        sep = excel or ("\t" if ".tsv" in path.name.lower() else detect_sep(path))
        names = read_header(path, sep, skip=skip)
    except UnicodeDecodeError:
        raise FileFormatError(f"{str(path)!r} is not UTF-8 text; save it as UTF-8 CSV") from None
    if not names:
        raise InvalidDataError(f"{str(path)!r} has no header row")
    try:
        skip_bad = _skip_row  # rows with another field count are reported when the file is read
        reader = pacsv.open_csv(str(path), **_csv_options(sep, skip, names, {}, block=1 << 20, on_bad=skip_bad))
        types = {f.name: csv_type(f.type) for f in reader.schema}
        reader.close()
        numbers = [c for c, t in types.items() if pa.types.is_integer(t) or pa.types.is_floating(t)]
        if numbers:  # codes written with leading zeros ('00501') stay text, as read_table keeps them
            text = pacsv.open_csv(
                str(path), **_csv_options(sep, skip, names, {c: pa.string() for c in names}, 1 << 20, skip_bad)
            )
            first = text.read_next_batch()
            text.close()
            for c in numbers:
                if pc.any(pc.match_substring_regex(first.column(names.index(c)), r"^\s*[+-]?0\d")).as_py():
                    types[c] = pa.string()
    except (pa.ArrowException, OSError) as e:
        raise FileFormatError(f"{str(path)!r} could not be parsed as CSV: {first_line(e)}") from None
    return names, types, (sep, skip)


def _skip_row(row) -> str:
    return "skip"


def csv_type(t):
    """How a column inferred by Arrow from CSV text is read: numbers as float64 or int64, true/false as bool,
    everything else (dates, times, empty columns) as text, as :func:`simulacra.io.files.read_table` keeps it."""
    import pyarrow as pa

    if pa.types.is_integer(t):
        return pa.int64()
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return pa.float64()
    if pa.types.is_boolean(t):
        return pa.bool_()
    return pa.string()


def _csv_options(sep, skip, names, column_types, block=_CSV_BLOCK, on_bad=None):
    import pyarrow.csv as pacsv

    parse = {"delimiter": sep, "newlines_in_values": True}
    if on_bad is not None:
        parse["invalid_row_handler"] = on_bad
    return {
        "read_options": pacsv.ReadOptions(
            column_names=list(names), skip_rows=1 + skip, block_size=block, use_threads=False
        ),
        "parse_options": pacsv.ParseOptions(**parse),
        "convert_options": pacsv.ConvertOptions(column_types=column_types, strings_can_be_null=True),
    }


def _type_family(t) -> str:
    import pyarrow as pa

    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t) or pa.types.is_null(t):
        return "text"
    return str(t)


def check_same_columns(ref: dict, info: dict) -> None:
    a, b = ref["names"], info["names"]
    if set(a) != set(b):
        only_a = [c for c in a if c not in b]
        only_b = [c for c in b if c not in a]
        parts = []
        if only_a:
            parts.append(f"{', '.join(map(repr, only_a[:5]))} only in {str(ref['path'])!r}")
        if only_b:
            parts.append(f"{', '.join(map(repr, only_b[:5]))} only in {str(info['path'])!r}")
        raise FileFormatError(
            f"the files of the source disagree on their columns: {'; '.join(parts)}; every file must have the same columns"
        )
    if ref["kind"] == "csv" or info["kind"] == "csv":
        return  # a CSV file's types are read with the first file's: a disagreement is found while reading
    for c in a:
        fa, fb = _type_family(ref["types"][c]), _type_family(info["types"][c])
        if fa != fb and "null" not in (str(ref["types"][c]), str(info["types"][c])):
            raise FileFormatError(
                f"column {c!r} is {ref['types'][c]} in {str(ref['path'])!r} but {info['types'][c]} in "
                f"{str(info['path'])!r}; every file must store a column with one type"
            )


def rows_for_bytes(schema, target: int) -> int:
    """Rows of about ``target`` bytes in pandas: 8 bytes a number, ~64 a text value."""
    import pyarrow as pa

    per_row = 0
    for f in schema:
        t = f.type
        fixed = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_temporal(t) or pa.types.is_boolean(t)
        per_row += 9 if fixed else 64
    return int(min(MAX_PARTITION_ROWS, max(MIN_PARTITION_ROWS, target // max(per_row, 1))))


def tasks_of(info: dict, names, max_rows: int, csv_types, file_index: int = 0) -> list[PartitionTask]:
    """The tasks of one file: runs of row groups of about ``max_rows`` rows (Parquet), the whole file (CSV)."""
    path, constants = str(info["path"]), tuple(tuple(kv) for kv in info["constants"])
    common = {"max_rows": max_rows, "columns": tuple(names), "constants": constants, "file_index": file_index}
    if info["kind"] == "csv":
        sep, skip = info["csv"]
        return [PartitionTask("csv", path, csv=(sep, skip, csv_types), **common)]
    tasks, start, rows, first = [], 0, 0, 0
    groups = info["groups"]
    for i, n in enumerate(groups):
        if rows and rows + n > max_rows:
            tasks.append(PartitionTask("parquet", path, (start, i), first_row=first, **common))
            start, first, rows = i, first + rows, 0
        rows += n
    if start < len(groups) and rows:
        tasks.append(PartitionTask("parquet", path, (start, len(groups)), first_row=first, **common))
    return tasks


def first_line(e: Exception) -> str:
    s = str(e)
    return s.splitlines()[0] if s else type(e).__name__


# ---------------------------------------------------------------------- reading one task (on any worker)
def read_task(task: PartitionTask) -> pd.DataFrame:
    """The rows of a file task (Parquet row groups or a CSV file) as one DataFrame.

    A CSV file is read whole: on a worker, prefer :func:`iter_task`, which keeps memory bounded.
    """
    parts = list(iter_task(task))
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return pd.DataFrame({c: [] for c in task.columns})
    return pd.concat(parts, ignore_index=True)


def iter_task(task: PartitionTask):
    """The rows of a file task in DataFrames of at most ``task.max_rows`` rows.

    Raises FileFormatError naming the file when it cannot be read (corrupt, a row with another
    number of fields, a value that does not fit the column's type).
    """
    if task.kind == "parquet":
        batches = _parquet_batches(task)
    elif task.kind == "csv":
        batches = _csv_batches(task)
    else:
        raise ParameterError(f"a {task.kind!r} task is read by its PartitionSource (source.read_task)")
    for df in batches:
        for k, v in task.constants:
            if k in task.columns:
                df[k] = pd.Series([v] * len(df), dtype=object)
        yield df[list(task.columns)]


def _to_pandas(table, path) -> pd.DataFrame:
    from .files import integer_columns_to_nullable
    from .nested import nested_to_json

    import pyarrow.types as pt

    nested = [f.name for f in table.schema if pt.is_nested(f.type)]
    df = table.to_pandas(split_blocks=True, self_destruct=True)
    if nested:
        df = nested_to_json(df, nested)
    return integer_columns_to_nullable(df)


def _pandas_index_columns(schema) -> set:
    """The columns of a Parquet schema that hold the index of the DataFrame pandas wrote (``__index_level_0__``)."""
    try:
        meta = schema.pandas_metadata or {}
    except (ValueError, TypeError):  # metadata that is not JSON: no index columns known
        return set()
    return {c for c in meta.get("index_columns", []) if isinstance(c, str)}


def _parquet_batches(task: PartitionTask):
    import pyarrow as pa
    import pyarrow.parquet as pq

    consts = {k for k, _ in task.constants}
    cols = [c for c in task.columns if c not in consts]
    try:
        f = pq.ParquetFile(task.path)
        groups = list(range(*task.row_groups))
        for batch in f.iter_batches(batch_size=task.max_rows, row_groups=groups, columns=cols, use_threads=False):
            yield _to_pandas(pa.Table.from_batches([batch]), task.path)
    except (pa.ArrowException, OSError) as e:
        raise FileFormatError(f"{task.path!r} cannot be read as Parquet ({first_line(e)}); is it corrupt?") from None


def _csv_batches(task: PartitionTask):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from .csvread import read_header, sep_name

    sep, skip, types = task.csv
    names = read_header(Path(task.path), sep, skip=skip)
    known = dict(types)
    consts = {k for k, _ in task.constants}
    if set(names) != set(known) - consts:
        raise FileFormatError(f"{task.path!r}: its header {names[:10]} does not have the source's columns")
    want = [c for c in task.columns if c not in consts]
    # integers are read as float64 and made int64 (Int64 with missing values) again per batch when every
    # value is whole: a 1.5 further down keeps its batch float instead of failing the read
    column_types = {c: pa.float64() if known[c] == "int64" else pa.type_for_alias(known[c]) for c in names}
    ints = [c for c in want if known[c] == "int64"]
    bad = []

    def on_bad(row):
        bad.append(row)
        return "error"

    pending, rows = [], 0
    try:
        opts = _csv_options(sep, skip, names, column_types, on_bad=on_bad)
        opts["convert_options"].include_columns = want
        reader = pacsv.open_csv(task.path, **opts)
        for batch in reader:
            while batch.num_rows:
                take = batch.slice(0, task.max_rows - rows)
                batch = batch.slice(take.num_rows)
                pending.append(take)
                rows += take.num_rows
                if rows >= task.max_rows:
                    yield _whole_numbers(_to_pandas(pa.Table.from_batches(pending), task.path), ints)
                    pending, rows = [], 0
        if pending:
            yield _whole_numbers(_to_pandas(pa.Table.from_batches(pending), task.path), ints)
    except (pa.ArrowException, OSError) as e:
        if bad:
            row = bad[0]
            text = row.text if len(row.text) <= 60 else row.text[:57] + "..."
            raise FileFormatError(
                f"{task.path!r}: a row has {row.actual_columns} field(s) but the header has {row.expected_columns} "
                f"({text!r}); every row needs one value per column (fields separated by {sep_name(sep)})"
            ) from None
        raise FileFormatError(
            f"{task.path!r} could not be read as CSV with the column types of the source's first CSV file "
            f"({first_line(e)}); a column must hold one kind of value in every file"
        ) from None


def _whole_numbers(df: pd.DataFrame, columns) -> pd.DataFrame:
    """Float columns ``columns`` whose values are all whole (below 2**53) -> int64, or Int64 with missing values."""
    import numpy as np

    for c in columns:
        s = df[c]
        if s.dtype.kind != "f":
            continue
        v = s.to_numpy()
        ok = ~np.isnan(v)
        w = v[ok]
        if len(w) and not ((np.abs(w) < 2**53).all() and (np.mod(w, 1) == 0).all()):
            continue
        df[c] = s.astype("int64") if ok.all() else s.astype("Int64")
    return df
