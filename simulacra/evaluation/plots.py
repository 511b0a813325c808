"""Plots as self-contained SVG: real vs synthetic, no plotting library needed.

``get_column_plot`` (histogram or bar chart of one column), ``get_column_pair_plot`` (scatter,
box-like strip or heatmap of two columns), ``get_correlation_difference_plot`` and
``QualityReport.get_visualization`` return an :class:`SVGFigure`: it shows itself in a notebook,
``fig.show()`` opens it in a browser, ``fig.save(path)`` writes an .svg or .html file, and
``fig.to_svg()`` gives the markup (the HTML report inlines it).
"""

from __future__ import annotations

import html
import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from ..utils.validation import is_int
from ..utils.stats import pairwise_pearson
from .primitives import shared_pearson
from .views import CONTINUOUS, Views, numeric_view, prepare, views_for

REAL, SYNTH = "#1f5f8b", "#e8793a"
W, H, PAD = 640, 360, 48


class SVGFigure:
    def __init__(self, body: str, title: str, width: int = W, height: int = H):
        self.body, self.title, self.width, self.height = body, title, width, height

    def to_svg(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" font-family="sans-serif" font-size="11">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<text x="{self.width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{html.escape(self.title)}</text>'
            f"{self.body}</svg>"
        )

    def _repr_svg_(self):
        return self.to_svg()

    def save(self, path) -> None:
        """Write the figure to ``path``: an HTML page where the name ends in ``.html``, else the SVG.

        The file is written atomically (:func:`simulacra.io.writers.write_text_atomically`): a failed
        save leaves no partial file, and an existing file at ``path`` unchanged.
        """
        from ..io.writers import write_text_atomically

        text = self.to_svg()
        if str(path).endswith(".html"):
            text = f"<!doctype html><meta charset='utf-8'><title>{html.escape(self.title)}</title>{text}"
        write_text_atomically(path, text)

    def show(self) -> None:
        """Open the figure in a browser (or print where it was written)."""
        import tempfile
        import webbrowser

        fd, path = tempfile.mkstemp(suffix=".html", prefix="simulacra-plot-")
        import os

        os.close(fd)
        self.save(path)
        if not webbrowser.open("file://" + path):
            print(f"plot written to {path}")


def _legend(x, y):
    return (
        f'<rect x="{x}" y="{y}" width="10" height="10" fill="{REAL}" opacity="0.7"/><text x="{x + 14}" y="{y + 9}">Real</text>'
        f'<rect x="{x + 60}" y="{y}" width="10" height="10" fill="{SYNTH}" opacity="0.7"/><text x="{x + 74}" y="{y + 9}">Synthetic</text>'
    )


def _axes(x_label, y_label):
    return (
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 20}" y2="{H - PAD}" stroke="#444"/>'
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#444"/>'
        f'<text x="{(W + PAD) / 2}" y="{H - 12}" text-anchor="middle">{html.escape(x_label)}</text>'
        f'<text x="14" y="{H / 2}" text-anchor="middle" transform="rotate(-90 14 {H / 2})">{html.escape(y_label)}</text>'
    )


def _fmt(v):
    """A tick label for a number: plain digits from 1,000 on (a year reads 2013, not 2.01e+03)."""
    v = float(v)
    if v == v and 1000 <= abs(v) < 1e15:
        return f"{v:.0f}"
    return f"{v:.3g}"


def tick_labels(column_meta: dict):
    """A tick formatter for a column by its sdtype: dates as dates (values in epoch seconds), numbers plain.

    Parameters
    ----------
    column_meta : dict
        The column's metadata (``sdtype``).

    Returns
    -------
    callable
        ``f(value) -> str``.
    """
    if column_meta.get("sdtype") == "datetime":
        return lambda v: str(pd.Timestamp(float(v), unit="s").date())
    return _fmt


