"""The HTML report of a synthetic database: one self-contained page.

At the top the schema (tables, keys, relationships, drawn by :func:`simulacra.metadata.schema_svg`),
the overall scores and the multi-table quality and diagnostic properties; then the relationships
(cardinality plot and score per relationship, intertable trends, referential integrity); then one
section per table with the single-table sections (column shapes, distributions, column pair
trends, validity). No script, font or image comes from the network; every name is escaped.
"""

from __future__ import annotations

import html
import re

import numpy as np

from ._options import check_count
from .multi_diagnostic import MultiTableDiagnosticReport
from .multi_quality import MultiTableQualityReport
from .multi_table_common import check_tables, metadata_dict, rel_label, scored_columns, table_meta
from .report import MAX_SCORE_BARS, _CSS, _card, _table

MAX_TABLE_COLUMN_PLOTS = 40  # distribution plots per table (the first columns); the page names the others
_EXTRA_CSS = """
#schema svg{max-width:100%;height:auto;border:1px solid #ccd;border-radius:8px}
section.table-section{border-top:3px solid #ccd;margin-top:2.5rem}.plots svg{max-width:100%;height:auto}
"""


def _schema(metadata) -> str:
    """The schema picture (inline SVG), or a list of the relationships where the drawing is unavailable."""
    from .. import metadata as metadata_module

    draw = getattr(metadata_module, "schema_svg", None)
    if draw is not None:
        try:
            svg = draw(
                metadata if not isinstance(metadata, dict) else metadata_module.Metadata.load_from_dict(metadata)
            )
            svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", str(svg))  # an XML declaration has no place inside HTML
            return f"<div id='schema'>{svg}</div>"
        except Exception as e:  # noqa: BLE001 - the report still shows the relationships as text
            why = f"the schema could not be drawn ({type(e).__name__}: {e})"
    else:
        why = "the schema drawing (simulacra.metadata.schema_svg) is not available in this install"
    meta = metadata_dict(metadata)
    items = (
        "".join(f"<li>{html.escape(rel_label(r))}</li>" for r in meta["relationships"]) or "<li>no relationships</li>"
    )
    return f"<div id='schema'><p class='muted'>{html.escape(why)}; relationships:</p><ul>{items}</ul></div>"


def build_multi_table_report(
    real_data: dict,
    synthetic_data: dict,
    metadata,
    max_column_plots: int | None = MAX_TABLE_COLUMN_PLOTS,
    max_pairs: int | None = 50_000,
    seed: int = 0,
) -> str:
    """The HTML text of the report of a synthetic database.

    Parameters
    ----------
    real_data, synthetic_data : dict of str -> pandas.DataFrame
    metadata : Metadata or dict
        Multi-table metadata.
    max_column_plots : int or None, default 40
        Distribution plots per table (the first scored columns; None: all). The page names the
        columns left out and why.
    max_pairs : int or None, default 50,000
        Column pairs scored per table (a seeded sample above; None or 0: all).
    seed : int, default 0

    Returns
    -------
    str
    """
    from .multi_table import get_cardinality_plot
    from .plots import get_column_plot

    max_column_plots = check_count("max_column_plots", max_column_plots, minimum=0, allow_none=True)
    meta = metadata_dict(metadata)
    real, syn = check_tables(real_data, synthetic_data, meta)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        quality = MultiTableQualityReport(max_pairs=max_pairs, seed=seed)
        quality.generate(real, syn, meta, verbose=False)
        diag = MultiTableDiagnosticReport()
        diag.generate(real, syn, meta, verbose=False)
    q_props = quality.get_properties().set_index("Property")["Score"]
    d_props = diag.get_properties().set_index("Property")["Score"]
    cards = [_card("Quality", quality.get_score()), _card("Diagnostic", diag.get_score())]
    cards += [_card(p, float(v)) for p, v in q_props.items()]
    cards.append(_card("Relationship Validity", float(d_props["Relationship Validity"])))
    rows_text = "; ".join(
        f"{html.escape(n)}: {len(real[n]):,} real / {len(syn[n]):,} synthetic rows" for n in meta["tables"]
    )
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>simulacra database report</title>",
        f"<style>{_CSS}{_EXTRA_CSS}</style></head><body>",
        "<h1>Synthetic database report</h1>",
        f"<p class='muted'>{len(meta['tables'])} tables, {len(meta['relationships'])} relationships. {rows_text}. Made by simulacra.</p>",
        "<h2>Schema</h2>",
        _schema(metadata),
        f"<div class='cards' id='scores'>{''.join(cards)}</div>",
        "<h2>Quality</h2>",
        _table(quality.get_properties()),
        "".join(
            f"<p class='warning quality-warning' style='color:#a33'>{html.escape(w)}</p>" for w in quality.warnings
        ),
        "<h2 id='relationships'>Relationships</h2>",
        "<h3>Cardinality</h3><p class='muted'>The number of child rows per parent row (parents without "
        "children count 0), real vs synthetic; the score is 1 - the KS statistic of the two.</p>",
        _table(quality.get_details("Cardinality"), what="relationships"),
    ]
    card_plots = []
    for rel in meta["relationships"]:
        fk = rel["child_foreign_key"]
        try:
            card_plots.append(
                get_cardinality_plot(real, syn, rel["child_table_name"], rel["parent_table_name"], fk, meta).to_svg()
            )
        except Exception as e:  # noqa: BLE001 - a relationship that cannot be drawn is named with why
            card_plots.append(
                f"<p class='muted'>{html.escape(rel_label(rel))}: cannot be drawn ({html.escape(str(e))})</p>"
            )
    parts.append(f"<div class='plots' id='cardinality-plots'>{''.join(card_plots)}</div>")
    inter = quality.get_details("Intertable Trends")
    parts.append(
        "<h3>Intertable trends</h3><p class='muted'>Each parent column against each child column on the "
        "child rows joined to their parents; the score averages the pairs whose real correlation is "
        "above 0.5 or real association above 0.3.</p>"
    )
    if len(inter):
        parts += [
            f"<div class='plots'>{quality.get_visualization('Intertable Trends', max_items=MAX_SCORE_BARS).to_svg()}</div>",
            _table(inter, what="pairs"),
        ]
    else:
        parts.append("<p class='muted'>No parent and child columns to pair.</p>")
    parts += [
        "<h2>Diagnostics</h2>",
        _table(diag.get_properties()),
        "<h3 id='relationship-validity'>Relationship Validity</h3>",
        _table(diag.get_details("Relationship Validity"), what="relationships"),
        "".join(
            f"<p class='warning diagnostic-warning' style='color:#a33'>{html.escape(w)}</p>" for w in diag.warnings
        ),
    ]
    for k, name in enumerate(meta["tables"]):
        parts.append(
            _table_section(k, name, real[name], syn[name], meta, quality, diag, max_column_plots, get_column_plot)
        )
    parts.append("</body></html>")
    return "".join(parts)


