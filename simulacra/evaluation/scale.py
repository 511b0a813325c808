"""The quality report of tables read in partitions: a Parquet dataset, a folder of CSV / Parquet files, a Dask DataFrame.

``evaluate_quality`` and ``QualityReport.generate`` come here when either table is such a source
(:func:`simulacra.io.partitions.is_partitioned_source`; the other may be a pandas DataFrame). Each
table is read twice, one partition at a time (memory does not grow with the rows), through
:func:`simulacra.io.partitions.map_tasks` (here, or on the workers of a ``distributed.Client``
given as ``client``); the per-partition summaries of :mod:`simulacra.evaluation.scale_sums` are
merged in task order. The metrics are the in-memory report's (:mod:`simulacra.evaluation.quality`):

- **KSComplement** from two KLL quantile sketches (Apache DataSketches, ``k = 4000``): the largest
  gap between the sketches' CDFs, evaluated at both sketches' quantiles at ``m = min(n, 8 k)`` mid
  ranks. Exact when a table's column has at most ``k`` values (the sketch holds them all); else
  within ``rank_error_real + rank_error_synthetic + 1/m`` of the exact statistic (the sketches'
  normalized rank error, about 0.07 % each at 99 % confidence), stated per column in the details'
  ``Error Bound``. Not bit-for-bit reproducible: the sketch's compactions use an unseedable
  generator (the scores move within the bound).
- **TVComplement** from merged category counts: exact up to ``max_categories`` distinct values a
  column; past that the rarest are lumped together and the bound is the lumped share.
- **CorrelationSimilarity**: Pearson (as in memory) on pairwise-complete rows, from merged sums
  of products centred on the first pass's means: exact up to floating-point rounding.
- **ContingencySimilarity** (and the real association for the threshold): merged joint counts,
  numbers cut into 10 equal-width bins between each table's own min and max (the in-memory
  binning, exact since the first pass gives the exact min and max). A pair with more than
  ``max_cells`` possible cells (or past ``TOTAL_CELLS`` for all the counted pairs together, the
  smallest counted first) is scored on a seeded bottom-k sample of ``sample_rows`` rows a table
  (the same rows for a seed and partition layout whatever the number of workers), said in its Note.

Memory is bounded by the columns, not the rows: a sketch of about ``3 k`` values and at most
``max_categories`` counted values a column, sums-of-products matrices of the numerical columns
(per sampled pair past ``MATRIX_COLUMNS`` of them), at most ``TOTAL_CELLS`` joint counts, the
sample, and one partition at a time (measured: 182 MB peak RSS for 1M and for 4M rows a table of
9 columns, where the in-memory report took 0.85 and 2.8 GB).

Unreadable values, constant columns, the pair threshold and the pair sample of wide tables are
as in memory. :attr:`QualityReport.sample_sizes` states the rows and partitions read per table,
the sketch and its error, the category cap and the pair sample (also in the summary). Sequential
properties need whole sequences in memory: with a sequence key only the flattened rows' Column
Shapes and Column Pair Trends are scored (a warning says so).
"""

from __future__ import annotations

import functools
import os
import sys
import warnings

import numpy as np
import pandas as pd

from ..errors import InvalidDataError, MetadataError, SimulacraError
from ..utils.sketch import DEFAULT_K, BottomKSample, QuantileSketch
from ._options import check_bool, check_count
from .pair_metrics import check_max_pairs, choose_pairs
from .quality import MAX_PAIRS, QualityReport
from .scale_metrics import column_pair_trends, column_shapes
from .scale_sums import DENSE_CELLS, PairPlan, first_pass, from_state, merge_first, merge_second, second_pass
from .sequential import sequence_roles
from .views import CONTINUOUS, DISCRETE, capped_notes, columns_meta, text_columns

