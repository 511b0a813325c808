"""One policy for every command that writes: refuse an existing output without --overwrite;
with it, write a symbolic link through to its target; warn on a misleading extension."""

from __future__ import annotations

import json
import os
import zipfile

import pytest

from .conftest import assert_one_error_line, invoke, listing


@pytest.fixture()
def work(tmp_path, model_dir, penguins):
    (tmp_path / "p.csv").write_bytes((model_dir / "penguins.csv").read_bytes())
    (tmp_path / "m.zip").write_bytes((model_dir / "model.zip").read_bytes())
    (tmp_path / "schema.json").write_text(
        json.dumps({"columns": {"id": {"provider": "sequence"}, "name": "full_name"}})
    )
    (tmp_path / "two.json").write_text(
        json.dumps(
            {
                "tables": {
                    "a": {"rows": 3, "columns": {"id": {"provider": "sequence"}}},
                    "b": {"rows": 4, "columns": {"id": {"provider": "sequence"}}},
                }
            }
        )
    )
    return tmp_path


def commands(w, out):
    """Each writing command with its output ``out`` (file name inside ``w``)."""
    return {
        "metadata": ["metadata", w / "p.csv", "-o", out("meta.json")],
        "fit": ["fit", w / "p.csv", "-o", out("model.zip")],
        "sample": ["sample", w / "m.zip", "-n", "20", "--seed", "1", "-o", out("s.csv")],
        "fake": ["fake", w / "schema.json", "-n", "20", "-o", out("f.csv")],
        "report": ["report", w / "p.csv", w / "p.csv", "-o", out("r.html")],
    }


@pytest.mark.parametrize("command", ["metadata", "fit", "sample", "fake", "report"])
def test_existing_output_refused_then_replaced_with_overwrite(work, command):
    args = commands(work, lambda n: work / n)[command]
    target = args[args.index("-o") + 1]
    target.write_text("precious\n")
    before = listing(work)
    r = invoke(*args)
    assert_one_error_line(r, "--overwrite")
    assert target.read_text() == "precious\n" and listing(work) == before
    r = invoke(*args, "--overwrite")
    assert r.exit_code == 0, r.output
    assert target.read_bytes() != b"precious\n"
    assert [n for n in listing(work) if n.startswith(".")] == []


def test_fake_folder_of_tables_refuses_existing_table(work):
    (work / "out").mkdir()
    (work / "out" / "b.csv").write_text("keep\n")
    r = invoke("fake", work / "two.json", "-o", work / "out")
    assert_one_error_line(r, "b.csv")
    assert listing(work / "out") == ["b.csv"]  # a.csv is not written either: checked before any work
    r = invoke("fake", work / "two.json", "-o", work / "out", "--overwrite")
    assert r.exit_code == 0, r.output
    assert (work / "out" / "b.csv").read_text().splitlines()[0] == "id"


@pytest.mark.parametrize("command", ["metadata", "fit", "sample", "fake", "report"])
def test_symlink_output_is_written_through(work, command):
    real = work / "real"
    real.mkdir()
    args = commands(work, lambda n: work / n)[command]
    link = args[args.index("-o") + 1]
    target = real / ("t" + link.suffix)
    target.write_text("old\n")
    os.symlink(target, link)
    r = invoke(*args)
    assert_one_error_line(r, "already exists (a symbolic link)")
    assert target.read_text() == "old\n"
    r = invoke(*args, "--overwrite")
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == str(target)  # the link stays
    assert target.read_bytes() != b"old\n" and target.stat().st_size > 0
    assert [n for n in listing(work) if os.path.basename(n).startswith(".")] == []


@pytest.mark.parametrize("command", ["metadata", "fit", "sample", "fake", "report"])
def test_symlink_loop_and_special_files_refused(work, command):
    args = commands(work, lambda n: work / n)[command]
    out = args[args.index("-o") + 1]
    os.symlink(out.name, out)  # a link to itself
    before = listing(work)
    assert_one_error_line(invoke(*args, "--overwrite"), "symbolic link loop")
    out.unlink()
    os.mkfifo(out)
    assert_one_error_line(invoke(*args, "--overwrite"), "not a regular file")
    assert listing(work) == before


def test_dangling_symlink_counts_as_existing(work):
    os.symlink(work / "nowhere.csv", work / "s.csv")
    assert_one_error_line(invoke("sample", work / "m.zip", "-n", "5", "-o", work / "s.csv"), "--overwrite")
    r = invoke("sample", work / "m.zip", "-n", "5", "-o", work / "s.csv", "--overwrite")
    assert r.exit_code == 0, r.output
    assert (work / "s.csv").is_symlink() and len((work / "nowhere.csv").read_text().splitlines()) == 6


@pytest.mark.parametrize(
    "args,kind",
    [
        (lambda w: ["fit", w / "p.csv", "-o", w / "model.csv"], "model"),
        (lambda w: ["metadata", w / "p.csv", "-o", w / "meta.txt"], "metadata"),
        (lambda w: ["report", w / "p.csv", w / "p.csv", "-o", w / "r.txt"], "report"),
    ],
)
def test_misleading_extension_warns_on_one_line(work, args, kind):
    r = invoke(*args(work))
    assert r.exit_code == 0, r.output
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and f"holds a {kind} file" in lines[0]


def test_fit_writes_a_zip_whatever_the_name(work):
    r = invoke("fit", work / "p.csv", "-o", work / "model.csv")
    assert r.exit_code == 0
    assert zipfile.is_zipfile(work / "model.csv")
    r = invoke("sample", work / "model.csv", "-n", "3", "-o", work / "o.csv")
    assert r.exit_code == 0, r.output


def test_no_warning_for_the_right_extension(work):
    r = invoke("fit", work / "p.csv", "-o", work / "model.zip")
    assert r.exit_code == 0 and r.stderr == ""


def test_demo_twice_in_the_same_folder_replaces_its_own_files(tmp_path):
    r = invoke("demo", "-d", tmp_path, "--seed", "1", "-n", "50")
    assert r.exit_code == 0, r.output
    first = (tmp_path / "synthetic_penguins.csv").read_bytes()
    assert "replacing" not in r.output
    r = invoke("demo", "-d", tmp_path, "--seed", "2", "-n", "60")
    assert r.exit_code == 0, r.output
    assert "replacing the previous demo files" in r.output
    assert (tmp_path / "synthetic_penguins.csv").read_bytes() != first
    assert listing(tmp_path) == ["penguins_model.zip", "synthetic_penguins.csv"]


@pytest.mark.parametrize(
    "args",
    [
        lambda w: ["fit", w / "p.csv", "-o", w / "p.csv"],
        lambda w: ["metadata", w / "p.csv", "-o", w / "p.csv"],
        lambda w: ["report", w / "p.csv", w / "p.csv", "-o", w / "p.csv"],
        lambda w: ["fake", w / "schema.json", "-n", "3", "-o", w / "schema.json"],
    ],
)
def test_an_input_is_never_overwritten(work, args):
    before = (work / "p.csv").read_bytes(), (work / "schema.json").read_bytes()
    assert_one_error_line(invoke(*args(work), "--overwrite"), "it is the input")
    assert ((work / "p.csv").read_bytes(), (work / "schema.json").read_bytes()) == before
