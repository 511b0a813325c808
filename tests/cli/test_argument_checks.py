"""Arguments refused with the right message, before any work (audit2 11b-d)."""

from __future__ import annotations

import json

import pytest

from .conftest import assert_one_error_line, invoke, listing


@pytest.fixture()
def schema(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"columns": {"x": {"provider": "sequence"}}}))
    return p


@pytest.mark.parametrize(
    "name, fmt", [("z.csv", "parquet"), ("z.parquet", "csv"), ("z.csv.gz", "jsonl"), ("z.tsv", "csv")]
)
def test_fake_format_disagreeing_with_the_file_extension_is_refused(tmp_path, schema, name, fmt):
    r = invoke("fake", schema, "-n", "3", "-o", tmp_path / name, "--format", fmt)
    assert_one_error_line(r, f"--format {fmt} is for a folder of tables")
    assert listing(tmp_path) == ["s.json"]


@pytest.mark.parametrize(
    "name, fmt", [("z.csv", "csv"), ("z.pq", "parquet"), ("z.ndjson", "jsonl"), ("z.csv.gz", "csv"), ("z.tsv", None)]
)
def test_fake_format_agreeing_with_the_file_extension_writes(tmp_path, schema, name, fmt):
    r = invoke("fake", schema, "-n", "3", "-o", tmp_path / name, *(["--format", fmt] if fmt else []))
    assert r.exit_code == 0, r.output
    assert (tmp_path / name).is_file()


def test_sample_of_a_folder_says_it_is_a_folder(tmp_path):
    r = invoke("sample", tmp_path, "-n", "3", "-o", tmp_path / "o.csv")
    assert_one_error_line(r, "is a folder; give the model file (.zip)")
    assert listing(tmp_path) == []


def test_rows_over_2_63_are_refused_as_such_not_as_a_lack_of_space(tmp_path, schema, model_dir):
    big = str(2**63)
    r = invoke("fake", schema, "-n", big, "-o", tmp_path / "z.csv")
    assert_one_error_line(r, "-n must be at most 2**63 - 1")
    r = invoke("sample", model_dir / "model.zip", "-n", big, "-o", tmp_path / "o.csv")
    assert_one_error_line(r, "-n must be at most 2**63 - 1")
    assert listing(tmp_path) == ["s.json"]
