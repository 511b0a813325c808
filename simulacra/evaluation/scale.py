"""The quality report of tables read in partitions: a Parquet dataset, a folder of CSV / Parquet files, a Dask DataFrame.

``evaluate_quality`` and ``QualityReport.generate`` come here when either table is such a source
(:func:`simulacra.io.partitions.is_partitioned_source`; the other may be a pandas DataFrame). Each
table is read twice, one partition at a time (memory does not grow with the rows), through
:func:`simulacra.io.partitions.map_tasks` (here, or on the workers of a ``distributed.Client``
given as ``client``); the per-partition summaries of :mod:`simulacra.evaluation.scale_sums` are
merged in task order. The metrics are the in-memory report's (:mod:`simulacra.evaluation.quality`):

- **KSComplement** from exact counts at fixed edges (:class:`~simulacra.utils.sketch.EdgeCounts`;
  deterministic, exactly mergeable; no random compaction, so the same data and seed give the same
  scores). Values are rounded to 14 decimals, as in memory.

  - Pass 1 keeps, per table and numerical / datetime column, its distinct values with their
    counts while there are at most ``n_edges`` (8,192), and a seeded bottom-k sample of
    ``4 n_edges`` of its values: a row's key comes from its file and position
    (:func:`~simulacra.utils.sketch.row_keys`), so the sample does not depend on the partition
    size, the workers or the order partitions are read and merged in.
  - Edges (:func:`~simulacra.evaluation.scale_sums.column_edges`): all the distinct values of
    both tables when they have at most ``n_edges`` together (an *exact* column); else about
    ``n_edges / 2`` quantiles of each table (exact ones from its counts, or its sample's, with
    its exact min and max), at most ``n_edges`` in all.
  - Pass 2 counts each table's values below, at and between the edges, so both empirical CDFs
    are known exactly at every edge ``e``: ``F(e)`` and ``F(e-)``.
  - The statistic is ``D``, the largest ``|F_real - F_synthetic|`` at these points; the score is
    ``1 - D``. Bound (:func:`~simulacra.evaluation.scale_metrics.edge_ks`): inside a gap between
    two edges each CDF rises by its table's share of rows in the gap (``g_r``, ``g_s``), so
    ``D <= KS <= D + max over the gaps of min(g_r, g_s)``, which is at most the largest
    between-edge share of rows of either table. The exact score lies in
    ``[score - bound, score]``; the bound is measured, per column in the details' ``Error
    Bound`` and their largest in ``sample_sizes["ks_error_bound"]``.
  - An exact column has no values between edges: bound 0, and ``D`` is computed as in memory
    (integer counts over row counts), so its score equals the in-memory one bit for bit and
    does not depend on the seed or on how the rows are cut into files and partitions. A column
    with more values: the same scores for the same seed and files, whatever the partition size,
    workers or order (another seed or file layout moves it within the bound). Measured: about
    4e-4 at 1M rows a table (KLL at k = 4000 stated 1.5e-3), score differences under 2e-5.
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

Memory is bounded by the columns, not the rows: per numerical column at most ``n_edges`` distinct
values, a sample of ``4 n_edges`` values and ``2 n_edges + 1`` counts a table; at most
``max_categories`` counted values a discrete column; sums-of-products matrices of the numerical columns
(per sampled pair past ``MATRIX_COLUMNS`` of them), at most ``TOTAL_CELLS`` joint counts, the
sample, and one partition at a time (measured: 265 and 274 MB peak RSS for 1M and 4M rows a table
of 9 columns, 6 of them numerical or datetime; an earlier 9-column table: 182 MB at both sizes,
where the in-memory report took 0.85 and 2.8 GB).

Unreadable values, constant columns, the pair threshold and the pair sample of wide tables are
as in memory. :attr:`QualityReport.sample_sizes` states the rows and partitions read per table,
the edges and the measured KS error bound, the category cap and the pair sample (also in the
summary). Apache DataSketches is not used. Sequential properties need whole sequences in memory:
with a sequence key only the flattened rows' Column Shapes and Column Pair Trends are scored (a
warning says so).
"""

