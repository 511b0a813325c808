"""Read a table larger than memory in bounded partitions: Parquet, a folder of CSV / Parquet files, Dask.

:func:`open_source` opens a source without reading its rows; the :class:`PartitionSource` it returns
knows the columns, their types, the row count when the files say it (Parquet metadata), and
yields pandas DataFrames of at most about ``max_rows`` rows (:meth:`PartitionSource.iter_partitions`).

To spread the work over Dask workers, :meth:`PartitionSource.partition_tasks` describes the
partitions as small picklable :class:`PartitionTask` items (a file and a row-group range); a worker
reads one with :func:`read_task` / :func:`iter_task`, which need nothing else. :func:`map_tasks`
runs ``func`` on every partition, locally or on a ``distributed.Client``, and gives the results
back in task order, so merging them gives the same numbers whatever the number of workers.

- Parquet: one task per run of row groups of about ``max_rows`` rows (a bigger row group is one
  task, read in batches of ``max_rows``); a hive-style folder (``year=2020/``) adds its keys as text
  columns.
- CSV / TSV (``.gz`` too): the delimiter is detected and the header checked as
  :mod:`simulacra.io.csvread` does (duplicate or empty names are errors); Arrow's streaming reader
  parses the rows, with the column types inferred from the first block of the first CSV file
  (numbers with leading zeros, dates and times stay text, as :func:`simulacra.io.files.read_table`
  reads them); a row with another number of fields is an error naming the file. One task per
  file (a file is not split: split a huge CSV into several files, or write it as Parquet, to
  read it in parallel).
- A ``dask.dataframe.DataFrame``: its partitions, computed one at a time.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from ..errors import FileFormatError, InvalidDataError, ParameterError

__all__ = [
    "DEFAULT_PARTITION_BYTES",
    "PartitionSource",
    "PartitionTask",
    "is_partitioned_source",
    "iter_task",
    "map_tasks",
    "open_source",
    "read_task",
]

#: target in-memory size of one partition (pandas), used when ``max_rows`` is not given
DEFAULT_PARTITION_BYTES = 100 * 2**20
MIN_PARTITION_ROWS = 1_000
MAX_PARTITION_ROWS = 4_000_000
_PARQUET = (".parquet", ".pq", ".parq")
_CSV = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
_SKIP = ("_SUCCESS", "_metadata", "_common_metadata")
_CSV_BLOCK = 1 << 24  # bytes of CSV text per Arrow block


@dataclasses.dataclass(frozen=True)
class PartitionTask:
    """One partition, described without its rows (small and picklable, for a Dask worker).

    ``kind``: ``"parquet"``, ``"csv"`` or ``"dask"``; ``path``: the file (text); ``row_groups``:
    ``(start, stop)`` of a Parquet file's row groups; ``max_rows``: rows per DataFrame read;
    ``columns``: the columns read, in order; ``constants``: ``((name, text), ...)`` of a hive-style
    folder; ``csv``: ``(sep, skip, ((column, arrow type name), ...))`` for a CSV file; ``index``:
    the partition number of a Dask DataFrame.
    """

    kind: str
    path: str = ""
    row_groups: tuple = ()
    max_rows: int = 1_000_000
    columns: tuple = ()
    constants: tuple = ()
    csv: tuple = ()
    index: int = 0


def is_partitioned_source(data) -> bool:
    """Whether ``data`` is a source read in partitions rather than a DataFrame in memory.

    True for a path (``str`` / ``Path``) to a folder (a Parquet dataset, CSV and / or Parquet
    files), to a ``.parquet`` file or to a CSV / TSV file, and for a ``dask.dataframe.DataFrame``
    (recognized by its module, without importing Dask).
    """
    if _is_dask_frame(data):
        return True
    if not isinstance(data, (str, Path)):
        return False
    p = Path(data)
    if p.is_dir():
        return True
    name = p.name.lower()
    return name.endswith(_PARQUET + _CSV)


def _is_dask_frame(data) -> bool:
    mod = type(data).__module__ or ""
    return type(data).__name__ == "DataFrame" and (mod == "dask" or mod.startswith(("dask.", "dask_expr")))


def open_source(data, columns=None, max_rows: int | None = None) -> "PartitionSource":
    """Open ``data`` (see :func:`is_partitioned_source`) for reading in partitions; no rows are read.

    Parameters
    ----------
    data : str, Path or dask.dataframe.DataFrame
        A Parquet or CSV file, a folder of them (searched recursively; names starting with ``.``
        or ``_`` are skipped), or a Dask DataFrame.
    columns : list of str, optional
        Read only these columns (default: all, in the first file's order).
    max_rows : int, optional
        Rows per partition (default: about 100 MB in memory, from the column types).

    Returns
    -------
    PartitionSource

    Raises
    ------
    FileFormatError
        A missing path, an unknown file extension, an unreadable file, files whose columns disagree.
    InvalidDataError
        A folder without data files, or a source without columns.
    """
    if max_rows is not None:
        from ..utils.validation import check_int

        max_rows = check_int("max_rows", max_rows, minimum=1)
    if _is_dask_frame(data):
        return PartitionSource._from_dask(data, columns, max_rows)
    if not isinstance(data, (str, Path)):
        raise ParameterError(f"a partitioned source is a path or a dask DataFrame, got {type(data).__name__}")
    return PartitionSource._from_path(Path(data), columns, max_rows)


class PartitionSource:
    """A table read in partitions (made by :func:`open_source`).

    Attributes
    ----------
    columns : list of str
        The columns read, in order.
    schema : pyarrow.Schema or None
        Arrow types of the columns (None for a Dask DataFrame).
    dtypes : dict
        ``{column: dtype name}`` (Arrow type names for files, pandas dtypes for Dask).
    num_rows : int or None
        Rows of the source when known without reading it (Parquet metadata); None for CSV and Dask.
    files : list of Path
        The data files (empty for Dask).
    max_rows : int
        Rows per partition.
    """

    def __init__(self, columns, schema, dtypes, num_rows, files, max_rows, tasks, frame=None, kind="files"):
        self.columns = list(columns)
        self.schema = schema
        self.dtypes = dict(dtypes)
        self.num_rows = num_rows
        self.files = list(files)
        self.max_rows = int(max_rows)
        self.kind = kind
        self._tasks = list(tasks)
        self._frame = frame

    def describe(self) -> str:
        """One line: ``"3 files, 150,000 rows"`` (``rows unknown`` for CSV), or Dask partitions."""
        rows = "rows unknown" if self.num_rows is None else f"{self.num_rows:,} rows"
        if self.kind == "dask":
            return f"a Dask DataFrame of {len(self._tasks):,} partitions, {len(self.columns)} columns, {rows}"
        n = len(self.files)
        return f"{n:,} file{'s' if n != 1 else ''}, {rows}"

    def __repr__(self) -> str:
        return f"PartitionSource({self.describe()}, columns={self.columns!r})"

    def partition_tasks(self) -> list[PartitionTask]:
        """The partitions as small picklable items, in a fixed order (files sorted by path)."""
        return list(self._tasks)

    def read_task(self, task: PartitionTask) -> pd.DataFrame:
        """The rows of one task as a DataFrame (a Dask partition is computed here)."""
        if task.kind == "dask":
            return _dask_partition(self._frame, task)
        return read_task(task)

    def iter_task(self, task: PartitionTask):
        """The rows of one task in DataFrames of at most ``max_rows`` rows."""
        if task.kind == "dask":
            yield _dask_partition(self._frame, task)
            return
        yield from iter_task(task)

    def iter_partitions(self):
        """Every row of the source, in DataFrames of at most about ``max_rows`` rows, in task order."""
        for task in self._tasks:
            yield from self.iter_task(task)

    def head(self, n: int = 5) -> pd.DataFrame:
        """The first ``n`` rows (reads as little as it can)."""
        out, got = [], 0
        for part in self.iter_partitions():
            out.append(part.iloc[: n - got])
            got += len(out[-1])
            if got >= n:
                break
        return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=self.columns)

    # ------------------------------------------------------------------ construction
    @classmethod
    def _from_dask(cls, frame, columns, max_rows):
        cols = [str(c) for c in frame.columns]
        if columns is not None:
            _check_columns(columns, cols, "the Dask DataFrame")
            frame = frame[list(columns)]
            cols = list(columns)
        if not cols:
            raise InvalidDataError("the Dask DataFrame has no columns")
        dtypes = {str(c): str(t) for c, t in frame.dtypes.items()}
        n = max_rows or MAX_PARTITION_ROWS
        tasks = [PartitionTask("dask", index=i, max_rows=n, columns=tuple(cols)) for i in range(frame.npartitions)]
        return cls(cols, None, dtypes, None, [], n, tasks, frame=frame, kind="dask")

    @classmethod
    def _from_path(cls, path: Path, columns, max_rows):
        if not path.exists():
            raise FileFormatError(f"{str(path)!r} does not exist")
        files = _data_files(path) if path.is_dir() else [path]
        for f in files:
            _kind_of(f)  # an unknown extension is an error before anything is read
        infos = [_file_info(f, path if path.is_dir() else f.parent) for f in files]
        ref = infos[0]
        for info in infos[1:]:
            _check_same_columns(ref, info)
        names = ref["names"]
        if columns is not None:
            _check_columns(columns, names, str(path))
            names = list(columns)
        if not names:
            raise InvalidDataError(f"{str(path)!r} has no columns")
        types = dict(ref["types"])
        for info in infos:  # a CSV's numbers read as Parquet's when a Parquet file comes first, and so on
            for c, t in info["types"].items():
                types.setdefault(c, t)
        import pyarrow as pa

        schema = pa.schema([(c, types[c]) for c in names])
        if max_rows is None:
            max_rows = _rows_for_bytes(schema, DEFAULT_PARTITION_BYTES)
        csv_types = tuple((c, str(_csv_type(types[c]))) for c in ref["names"] if c in types)
        tasks = []
        for info in infos:
            tasks.extend(_tasks_of(info, names, max_rows, csv_types))
        rows = None if any(i["rows"] is None for i in infos) else sum(i["rows"] for i in infos)
        return cls(names, schema, {c: str(schema.field(c).type) for c in names}, rows, files, max_rows, tasks)


def _check_columns(columns, names, where):
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise ParameterError(f"columns must be a list of column names, got {columns!r}")
    missing = [c for c in columns if c not in names]
    if missing:
        raise InvalidDataError(f"{where} has no column(s) {', '.join(map(repr, missing[:5]))}; it has {names[:10]}")


def _kind_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(_PARQUET):
        return "parquet"
    if name.endswith(_CSV):
        return "csv"
    raise FileFormatError(
        f"{str(path)!r}: unknown file extension {path.suffix!r}; a partitioned source holds CSV / TSV "
        f"({', '.join(_CSV)}) or Parquet ({', '.join(_PARQUET)}) files (remove or rename the others)"
    )


def _data_files(folder: Path) -> list[Path]:
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


def _file_info(path: Path, root: Path) -> dict:
    """Columns, Arrow types, rows and row groups of one file (only its footer or header is read)."""
    import pyarrow as pa

    kind = _kind_of(path)
    constants = _hive_keys(path, root)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            meta = pq.ParquetFile(str(path)).metadata
            schema = meta.schema.to_arrow_schema()
        except (pa.ArrowException, OSError, ValueError) as e:
            raise FileFormatError(
                f"{str(path)!r} cannot be read as Parquet ({_first_line(e)}); is it corrupt?"
            ) from None
        groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        names = [f.name for f in schema]
        types = {f.name: f.type for f in schema}
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
        types = {f.name: _csv_type(f.type) for f in reader.schema}
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
        raise FileFormatError(f"{str(path)!r} could not be parsed as CSV: {_first_line(e)}") from None
    return names, types, (sep, skip)


def _skip_row(row) -> str:
    return "skip"


def _csv_type(t):
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


def _check_same_columns(ref: dict, info: dict) -> None:
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


def _rows_for_bytes(schema, target: int) -> int:
    """Rows of about ``target`` bytes in pandas: 8 bytes a number, ~64 a text value."""
    import pyarrow as pa

    per_row = 0
    for f in schema:
        t = f.type
        fixed = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_temporal(t) or pa.types.is_boolean(t)
        per_row += 9 if fixed else 64
    return int(min(MAX_PARTITION_ROWS, max(MIN_PARTITION_ROWS, target // max(per_row, 1))))


def _tasks_of(info: dict, names, max_rows: int, csv_types) -> list[PartitionTask]:
    path, constants = str(info["path"]), tuple(tuple(kv) for kv in info["constants"])
    if info["kind"] == "csv":
        sep, skip = info["csv"]
        return [PartitionTask("csv", path, (), max_rows, tuple(names), constants, (sep, skip, csv_types))]
    tasks, start, rows = [], 0, 0
    groups = info["groups"]
    for i, n in enumerate(groups):
        if rows and rows + n > max_rows:
            tasks.append(PartitionTask("parquet", path, (start, i), max_rows, tuple(names), constants))
            start, rows = i, 0
        rows += n
    if start < len(groups) and rows:
        tasks.append(PartitionTask("parquet", path, (start, len(groups)), max_rows, tuple(names), constants))
    return tasks


def _first_line(e: Exception) -> str:
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
        raise FileFormatError(f"{task.path!r} cannot be read as Parquet ({_first_line(e)}); is it corrupt?") from None


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
            f"({_first_line(e)}); a column must hold one kind of value in every file"
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


def _dask_partition(frame, task: PartitionTask) -> pd.DataFrame:
    df = frame.get_partition(task.index).compute()
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(f"partition {task.index} of the Dask DataFrame is a {type(df).__name__}")
    return _plain_frame(df)


def _plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A Dask partition as files are read: text names, a 0..n-1 index, text columns of Python str (Dask makes
    them ``string[pyarrow]``) with None for missing values."""
    df = df.reset_index(drop=True)
    df.columns = [str(c) for c in df.columns]
    for c in df.columns:
        if isinstance(df[c].dtype, pd.StringDtype):
            s = df[c]
            df[c] = s.astype(object).where(s.notna().to_numpy(), None)
    return df


# ---------------------------------------------------------------------- mapping work over partitions
def map_tasks(source: PartitionSource, func, client=None):
    """``func(task, frames)`` for every task of ``source``, the results in task order.

    ``frames`` is an iterator of the task's DataFrames (each at most ``max_rows`` rows), so
    ``func`` can fold them one at a time with bounded memory. Without ``client`` the tasks run
    here one after the other; with a ``distributed.Client`` each task runs on a worker (which
    reads its own rows) and only ``func``'s result comes back: keep it small (numpy arrays,
    bytes, plain values). ``func`` must be picklable (a module-level function or a
    ``functools.partial`` of one).
    """
    tasks = source.partition_tasks()
    if client is None:
        for t in tasks:
            yield func(t, source.iter_task(t))
        return
    if source.kind == "dask":
        import dask

        parts = source._frame.to_delayed()
        futures = client.compute([dask.delayed(_run_on_frame)(func, t, p) for t, p in zip(tasks, parts)])
    else:
        futures = client.map(_run_task, [func] * len(tasks), tasks, pure=False)
    try:
        for f in futures:  # in task order, each released once taken
            yield f.result()
            f.release()
    finally:
        for f in futures:
            f.release()


def _run_task(func, task):
    return func(task, iter_task(task))


def _run_on_frame(func, task, df):
    return func(task, iter([_plain_frame(df)]))