def histogram_svg(real: np.ndarray, syn: np.ndarray, title: str, x_label: str, labels=None) -> SVGFigure:
    both = np.concatenate([real, syn])
    empty = np.zeros(30)
    lo, hi = float(np.min(both)), float(np.max(both))
    if hi == lo:
        hi = lo + 1
    edges = np.linspace(lo, hi, 31)
    hr = np.histogram(real, edges, density=True)[0] if len(real) else empty
    hs = np.histogram(syn, edges, density=True)[0] if len(syn) else empty
    top = max(hr.max(), hs.max(), 1e-12)
    pw, ph = W - PAD - 20, H - 2 * PAD
    bw = pw / 30
    parts = [_axes(x_label, "density"), _legend(W - 170, 28)]
    for k in range(30):
        for h, color in ((hr[k], REAL), (hs[k], SYNTH)):
            bh = ph * h / top
            parts.append(
                f'<rect x="{PAD + k * bw:.1f}" y="{H - PAD - bh:.1f}" width="{bw:.1f}" height="{bh:.1f}" fill="{color}" opacity="0.45"/>'
            )
    for t in range(0, 31, 10):
        x = PAD + t * bw
        label = labels(edges[t]) if labels else _fmt(edges[t])
        parts.append(f'<text x="{x:.1f}" y="{H - PAD + 14}" text-anchor="middle">{html.escape(label)}</text>')
    return SVGFigure("".join(parts), title)


def bars_svg(names, real_share, syn_share, title, x_label="", y_label="share", value_max=None) -> SVGFigure:
    k = len(names)
    top = value_max or max(max(real_share, default=0), max(syn_share, default=0), 1e-12)
    pw, ph = W - PAD - 20, H - 2 * PAD - 30
    gw = pw / max(k, 1)
    parts = [_axes(x_label, y_label), _legend(W - 170, 28)]
    for i, name in enumerate(names):
        for j, (v, color) in enumerate(((real_share[i], REAL), (syn_share[i], SYNTH))):
            if v is None:
                continue
            bh = ph * v / top
            x = PAD + i * gw + gw * (0.1 + 0.4 * j)
            parts.append(
                f'<rect x="{x:.1f}" y="{H - PAD - bh:.1f}" width="{gw * 0.4:.1f}" height="{bh:.1f}" fill="{color}" opacity="0.8"><title>{html.escape(str(name))}: {v:.3f}</title></rect>'
            )
        label = str(name)[:14]
        parts.append(
            f'<text x="{PAD + (i + 0.5) * gw:.1f}" y="{H - PAD + 14}" text-anchor="middle">{html.escape(label)}</text>'
        )
    return SVGFigure("".join(parts), title)


def scores_svg(names, scores, title) -> SVGFigure:
    k = len(names)
    height = 50 + 18 * k
    parts = []
    left = 200
    for i, (n, s) in enumerate(zip(names, scores)):
        y = 36 + 18 * i
        s = 0.0 if s is None or s != s else float(s)
        parts.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{html.escape(str(n)[:32])}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{(W - left - 60) * s:.1f}" height="13" fill="{REAL}"><title>{s:.3f}</title></rect>'
        )
        parts.append(f'<text x="{left + (W - left - 60) * s + 4:.1f}" y="{y + 11}">{s:.2f}</text>')
    return SVGFigure("".join(parts), title, W, height)