#: KLL accuracy parameter of the column sketches
SKETCH_K = DEFAULT_K
#: distinct values a discrete column is counted with exactly
MAX_CATEGORIES = 100_000
#: a contingency pair with more possible cells than this is scored on a sample
MAX_CELLS = 1_000_000
#: the pairs counted exactly hold at most this many cells in all (the smallest pairs first; dense ones not counted)
TOTAL_CELLS = 20_000_000
#: rows a table of the sample for such pairs
SAMPLE_ROWS = 100_000
#: up to this many continuous columns, correlations come from full sums-of-products matrices (else per sampled pair)
MATRIX_COLUMNS = 1000
#: rows per partition of a pandas DataFrame given beside a partitioned source
FRAME_ROWS = 1_000_000


class FrameSource:
    """A pandas DataFrame read in slices, as a :class:`~simulacra.io.partitions.PartitionSource` is (only here, never on workers)."""

    kind = "frame"

    def __init__(self, df: pd.DataFrame, max_rows: int):
        self.frame, self.max_rows = df, int(max_rows)
        self.columns, self.num_rows = list(df.columns), len(df)

    def partition_tasks(self) -> list:
        return [("frame", i) for i in range(0, max(self.num_rows, 1), self.max_rows)]

    def iter_task(self, task):
        yield self.frame.iloc[task[1] : task[1] + self.max_rows]


def is_scale_input(data) -> bool:
    """Whether ``data`` is read in partitions (a path, even one that does not exist, or a Dask DataFrame) rather than a DataFrame in memory."""
    from ..io.partitions import is_partitioned_source

    return isinstance(data, (str, os.PathLike)) or is_partitioned_source(data)


def _open(data, name: str, columns: list, read: list, partition_rows):
    """The source of one table (``columns``: the metadata's, which it must have; ``read``: those read)."""
    if isinstance(data, pd.DataFrame):
        source = FrameSource(text_columns(data), partition_rows or FRAME_ROWS)
    elif is_scale_input(data):
        from ..io.partitions import open_source

        try:
            source = open_source(data, max_rows=partition_rows)
        except SimulacraError as e:  # say which table
            raise type(e)(f"{name}: {e}") from None
    else:
        raise InvalidDataError(
            f"{name} must be a pandas DataFrame, a Dask DataFrame or the path of a Parquet / CSV file or folder, "
            f"got {type(data).__name__}"
        )
    missing = [c for c in columns if c not in source.columns]
    if missing:
        label = "real data" if name == "real_data" else "synthetic data"
        have = ", ".join(map(repr, source.columns[:10])) + (", ..." if len(source.columns) > 10 else "")
        raise MetadataError(
            f"the metadata names column(s) {', '.join(map(repr, missing[:10]))} that the {label} does not have "
            f"(it has {have})"
        )
    if source.num_rows == 0:
        raise InvalidDataError(f"{name} has no rows")
    if source.kind == "frame" or read == source.columns:
        return source
    return open_source(data, columns=read, max_rows=partition_rows)


def current_client(client=None):
    """``client``; None: the current ``distributed`` client when there is one (never imports distributed); False: none."""
    if client is False:
        return None
    distributed = sys.modules.get("distributed")
    if client is not None or distributed is None:
        return client
    try:
        return distributed.get_client()
    except ValueError:  # no client
        return None


def _map(source, func, client):
    from ..io.partitions import map_tasks

    return map_tasks(source, func, None if source.kind == "frame" else client)


def _read_both(sources, func, merge, client, decode=lambda x: x) -> list:
    out = []
    for source in sources:
        acc = None
        for part in _map(source, func, client):
            part = decode(part)
            acc = part if acc is None else merge(acc, part)
        out.append(acc)
    return out