from __future__ import annotations

import functools
import os
import sys
import warnings

import numpy as np
import pandas as pd

from .._random import as_seed_sequence
from ..errors import InvalidDataError, MetadataError, SimulacraError
from ..io.partitions import PartitionTask
from ..utils.sketch import BottomKSample
from ._options import check_bool, check_count
from .pair_metrics import check_max_pairs, choose_pairs
from .quality import MAX_PAIRS, QualityReport
from .scale_metrics import column_pair_trends, column_shapes
from .scale_sums import (
    DENSE_CELLS,
    PairPlan,
    column_edges,
    first_pass,
    from_state,
    merge_first,
    merge_second,
    second_pass,
)
from .sequential import sequence_roles
from .views import CONTINUOUS, DISCRETE, capped_notes, columns_meta, text_columns

#: edges a numerical column's values are counted at (all its values when both tables have at most this many)
N_EDGES = 8192
#: values a table of the seeded sample a numerical column's edges come from, per edge
SAMPLE_PER_EDGE = 4
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
        starts = range(0, max(self.num_rows, 1), self.max_rows)
        return [PartitionTask("frame", index=i, max_rows=self.max_rows, first_row=r) for i, r in enumerate(starts)]

    def iter_task(self, task):
        yield self.frame.iloc[task.first_row : task.first_row + self.max_rows]


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
    """Each source's merged summaries (``func(table)``: the task function of table 0 or 1), in task order."""
    out = []
    for t, source in enumerate(sources):
        acc = None
        for part in _map(source, func(t), client):
            part = decode(part)
            acc = part if acc is None else merge(acc, part)
        out.append(acc)
    return out


def _plan(cols, meta, first, pairs, sampled, max_cells, sample_rows, seed, sources, keep_sample, edges) -> PairPlan:
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
        edges=edges,
    )