def scatter_svg(rx, ry, sx, sy, title, x_label, y_label, x_fmt=_fmt, y_fmt=_fmt) -> SVGFigure:
    xs = np.concatenate([rx, sx])
    ys = np.concatenate([ry, sy])
    x0, x1 = float(np.min(xs)), float(np.max(xs))
    y0, y1 = float(np.min(ys)), float(np.max(ys))
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1
    pw, ph = W - PAD - 20, H - 2 * PAD
    px = lambda v: PAD + (v - x0) / (x1 - x0) * pw  # noqa: E731
    py = lambda v: H - PAD - (v - y0) / (y1 - y0) * ph  # noqa: E731
    parts = [_axes(x_label, y_label), _legend(W - 170, 28)]
    for X, Y, color in ((rx, ry, REAL), (sx, sy, SYNTH)):
        for a, b in zip(X[:1500], Y[:1500]):
            parts.append(f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="2" fill="{color}" opacity="0.5"/>')
    parts.append(
        f'<text x="{PAD}" y="{H - PAD + 14}">{html.escape(x_fmt(x0))}</text><text x="{W - 20}" y="{H - PAD + 14}" text-anchor="end">{html.escape(x_fmt(x1))}</text>'
    )
    parts.append(
        f'<text x="{PAD - 4}" y="{H - PAD}" text-anchor="end">{html.escape(y_fmt(y0))}</text><text x="{PAD - 4}" y="{PAD + 8}" text-anchor="end">{html.escape(y_fmt(y1))}</text>'
    )
    return SVGFigure("".join(parts), title)


def heatmap_svg(matrix: np.ndarray, labels, title, vmax: float = 1.0) -> SVGFigure:
    k = len(labels)
    cell = max(8, min(40, int(420 / max(k, 1))))
    left, top = 160, 40
    width, height = left + cell * k + 40, top + cell * k + 120
    parts = []
    for i in range(k):
        parts.append(
            f'<text x="{left - 4}" y="{top + cell * i + cell * 0.7:.1f}" text-anchor="end">{html.escape(str(labels[i])[:22])}</text>'
        )
        parts.append(
            f'<text x="{left + cell * i + cell / 2:.1f}" y="{top + cell * k + 8}" text-anchor="end" transform="rotate(-60 {left + cell * i + cell / 2:.1f} {top + cell * k + 8})">{html.escape(str(labels[i])[:22])}</text>'
        )
        for j in range(k):
            v = matrix[i, j]
            a = 0 if v != v else min(1.0, abs(v) / vmax)
            parts.append(
                f'<rect x="{left + cell * j}" y="{top + cell * i}" width="{cell}" height="{cell}" fill="rgb({int(255 - 30 * a)},{int(255 - 180 * a)},{int(255 - 200 * a)})"><title>{html.escape(str(labels[i]))} / {html.escape(str(labels[j]))}: {v:.3f}</title></rect>'
            )
    return SVGFigure("".join(parts), title, width, height)


def get_column_plot(real_data, synthetic_data, column_name, metadata, plot_type=None) -> SVGFigure:
    """Distribution of one column, real vs synthetic (histogram, or bars for categories)."""
    real, syn, meta = prepare(real_data, synthetic_data, metadata)
    column_name = str(column_name)
    if column_name not in meta:
        raise InvalidDataError(f"no column named {column_name!r} in the metadata")
    m = meta[column_name]
    if m["sdtype"] in CONTINUOUS:
        r = numeric_view(real[column_name], m)
        s = numeric_view(syn[column_name], m)
        r, s = r[~np.isnan(r)], s[~np.isnan(s)]
        if not len(r) and not len(s):
            raise InvalidDataError(f"column {column_name!r} has no values to plot")
        labels = tick_labels(m)
        return histogram_svg(r, s, f"Real vs. Synthetic Data for column '{column_name}'", column_name, labels)
    rc = (
        real[column_name]
        .astype(object)
        .where(real[column_name].notna(), "(missing)")
        .astype(str)
        .value_counts(normalize=True)
    )
    sc = (
        syn[column_name]
        .astype(object)
        .where(syn[column_name].notna(), "(missing)")
        .astype(str)
        .value_counts(normalize=True)
    )
    cats = list(rc.index[:20]) + [c for c in sc.index[:20] if c not in rc.index[:20]][:5]
    return bars_svg(
        cats,
        [float(rc.get(c, 0)) for c in cats],
        [float(sc.get(c, 0)) for c in cats],
        f"Real vs. Synthetic Data for column '{column_name}'",
        column_name,
    )


def get_column_pair_plot(real_data, synthetic_data, column_names, metadata, plot_type=None) -> SVGFigure:
    """Two columns together: scatter (numbers, dates), or per-category frequencies."""
    real, syn, meta = prepare(real_data, synthetic_data, metadata)
    if len(column_names) != 2:
        raise InvalidDataError("get_column_pair_plot needs exactly two column names")
    a, b = (str(c) for c in column_names)
    for c in (a, b):
        if c not in meta:
            raise InvalidDataError(f"no column named {c!r} in the metadata")
    ca, cb = meta[a]["sdtype"] in CONTINUOUS, meta[b]["sdtype"] in CONTINUOUS
    title = f"Real vs. Synthetic Data for columns '{a}' and '{b}'"
    if ca and cb:
        rx, ry = numeric_view(real[a], meta[a]), numeric_view(real[b], meta[b])
        sx, sy = numeric_view(syn[a], meta[a]), numeric_view(syn[b], meta[b])
        okr, oks = ~(np.isnan(rx) | np.isnan(ry)), ~(np.isnan(sx) | np.isnan(sy))
        return scatter_svg(rx[okr], ry[okr], sx[oks], sy[oks], title, a, b, tick_labels(meta[a]), tick_labels(meta[b]))
    if ca or cb:  # mean of the number per category
        num, cat = (a, b) if ca else (b, a)
        r = real.assign(_v=numeric_view(real[num], meta[num])).groupby(real[cat].astype(str))["_v"].mean()
        s = syn.assign(_v=numeric_view(syn[num], meta[num])).groupby(syn[cat].astype(str))["_v"].mean()
        cats = list(r.index[:20])
        return bars_svg(
            cats,
            [float(r.get(c, np.nan)) for c in cats],
            [float(s.get(c, 0)) if c in s.index else None for c in cats],
            title,
            cat,
            f"mean {num}",
        )
    key = lambda df: df[a].astype(str) + " | " + df[b].astype(str)  # noqa: E731
    rc, sc = key(real).value_counts(normalize=True), key(syn).value_counts(normalize=True)
    cats = list(rc.index[:20])
    return bars_svg(cats, [float(rc[c]) for c in cats], [float(sc.get(c, 0)) for c in cats], title, f"{a} | {b}")


MAX_HEATMAP_COLUMNS = 50


def get_correlation_difference_plot(
    real_data,
    synthetic_data,
    metadata,
    method: str = "pearson",
    views: Views | None = None,
    max_columns: int | None = MAX_HEATMAP_COLUMNS,
) -> SVGFigure:
    """Heatmap of |corr(real) - corr(synthetic)| over the numerical and datetime columns.

    At most ``max_columns`` columns (default 50; None: all) are drawn, the first ones in table
    order, and the title says so when there are more (a heatmap of thousands of columns has
    millions of cells).

    ``method="pearson"`` (default) shows the correlations that the quality report's Column Pair
    Trends score; ``"spearman"`` correlates ranks (average ranks over each column's present
    values). Each pair's correlation is taken over the rows where both are present. ``views``
    (optional) are a report's shared column views of the two tables.
    """
    from concurrent.futures import ThreadPoolExecutor

    if method not in ("pearson", "spearman"):
        raise InvalidDataError(f"method must be 'pearson' or 'spearman', got {method!r}")
    real, syn, meta = prepare(real_data, synthetic_data, metadata)
    cols = [c for c, m in meta.items() if m["sdtype"] in CONTINUOUS]
    if len(cols) < 2:
        raise InvalidDataError("a correlation heatmap needs at least two numerical or datetime columns")
    if max_columns is not None and (not is_int(max_columns) or max_columns < 2):
        raise InvalidDataError(
            f"max_columns must be a whole number of at least 2 (or None for all), got {max_columns!r}"
        )
    shown = (
        f"; the first {max_columns} of {len(cols):,} columns"
        if max_columns is not None and len(cols) > max_columns
        else ""
    )
    cols = cols[:max_columns] if shown else cols
    views = views_for([real, syn], meta, views)
    if method == "pearson":  # the same matrices as the quality report's (computed once per report)
        R, S = (shared_pearson(views, t, cols) for t in (0, 1))
    else:

        def rank(v):  # average ranks over the present values; missing stays missing
            return pd.Series(v).rank().to_numpy()

        columns = [views.num(c)[t] for t in (0, 1) for c in cols]
        with ThreadPoolExecutor(2) as pool:  # sorting releases the GIL: two columns at a time
            ranked = list(pool.map(rank, columns))
        R, S = (
            pairwise_pearson(np.column_stack(ranked[: len(cols)])),
            pairwise_pearson(np.column_stack(ranked[len(cols) :])),
        )
    return heatmap_svg(np.abs(R - S), cols, f"Correlation difference |real - synthetic| ({method.capitalize()}{shown})")
