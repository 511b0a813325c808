"""The schema as a picture: a self-contained SVG of the tables, their keys and relationships.

:func:`schema_svg` draws each table as a box (its name, then its columns with their sdtypes and
``PK``/``FK`` markers) and each relationship as an arrow from the parent to the child labelled with
the foreign key. Tables are laid out in layers, parents above their children (the table order). Every
name is XML-escaped, so any table or column name gives a valid SVG. When the ``graphviz`` Python
package and its ``dot`` program are both installed, graphviz lays the picture out instead.

:class:`SchemaView` is what ``Metadata.visualize()`` returns: the plain-text view (a ``str``) that
carries the SVG (``.svg``) and shows it in a notebook (``_repr_svg_``).
"""

from __future__ import annotations

import re
import shutil
from html import escape

from ..errors import MetadataError
from .keys import key_columns
from .relationships import table_order

#: pixels per character of the 12 px monospace font, row height, box padding and gaps between boxes
_CHAR, _ROW, _PAD, _GAP_X, _GAP_Y, _MARGIN = 7.3, 18, 10, 50, 90, 20
_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class SchemaView(str):
    """The plain-text view of a schema (a ``str``), with its SVG picture in ``.svg`` for notebooks."""

    svg: str

    def __new__(cls, text: str, svg: str):
        obj = super().__new__(cls, text)
        obj.svg = svg
        return obj

    def __repr__(self) -> str:  # a console shows the text, not a quoted string
        return str(self)

    def _repr_svg_(self) -> str:
        return self.svg


def _x(text) -> str:
    """``text`` safe inside SVG text and attributes (XML-escaped, characters XML forbids replaced)."""
    return escape(_BAD_XML.sub("\ufffd", str(text)), quote=True)


def _markers(name: str, table: dict, relationships: list) -> dict:
    pk = set(key_columns(table.get("primary_key")))
    fk = {c for r in relationships if r["child_table_name"] == name for c in key_columns(r["child_foreign_key"])}
    out = {}
    for c in table["columns"]:
        out[c] = " ".join(m for m, keys in (("PK", pk), ("FK", fk)) if c in keys)
    return out


def _rows(name: str, table: dict, relationships: list, details) -> list[tuple[str, str]]:
    """(marker, 'column : sdtype') lines of one box."""
    marks = _markers(name, table, relationships)
    cols = list(table["columns"].items())
    if details in ("full", True):
        shown = cols
    else:
        shown = [(c, m) for c, m in cols if marks[c]]
    rows = [(marks[c], f"{c} : {m.get('sdtype', '?')}") for c, m in shown]
    if len(shown) < len(cols) and details not in (None, False):
        rows.append(("", f"... {len(cols) - len(shown)} more column(s)"))
    return rows


def _layers(tables: dict, relationships: list) -> dict:
    """Each table's layer: 0 for tables without parents, else one below its deepest parent."""
    try:
        order = table_order(tables, relationships)
    except MetadataError:  # a cycle: keep the tables' own order, edges back up are drawn as curves
        order = list(tables)
    pos = {t: i for i, t in enumerate(order)}
    depth = dict.fromkeys(order, 0)
    for t in order:
        for r in relationships:
            p = r["parent_table_name"]
            if r["child_table_name"] == t and p != t and p in pos and pos[p] < pos[t]:
                depth[t] = max(depth[t], depth[p] + 1)
    return depth


def _boxes(tables: dict, relationships: list, details) -> dict:
    boxes = {}
    for name, table in tables.items():
        rows = _rows(name, table, relationships, details)
        chars = max([len(name) + 2] + [len(text) + 6 for _, text in rows])
        boxes[name] = {"rows": rows, "w": max(120.0, chars * _CHAR + 2 * _PAD), "h": _ROW * (1 + len(rows)) + _PAD}
    depth = _layers(tables, relationships)
    layers: dict = {}
    for name in tables:
        layers.setdefault(depth[name], []).append(name)
    y = _MARGIN
    for d in sorted(layers):
        x = _MARGIN
        for name in layers[d]:
            boxes[name].update(x=x, y=y, layer=d)
            x += boxes[name]["w"] + _GAP_X
        y += max(boxes[n]["h"] for n in layers[d]) + _GAP_Y
    return boxes


def _box_svg(name: str, b: dict) -> list[str]:
    x, y, w, h = b["x"], b["y"], b["w"], b["h"]
    out = [
        f'<g class="table"><title>{_x(name)}</title>',
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="4" fill="#ffffff" stroke="#44546a"/>',
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{_ROW + 4}" rx="4" fill="#dce6f2" stroke="#44546a"/>',
        f'<text x="{x + w / 2:.1f}" y="{y + _ROW - 3:.1f}" text-anchor="middle" font-weight="bold">{_x(name)}</text>',
    ]
    for i, (mark, text) in enumerate(b["rows"]):
        ty = y + _ROW * (i + 2) - 2
        if mark:
            out.append(f'<text x="{x + 6:.1f}" y="{ty:.1f}" fill="#b03a2e" font-size="10">{_x(mark)}</text>')
        out.append(f'<text x="{x + 6 + 5 * _CHAR:.1f}" y="{ty:.1f}">{_x(text)}</text>')
    out.append("</g>")
    return out