def _plan(cols, meta, first, pairs, sampled, max_cells, sample_rows, seed, sources, keep_sample) -> PairPlan:
    """Pass 2's plan: which sums and counts, with pass 1's means, ranges and value books."""
    first_i, second_i, _ = pairs
    cont_cols = [c for c in cols if meta[c]["sdtype"] in CONTINUOUS]
    is_cont = np.array([meta[c]["sdtype"] in CONTINUOUS for c in cols], dtype=bool)
    both = is_cont[first_i] & is_cont[second_i] if len(first_i) else np.zeros(0, bool)
    pos = {c: i for i, c in enumerate(cont_cols)}
    corr = None
    if both.any():
        if not sampled or len(cont_cols) <= MATRIX_COLUMNS:
            corr = "all"
        else:
            corr = tuple(np.array([pos[cols[k]] for k in idx[both]], dtype=np.int64) for idx in (first_i, second_i))
    shift = [
        np.array([first[t]["numbers"][c]["total"] / max(first[t]["numbers"][c]["count"], 1) for c in cont_cols])
        for t in (0, 1)
    ]
    unread = frozenset(c for c in cont_cols if first[1]["numbers"][c]["bad"])
    present = any(first[1]["numbers"][c]["bad"] or not first[1]["numbers"][c]["count"] for c in cont_cols)
    ranges = [{c: (n["count"], n["low"], n["high"]) for c, n in first[t]["numbers"].items()} for t in (0, 1)]
    books, n_codes = {}, {}
    for c in cols:
        if meta[c]["sdtype"] in CONTINUOUS:
            n_codes[c] = 13 if c in unread else 12
        else:
            r, s = (first[t]["counts"][c].counts.index for t in (0, 1))
            book = pd.Index(r.append(s[~s.isin(r)]) if len(s) else r, dtype=object)
            books[c] = book[~book.duplicated()]
            n_codes[c] = len(books[c]) + 2
    # pairs counted exactly: each at most max_cells cells, and at most TOTAL_CELLS in all (the smallest first)
    mixed = [(cols[first_i[k]], cols[second_i[k]]) for k in np.flatnonzero(~both)]
    cells = np.array([n_codes[a] * n_codes[b] for a, b in mixed], dtype=np.int64)
    order = np.argsort(cells, kind="stable")
    fits = np.zeros(len(mixed), dtype=bool)
    fits[order] = (cells[order] <= max_cells) & (
        np.cumsum(np.where(cells[order] > DENSE_CELLS, cells[order], 0)) <= TOTAL_CELLS
    )
    counted = [p for p, ok in zip(mixed, fits) if ok]
    sampled_pairs = [p for p, ok in zip(mixed, fits) if not ok]
    used = {c for p in counted + sampled_pairs for c in p} & set(books)
    sample_cols = list(keep_sample) if keep_sample else sorted({c for p in sampled_pairs for c in p})
    index = {}
    for source in sources:
        for i, task in enumerate(source.partition_tasks()):
            index.setdefault(task, i)
    return PairPlan(
        meta={c: meta[c] for c in cols},
        cont=cont_cols if corr is not None else [],
        shift=shift,
        corr=corr,
        ranges=ranges,
        books={c: b for c, b in books.items() if c in used},
        unread=unread,
        present=present and corr is not None,
        counted=counted,
        sampled=sampled_pairs,
        n_codes=n_codes,
        sample_cols=sample_cols,
        sample_rows=sample_rows,
        seed=seed,
        index=index,
    )