def generate_at_scale(
    report: QualityReport,
    real_data,
    synthetic_data,
    metadata,
    verbose: bool = True,
    n_edges: int = N_EDGES,
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
    n_edges = check_count("n_edges", n_edges, minimum=16)
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
        seed = as_seed_sequence(report.seed)  # one sequence for every worker (None: fresh entropy, once)
        size = SAMPLE_PER_EDGE * n_edges
        opts = {"meta": scored, "cols": cols, "n_edges": n_edges, "sample_size": size, "seed": seed}
        funcs = [functools.partial(first_pass, **opts, table=t, max_categories=max_categories) for t in (0, 1)]
        merge = functools.partial(merge_first, n_edges=n_edges, sample_size=size)
        first = _read_both(sources, funcs.__getitem__, merge, client, decode=from_state)
        for name, f in zip(("real_data", "synthetic_data"), first):
            if not f["rows"]:
                raise InvalidDataError(f"{name} has no rows")
        edges, exact = {}, []
        for c in cols:
            if meta[c]["sdtype"] in CONTINUOUS:
                numbers = [first[t]["numbers"][c] for t in (0, 1)]
                edges[c], is_exact = column_edges(numbers, n_edges)
                exact.append(is_exact)
                for n in numbers:  # the samples and value sets are done with: free them before pass 2
                    n.pop("sample"), n.pop("values")
        pairs = choose_pairs(len(cols), report.max_pairs, report.seed)
        sampled = len(pairs[0]) < pairs[2]
        report.pair_sampling = {
            "scored": int(len(pairs[0])),
            "total": int(pairs[2]),
            "sampled": bool(sampled),
            "seed": report.seed if sampled else None,
            "max_pairs": report.max_pairs,
        }
        plan = _plan(cols, meta, first, pairs, sampled, max_cells, sample_rows, seed, sources, keep_sample, edges)
        second = [{"counts": {}}, {"counts": {}}]
        if plan.corr is not None or plan.counted or plan.sample_cols or plan.edges:
            func = functools.partial(second_pass, plan=plan)
            second = _read_both(sources, lambda t: functools.partial(func, table=t), merge_second, client)
        report._notes, report._details, report._scores = [], {}, {}
        shapes, bounds, lumped = column_shapes(cols, meta, first, second, report._notes)
        report._details["Column Shapes"], report._scores["Column Shapes"] = shapes
        trends = column_pair_trends(cols, meta, first, second, pairs, plan, report.pair_threshold, report._notes)
        report._details["Column Pair Trends"], report._scores["Column Pair Trends"] = trends
    report._sequence_score = None
    if key is not None:
        report._notes.append(
            "the sequential properties (Sequence Length, Context Shapes, ...) need whole sequences in memory and are "
            "not computed for tables read in partitions; Column Shapes and Column Pair Trends score the flattened rows"
        )
    sampled_edges = [c for c, ok in zip(edges, exact) if not ok]
    report.sample_sizes = _sample_sizes(first, second, plan, n_edges, sampled_edges, max_categories, bounds, lumped)
    _finish(report, verbose)
    if keep_sample:
        return [BottomKSample.from_state(second[t]["sample"]).frame() for t in (0, 1)]
    return None


def _sample_sizes(first, second, plan, n_edges, sampled_edges, max_categories, bounds, lumped) -> dict:
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
        "sketch": f"exact counts at up to {n_edges:,} edges a column",
        "n_edges": int(n_edges),
        "edge_sample": int(SAMPLE_PER_EDGE * n_edges),
        "sampled_edge_columns": sampled_edges,
        "ks_error_bound": float(max(bounds, default=0.0)),
        "max_categories": int(max_categories),
        "capped_columns": lumped,
        "sample_rows": sample or None,
        "sampled_pairs": len(plan.sampled),
    }
    bound = out["ks_error_bound"]
    text = (
        f"Read all {out['real_rows']:,} real rows ({out['real_partitions']:,} partitions) and {out['synthetic_rows']:,} "
        f"synthetic rows ({out['synthetic_partitions']:,} partitions): KSComplement from {out['sketch']} ("
        + (
            f"{len(sampled_edges):,} column(s) with over {n_edges:,} values, edges from a seeded sample: at most "
            f"{bound:.2g} above the exact score"
            if sampled_edges
            else f"exact: no column has over {n_edges:,} values"
        )
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
    n_edges: int = N_EDGES,
    max_categories: int = MAX_CATEGORIES,
    max_cells: int = MAX_CELLS,
    sample_rows: int = SAMPLE_ROWS,
    partition_rows: int | None = None,
    client=None,
) -> QualityReport:
    """The quality report of tables read in partitions, with the edge and sample settings.

    Parameters
    ----------
    real_data, synthetic_data : str, Path, dask.dataframe.DataFrame or pandas.DataFrame
        A Parquet / CSV file or a folder of them, a Dask DataFrame, or a DataFrame in memory.
    metadata : Metadata or dict
    verbose, pair_threshold, max_pairs, seed
        As :func:`~simulacra.evaluation.quality.evaluate_quality` (``seed`` also seeds the
        samples the edges of columns with many values come from, and the sample of the pairs
        with too many cells).
    n_edges : int, default 8192
        Edges a numerical / datetime column's values are counted at: all its values when both
        tables have at most this many distinct ones together (the score is then exact), else
        about half from each table's quantiles (from a seeded sample of ``4 n_edges`` values
        a table); the KS error bound is measured (module docstring).
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
        With :attr:`~QualityReport.sample_sizes` (rows and partitions read per table, the edges
        and the measured KS error bound, the category cap, the pair sample).
    """
    report = QualityReport(pair_threshold=pair_threshold, max_pairs=check_max_pairs(max_pairs), seed=seed)
    generate_at_scale(
        report,
        real_data,
        synthetic_data,
        metadata,
        verbose=verbose,
        n_edges=n_edges,
        max_categories=max_categories,
        max_cells=max_cells,
        sample_rows=sample_rows,
        partition_rows=partition_rows,
        client=client,
    )
    return report
