"""The "Sequences" section of the HTML report: the sequential properties and a few real and synthetic sequences.

For metadata with a sequence key, :func:`simulacra.evaluation.report.build_report` adds this section
after Quality: a card per sequential property (and their mean), the properties' details, and per
numerical column (the first ones that are not context columns) one inline SVG figure with a few real
sequences on the left and as many synthetic ones on the right, on the same axes.
"""

from __future__ import annotations

import html

import numpy as np

from .plots import REAL, SYNTH, SVGFigure, tick_labels
from .sequential import PROPERTIES, sequence_order
from .views import Views

#: how sequences of one panel are told apart
_DASHES = ("", "7 3", "2 3", "10 3 2 3")
PANEL_W, PANEL_H, GAP, PAD = 430, 300, 30, 72


def _panel(x0, label, lines, color, xr, yr, x_fmt, y_fmt) -> str:
    """One panel (left edge ``x0``): axes, tick labels at the ends, a polyline and dots per sequence, their names."""
    (xa, xb), (ya, yb) = xr, yr
    left, right, top, bottom = x0 + PAD, x0 + PANEL_W - 10, 40, PANEL_H - 36
    px = lambda v: left + (v - xa) / (xb - xa) * (right - left)  # noqa: E731
    py = lambda v: bottom - (v - ya) / (yb - ya) * (bottom - top)  # noqa: E731
    parts = [
        f'<text x="{(left + right) / 2}" y="{top - 6}" text-anchor="middle" font-weight="bold">{html.escape(label)}</text>',
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#444"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#444"/>',
        f'<text x="{left}" y="{bottom + 14}">{html.escape(x_fmt(xa))}</text>',
        f'<text x="{right}" y="{bottom + 14}" text-anchor="end">{html.escape(x_fmt(xb))}</text>',
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end">{html.escape(y_fmt(ya))}</text>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{html.escape(y_fmt(yb))}</text>',
    ]
    legend = (  # drawn last, on a box over the lines
        [
            f'<rect x="{right - 124}" y="{top - 2}" width="122" height="{13 * len(lines) + 4}" fill="white" opacity="0.85"/>'
        ]
        if lines
        else []
    )
    for k, (name, x, y) in enumerate(lines):
        ok = ~(np.isnan(x) | np.isnan(y))
        pts = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x[ok], y[ok]))
        dash = _DASHES[k % len(_DASHES)]
        title = f"<title>{html.escape(str(name))}</title>"
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.6" stroke-dasharray="{dash}">{title}</polyline>'
        )
        parts += [f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="2" fill="{color}"/>' for a, b in zip(x[ok], y[ok])]
        ly = top + 6 + 13 * k
        legend.append(
            f'<line x1="{right - 120}" y1="{ly}" x2="{right - 100}" y2="{ly}" stroke="{color}" stroke-width="1.6" stroke-dasharray="{dash}"/>'
            f'<text x="{right - 96}" y="{ly + 4}">{html.escape(str(name)[:18])}</text>'
        )
    return "".join(parts + legend)


def sequences_svg(column, x_label, real_lines, syn_lines, x_fmt=str, y_fmt=str, counts=(None, None)) -> SVGFigure:
    """Real sequences (left) beside synthetic ones (right) of one column, on shared axes.

    Parameters
    ----------
    column : str
        The plotted column (the y axis).
    x_label : str
        What the x axis is (the sequence index, or the position in the sequence).
    real_lines, syn_lines : list of (name, x, y)
        One sequence each: its key and its x and y values (float arrays, in order).
    x_fmt, y_fmt : callable
        Tick label of a value.
    counts : tuple of (int or None, int or None)
        How many sequences each table has (named in the panel titles).

    Returns
    -------
    SVGFigure
    """
    xs = np.concatenate([x for _, x, _ in real_lines + syn_lines] + [np.zeros(0)])
    ys = np.concatenate([y for _, _, y in real_lines + syn_lines] + [np.zeros(0)])
    ok = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[ok], ys[ok]
    xr = (float(xs.min()), float(xs.max())) if len(xs) else (0.0, 1.0)
    yr = (float(ys.min()), float(ys.max())) if len(ys) else (0.0, 1.0)
    xr = xr if xr[1] > xr[0] else (xr[0], xr[0] + 1)
    yr = yr if yr[1] > yr[0] else (yr[0], yr[0] + 1)
    width = 2 * PANEL_W + GAP
    parts = []
    for x0, label, lines, color, n in (
        (0, "Real", real_lines, REAL, counts[0]),
        (PANEL_W + GAP, "Synthetic", syn_lines, SYNTH, counts[1]),
    ):
        title = f"{label}: {len(lines)} of {n:,} sequences" if n is not None else label
        parts.append(_panel(x0, title, lines, color, xr, yr, x_fmt, y_fmt))
    parts.append(f'<text x="{width / 2}" y="{PANEL_H - 8}" text-anchor="middle">{html.escape(x_label)}</text>')
    return SVGFigure("".join(parts), f"Sequences of column '{column}'", width, PANEL_H)


def _lines(views: Views, table: int, key, index, column, picked, order) -> list:
    """(key value, x, y) of the picked sequences of one table: x is the index (or the position), in order."""
    ends = np.r_[order.first[1:], len(order.perm)]
    y = views.num(column)[table][order.perm]
    x = views.num(index)[table][order.perm] if index else order.position.astype(float)
    keys = views.frames[table][key].to_numpy()
    return [
        (keys[order.perm[order.first[g]]], x[order.first[g] : ends[g]], y[order.first[g] : ends[g]]) for g in picked
    ]


def sequences_section(quality, views: Views, key, index, seed=0, n_sequences: int = 3, max_columns: int = 3) -> str:
    """The HTML of the Sequences section.

    Parameters
    ----------
    quality : QualityReport
        A generated report of sequential metadata (it holds the sequential properties).
    views : Views
        The report's views of the real (0) and synthetic (1) tables.
    key, index : str or None
        The sequence key and index.
    seed : int, default 0
        Seed of the choice of the plotted sequences.
    n_sequences : int, default 3
        Sequences plotted per table.
    max_columns : int, default 3
        Plots: the first numerical columns that are not context columns, at most this many.

    Returns
    -------
    str
    """
    from .report import _card, _table

    props = quality.get_properties().set_index("Property")["Score"]
    cards = [_card("Sequence Score", quality.get_sequence_score())] + [_card(p, props.get(p)) for p in PROPERTIES]
    parts = [
        "<h2 id='sequences'>Sequences</h2>",
        f"<p class='muted'>Sequence key {html.escape(repr(key))}"
        + (f", ordered by {html.escape(repr(index))}" if index else ", in row order")
        + ". The Sequence Score is the mean of the five sequential properties; the Quality score stays that of the flattened rows.</p>",
        f"<div class='cards' id='sequence-scores'>{''.join(cards)}</div>",
    ]
    orders = [sequence_order(views, t, key, index) for t in (0, 1)]
    rng = np.random.default_rng(seed)
    picked = [np.sort(rng.choice(o.n, min(n_sequences, o.n), replace=False)) for o in orders]
    columns = quality.get_details("Autocorrelation")["Column"].tolist()[:max_columns]
    x_label = index if index else "position in the sequence"
    x_fmt = tick_labels(views.meta[index]) if index else tick_labels({})
    plots = []
    for c in columns:
        real, syn = (_lines(views, t, key, index, c, picked[t], orders[t]) for t in (0, 1))
        fig = sequences_svg(c, x_label, real, syn, x_fmt, tick_labels(views.meta[c]), (orders[0].n, orders[1].n))
        plots.append(fig.to_svg())
    if plots:
        parts.append(f"<div class='plots' id='sequence-plots'>{''.join(plots)}</div>")
    for p in PROPERTIES:
        d = quality.get_details(p)
        if len(d):
            parts += [f"<h3>{html.escape(p)}</h3>", _table(d, what="columns")]
    return "".join(parts)