def _edge_svg(rel: dict, boxes: dict, slot: dict) -> list[str]:
    p, c = rel["parent_table_name"], rel["child_table_name"]
    if p not in boxes or c not in boxes:
        return []
    label = ", ".join(key_columns(rel["child_foreign_key"]))
    pb, cb = boxes[p], boxes[c]
    k = slot[(p, "out")] = slot.get((p, "out"), 0) + 1
    j = slot[(c, "in")] = slot.get((c, "in"), 0) + 1
    if p == c:  # a self-reference: a loop on the box's right side
        x0, y0 = pb["x"] + pb["w"], pb["y"] + 8 + 10 * k
        pts = (x0, y0, x0 + 45 + 10 * k, y0 - 10, x0 + 45 + 10 * k, y0 + 30, x0, y0 + 20)
    elif cb["layer"] > pb["layer"]:
        x1 = pb["x"] + pb["w"] * k / (1 + _count(slot, p, "out_total"))
        x2 = cb["x"] + cb["w"] * j / (1 + _count(slot, c, "in_total"))
        y1, y2 = pb["y"] + pb["h"], cb["y"]
        d = (y2 - y1) / 2
        pts = (x1, y1, x1, y1 + d, x2, y2 - d, x2, y2)
    else:  # an edge back up (a cycle) or across a layer: around the right sides
        x1, y1 = pb["x"] + pb["w"], pb["y"] + pb["h"] / 2
        x2, y2 = cb["x"] + cb["w"], cb["y"] + cb["h"] / 2 + 6
        bulge = max(x1, x2) + 60 + 15 * k
        pts = (x1, y1, bulge, y1, bulge, y2, x2, y2)
    x0, y0, xa, ya, xb, yb, x3, y3 = pts
    mx, my = (x0 + 3 * xa + 3 * xb + x3) / 8, (y0 + 3 * ya + 3 * yb + y3) / 8
    return [
        f'<g class="relationship"><title>{_x(p)} -&gt; {_x(c)}: {_x(label)}</title>',
        f'<path d="M{x0:.1f},{y0:.1f} C{xa:.1f},{ya:.1f} {xb:.1f},{yb:.1f} {x3:.1f},{y3:.1f}" fill="none" '
        'stroke="#44546a" stroke-width="1.3" marker-end="url(#arrow)"/>',
        f'<text x="{mx + 4:.1f}" y="{my:.1f}" fill="#1f4e79" font-size="11" paint-order="stroke" stroke="#ffffff" '
        f'stroke-width="3">{_x(label)}</text>',
        "</g>",
    ]


def _count(slot: dict, table: str, key: str) -> int:
    return slot.get((table, key), 1)


def _own_svg(tables: dict, relationships: list, details) -> str:
    boxes = _boxes(tables, relationships, details)
    slot: dict = {}
    for r in relationships:
        if r["parent_table_name"] != r["child_table_name"]:
            for t, key in ((r["parent_table_name"], "out_total"), (r["child_table_name"], "in_total")):
                slot[(t, key)] = slot.get((t, key), 0) + 1
    width = max([b["x"] + b["w"] for b in boxes.values()] + [100]) + _MARGIN + 80 + 15 * len(relationships)
    height = max([b["y"] + b["h"] for b in boxes.values()] + [40]) + _MARGIN
    body = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="monospace" font-size="12">',
        "<title>schema</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#44546a"/></marker></defs>',
    ]
    for name, b in boxes.items():
        body += _box_svg(name, b)
    for r in relationships:
        body += _edge_svg(r, boxes, slot)
    body.append("</svg>")
    return "\n".join(body)


def _graphviz_svg(tables: dict, relationships: list, details) -> str | None:
    """The picture laid out by graphviz, or None when the package or its ``dot`` program is missing."""
    try:
        import graphviz
    except ImportError:
        return None
    if shutil.which("dot") is None:
        return None
    dot = graphviz.Digraph("schema", node_attr={"shape": "plaintext", "fontname": "monospace"})
    ids = {name: f"t{i}" for i, name in enumerate(tables)}
    for name, table in tables.items():
        rows = "".join(
            f'<TR><TD ALIGN="LEFT">{_x(m)}</TD><TD ALIGN="LEFT">{_x(t)}</TD></TR>'
            for m, t in _rows(name, table, relationships, details)
        )
        head = f'<TR><TD COLSPAN="2" BGCOLOR="#dce6f2"><B>{_x(name)}</B></TD></TR>'
        dot.node(ids[name], label=f'<<TABLE BORDER="1" CELLBORDER="0">{head}{rows}</TABLE>>')
    for r in relationships:
        p, c = r["parent_table_name"], r["child_table_name"]
        if p in ids and c in ids:
            dot.edge(ids[p], ids[c], label=f"<{_x(', '.join(key_columns(r['child_foreign_key'])))}>")
    try:
        return dot.pipe(format="svg").decode("utf-8")
    except Exception:  # noqa: BLE001 - any graphviz failure falls back to simulacra's own drawing
        return None


def schema_svg(metadata, show_table_details="full") -> str:
    """A self-contained SVG picture of the metadata's tables, keys and relationships.

    Parameters
    ----------
    metadata : Metadata
        The metadata (one or several tables).
    show_table_details : {'full', 'summarized', None}, default 'full'
        Every column with its sdtype, only the key columns (and how many others), or only the names.

    Returns
    -------
    str
        The SVG document (graphviz's layout when graphviz and ``dot`` are installed, else simulacra's).
    """
    tables, relationships = metadata.tables, metadata.relationships
    return _graphviz_svg(tables, relationships, show_table_details) or _own_svg(
        tables, relationships, show_table_details
    )
