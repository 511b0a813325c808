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

from ..errors import FileFormatError, InvalidDataError, ParameterError, SimulacraError
from .partition_files import (
    DATA_FILE_ENDINGS,
    MAX_PARTITION_ROWS,
    PartitionTask,
    check_same_columns,
    csv_type,
    data_files,
    file_info,
    iter_task,
    kind_of,
    read_task,
    rows_for_bytes,
    tasks_of,
)

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
    return name.endswith(DATA_FILE_ENDINGS)


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

    def select(self, columns) -> "PartitionSource":
        """The same partitions with only ``columns`` read (a subset of :attr:`columns`, in that order)."""
        check_columns(columns, self.columns, self.describe())
        cols = tuple(columns)
        tasks = [dataclasses.replace(t, columns=cols) for t in self._tasks]
        frame = None if self._frame is None else self._frame[list(cols)]
        schema = None
        if self.schema is not None:
            import pyarrow as pa

            schema = pa.schema([self.schema.field(c) for c in cols])
        dtypes = {c: self.dtypes[c] for c in cols}
        return PartitionSource(cols, schema, dtypes, self.num_rows, self.files, self.max_rows, tasks, frame, self.kind)

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
            check_columns(columns, cols, "the Dask DataFrame")
            frame = frame[list(columns)]
            cols = list(columns)
        if not cols:
            raise InvalidDataError("the Dask DataFrame has no columns")
        dtypes = {str(c): str(t) for c, t in frame.dtypes.items()}
        n = max_rows or MAX_PARTITION_ROWS
        tasks = [
            PartitionTask("dask", index=i, max_rows=n, columns=tuple(cols), file_index=i)
            for i in range(frame.npartitions)
        ]
        return cls(cols, None, dtypes, None, [], n, tasks, frame=frame, kind="dask")

    @classmethod
    def _from_path(cls, path: Path, columns, max_rows):
        if not path.exists():
            raise FileFormatError(f"{str(path)!r} does not exist")
        path = path.resolve()  # tasks name their files absolutely: workers run in other folders
        files = data_files(path) if path.is_dir() else [path]
        for f in files:
            kind_of(f)  # an unknown extension is an error before anything is read
        infos = [file_info(f, path if path.is_dir() else f.parent) for f in files]
        ref = infos[0]
        for info in infos[1:]:
            check_same_columns(ref, info)
        names = ref["names"]
        if columns is not None:
            check_columns(columns, names, str(path))
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
            max_rows = rows_for_bytes(schema, DEFAULT_PARTITION_BYTES)
        csv_types = tuple((c, str(csv_type(types[c]))) for c in ref["names"] if c in types)
        tasks = []
        for k, info in enumerate(infos):
            tasks.extend(tasks_of(info, names, max_rows, csv_types, file_index=k))
        tasks = [dataclasses.replace(t, index=i) for i, t in enumerate(tasks)]  # a task knows its place
        rows = None if any(i["rows"] is None for i in infos) else sum(i["rows"] for i in infos)
        return cls(names, schema, {c: str(schema.field(c).type) for c in names}, rows, files, max_rows, tasks)


def check_columns(columns, names, where):
    """InvalidDataError unless ``columns`` is a list of names among ``names`` (``where`` names the source)."""
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise ParameterError(f"columns must be a list of column names, got {columns!r}")
    missing = [c for c in columns if c not in names]
    if missing:
        raise InvalidDataError(f"{where} has no column(s) {', '.join(map(repr, missing[:5]))}; it has {names[:10]}")


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
def map_tasks(source: PartitionSource, func, client=None, window: int | None = None):
    """``func(task, frames)`` for every task of ``source``, the results in task order.

    ``frames`` is an iterator of the task's DataFrames (each at most ``max_rows`` rows), so
    ``func`` can fold them one at a time with bounded memory. Without ``client`` the tasks run
    here one after the other; with a ``distributed.Client`` each task runs on a worker (which
    reads its own rows) and only ``func``'s result comes back: keep it small (numpy arrays,
    bytes, plain values). At most ``window`` tasks are in flight (default: twice the workers'
    threads), so results waiting to be taken stay bounded. ``func`` must be picklable (a
    module-level function or a ``functools.partial`` of one).
    """
    import functools
    from collections import deque

    tasks = source.partition_tasks()
    if client is None:
        for t in tasks:
            yield func(t, source.iter_task(t))
        return
    if window is None:
        window = max(2, 2 * sum(client.nthreads().values()))
    if source.kind == "dask":
        import dask

        parts = source._frame.to_delayed()

        def submit(i):
            return client.compute(dask.delayed(_run_on_frame)(func, tasks[i], parts[i]))

    else:
        run = functools.partial(_run_task, func)

        def submit(i):
            return client.submit(run, tasks[i], pure=False)

    pending = deque(submit(i) for i in range(min(window, len(tasks))))
    following = len(pending)
    try:
        while pending:
            f = pending.popleft()  # in task order, each released once taken
            try:
                result = f.result()
            except SimulacraError:
                raise
            except Exception as e:  # a worker's error, a lost worker: one error naming the task
                raise SimulacraError(
                    f"reading partition {tasks[following - len(pending) - 1].index} of {source.describe()} failed on a "
                    f"worker ({type(e).__name__}: {e})"
                ) from None
            yield result
            f.release()
            if following < len(tasks):
                pending.append(submit(following))
                following += 1
    finally:
        for f in pending:
            f.release()


def _run_task(func, task):
    return func(task, iter_task(task))


def _run_on_frame(func, task, df):
    return func(task, iter([_plain_frame(df)]))