def generate_at_scale(
    report: QualityReport,
    real_data,
    synthetic_data,
    metadata,
    verbose: bool = True,
    sketch_k: int = SKETCH_K,
    max_categories: int = MAX_CATEGORIES,
    max_cells: int = MAX_CELLS,
    sample_rows: int = SAMPLE_ROWS,
    partition_rows: int | None = None,
    client=None,
    keep_sample: list | None = None,
):
    """Fill ``report`` (a :class:`QualityReport`) from two tables read in partitions (see the module docstring).

    ``keep_sample`` (column names): also draw the seeded sample of ``sample_rows`` rows a table of
    these columns, and return the two samples (DataFrames); else return None.
    """
    verbose = check_bool("verbose", verbose)
    client = current_client(client)
    sketch_k = check_count("sketch_k", sketch_k, minimum=8)
    max_categories = check_count("max_categories", max_categories)
    max_cells = check_count("max_cells", max_cells)
    sample_rows = check_count("sample_rows", sample_rows)
    meta = columns_meta(metadata)
    key = sequence_roles(metadata)[0]
    cols = [c for c, m in meta.items() if m["sdtype"] in CONTINUOUS + DISCRETE and c != key]
    read = cols + [c for c in keep_sample or () if c not in cols]  # the columns read (all must exist)
    sources = [
        _open(real_data, "real_data", list(meta), read, partition_rows),
        _open(synthetic_data, "synthetic_data", list(meta), read, partition_rows),
    ]
    scored = {c: meta[c] for c in cols}
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        func = functools.partial(first_pass, meta=scored, cols=cols, k=sketch_k, max_categories=max_categories)
        first = _read_both(sources, func, merge_first, client, decode=from_state)
        for name, f in zip(("real_data", "synthetic_data"), first):
            if not f["rows"]:
                raise InvalidDataError(f"{name} has no rows")
        pairs = choose_pairs(len(cols), report.max_pairs, report.seed)
        sampled = len(pairs[0]) < pairs[2]
        report.pair_sampling = {
            "scored": int(len(pairs[0])),
            "total": int(pairs[2]),
            "sampled": bool(sampled),
            "seed": report.seed if sampled else None,
            "max_pairs": report.max_pairs,
        }
        plan = _plan(cols, meta, first, pairs, sampled, max_cells, sample_rows, report.seed, sources, keep_sample)
        second = [{"counts": {}}, {"counts": {}}]
        if plan.corr is not None or plan.counted or plan.sample_cols:
            second = [
                _read_both([source], functools.partial(second_pass, plan=plan, table=t), merge_second, client)[0]
                for t, source in enumerate(sources)
            ]
        report._notes, report._details, report._scores = [], {}, {}
        shapes, bounds, lumped = column_shapes(cols, meta, first, report._notes)
        report._details["Column Shapes"], report._scores["Column Shapes"] = shapes
        trends = column_pair_trends(cols, meta, first, second, pairs, plan, report.pair_threshold, report._notes)
        report._details["Column Pair Trends"], report._scores["Column Pair Trends"] = trends
    report._sequence_score = None
    if key is not None:
        report._notes.append(
            "the sequential properties (Sequence Length, Context Shapes, ...) need whole sequences in memory and are "
            "not computed for tables read in partitions; Column Shapes and Column Pair Trends score the flattened rows"
        )
    report.sample_sizes = _sample_sizes(first, second, plan, sketch_k, max_categories, bounds, lumped)
    _finish(report, verbose)
    if keep_sample:
        return [BottomKSample.from_state(second[t]["sample"]).frame() for t in (0, 1)]
    return None


def _sample_sizes(first, second, plan, k, max_categories, bounds, lumped) -> dict:
    sample = {
        label: len(BottomKSample.from_state(second[t]["sample"]))
        for t, label in enumerate(("real", "synthetic"))
        if "sample" in second[t]
    }
    out = {
        "real_rows": int(first[0]["rows"]),
        "synthetic_rows": int(first[1]["rows"]),
        "real_partitions": int(first[0]["partitions"]),
        "synthetic_partitions": int(first[1]["partitions"]),
        "sketch": f"KLL (Apache DataSketches), k={k}",
        "rank_error": QuantileSketch(k).rank_error,
        "ks_error_bound": float(max(bounds, default=0.0)),
        "max_categories": int(max_categories),
        "capped_columns": lumped,
        "sample_rows": sample or None,
        "sampled_pairs": len(plan.sampled),
    }
    bound = out["ks_error_bound"]
    text = (
        f"Read all {out['real_rows']:,} real rows ({out['real_partitions']:,} partitions) and {out['synthetic_rows']:,} "
        f"synthetic rows ({out['synthetic_partitions']:,} partitions): KSComplement from {out['sketch']} sketches ("
        + (f"within {bound:.2g} of the exact score" if bound else f"exact: no column has over {k:,} values")
        + "), the other scores from exact counts and sums"
    )
    if lumped:
        text += (
            f"; {len(lumped)} column(s) have over {max_categories:,} distinct values: their rarest values are lumped"
        )
    if plan.sampled:
        text += (
            f"; {len(plan.sampled):,} contingency pair(s) with too many possible cells to count are scored on a seeded "
            f"sample of {sample['real']:,} real and {sample['synthetic']:,} synthetic rows"
        )
    out["statement"] = text
    return out


