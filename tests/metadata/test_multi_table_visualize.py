"""visualize(): the plain-text view as before, carrying a self-contained SVG of the schema."""

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.metadata import schema_svg
from simulacra.metadata.schema_svg import SchemaView

SVG = "{http://www.w3.org/2000/svg}"


def _shop():
    users = pd.DataFrame({"user_id": [1, 2, 3], "age": [30, 40, 50]})
    orders = pd.DataFrame({"order_id": [10, 11, 12], "user_id": [1, 3, 3], "amount": [5.0, 6.0, 7.0]})
    items = pd.DataFrame({"item_id": [100, 101], "order_id": [10, 12], "qty": [1, 2]})
    return Metadata.detect_from_dataframes({"users": users, "orders": orders, "items": items})


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.split("?>", 1)[1])  # parses: the SVG is well-formed XML
    assert root.tag == f"{SVG}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def _boxes(svg: str) -> dict:
    root = ET.fromstring(svg.split("?>", 1)[1])
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "table":
            r = g.find(f"{SVG}rect")
            out[g.find(f"{SVG}title").text] = tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
    return out


def test_visualize_is_the_text_view_with_an_svg():
    md = _shop()
    view = md.visualize()
    assert isinstance(view, str) and isinstance(view, SchemaView)
    assert view.startswith("Table users (primary key: user_id)\n  user_id: id")
    assert "users.user_id <- orders.user_id" in view and repr(view) == str(view)
    assert view._repr_svg_() == view.svg == schema_svg(md)
    texts = _texts(view.svg)
    for name in ("users", "orders", "items", "user_id : id", "amount : numerical", "PK", "FK"):
        assert name in texts
    assert texts.count("FK") == 2 and texts.count("PK") == 3
    boxes = _boxes(view.svg)
    # layered by table order: each parent above its child, no two boxes overlap
    assert boxes["users"][1] < boxes["orders"][1] < boxes["items"][1]
    root = ET.fromstring(view.svg.split("?>", 1)[1])
    arrows = [g for g in root.iter(f"{SVG}g") if g.get("class") == "relationship"]
    assert len(arrows) == 2 and all(g.find(f"{SVG}path").get("marker-end") == "url(#arrow)" for g in arrows)
    summary = md.visualize("summarized")
    assert "... 1 more column(s)" in _texts(summary.svg)


def test_output_file_svg_or_text(tmp_path):
    md = _shop()
    md.visualize(output_filepath=tmp_path / "schema.svg")
    assert (tmp_path / "schema.svg").read_text(encoding="utf-8") == schema_svg(md)
    md.visualize(output_filepath=tmp_path / "schema.txt")
    assert (tmp_path / "schema.txt").read_text(encoding="utf-8") == str(md.visualize()) + "\n"


def test_hostile_names_and_every_layout_case():
    evil = '<script>alert("x")</script> & \x01'
    md = Metadata()
    md.add_table(evil)
    md.add_column("id&<", evil, sdtype="id")
    md.add_column("boss", evil, sdtype="id")
    md.set_primary_key("id&<", evil)
    md.add_relationship(evil, evil, "id&<", "boss")  # a self-reference: a loop
    md.add_table("b")
    md.add_column("b_id", "b", sdtype="id")
    md.add_column(']]>"', "b", sdtype="id")
    md.add_column("ref", "b", sdtype="id")
    md.set_primary_key("b_id", "b")
    md.add_relationship(evil, "b", "id&<", ']]>"')
    md.add_column("b_ref", evil, sdtype="id")
    md.add_relationship("b", evil, "b_id", "b_ref")  # a cycle: drawn, not refused
    svg = md.visualize().svg
    assert "<script>" not in svg and "\x01" not in svg
    texts = _texts(svg)
    assert '<script>alert("x")</script> & \ufffd' in texts and ']]>" : id' in texts
    assert len(_boxes(svg)) == 2


@pytest.mark.parametrize("n", [1, 6])
def test_many_tables_do_not_overlap(n):
    md = Metadata()
    for i in range(n):
        md.add_table(f"t{i}")
        md.add_column("id", f"t{i}", sdtype="id")
        md.set_primary_key("id", f"t{i}")
        if i:
            md.add_column("parent", f"t{i}", sdtype="id")
            md.add_relationship(f"t{(i - 1) // 2}", f"t{i}", "id", "parent")
    boxes = list(_boxes(schema_svg(md)).values())
    assert len(boxes) == n
    for a in range(n):
        for b in range(a + 1, n):
            xa, ya, wa, ha = boxes[a]
            xb, yb, wb, hb = boxes[b]
            assert xa + wa <= xb or xb + wb <= xa or ya + ha <= yb or yb + hb <= ya
