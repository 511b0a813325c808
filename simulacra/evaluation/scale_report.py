"""The HTML report of tables read in partitions (a Parquet dataset, a folder of files, a Dask DataFrame).

:func:`simulacra.evaluation.report.build_report` comes here when either table is such a source.
The page holds what can be computed without the rows in memory: the quality report of every row
(:mod:`simulacra.evaluation.scale`, its sample sizes and error bounds stated) and the column
distributions drawn from a seeded sample of rows of each table (its size stated). Diagnostics,
privacy, ML utility and the statistical tests compare rows with rows: the page says they are not
computed, and how to get them (the in-memory report of a sample).
"""

from __future__ import annotations

import html

from ..errors import ParameterError
from ._options import check_count
from .plots import get_column_plot
from .quality import QualityReport
from .report import _CSS, MAX_SCORE_BARS, _card, _table
from .scale import generate_at_scale
from .views import CONTINUOUS, DISCRETE, columns_meta

#: rows a table of the sample the distribution plots are drawn from
PLOT_SAMPLE_ROWS = 20_000


def build_scale_report(
    real_data,
    synthetic_data,
    metadata,
    holdout=None,
    target=None,
    max_column_plots: int | None = None,
    max_pairs: int | None = 50_000,
    seed: int = 0,
    sample_rows: int = PLOT_SAMPLE_ROWS,
    client=None,
) -> str:
    """The HTML text of the report of two tables read in partitions (see the module docstring).

    Parameters
    ----------
    real_data, synthetic_data : str, Path, dask.dataframe.DataFrame or pandas.DataFrame
        At least one read in partitions.
    metadata : Metadata or dict
    holdout, target
        Not available at scale (a ParameterError when given): privacy and ML utility need rows in memory.
    max_column_plots : int, optional
        Plot at most this many columns (the first ones).
    max_pairs, seed
        As :func:`~simulacra.evaluation.quality.evaluate_quality`; ``seed`` also seeds the sample.
    sample_rows : int, default 20,000
        Rows a table of the seeded sample the distribution plots are drawn from.
    client : distributed.Client, optional
        Summarise the partitions on its workers.
    """
    if holdout is not None or target is not None:
        raise ParameterError(
            "holdout and target (privacy and ML utility) need the tables in memory: for tables read in partitions, "
            "build the report of a sample of rows (pandas DataFrames) to get them"
        )
    max_column_plots = check_count("max_column_plots", max_column_plots, minimum=0, allow_none=True)
    meta = columns_meta(metadata)
    plotted = [c for c, m in meta.items() if m["sdtype"] in CONTINUOUS + DISCRETE]
    quality = QualityReport(max_pairs=max_pairs, seed=seed)
    sample = generate_at_scale(
        quality,
        real_data,
        synthetic_data,
        metadata,
        verbose=False,
        sample_rows=check_count("sample_rows", sample_rows),
        client=client,
        keep_sample=plotted or None,
    )
    sizes = quality.sample_sizes
    plots, left_out = [], []
    for c, m in meta.items():
        if m["sdtype"] not in CONTINUOUS + DISCRETE:
            left_out.append((c, f"sdtype {m['sdtype']} (not plotted)"))
        elif max_column_plots is not None and len(plots) >= max_column_plots:
            left_out.append((c, f"over max_column_plots={max_column_plots}"))
        else:
            try:
                plots.append(get_column_plot(sample[0], sample[1], c, metadata).to_svg())
            except Exception as e:  # noqa: BLE001 - a column that cannot be drawn is named with why
                left_out.append((c, f"cannot be drawn: {e}"))
    notes = [quality.pair_sampling_text(), quality.pair_threshold_text()]
    shown = f"{len(plots):,} of {len(meta):,} columns plotted" + (
        "; left out: " + "; ".join(f"{html.escape(c)} ({html.escape(why)})" for c, why in left_out) if left_out else ""
    )
    sample_text = (
        f"Drawn from a seeded random sample of {len(sample[0]):,} real and {len(sample[1]):,} synthetic rows "
        f"(of {sizes['real_rows']:,} and {sizes['synthetic_rows']:,})."
        if sample
        else ""
    )
    props = quality.get_properties().set_index("Property")["Score"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>simulacra report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Synthetic data report</h1>",
        f"<p class='muted'>{sizes['real_rows']:,} real rows, {sizes['synthetic_rows']:,} synthetic rows, {len(meta)} columns, "
        "read in partitions. Made by simulacra.</p>",
        "<div class='cards' id='scores'>"
        + _card("Quality", quality.get_score())
        + "".join(_card(p, props[p]) for p in ("Column Shapes", "Column Pair Trends"))
        + "</div>",
        "<h2>Quality</h2>",
        _table(quality.get_properties()),
        f"<p class='muted' id='sample-sizes'>{html.escape(sizes['statement'])}.</p>",
        "".join(f"<p class='muted'>{html.escape(n)}.</p>" for n in notes if n),
        "".join(
            f"<p class='warning quality-warning' style='color:#a33'>{html.escape(w)}</p>" for w in quality.warnings
        ),
        f"<div class='plots'>{quality.get_visualization('Column Shapes', max_items=MAX_SCORE_BARS).to_svg()}</div>",
        "<h3>Column shapes</h3>",
        _table(quality.get_details("Column Shapes"), what="columns"),
        f"<h3>Distributions</h3><p class='muted' id='plot-sample'>{html.escape(sample_text)} {shown}.</p>",
        f"<div class='plots' id='column-plots'>{''.join(plots)}</div>",
    ]
    pairs = quality.get_details("Column Pair Trends")
    if len(pairs):
        parts += ["<h3>Column pair trends</h3>", _table(pairs, what="pairs")]
    parts += [
        "<h2>Not computed</h2><p class='muted' id='not-computed'>Diagnostics, privacy, ML utility and the statistical "
        "tests compare rows with rows and need the tables in memory: they are not computed for tables read in "
        "partitions. For them, build the report of a sample of rows (pandas DataFrames).</p>",
        "</body></html>",
    ]
    return "".join(parts)
