"""SVGFigure.save writes the SVG or an HTML page atomically: a failed save leaves no partial file."""

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.evaluation import SVGFigure, get_column_plot


def figure():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=200)})
    syn = pd.DataFrame({"x": rng.normal(size=200)})
    return get_column_plot(real, syn, "x", Metadata.detect_from_dataframe(real))


def test_save_svg_and_html(tmp_path):
    fig = figure()
    fig.save(tmp_path / "f.svg")
    assert (tmp_path / "f.svg").read_text(encoding="utf-8") == fig.to_svg()
    fig.save(str(tmp_path / "f.html"))
    page = (tmp_path / "f.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.endswith(fig.to_svg())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.html", "f.svg"]  # no temporary file left


@pytest.mark.parametrize("name", ["f.svg", "f.html"])
def test_failed_save_leaves_no_partial_file(tmp_path, name):
    bad = SVGFigure("<g/>", "a lone surrogate \ud800 cannot be written as UTF-8")
    with pytest.raises(UnicodeEncodeError):
        bad.save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one

    target = tmp_path / name
    target.write_text("the previous figure", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        bad.save(target)
    assert target.read_text(encoding="utf-8") == "the previous figure"  # unchanged, not truncated
    assert list(tmp_path.iterdir()) == [target]
