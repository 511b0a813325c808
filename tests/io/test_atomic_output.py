"""One atomic-write helper (io.writers.atomic_output) behind every file simulacra writes in place:
a failure of any kind (an exception, Ctrl-C, a failed move) leaves no part file and the old file unchanged."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest

from simulacra.io import writers
from simulacra.io.writers import TableWriter, atomic_output, write_table, write_text_atomically

DF = pd.DataFrame({"a": np.arange(5), "b": list("vwxyz")})


def test_success_moves_the_part_into_place_and_syncs_it(tmp_path, monkeypatch):
    synced = []
    real_fsync = writers.os.fsync
    monkeypatch.setattr(writers.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    with atomic_output(tmp_path / "f.txt") as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".f.txt.") and tmp.name.endswith(".part")
        tmp.write_text("new")
        assert not (tmp_path / "f.txt").exists()  # nothing in place before the block ends
    assert synced and [p.name for p in tmp_path.iterdir()] == ["f.txt"]
    assert (tmp_path / "f.txt").read_text() == "new"


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt(), SystemExit(1)])
def test_any_failure_in_the_block_leaves_the_old_file_and_no_part(tmp_path, exc):
    (tmp_path / "f.txt").write_text("old")
    with pytest.raises(type(exc)):
        with atomic_output(tmp_path / "f.txt") as tmp:
            tmp.write_text("half")
            raise exc
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]
    assert (tmp_path / "f.txt").read_text() == "old"


def test_a_failed_move_leaves_no_part(tmp_path, monkeypatch):
    def refuse(a, b):
        raise PermissionError(13, "Permission denied", str(b))

    monkeypatch.setattr(writers.os, "replace", refuse)
    with pytest.raises(PermissionError):
        with atomic_output(tmp_path / "f.txt") as tmp:
            tmp.write_text("x")
    assert list(tmp_path.iterdir()) == []


def test_text_writer_interrupted_mid_write_leaves_nothing(tmp_path, monkeypatch):
    real_open = open

    class Interrupted:
        def __init__(self, f):
            self.f = f

        def write(self, text):
            self.f.write(text[:3])
            raise KeyboardInterrupt

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()

    monkeypatch.setattr(writers, "open", lambda *a, **k: Interrupted(real_open(*a, **k)), raising=False)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomically(tmp_path / "m.json", "{" + "x" * 1000 + "}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["t.csv", "t.csv.gz", "t.tsv", "t.jsonl", "t.parquet"])
def test_table_writer_interrupted_leaves_the_old_file_and_no_part(tmp_path, name):
    write_table(DF, tmp_path / name)
    before = (tmp_path / name).read_bytes()
    with pytest.raises(KeyboardInterrupt), TableWriter(tmp_path / name) as w:
        w.write(DF.iloc[:2])
        raise KeyboardInterrupt
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert (tmp_path / name).read_bytes() == before


def test_model_file_interrupted_mid_write_leaves_the_old_file_and_no_part(tmp_path, monkeypatch, penguins):
    from simulacra import GaussianCopulaSynthesizer, Metadata
    from simulacra.synthesizers.base import BaseSynthesizer

    s = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(penguins)).fit(penguins)
    s.save(tmp_path / "m.zip")
    before = (tmp_path / "m.zip").read_bytes()
    real_writestr = zipfile.ZipFile.writestr

    def interrupted(self, name, data, *a, **k):
        if name == "arrays.npz":
            raise KeyboardInterrupt
        return real_writestr(self, name, data, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        s.save(tmp_path / "m.zip")
    assert [p.name for p in tmp_path.iterdir()] == ["m.zip"]
    assert (tmp_path / "m.zip").read_bytes() == before
    monkeypatch.undo()
    assert isinstance(BaseSynthesizer.load(tmp_path / "m.zip"), GaussianCopulaSynthesizer)


def test_metadata_json_and_report_go_through_the_helper(tmp_path, monkeypatch):
    from simulacra import Metadata
    from simulacra.evaluation import report as report_module

    calls = []
    real = writers.atomic_output

    def spy(path, *a, **k):
        calls.append(path.name)
        return real(path, *a, **k)

    monkeypatch.setattr(writers, "atomic_output", spy)
    Metadata.detect_from_dataframe(DF).save_to_json(tmp_path / "md.json")
    monkeypatch.setattr(report_module, "build_report", lambda *a, **k: "<html></html>")
    report_module.save_report(None, None, None, tmp_path / "r.html")
    assert calls == ["md.json", "r.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["md.json", "r.html"]
