"""The README's "Multi-table: whole databases" examples run as written."""

import pytest

from .test_readme import code_blocks, readme_section


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_multi_table_example(in_tmp, capsys):
    (block,) = code_blocks(readme_section("Multi-table: whole databases"), "python")
    ns: dict = {}
    exec(compile(block, "README.md (Multi-table)", "exec"), ns)
    out = capsys.readouterr().out
    assert "['airlines', 'airports', 'planes', 'flights']" in out
    assert "\n4\n" in out
    assert (in_tmp / "flights_model.zip").exists()
    props = ns["report"].get_properties().set_index("Property")["Score"]
    assert props["Cardinality"] > 0.85 and props["Column Shapes"] > 0.85
    assert len(ns["again"]["flights"]) == pytest.approx(0.5 * len(ns["tables"]["flights"]), rel=0.25)
