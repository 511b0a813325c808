"""The multi-table HTML report: schema picture, scores, relationships, per-table sections, escaped names."""

import html
import shutil
import subprocess

import pandas as pd
import pytest

from simulacra.errors import ParameterError
from simulacra.evaluation.report import build_report, save_report

from .test_multi_table import bad_copy, load_flights


@pytest.fixture(scope="module")
def flights_page():
    tables, md = load_flights(2000)
    return build_report(tables, bad_copy(tables, md), md), tables, md


def test_page_has_schema_scores_and_table_sections(flights_page):
    text, tables, md = flights_page
    assert "Synthetic database report" in text and "id='schema'" in text
    import simulacra.metadata as m

    if hasattr(m, "schema_svg"):
        schema = text[text.index("id='schema'") : text.index("id='scores'")]
        assert "<svg" in schema and "<?xml" not in text
    for name in tables:
        assert f"<h2>Table: {name}</h2>" in text
    assert text.count("class='table-section'") == len(tables)
    for section in ("Cardinality", "Intertable trends", "Relationship Validity", "Column shapes", "Distributions"):
        assert section in text
    # one cardinality plot per relationship (flights -> airports twice)
    plots = text[text.index("id='cardinality-plots'") :].split("</div>", 1)[0]
    assert plots.count("<svg") == len(md.relationships) == 4
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text
    assert "<script" not in text


def test_names_are_escaped(tmp_path):
    parent = pd.DataFrame({"id": [1, 2, 3], "<b>x&y</b>": [1.0, 2.0, 3.5]})
    child = pd.DataFrame({"pid": [1, 1, 2, 3, 3, 3], "v": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    md = {
        "tables": {
            "<i>parent</i>": {
                "columns": {"id": {"sdtype": "id"}, "<b>x&y</b>": {"sdtype": "numerical"}},
                "primary_key": "id",
            },
            "child'\"": {"columns": {"pid": {"sdtype": "id"}, "v": {"sdtype": "numerical"}}},
        },
        "relationships": [
            {
                "parent_table_name": "<i>parent</i>",
                "child_table_name": "child'\"",
                "parent_primary_key": "id",
                "child_foreign_key": "pid",
            }
        ],
    }
    tables = {"<i>parent</i>": parent, "child'\"": child}
    path = save_report(tables, tables, md, tmp_path / "db.html")
    text = path.read_text(encoding="utf-8")
    assert "<i>parent</i>" not in text and "<b>x&y</b>" not in text
    assert html.escape("<i>parent</i>") in text and html.escape("<b>x&y</b>") in text


def test_single_table_options_refused(flights_page):
    _, tables, md = flights_page
    with pytest.raises(ParameterError, match="holdout and target"):
        build_report(tables, tables, md, target="dep_delay")


def test_renders_in_headless_chromium(flights_page, tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    page = tmp_path / "db.html"
    page.write_text(flights_page[0], encoding="utf-8")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([exe, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Synthetic database report" in dom.stdout and 'id="schema"' in dom.stdout
    assert dom.stdout.count('class="table-section"') == 4
    shot = tmp_path / "shot.png"
    r = subprocess.run(
        [exe, *flags, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and shot.stat().st_size > 10_000
