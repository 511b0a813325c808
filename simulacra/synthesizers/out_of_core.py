"""Fitting a single-table synthesizer from a source larger than memory (``synth.fit(folder)``).

A source is a Parquet dataset, a folder of CSV / Parquet files or a Dask DataFrame
(:func:`simulacra.io.partitions.open_source`), read in bounded partitions; each pass maps a
function over the partitions (here, or on the workers of a ``distributed.Client``: the current
one, or ``client=``) and only mergeable statistics come back (:mod:`simulacra.utils.sketch`),
merged in partition order, so the model is the same for the same seed whatever the workers.

Pass A (every synthesizer) reads every row once and keeps, in bounded memory:

- a stratified random sample (:class:`~simulacra.utils.sketch.StratifiedSample`, keys from the
  seed): a uniform part plus a floor of rows for every value of each categorical column and for
  the missing values of every other column, so rare categories and the null pattern survive;
- the rows holding each numerical / datetime column's minimum and maximum, so bounds learned
  on the sample are the full data's;
- the count of rows, of missing values per column and of each category (full data).

Then:

- the Gaussian copula and the Bayesian network fit the transforms on that sample, with category
  frequencies from the full counts, and learn their model from further passes of per-partition
  statistics (:mod:`.out_of_core_models`): peak memory does not grow with the number of rows;
- every other synthesizer (CART, neural, LLM) fits on the sample itself, sized to a memory
  budget (:func:`sample_rows_for`); :attr:`source_info_` (saved with the model) says how.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import InvalidDataError
from ..io.partitions import is_partitioned_source, map_tasks, open_source
from ..utils.sketch import CategoryCounts, StratifiedSample, key_limit_for

__all__ = [
    "DEFAULT_MAX_SAMPLE_ROWS",
    "MODEL_BYTES_PER_TABLE_BYTE",
    "check_source_info",
    "fit_source",
    "fit_summary",
    "is_partitioned_source",
    "is_source_argument",
    "memory_budget",
    "sample_rows_for",
]

#: most rows an in-memory model is fitted on, whatever the budget allows
DEFAULT_MAX_SAMPLE_ROWS = 1_000_000
MIN_SAMPLE_ROWS = 10_000
#: rows of the sample the statistics-based models fit their transforms on
TRANSFORM_SAMPLE_ROWS = 200_000
#: an in-memory model needs about this many bytes per byte of its table (encoded matrix, model structures)
MODEL_BYTES_PER_TABLE_BYTE = 8
#: rows of each value of a categorical column (and missing values of the others) the sample keeps at least
FLOOR_ROWS = 10
#: categorical columns with more values than this get no floor (ids, text)
MAX_STRATA = 1_000
#: distinct values counted exactly per categorical column
MAX_CATEGORIES = 100_000
#: the partitions of a fit: about this many bytes in memory (the transforms make a few copies)
FIT_PARTITION_BYTES = 48 * 2**20
_NULL = "__isnull__"


def memory_budget() -> int:
    """Bytes an in-memory model may use: min(2 GiB, a quarter of the available memory)."""
    from ..sampling.plan import available_memory

    free = available_memory()
    return int(min(2 * 2**30, free // 4)) if free else 2 * 2**30


def sample_rows_for(bytes_per_row: float, budget: int | None = None, cap: int = DEFAULT_MAX_SAMPLE_ROWS):
    """``(rows, how)``: the sample an in-memory model fits on, within ``budget`` (default :func:`memory_budget`).

    ``rows = budget / (MODEL_BYTES_PER_TABLE_BYTE * bytes_per_row)``, between 10,000 and ``cap``;
    ``how`` says it in words (kept in the model's ``source_info_``).
    """
    budget = memory_budget() if budget is None else int(budget)
    per_row = max(float(bytes_per_row), 1.0)
    raw = budget / (MODEL_BYTES_PER_TABLE_BYTE * per_row)
    rows = int(min(cap, max(MIN_SAMPLE_ROWS, raw)))
    how = (
        f"memory budget {budget / 2**30:.2f} GiB / ({MODEL_BYTES_PER_TABLE_BYTE} x {per_row:,.0f} bytes a row) "
        f"= {int(raw):,} rows, kept between {MIN_SAMPLE_ROWS:,} and {cap:,}"
    )
    return rows, how


def current_client(client=None):
    """``client``, else the current ``distributed`` client when there is one (never imports distributed)."""
    if client is not None:
        return client
    import sys

    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        return distributed.get_client()
    except ValueError:
        return None


def fit_source(
    synth,
    data,
    seed=0,
    context_columns=None,
    *,
    client=None,
    max_rows: int | None = None,
    memory_budget_bytes: int | None = None,
    sample_rows: int | None = None,
):
    """Fit ``synth`` on a partitioned source (what ``synth.fit(source)`` runs); returns ``synth``.

    Parameters
    ----------
    synth : BaseSynthesizer
    data : str, Path or dask.dataframe.DataFrame
        A Parquet dataset, a folder of CSV / Parquet files, a file, or a Dask DataFrame.
    seed : int or SeedSequence
        Drives the sample (and the model's training); same data and seed, same model, whatever
        the partition order or the workers.
    context_columns : list of str, optional
        As for ``fit``.
    client : distributed.Client, optional
        Run the passes on its workers (default: the current client, if any; else here).
    max_rows : int, optional
        Rows per partition (default: about 48 MB of pandas memory).
    memory_budget_bytes : int, optional
        Memory an in-memory model may use (default :func:`memory_budget`).
    sample_rows : int, optional
        Size of the sample an in-memory model fits on (default: from the budget).

    Returns
    -------
    BaseSynthesizer
        ``synth``, fitted, with ``synth.source_info_`` describing the fit (:func:`fit_summary`).
    """
    from . import sdv_api
    from .out_of_core_models import fits_from_statistics

    as_seed_sequence(seed)
    from ..utils.validation import check_int

    sample_rows = check_int("sample_rows", sample_rows, minimum=2, allow_none=True)
    source, columns = _open(synth, data, max_rows)
    client = current_client(client)
    head = source.head(2_000)
    per_row = float(head.memory_usage(index=False, deep=True).sum()) / max(1, len(head))
    statistics = fits_from_statistics(synth)
    if sample_rows is None:
        rows, how = sample_rows_for(per_row, memory_budget_bytes)
        if statistics:
            rows, how = (
                min(rows, TRANSFORM_SAMPLE_ROWS),
                f"{how}; at most {TRANSFORM_SAMPLE_ROWS:,} to fit the transforms",
            )
    else:
        rows, how = sample_rows, "sample_rows given"
    scan = scan_source(synth, source, columns, seed, rows, floor=1 if statistics else FLOOR_ROWS, client=client)
    described = source.describe()
    if source.num_rows is None:  # CSV, Dask: the count is known now
        described = described.replace("rows unknown", f"{int(scan['rows']):,} rows")
    info = {
        "source": described,
        "source_rows": int(scan["rows"]),
        "partitions": len(source.partition_tasks()),
        "engine": "dask" if client is not None else "local",
        "sample_rows": int(len(scan["table"])),
        "sample_size_rule": how,
        "bytes_per_row": round(per_row, 1),
        "seed": seed if isinstance(seed, int) else None,
    }
    if statistics:
        statistics(synth, source, scan, seed, context_columns, client)
        info["method"] = "per-partition statistics"
        info["fitted_rows"] = int(synth.fitted_rows)
        info.update(synth._ooc_details)
        del synth._ooc_details
    else:
        from . import fitting

        fitting.fit_table(synth, scan["table"], seed, context_columns)
        info["method"] = "stratified sample"
        info["fitted_rows"] = int(synth.fitted_rows)
    info["summary"] = _summary(type(synth).__name__, info)
    for k, v in info.items():  # a model file keeps texts of at most 2,000 characters (check_source_info)
        if isinstance(v, str) and len(v) > 2000:
            info[k] = v[:1997] + "..."
    synth.source_info_ = info
    synth._fitted = True
    sdv_api.mark_fitted(synth)
    return synth


def check_source_info(info):
    """A model file's ``source_info`` (None, or an object of at most 40 plain values): ModelFileError otherwise."""
    from ..errors import ModelFileError

    if info is None:
        return None
    ok = isinstance(info, dict) and len(info) <= 40
    ok = ok and all(
        isinstance(k, str)
        and (v is None or isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= 2000))
        for k, v in info.items()
    )
    if not ok:
        raise ModelFileError("model file: source_info must be an object of at most 40 plain values")
    return dict(info)


def is_source_argument(data) -> bool:
    """Whether ``fit(data)`` reads ``data`` in partitions: a partitioned source, or any path (str / PathLike:
    a path that is no such source gets its own error, e.g. a missing folder or an unknown extension)."""
    import os

    return isinstance(data, (str, os.PathLike)) or is_partitioned_source(data)


def fit_summary(synth) -> str:
    """One line on how ``synth`` was fitted from a partitioned source ('' when it was fitted in memory)."""
    info = getattr(synth, "source_info_", None)
    return str(info.get("summary", "")) if info else ""


def _summary(name: str, info: dict) -> str:
    where = f"{info['source']}, {info['partitions']:,} partitions, {info['engine']}"
    if info["method"] == "stratified sample":
        return (
            f"{name} fitted on a stratified sample of {info['sample_rows']:,} of {info['source_rows']:,} rows "
            f"({where}; {info['sample_size_rule']})"
        )
    return (
        f"{name} fitted from per-partition statistics of all {info['fitted_rows']:,} rows "
        f"({where}; transforms fitted on a sample of {info['sample_rows']:,} rows)"
    )


def _open(synth, data, max_rows):
    """The source (only the metadata's columns) after the metadata's checks on its first rows."""
    if not is_source_argument(data):
        raise InvalidDataError(f"a partitioned source is a path or a dask DataFrame, not a {type(data).__name__}")
    table = synth._table_name()
    columns = synth.metadata.get_columns(table)
    probe = open_source(data, max_rows=max_rows or 10_000)
    head = probe.head(1_000)
    if len(head) < 2:
        raise InvalidDataError(
            f"{probe.describe()}: a synthesizer needs at least 2 rows to learn from, the source has {len(head)}"
        )
    synth.metadata.validate_data(head, table)  # the same errors as in memory: missing or extra columns
    if max_rows is None:
        per_row = float(head.memory_usage(index=False, deep=True).sum()) / len(head)
        max_rows = int(min(2_000_000, max(10_000, FIT_PARTITION_BYTES / max(per_row, 1.0))))
    return open_source(data, columns=list(columns), max_rows=max_rows), columns


# ---------------------------------------------------------------------- pass A
def scan_source(synth, source, columns: dict, seed, size: int, floor: int, client=None) -> dict:
    """Pass A: the stratified sample (plus the rows of each column's extremes) and full-data counts.

    Returns ``{"table": DataFrame (sample rows in source order), "rows": int, "nulls": {column: int},
    "categories": {column: CategoryCounts}}``.
    """
    kinds = {c: m["sdtype"] for c, m in columns.items()}
    cats = [c for c, k in kinds.items() if k in ("categorical", "boolean")]
    ordered = [c for c, k in kinds.items() if k in ("numerical", "datetime")]
    formats = {c: (kinds[c], columns[c].get("datetime_format")) for c in ordered}
    limit = key_limit_for(size, source.num_rows)
    for attempt in (limit, None) if limit is not None else (None,):
        work = functools.partial(
            _scan_task,
            columns=list(columns),
            seed=seed,
            size=size,
            strata=cats,
            ordered=ordered,
            formats=formats,
            floor=floor,
            key_limit=attempt,
        )
        merged = None
        for state in map_tasks(source, work, client):
            merged = _ScanState.from_state(state) if merged is None else merged.merge(_ScanState.from_state(state))
        if merged is None or merged.sample.exact:
            break
    if merged is None or merged.rows < 2:
        raise InvalidDataError(f"{source.describe()}: a synthesizer needs at least 2 rows to learn from")
    table = merged.table()
    for c in cats:
        if merged.categories[c].overflow:
            raise InvalidDataError(
                f"categorical column {c!r} has more than {MAX_CATEGORIES:,} distinct values in {source.describe()}; "
                "declare it 'id' or 'text' in the metadata"
            )
    return {"table": table, "rows": merged.rows, "nulls": merged.nulls, "categories": merged.categories}


def _scan_task(task, frames, *, columns, seed, size, strata, ordered, formats, floor, key_limit):
    """Pass A on one task: plain data back (see :class:`_ScanState`)."""
    out = _ScanState(columns, size, strata, ordered, floor, key_limit)
    first = task.first_row
    for df in frames:  # a row's key and id come from its file and position: the sample ignores the partition size
        out.update(df.reset_index(drop=True), seed, task.file_index, first, formats)
        first += len(df)
    return out.to_state()


class _ScanState:
    """Mergeable pass-A statistics of some partitions (plain data through ``to_state``)."""

    def __init__(self, columns, size, strata, ordered, floor, key_limit):
        self.columns, self.strata, self.ordered = list(columns), list(strata), list(ordered)
        flags = [_NULL + c for c in self.columns if c not in self.strata]
        self.sample = StratifiedSample(size, self.strata + flags, floor, MAX_STRATA, key_limit)
        self.rows = 0
        self.nulls = {c: 0 for c in self.columns}
        self.categories = {c: CategoryCounts(MAX_CATEGORIES) for c in self.strata}
        self.extremes = {}  # (column, "min"/"max") -> (value, id, one-row DataFrame)

    def update(self, df, seed, stream, first_row, formats):
        n = len(df)
        self.rows += n
        na = df.isna()
        for c, k in na.sum().items():
            self.nulls[c] += int(k)
        for c in self.strata:
            self.categories[c].update(df[c])
        ids = _ids(stream, first_row, n)
        for c in self.ordered:
            v = _ordered_values(df[c], *formats[c])
            ok = ~np.isnan(v)
            if not ok.any():
                continue
            for which, i in (("min", np.nanargmin(v)), ("max", np.nanargmax(v))):
                self._extreme(c, which, float(v[i]), int(ids[i]), df.iloc[[i]])
        flagged = df.assign(**{_NULL + c: na[c].to_numpy() for c in self.columns if c not in self.strata})
        self.sample.update(flagged, seed, stream, first_row=first_row)

    def _extreme(self, c, which, value, rid, row):
        old = self.extremes.get((c, which))
        better = (
            old is None or (value < old[0] if which == "min" else value > old[0]) or (value == old[0] and rid < old[1])
        )
        if better:
            self.extremes[(c, which)] = (value, rid, row.reset_index(drop=True))

    def merge(self, other: "_ScanState") -> "_ScanState":
        self.rows += other.rows
        for c in self.columns:
            self.nulls[c] += other.nulls[c]
        for c in self.strata:
            self.categories[c].merge(other.categories[c])
        for (c, which), (v, rid, row) in other.extremes.items():
            self._extreme(c, which, v, rid, row)
        self.sample.merge(other.sample)
        return self

    def table(self) -> pd.DataFrame:
        """The sample and the extreme rows (each once), in source order, without the helper columns."""
        frame_ids = self.sample.ids
        rows = [self.sample.rows] if self.sample.rows is not None else []
        ids = [frame_ids]
        for (_, _), (_, rid, row) in sorted(self.extremes.items()):
            rows.append(
                row.assign(**{_NULL + c: row[c].isna().to_numpy() for c in self.columns if c not in self.strata})
            )
            ids.append(np.array([rid], dtype=np.int64))
        allrows = pd.concat(rows, ignore_index=True)
        allids = np.concatenate(ids)
        _, first = np.unique(allids, return_index=True)  # sorted by id: source order, each row once
        return allrows.iloc[first][self.columns].reset_index(drop=True)

    def to_state(self) -> dict:
        return {
            "settings": (self.columns, self.strata, self.ordered),
            "rows": self.rows,
            "nulls": dict(self.nulls),
            "categories": {c: x.to_state() for c, x in self.categories.items()},
            "extremes": [(c, w, v, rid, row) for (c, w), (v, rid, row) in self.extremes.items()],
            "sample": self.sample.to_state(),
        }

    @classmethod
    def from_state(cls, st: dict) -> "_ScanState":
        out = cls.__new__(cls)
        out.columns, out.strata, out.ordered = (list(x) for x in st["settings"])
        out.rows, out.nulls = int(st["rows"]), {c: int(v) for c, v in st["nulls"].items()}
        out.categories = {c: CategoryCounts.from_state(x) for c, x in st["categories"].items()}
        out.extremes = {(c, w): (float(v), int(rid), row) for c, w, v, rid, row in st["extremes"]}
        out.sample = StratifiedSample.from_state(st["sample"])
        return out


def _ids(stream: int, first_row: int, n: int) -> np.ndarray:
    """The ids :func:`simulacra.utils.sketch.row_keys` gives rows ``first_row ..`` of ``stream``."""
    return (np.int64(stream) << 40) | (np.int64(first_row) + np.arange(n, dtype=np.int64))


def _ordered_values(s: pd.Series, sdtype: str, fmt) -> np.ndarray:
    """A numerical or datetime column as floats (datetimes as ns since the epoch; text parsed with ``fmt``)."""
    from ..utils.sketch import as_float_array

    dt = s.dtype
    if dt.kind in "mM" or isinstance(dt, pd.DatetimeTZDtype):
        return as_float_array(s)
    if pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt):
        return s.to_numpy(dtype=float, na_value=np.nan)
    if sdtype == "numerical":
        return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it guesses a format per column
        t = pd.to_datetime(s, format=fmt, errors="coerce", utc=True)
    return as_float_array(t.dt.tz_convert(None))
