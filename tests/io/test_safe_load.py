"""Bounded JSON/YAML loading: model manifests, --metadata files and fake-data schemas."""

import json
import time

import pytest

from simulacra import Metadata
from simulacra.errors import MetadataError, SchemaError
from simulacra.fake.schema import Schema
from simulacra.io.safe_load import json_depth, load_json_text, load_yaml_text

DEEP_JSON = "[" * 10_000 + "]" * 10_000
HUGE_NUMBER = "1" * 100_000


def _billion_laughs(levels=9) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_json_depth_ignores_brackets_in_strings():
    assert json_depth('{"a": "[[[{{{", "b": [1, {"c": "\\"]]"}]}') == 3
    assert json_depth('"no brackets"') == 0
    assert json_depth(DEEP_JSON) == 10_000


def test_json_bounds():
    with pytest.raises(MetadataError, match="nests 10000 levels deep"):
        load_json_text(DEEP_JSON, "file x", MetadataError)
    with pytest.raises(MetadataError, match="number of 100,000 characters"):
        load_json_text(f'{{"a": {HUGE_NUMBER}}}', "file x", MetadataError)
    with pytest.raises(MetadataError, match="number of 100,002 characters"):
        load_json_text(f'{{"a": {HUGE_NUMBER}.5}}', "file x", MetadataError)
    with pytest.raises(MetadataError, match="duplicate key 'a'"):
        load_json_text('{"a": 1, "a": 2}', "file x", MetadataError, unique_keys=True)
    with pytest.raises(MetadataError, match="not valid JSON"):
        load_json_text("{", "file x", MetadataError)
    with pytest.raises(MetadataError, match="not UTF-8"):
        load_json_text(b"\xff\xfe{}", "file x", MetadataError)
    assert load_json_text('{"a": [1, 2.5, "x[", null, true]}', "f") == {"a": [1, 2.5, "x[", None, True]}


def test_yaml_alias_bomb_is_refused_quickly():
    t = time.perf_counter()
    with pytest.raises(SchemaError, match="expands to more than 1,000,000 values through its aliases"):
        load_yaml_text(_billion_laughs(), "schema s", SchemaError)
    assert time.perf_counter() - t < 30  # a guard against a hang, not a speed target
    # a few aliases are fine
    assert load_yaml_text("a: &x {b: 1}\nc: *x\n", "s") == {"a": {"b": 1}, "c": {"b": 1}}


def test_yaml_bounds():
    with pytest.raises(SchemaError, match="nested too deeply|levels deep"):
        load_yaml_text(DEEP_JSON, "schema s", SchemaError)
    with pytest.raises(SchemaError, match="number of 100,000 characters"):
        load_yaml_text(f"a: {HUGE_NUMBER}", "schema s", SchemaError)
    with pytest.raises(SchemaError, match="recursive alias"):
        load_yaml_text("a: &a [1, *a]", "schema s", SchemaError)
    with pytest.raises(SchemaError, match="not valid YAML"):
        load_yaml_text("a: !!python/object/apply:os.system ['true']", "schema s", SchemaError)
    with pytest.raises(SchemaError, match="not valid YAML"):
        load_yaml_text("a: [1, 2", "schema s", SchemaError)


def test_metadata_file(tmp_path, penguins_metadata):
    p = tmp_path / "m.json"
    p.write_text('{"columns": ' + DEEP_JSON + "}")
    with pytest.raises(MetadataError, match="metadata file .* nests 10001 levels deep"):
        Metadata.load_from_json(p)
    p.write_text('{"columns": {}, "x": ' + HUGE_NUMBER + "}")
    with pytest.raises(MetadataError, match="number of 100,000 characters"):
        Metadata.load_from_json(p)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(penguins_metadata.to_dict()))
    assert Metadata.load_from_json(good).to_dict() == penguins_metadata.to_dict()


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_schema_file(tmp_path, suffix):
    p = tmp_path / f"s{suffix}"
    p.write_text('{"t": {"columns": ' + DEEP_JSON + "}}")
    with pytest.raises(SchemaError, match="schema file .*(nests|nested)"):
        Schema.from_file(p)
    p.write_text('{"t": {"rows": ' + HUGE_NUMBER + "}}")
    with pytest.raises(SchemaError, match="number of 100,000 characters"):
        Schema.from_file(p)
    if suffix == ".yaml":
        p.write_text(_billion_laughs())
        with pytest.raises(SchemaError, match="alias"):
            Schema.from_file(p)
    p.write_text(
        '{"tables": {"t": {"rows": 3, "columns": {"n": "name"}}}}'
        if suffix == ".json"
        else "tables:\n  t:\n    rows: 3\n    columns:\n      n: name\n"
    )
    assert "t" in Schema.from_file(p).tables


def test_json_duplicate_keys_and_nan_refused_by_default():
    with pytest.raises(SchemaError, match=r"file x has a duplicate key 'a'; give each key once"):
        load_json_text('{"t": {"a": 1, "b": 2, "a": 3}}', "file x", SchemaError)
    for literal in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(SchemaError, match=f"holds {literal}, which JSON does not allow"):
            load_json_text(f'{{"y": {literal}}}', "file x", SchemaError)
    with pytest.raises(SchemaError, match=r"out of the float range \(1e400\)"):
        load_json_text('{"y": 1e400}', "file x", SchemaError)
    # a caller that wants Python's looser reading still can
    assert load_json_text('{"a": 1, "a": NaN}', "f", unique_keys=False, allow_nan=True)["a"] != 0
    # the same key in different objects is fine
    assert load_json_text('[{"a": 1}, {"a": 2}]', "f") == [{"a": 1}, {"a": 2}]


def test_yaml_duplicate_keys_refused():
    with pytest.raises(SchemaError, match=r"schema s has a duplicate key 'c' \(line 5\)"):
        load_yaml_text("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n", "schema s", SchemaError)
    with pytest.raises(SchemaError, match="duplicate key 'a'"):
        load_yaml_text('a: 1\n"a": 2\n', "schema s", SchemaError)
    with pytest.raises(SchemaError, match="duplicate key 1"):  # 1 and 01 are the same int key
        load_yaml_text("1: x\n01: y\n", "schema s", SchemaError)
    # merged keys may be overridden (that is what << is for); lists of mappings may repeat keys
    assert load_yaml_text("b: &b {x: 1, y: 2}\nd: {<<: *b, x: 3}\n", "s") == {
        "b": {"x": 1, "y": 2},
        "d": {"x": 3, "y": 2},
    }
    assert load_yaml_text("- {a: 1}\n- {a: 2}\n", "s") == [{"a": 1}, {"a": 2}]


def test_metadata_file_duplicates_and_nan_refused(tmp_path, penguins_metadata):
    d = penguins_metadata.to_dict()
    cols = d["columns"] if "columns" in d else next(iter(d["tables"].values()))["columns"]
    first = next(iter(cols))
    text = json.dumps(d)
    col_json = json.dumps({first: cols[first]})[1:-1]
    p = tmp_path / "m.json"
    p.write_text(text.replace(col_json, col_json + ", " + col_json, 1))  # column given twice
    assert text != p.read_text()
    with pytest.raises(MetadataError, match=f"metadata file .* has a duplicate key '{first}'"):
        Metadata.load_from_json(p)
    p.write_text(text[:-1] + ', "y": NaN}')
    with pytest.raises(MetadataError, match="metadata file .* holds NaN"):
        Metadata.load_from_json(p)
