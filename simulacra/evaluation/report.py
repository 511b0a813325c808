"""One self-contained HTML page: quality, diagnostics, privacy, utility, statistical tests, plots.

The page has no external resource (no script, font or image from the network): plots are inline
SVG and the styles are in the page.
"""

from __future__ import annotations

import html
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from ._options import check_count
from .views import CONTINUOUS, DISCRETE, Views, as_datetime, check_holdout, prepare

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #1f5f8b;padding-bottom:.2rem;margin-top:2rem}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ccd;border-radius:8px;padding:.8rem 1.2rem;min-width:180px}
.card .v{font-size:1.8rem;font-weight:bold;color:#1f5f8b}.card .l{color:#555}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}
th{background:#f0f4f8}.plots{display:flex;flex-wrap:wrap;gap:1rem}.muted{color:#666;font-size:.9rem}
#column-plots{gap:.4rem}#column-plots svg{width:350px;height:auto}
"""


def _table(df: pd.DataFrame, max_rows: int = 200, what: str = "rows") -> str:
    note = (
        f"<p class='muted capped'>Showing the first {max_rows:,} of {len(df):,} {what}; the full table is in the Python API (get_details).</p>"
        if len(df) > max_rows
        else ""
    )
    df = df.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for r in df.itertuples(index=False, name=None):
        cells = []
        for v in r:
            if isinstance(v, float):
                v = "n/a" if math.isnan(v) else f"{v:.4f}"
            cells.append(f"<td>{html.escape(str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"{note}<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _card(label, value) -> str:
    text = (
        "n/a"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else (f"{value * 100:.1f}%" if isinstance(value, float) else str(value))
    )
    return f'<div class="card"><div class="v" data-score="{html.escape(str(value))}">{text}</div><div class="l">{html.escape(label)}</div></div>'


def _one_thread(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with OpenMP limited to this thread (it runs beside the rest of the report)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="openmp"):
        return fn(*args, **kwargs)


MAX_SCORE_BARS = 60  # the Column Shapes chart shows at most this many columns (the lowest scores)


def build_report(
    real_data,
    synthetic_data,
    metadata,
    holdout=None,
    target=None,
    max_column_plots: int | None = None,
    max_pairs: int | None = 50_000,
    seed: int = 0,
) -> str:
    """The HTML text of the report.

    Every numerical, datetime, categorical and boolean column gets a distribution plot (a compact
    grid); ``max_column_plots`` caps them (the first columns) and the page names the columns left
    out and why (capped, not plottable: ids, text, PII). Without a ``holdout``, the ML utility's
    "train real, test real" baseline trains on a seeded 75% of the real rows and tests on the
    other 25% (synthetic-trained models are tested on the same 25%); the page says so. The page
    also lists the Rule Validity rules (the rules holding on every real row) with the share of
    synthetic rows breaking each. With a sequence key in the metadata, a Sequences section
    (:mod:`simulacra.evaluation.sequence_report`) follows Quality: the sequential properties and a
    few real and synthetic sequences of the first numerical columns. Wide tables are capped, and
    the page says so where it is: the Column Shapes chart's 60 lowest scores, the correlation
    heatmap's first 50 numerical columns, 200 rows a table; Column Pair Trends scores at most ``max_pairs``
    pairs (None or 0: every pair), a seeded sample above.

    When ``real_data`` and ``synthetic_data`` are dicts of table name -> DataFrame with multi-table
    metadata, the page is the database report of
    :func:`simulacra.evaluation.multi_report.build_multi_table_report` (no holdout or target).
    """
    if isinstance(real_data, dict) or isinstance(synthetic_data, dict):
        from ..errors import ParameterError
        from .multi_report import MAX_TABLE_COLUMN_PLOTS, build_multi_table_report

        if holdout is not None or target is not None:
            raise ParameterError(
                "holdout and target (ML utility) are single-table options; the multi-table report takes neither"
            )
        return build_multi_table_report(
            real_data,
            synthetic_data,
            metadata,
            max_column_plots=MAX_TABLE_COLUMN_PLOTS if max_column_plots is None else max_column_plots,
            max_pairs=max_pairs,
            seed=seed,
        )
    from .scale import is_scale_input

    if is_scale_input(real_data) or is_scale_input(synthetic_data):  # read in partitions
        from .scale_report import build_scale_report

        return build_scale_report(
            real_data, synthetic_data, metadata, holdout, target, max_column_plots, max_pairs, seed
        )
    from .diagnostic import DiagnosticReport
    from .plots import get_column_plot, get_correlation_difference_plot
    from .privacy import evaluate_privacy
    from .quality import QualityReport
    from .stats import statistical_tests
    from .utility import evaluate_utility

    real, syn, meta = prepare(real_data, synthetic_data, metadata)
    max_column_plots = check_count("max_column_plots", max_column_plots, minimum=0, allow_none=True)
    # text dates are parsed once here, not again in every metric: only where no table has them
    # as datetimes already, so a type mismatch still shows in Data Structure
    if holdout is not None:  # checked before any metric runs
        holdout = check_holdout(holdout, meta)
    frames = [real, syn] + ([holdout] if holdout is not None else [])
    for c, m in meta.items():
        if m["sdtype"] == "datetime" and all(
            c in f.columns and not pd.api.types.is_datetime64_any_dtype(f[c].dtype) for f in frames
        ):
            parsed = [as_datetime(f[c], m) for f in frames]
            # a table with dates that do not parse keeps its text, so that the views count them as unreadable
            if not any((p.isna() & f[c].notna()).any() for p, f in zip(parsed, frames)):
                frames = [f.assign(**{c: p}) for f, p in zip(frames, parsed)]
    real, syn = frames[0], frames[1]
    holdout = frames[2] if holdout is not None else None
    # every metric reads its columns from one set of views: each column is converted, sorted
    # and factorized once for the whole page
    views = Views(frames, meta)
    # numbers out of float range (1e308 and its negative: variances overflow) give NaN scores,
    # shown as n/a: numpy's floating-point warnings are not printed for them
    with ThreadPoolExecutor(1) as pool, np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        # the utility models (scikit-learn, which releases the GIL) train while the rest is computed
        future = None
        if target is not None:
            if holdout is not None:
                train, test, uviews = real, holdout, views
            else:  # a seeded split of the real rows: TRTR is never scored on its own training rows
                order = np.random.default_rng(seed).permutation(len(real))
                cut = max(1, int(round(0.75 * len(real))))
                train, test, uviews = real.iloc[order[:cut]], real.iloc[order[cut:]], None
            future = pool.submit(
                _one_thread, evaluate_utility, train, syn, test, target, metadata, verbose=False, views=uviews
            )
        quality = QualityReport(max_pairs=max_pairs)
        quality.generate(real, syn, metadata, verbose=False, views=views)
        diag = DiagnosticReport()
        diag.generate(real, syn, metadata, verbose=False, views=views)
        privacy = evaluate_privacy(real, syn, metadata, holdout=holdout, verbose=False, views=views)
        tests = statistical_tests(real, syn, metadata, views=views)
        plots, left_out = [], []
        for c, m in meta.items():
            if c not in syn.columns:
                left_out.append((c, "not in the synthetic table"))
            elif m["sdtype"] not in CONTINUOUS + DISCRETE:
                left_out.append((c, f"sdtype {m['sdtype']} (not plotted)"))
            elif max_column_plots is not None and len(plots) >= max_column_plots:
                left_out.append((c, f"over max_column_plots={max_column_plots}"))
            else:
                try:
                    plots.append(get_column_plot(real, syn, c, metadata).to_svg())
                except Exception as e:  # noqa: BLE001 - a column that cannot be drawn is named with why
                    left_out.append((c, f"cannot be drawn: {e}"))
        try:
            correlations = get_correlation_difference_plot(real, syn, metadata, views=views).to_svg()
        except Exception:  # noqa: BLE001 - fewer than two numerical columns
            correlations = None
        utility = future.result() if future is not None else None

    sampling = quality.pair_sampling_text()
    cards = [
        _card("Quality", quality.get_score()),
        _card("Diagnostic", diag.get_score()),
        _card("Rule Validity", diag.get_properties().set_index("Property")["Score"].get("Rule Validity")),
        _card("Privacy", privacy.get_score()),
    ]
    sequential = quality.get_sequence_score() is not None  # metadata with a sequence key
    if sequential:
        cards.append(_card("Sequences", quality.get_sequence_score()))
    if utility is not None:
        ratio = utility.get_score()
        cards.append(_card(f"ML utility ratio ({target})", "n/a" if ratio != ratio else f"{ratio:.2f}"))
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>simulacra report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Synthetic data report</h1>",
        f"<p class='muted'>{len(real):,} real rows, {len(syn):,} synthetic rows, {len(meta)} columns"
        + (f", {len(holdout):,} holdout rows" if holdout is not None else "")
        + ". Made by simulacra.</p>",
        f"<div class='cards' id='scores'>{''.join(cards)}</div>",
        "<h2>Quality</h2>",
        _table(quality.get_properties()),
        f"<p class='muted' id='pair-sampling'>{html.escape(sampling)}.</p>" if sampling else "",
        f"<p class='muted' id='pair-threshold'>{html.escape(quality.pair_threshold_text())}.</p>"
        if quality.pair_threshold_text()
        else "",
        "".join(
            f"<p class='warning quality-warning' style='color:#a33'>{html.escape(w)}</p>" for w in quality.warnings
        ),
        f"<div class='plots'>{quality.get_visualization('Column Shapes', max_items=MAX_SCORE_BARS).to_svg()}</div>",
        "<h3>Column shapes</h3>",
        _table(quality.get_details("Column Shapes"), what="columns"),
    ]
    shown = (
        f"<p class='muted capped' id='plots-left-out'>{len(plots):,} of {len(meta):,} columns plotted; left out: "
        + "; ".join(f"{html.escape(c)} ({html.escape(why)})" for c, why in left_out)
        + ".</p>"
        if left_out
        else ""
    )
    parts.append(f"<h3>Distributions</h3>{shown}<div class='plots' id='column-plots'>{''.join(plots)}</div>")
    if correlations is not None:
        parts.append(f"<h3>Correlations</h3><div class='plots'>{correlations}</div>")
    pairs = quality.get_details("Column Pair Trends")
    if len(pairs):
        parts += ["<h3>Column pair trends</h3>", _table(pairs, what="pairs")]
    if sequential:  # the sequential properties and a few real and synthetic sequences
        from .sequence_report import sequences_section
        from .sequential import sequence_roles

        parts.append(sequences_section(quality, views, *sequence_roles(metadata), seed=seed))
    parts += ["<h2>Diagnostics</h2>", _table(diag.get_properties())]
    for prop in diag.PROPERTIES:
        d = diag.get_details(prop)
        if prop == "Rule Validity":
            parts.append(
                "<h3 id='rule-validity'>Rule Validity</h3><p class='muted'>Rules that hold on every real row"
                " and the share of synthetic rows breaking each (Breaking %, in percent).</p>"
                + (
                    _table(d, what="rules")
                    if len(d)
                    else "<p class='muted'>No rule found (or rule mining unavailable).</p>"
                )
            )
        elif len(d):
            parts += [f"<h3>{html.escape(prop)}</h3>", _table(d)]
    parts += ["<h2>Privacy</h2>", _table(privacy.get_details())]
    dist = privacy.get_distances()
    if len(dist):
        parts += [
            "<h3 id='privacy-distances'>Distances to the training rows</h3>",
            "<p class='muted'>Quantiles of DCR (Gower distance to the closest training row) and NNDR (closest over "
            "second-closest); holdout rows are the baseline: synthetic rows much closer than them sit on real people."
            + (
                ""
                if holdout is not None
                else " Give a holdout (rows kept out of fit) for the baseline, the DCR share and the membership attack."
            )
            + "</p>",
            _table(dist),
        ]
    rare = privacy.get_rare_categories()  # categorical columns whose rare real values reach the sample
    if len(rare):
        parts += [
            "<h3 id='rare-categories'>Rare categories</h3>",
            "<p class='muted'>Real values found in at most 2 real rows, and how many of them the synthetic data holds.</p>",
        ]
        parts += [f"<p class='warning' style='color:#a33'>{html.escape(w)}</p>" for w in privacy.warnings] + [
            _table(rare)
        ]
    if utility is not None:
        parts += [
            f"<h2>ML utility</h2><p>Task: {utility.task}; ratio (train synthetic / train real, tested on real): <b>{utility.get_score():.3f}</b></p>",
            "<p class='muted' id='utility-split'>"
            + (
                f"Tested on the {len(holdout):,} holdout rows."
                if holdout is not None
                else f"No holdout given: train real = a seeded 75% of the real rows, tested on the other {len(real) - max(1, int(round(0.75 * len(real)))):,} rows (synthetic-trained models too)."
            )
            + "</p>",
            _table(utility.get_details()),
        ]
    parts += [
        "<h2>Statistical tests</h2>",
        "<p class='muted'>Per column; p-values adjusted with Holm's method.</p>",
        _table(tests),
    ]
    parts.append("</body></html>")
    return "".join(parts)


def save_report(real_data, synthetic_data, metadata, path, holdout=None, target=None) -> Path:
    """Write the report to ``path`` (atomically).

    The page goes to a hidden temporary file in the same folder, moved into place when complete;
    on any failure the temporary file is removed and an existing file at ``path`` is unchanged.
    """
    from ..errors import FileFormatError
    from ..io.writers import write_text_atomically

    text = build_report(real_data, synthetic_data, metadata, holdout=holdout, target=target)
    path = Path(path)
    try:
        write_text_atomically(path, text)
    except OSError as e:
        raise FileFormatError(
            f"cannot write the report to {str(path)!r}: {e.strerror or e}; check that the folder exists and is writable"
        ) from None
    return path
