"""SDV's ``sdv.evaluation.multi_table`` path.

``from simulacra.evaluation.multi_table import evaluate_quality, run_diagnostic, get_column_plot,
get_column_pair_plot, get_cardinality_plot``, with SDV's arguments: ``real_data`` and
``synthetic_data`` are dicts of table name -> DataFrame, ``metadata`` the multi-table metadata.
Figures are :class:`~simulacra.evaluation.plots.SVGFigure` (``show()``, ``save(path)``, shown inline
in a notebook), not plotly figures.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidDataError, ParameterError
from . import plots
from .multi_diagnostic import MultiTableDiagnosticReport, run_multi_table_diagnostic
from .multi_quality import MultiTableQualityReport, evaluate_multi_table_quality
from .multi_table_common import as_list, cardinality, check_table_name, metadata_dict, table_meta

QualityReport = MultiTableQualityReport
DiagnosticReport = MultiTableDiagnosticReport

__all__ = [
    "evaluate_quality",
    "run_diagnostic",
    "get_column_plot",
    "get_column_pair_plot",
    "get_cardinality_plot",
    "QualityReport",
    "DiagnosticReport",
]

MAX_CARDINALITY_BARS = 25


def evaluate_quality(real_data: dict, synthetic_data: dict, metadata, verbose: bool = True) -> MultiTableQualityReport:
    """The multi-table quality report (Column Shapes, Column Pair Trends, Cardinality, Intertable Trends).

    Parameters
    ----------
    real_data, synthetic_data : dict of str -> pandas.DataFrame
    metadata : Metadata or dict
    verbose : bool, default True

    Returns
    -------
    MultiTableQualityReport
    """
    return evaluate_multi_table_quality(real_data, synthetic_data, metadata, verbose=verbose)


def run_diagnostic(real_data: dict, synthetic_data: dict, metadata, verbose: bool = True) -> MultiTableDiagnosticReport:
    """The multi-table diagnostic report (per-table validity, structure, coverage, missing values; relationship validity).

    Parameters
    ----------
    real_data, synthetic_data : dict of str -> pandas.DataFrame
    metadata : Metadata or dict
    verbose : bool, default True

    Returns
    -------
    MultiTableDiagnosticReport
    """
    return run_multi_table_diagnostic(real_data, synthetic_data, metadata, verbose=verbose)


def _table(data, name, label):
    if not isinstance(data, dict) or name not in data:
        raise InvalidDataError(f"{label} must be a dict of tables holding table {name!r}")
    return data[name]


def get_column_plot(real_data: dict, synthetic_data: dict, metadata, table_name: str, column_name: str, plot_type=None):
    """Distribution of one column of one table, real vs synthetic (SDV's argument order).

    Returns
    -------
    SVGFigure
    """
    meta = metadata_dict(metadata)
    check_table_name(meta, table_name)
    return plots.get_column_plot(
        _table(real_data, table_name, "real_data"),
        _table(synthetic_data, table_name, "synthetic_data"),
        column_name,
        table_meta(meta, table_name),
        plot_type=plot_type,
    )


def get_column_pair_plot(
    real_data: dict, synthetic_data: dict, metadata, table_name: str, column_names, plot_type=None, sample_size=None
):
    """Two columns of one table together, real vs synthetic (SDV's argument order).

    ``sample_size`` (optional): plot a seeded sample of at most this many rows of each table.

    Returns
    -------
    SVGFigure
    """
    meta = metadata_dict(metadata)
    check_table_name(meta, table_name)
    real = _table(real_data, table_name, "real_data")
    syn = _table(synthetic_data, table_name, "synthetic_data")
    if sample_size is not None:
        if isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)) or sample_size < 1:
            raise ParameterError(
                f"sample_size must be a whole number of rows of at least 1 or None, got {sample_size!r}"
            )
        real = real.sample(min(len(real), int(sample_size)), random_state=0)
        syn = syn.sample(min(len(syn), int(sample_size)), random_state=0)
    return plots.get_column_pair_plot(real, syn, column_names, table_meta(meta, table_name), plot_type=plot_type)


def cardinality_shares(real_counts: np.ndarray, syn_counts: np.ndarray, max_bars: int = MAX_CARDINALITY_BARS):
    """(bar labels, real shares, synthetic shares) of the number of children per parent row; whole-number bins of equal width when there are more than ``max_bars`` values."""
    top = int(max(real_counts.max(initial=0), syn_counts.max(initial=0)))
    width = max(1, int(np.ceil((top + 1) / max_bars)))
    n_bins = top // width + 1
    shares = []
    for counts in (real_counts, syn_counts):
        b = np.bincount((counts // width).astype(np.int64), minlength=n_bins)[:n_bins]
        shares.append((b / max(1, len(counts))).tolist())
    labels = [str(k * width) if width == 1 else f"{k * width}-{k * width + width - 1}" for k in range(n_bins)]
    return labels, shares[0], shares[1]


def get_cardinality_plot(
    real_data: dict,
    synthetic_data: dict,
    child_table_name: str,
    parent_table_name: str,
    child_foreign_key: str,
    metadata,
    plot_type: str = "bar",
):
    """The share of parent rows with each number of child rows (0, 1, 2, ...), real vs synthetic.

    Parameters
    ----------
    real_data, synthetic_data : dict of str -> pandas.DataFrame
    child_table_name, parent_table_name : str
    child_foreign_key : str
        The child's foreign key column (a relationship of the metadata).
    metadata : Metadata or dict
    plot_type : {"bar"}
        Only bars (SDV's "distplot" is not drawn).

    Returns
    -------
    SVGFigure
    """
    if plot_type != "bar":
        raise ParameterError(f"plot_type must be 'bar' (the only cardinality plot drawn), got {plot_type!r}")
    meta = metadata_dict(metadata)
    for name in (child_table_name, parent_table_name):
        check_table_name(meta, name)
    rel = next(
        (
            r
            for r in meta["relationships"]
            if r["parent_table_name"] == parent_table_name
            and r["child_table_name"] == child_table_name
            and as_list(r["child_foreign_key"]) == as_list(child_foreign_key)
        ),
        None,
    )
    if rel is None:
        raise InvalidDataError(
            f"the metadata has no relationship {child_table_name!r} ({child_foreign_key}) -> {parent_table_name!r}; "
            "pass a child foreign key of one of its relationships"
        )
    pk, fk = as_list(rel["parent_primary_key"]), as_list(rel["child_foreign_key"])
    counts = [
        cardinality(_table(d, parent_table_name, label), pk, _table(d, child_table_name, label), fk)
        for d, label in ((real_data, "real_data"), (synthetic_data, "synthetic_data"))
    ]
    labels, real_share, syn_share = cardinality_shares(*counts)
    return plots.bars_svg(
        labels,
        real_share,
        syn_share,
        f"Relationship (child foreign key='{child_foreign_key}' and parent primary key='{', '.join(pk)}')",
        x_label=f"# of children per {parent_table_name} row",
        y_label="share of parents",
    )
