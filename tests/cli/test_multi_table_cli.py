"""Multi-table ``metadata`` / ``fit`` / ``sample``: a folder of tables or a database URL in, a folder or a
database out; single-table models keep ``-n``; errors are one line and leave nothing behind."""

import json

import pandas as pd
import pytest

from .conftest import assert_one_error_line, invoke, listing
from .test_db_synth import FAST, FKS, check_target, flights_tables


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    t, _ = flights_tables()
    d = tmp_path_factory.mktemp("tables")
    for name, df in t.items():
        df.to_csv(d / f"{name}.csv", index=False)
    return d, {k: len(v) for k, v in t.items()}


@pytest.fixture(scope="module")
def model(folder, tmp_path_factory):
    d, _ = folder
    path = tmp_path_factory.mktemp("model") / "flights.zip"
    r = invoke("fit", d, "-o", path, "--no-progress", *FAST)
    assert r.exit_code == 0, r.output
    assert "4 tables" in r.stdout
    return path


def _keys_intact(tables):
    for child, fk, parent, pk in FKS:
        vals = tables[child][fk].dropna()
        assert vals.isin(tables[parent][pk]).all(), (child, fk)


def test_metadata_of_a_folder_has_the_relationships(folder, tmp_path):
    d, _ = folder
    out = tmp_path / "md.json"
    r = invoke("metadata", d, "-o", out)
    assert r.exit_code == 0, r.output
    md = json.loads(out.read_text())
    assert set(md["tables"]) == {"airlines", "airports", "planes", "flights"}
    from simulacra.metadata import Metadata

    rels = {(x["child_foreign_key"], x["parent_table_name"]) for x in Metadata.load_from_json(out).relationships}
    assert ("carrier", "airlines") in rels and ("origin", "airports") in rels and ("dest", "airports") in rels


def test_folder_fit_sample_round_trip(folder, model, tmp_path):
    _, counts = folder
    out = tmp_path / "synthetic"
    r = invoke("sample", model, "--scale", "0.5", "--seed", "3", "-o", out)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in counts)
    tables = {n: pd.read_csv(out / f"{n}.csv") for n in counts}
    _keys_intact(tables)
    for n, k in counts.items():
        assert abs(len(tables[n]) - 0.5 * k) <= max(3, 0.15 * 0.5 * k), n
    assert listing(tmp_path) == sorted(["synthetic"] + [f"synthetic/{n}.csv" for n in counts])
    # the same folder again: refused without --overwrite, replaced with it
    r = invoke("sample", model, "-o", out)
    assert_one_error_line(r, "pass --overwrite")
    r = invoke("sample", model, "-o", out, "--overwrite", "--format", "csv", "--seed", "4")
    assert r.exit_code == 0, r.output
    assert abs(len(pd.read_csv(out / "flights.csv")) - counts["flights"]) < 0.15 * counts["flights"]


def test_sample_to_parquet_and_to_a_database(folder, model, tmp_path):
    _, counts = folder
    r = invoke("sample", model, "--format", "parquet", "-o", tmp_path / "pq", "--seed", "1")
    assert r.exit_code == 0, r.output
    _keys_intact({n: pd.read_parquet(tmp_path / "pq" / f"{n}.parquet") for n in counts})
    url = f"sqlite:///{tmp_path / 'out.db'}"
    r = invoke("sample", model, "-o", url, "--scale", "0.4")
    assert r.exit_code == 0, r.output
    check_target(url, counts, 0.4)
    r = invoke("sample", model, "-o", url)
    assert_one_error_line(r, "already exist")
    r = invoke("sample", model, "-o", url, "--if-exists", "replace", "--scale", "0.2")
    assert r.exit_code == 0, r.output
    check_target(url, counts, 0.2)


def test_fit_from_a_database_url_with_metadata_json(folder, tmp_path):
    from simulacra.io import write_database

    t, md = flights_tables()
    url = f"sqlite:///{tmp_path / 'src.db'}"
    write_database(url, t, md)
    mdfile = tmp_path / "md.json"
    assert invoke("metadata", url, "-o", mdfile).exit_code == 0
    m = tmp_path / "m.zip"
    r = invoke("fit", url, "-o", m, "--metadata", mdfile, "-s", "gaussian_copula")
    assert r.exit_code == 0, r.output
    out = tmp_path / "o"
    assert invoke("sample", m, "-o", out, "--scale", "0.3").exit_code == 0
    _keys_intact({n: pd.read_csv(out / f"{n}.csv") for n in t})


def test_fit_tables_subset_of_a_folder(folder, tmp_path):
    d, _ = folder
    m = tmp_path / "m.zip"
    r = invoke("fit", d, "-o", m, "--tables", "airlines,planes", *FAST)
    assert r.exit_code == 0, r.output
    r = invoke("fit", d, "-o", tmp_path / "n.zip", "--tables", "airlines,nope")
    assert_one_error_line(r, "no table(s) 'nope'")
    assert not (tmp_path / "n.zip").exists()


def test_errors_are_one_line_and_leave_nothing(folder, model, tmp_path, penguins):
    d, _ = folder
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_error_line(invoke("fit", empty, "-o", tmp_path / "m.zip"), "holds no table files")
    # a single-table model given --scale, and a multi-table model given -n
    penguins.to_csv(tmp_path / "p.csv", index=False)
    assert invoke("fit", tmp_path / "p.csv", "-o", tmp_path / "single.zip").exit_code == 0
    assert_one_error_line(
        invoke("sample", tmp_path / "single.zip", "--scale", "2", "-o", tmp_path / "o.csv"),
        "--scale is for a multi-table model",
    )
    assert_one_error_line(invoke("sample", tmp_path / "single.zip", "-o", tmp_path / "o.csv"), "Missing option '-n'")
    assert_one_error_line(invoke("sample", model, "-n", "5", "-o", tmp_path / "o"), "multi-table model")
    assert_one_error_line(invoke("sample", model, "--scale", "-1", "-o", tmp_path / "o"), "--scale must be a positive")
    assert_one_error_line(invoke("sample", model, "-o", tmp_path / "p.csv"), "is a file")
    assert_one_error_line(invoke("sample", model, "-o", tmp_path / "no" / "o"), "does not exist")
    assert_one_error_line(
        invoke("fit", tmp_path / "p.csv", "-o", tmp_path / "x.zip", "--tables", "a"), "--tables is for"
    )
    # a bad database URL, password masked
    r = invoke("fit", "postgresql+psycopg://bob:s3cret@127.0.0.1:1/x", "-o", tmp_path / "x.zip")
    assert_one_error_line(r, "bob:***@")
    assert "s3cret" not in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "p.csv", "single.zip"]


def test_single_table_sample_is_unchanged(model_dir, tmp_path):
    r = invoke("sample", model_dir / "model.zip", "-n", "7", "-o", tmp_path / "s.csv")
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(tmp_path / "s.csv")) == 7


def test_db_synth_is_in_the_help():
    r = invoke("--help")
    assert "db-synth" in r.output
    r = invoke("db-synth", "--help")
    assert "--if-exists" in r.output and "--tables" in r.output
