"""Metadata.save_to_json is atomic: a failure mid-write leaves nothing behind (#11)."""

import json

import pandas as pd
import pytest

import simulacra.io.writers as writers
from simulacra import Metadata
from simulacra.errors import MetadataError


def _metadata():
    return Metadata.detect_from_dataframe(pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}))


class _Boom(Exception):
    pass


def _failing_open(after_chars, exc=_Boom):
    """``open`` whose file writes ``after_chars`` characters, then raises ``exc``."""
    real_open = open

    class Half:
        def __init__(self, f):
            self.f = f

        def write(self, text):
            self.f.write(text[:after_chars])
            self.f.flush()
            raise exc("disk gone mid-write")

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()
            return False

    return lambda *a, **k: Half(real_open(*a, **k))


@pytest.mark.parametrize("exc", [_Boom, KeyboardInterrupt])
def test_failure_mid_write_leaves_nothing(tmp_path, monkeypatch, exc):
    md = _metadata()
    path = tmp_path / "meta.json"
    monkeypatch.setattr(writers, "open", _failing_open(10, exc), raising=False)
    with pytest.raises(exc):
        md.save_to_json(path)
    assert list(tmp_path.iterdir()) == []  # no meta.json, no .tmp, no .part
    # an existing file is kept byte for byte when overwriting fails
    monkeypatch.undo()
    path.write_text('{"old": true}')
    monkeypatch.setattr(writers, "open", _failing_open(10, exc), raising=False)
    with pytest.raises(exc):
        md.save_to_json(path, mode="overwrite")
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"] and path.read_text() == '{"old": true}'


def test_failure_moving_into_place_leaves_nothing(tmp_path, monkeypatch):
    def no_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writers.os, "replace", no_replace)
    with pytest.raises(MetadataError, match="cannot write metadata to .*meta.json.*Permission denied"):
        _metadata().save_to_json(tmp_path / "meta.json")
    assert list(tmp_path.iterdir()) == []


def test_save_round_trips_and_refuses_to_overwrite(tmp_path):
    md = _metadata()
    path = tmp_path / "meta.json"
    md.save_to_json(path)
    assert json.loads(path.read_text(encoding="utf-8")) == md.to_dict()
    assert Metadata.load_from_json(path).to_dict() == md.to_dict()
    with pytest.raises(MetadataError, match="already exists"):
        md.save_to_json(path)
    md.save_to_json(path, mode="overwrite")
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"]
    with pytest.raises(MetadataError, match="folder exists"):
        md.save_to_json(tmp_path / "missing" / "meta.json")
