"""Temporary files of the writers: named with the process id, removed on any failure, and the
parts of dead processes removed by the next write into the same folder; links written through."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simulacra.io import files, writers
from simulacra.io.files import (
    TableWriter,
    remove_stale_parts,
    temp_path,
    write_table,
    write_text_atomically,
)

DF = pd.DataFrame({"a": np.arange(5), "b": list("vwxyz")})


def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


HOST = writers.host_tag()


def test_temp_name_carries_the_host_the_pid_and_ordinary_permissions(tmp_path):
    tmp = temp_path(tmp_path / "out.csv")
    assert re.fullmatch(rf"\.out\.csv\.{HOST}\.{os.getpid()}\.[0-9a-f]{{8}}\.part", tmp.name)
    assert re.fullmatch(r"[A-Za-z0-9-]{1,63}", HOST)
    mask = os.umask(0)
    os.umask(mask)
    assert tmp.stat().st_mode & 0o777 == 0o666 & ~mask


def test_stale_parts_of_dead_processes_are_removed_by_the_next_write_of_that_name(tmp_path):
    dead = tmp_path / f".out.csv.{HOST}.{dead_pid()}.0123abcd.part"
    live = tmp_path / f".out.csv.{HOST}.{os.getppid()}.0123abcd.part"  # a running process: kept
    mine = tmp_path / f".out.csv.{HOST}.{os.getpid()}.0123abcd.part"  # this process: kept
    other = tmp_path / ".notes.part"  # not ours: kept
    for p in (dead, live, mine, other):
        p.write_text("x")
    write_table(DF, tmp_path / "out.csv")
    assert not dead.exists() and live.exists() and mine.exists() and other.exists()
    assert remove_stale_parts(tmp_path, "out.csv") == []


def test_stale_part_removal_keeps_other_names_other_hosts_and_user_files(tmp_path):
    pid = dead_pid()
    kept = [
        tmp_path / f".other.csv.{HOST}.{pid}.0123abcd.part",  # another output's part: its own run cleans it
        tmp_path / f".out.csv.{pid}.0123abcd.part",  # the old name without a host (or a user's file)
        tmp_path
        / f".out.csv.other-host.{pid}.0123abcd.part",  # another host on a shared folder: its pid means nothing here
        tmp_path / f".notes.txt.{pid}.deadbeef.part",  # the audit's user file
        tmp_path / f".out.csv.{HOST}.{pid}.0123abcd.part.bak",  # not a part name
    ]
    for p in kept:
        p.write_text("mine")
    write_table(DF, tmp_path / "out.csv")
    assert all(p.read_text() == "mine" for p in kept)
    assert remove_stale_parts(tmp_path, "out.csv") == []
    dead = tmp_path / f".other.csv.{HOST}.{pid}.0123abcd.part"
    assert remove_stale_parts(tmp_path, "other.csv") == [dead] and not dead.exists()


def test_a_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), TableWriter(tmp_path / "o.parquet") as w:
        w.write(DF)
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_on_close_leaves_nothing(tmp_path, monkeypatch):
    w = TableWriter(tmp_path / "o.csv")
    with pytest.raises(OSError), w:
        w.write(DF)

        def broken_close():
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(w._fh, "close", broken_close)
    assert list(tmp_path.iterdir()) == []  # neither a part nor a half-written o.csv


def test_a_failed_move_leaves_nothing(tmp_path, monkeypatch):
    def refuse(a, b):
        raise PermissionError(13, "Permission denied", str(b))

    monkeypatch.setattr(writers.os, "replace", refuse)
    with pytest.raises(PermissionError):
        write_table(DF, tmp_path / "o.jsonl")
    with pytest.raises(PermissionError):
        write_text_atomically(tmp_path / "o.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_links_are_written_through(tmp_path):
    target = tmp_path / "real" / "t.csv"
    target.parent.mkdir()
    target.write_text("old")
    os.symlink(target, tmp_path / "link.csv")
    write_table(DF, tmp_path / "link.csv")
    assert (tmp_path / "link.csv").is_symlink() and pd.read_csv(target).shape == (5, 2)
    os.symlink("loop.csv", tmp_path / "loop.csv")
    with pytest.raises(files.FileFormatError, match="symbolic link loop"):
        write_table(DF, tmp_path / "loop.csv")


def test_model_files_use_the_same_temporary_names(tmp_path, monkeypatch, penguins):
    from simulacra import GaussianCopulaSynthesizer, Metadata

    s = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(penguins)).fit(penguins)
    (tmp_path / f".m.zip.{HOST}.{dead_pid()}.00000000.part").write_text("stale")
    seen = []
    real_replace = os.replace

    def spy(a, b):
        seen.append(os.path.basename(a))
        real_replace(a, b)

    monkeypatch.setattr(os, "replace", spy)
    s.save(tmp_path / "m.zip")
    assert re.fullmatch(rf"\.m\.zip\.{HOST}\.{os.getpid()}\.[0-9a-f]{{8}}\.part", seen[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zip"]


def test_model_save_writes_a_link_through(tmp_path, penguins):
    from simulacra import GaussianCopulaSynthesizer, Metadata
    from simulacra.synthesizers.base import BaseSynthesizer

    s = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(penguins)).fit(penguins)
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / "real.zip"
    target.write_text("old")
    os.symlink(target, tmp_path / "link.zip")
    s.save(tmp_path / "link.zip")
    assert (tmp_path / "link.zip").is_symlink()
    assert isinstance(BaseSynthesizer.load(target), GaussianCopulaSynthesizer)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["real.zip"]