def _table_section(k, name, real, syn, meta, quality, diag, max_column_plots, get_column_plot) -> str:
    """One table's section: its scores, column shapes, distributions, column pair trends and validity."""
    tmeta = table_meta(meta, name)
    rep = quality.get_table_report(name)
    esc = html.escape(name)
    out = [
        f"<section class='table-section' id='table-{k}' data-table='{esc}'>",
        f"<h2>Table: {esc}</h2>",
        f"<p class='muted'>{len(real):,} real rows, {len(syn):,} synthetic rows, {len(tmeta['columns'])} columns"
        + (f", primary key {html.escape(str(tmeta['primary_key']))}" if tmeta.get("primary_key") else "")
        + ".</p>",
    ]
    if rep is None:
        out.append("<p class='muted'>No numerical, datetime, categorical or boolean column: nothing to score.</p>")
    else:
        out += [
            _table(rep.get_properties()),
            f"<div class='plots'>{rep.get_visualization('Column Shapes', max_items=MAX_SCORE_BARS).to_svg()}</div>",
            "<h3>Column shapes</h3>",
            _table(rep.get_details("Column Shapes"), what="columns"),
        ]
        plots, left_out = [], []
        for c, m in tmeta["columns"].items():
            if c not in scored_columns(tmeta):
                left_out.append((c, f"sdtype {m.get('sdtype')} (not plotted)"))
            elif max_column_plots is not None and len(plots) >= max_column_plots:
                left_out.append((c, f"over max_column_plots={max_column_plots}"))
            else:
                try:
                    plots.append(get_column_plot(real, syn, c, tmeta).to_svg())
                except Exception as e:  # noqa: BLE001 - a column that cannot be drawn is named with why
                    left_out.append((c, f"cannot be drawn: {e}"))
        shown = (
            f"<p class='muted capped'>{len(plots):,} of {len(tmeta['columns']):,} columns plotted; left out: "
            + "; ".join(f"{html.escape(c)} ({html.escape(why)})" for c, why in left_out)
            + ".</p>"
            if left_out
            else ""
        )
        out.append(f"<h3>Distributions</h3>{shown}<div class='plots column-plots'>{''.join(plots)}</div>")
        pairs = rep.get_details("Column Pair Trends")
        if len(pairs):
            out += ["<h3>Column pair trends</h3>", _table(pairs, what="pairs")]
    validity = diag.get_details("Data Validity", name)
    if len(validity):
        out += ["<h3>Data validity</h3>", _table(validity.drop(columns="Table"), what="columns")]
    out.append("</section>")
    return "".join(out)