def _finish(report: QualityReport, verbose: bool) -> None:
    """The overall score, the notes, the warnings and the printout, as :meth:`QualityReport.generate` ends."""
    s, p = report._scores["Column Shapes"], report._scores["Column Pair Trends"]
    report._overall = float(np.nanmean([s, p])) if not all(np.isnan([s, p])) else np.nan
    shapes = report._details["Column Shapes"]
    if len(shapes) and (shapes["Score"] == 0).all() and "Note" in shapes and (shapes["Note"] != "").all():
        report._notes.insert(0, "the synthetic data has no readable values in any scored column: every column scores 0")
    elif report._overall != report._overall:
        report._notes.insert(
            0,
            "no column could be scored: the tables have no numerical, datetime, categorical or boolean column with values in the real data",
        )
    report._generated = True
    for note in capped_notes(report._notes):
        warnings.warn(note, UserWarning, stacklevel=4)
    if verbose:
        print(report.summary())


def evaluate_quality_at_scale(
    real_data,
    synthetic_data,
    metadata,
    verbose: bool = True,
    pair_threshold: bool = True,
    max_pairs: int | None = MAX_PAIRS,
    seed=0,
    sketch_k: int = SKETCH_K,
    max_categories: int = MAX_CATEGORIES,
    max_cells: int = MAX_CELLS,
    sample_rows: int = SAMPLE_ROWS,
    partition_rows: int | None = None,
    client=None,
) -> QualityReport:
    """The quality report of tables read in partitions, with the sketch and sample settings.

    Parameters
    ----------
    real_data, synthetic_data : str, Path, dask.dataframe.DataFrame or pandas.DataFrame
        A Parquet / CSV file or a folder of them, a Dask DataFrame, or a DataFrame in memory.
    metadata : Metadata or dict
    verbose, pair_threshold, max_pairs, seed
        As :func:`~simulacra.evaluation.quality.evaluate_quality` (``seed`` also seeds the
        sample of the pairs with too many cells).
    sketch_k : int, default 4000
        KLL accuracy parameter (normalized rank error about 0.07 % at 4000).
    max_categories : int, default 100,000
        Distinct values a discrete column is counted with exactly (the rarest are lumped past it).
    max_cells : int, default 1,000,000
        A contingency pair with more possible cells is scored on a sample.
    sample_rows : int, default 100,000
        Rows a table of that sample.
    partition_rows : int, optional
        Rows per partition (default: about 100 MB each, or a Dask DataFrame's own partitions).
    client : distributed.Client, None or False, optional
        Summarise the partitions on its workers; None (default): on the current client's if there
        is one; False (or no client): here, one partition after the other.

    Returns
    -------
    QualityReport
        With :attr:`~QualityReport.sample_sizes` (rows and partitions read per table, the sketch's
        error bound, the category cap, the pair sample).
    """
    report = QualityReport(pair_threshold=pair_threshold, max_pairs=check_max_pairs(max_pairs), seed=seed)
    generate_at_scale(
        report,
        real_data,
        synthetic_data,
        metadata,
        verbose=verbose,
        sketch_k=sketch_k,
        max_categories=max_categories,
        max_cells=max_cells,
        sample_rows=sample_rows,
        partition_rows=partition_rows,
        client=client,
    )
    return report
