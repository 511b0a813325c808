"""Model files are data: truncated, edited or hostile files raise ModelFileError and run no code."""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from simulacra import GaussianCopulaSynthesizer
from simulacra.errors import ModelFileError
from simulacra.synthesizers.base import BaseSynthesizer


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory, penguins, penguins_metadata):
    path = tmp_path_factory.mktemp("m") / "model.zip"
    GaussianCopulaSynthesizer(penguins_metadata).fit(penguins).save(path)
    return path.read_bytes()


def _members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(path, members: dict):
    with zipfile.ZipFile(path, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)


def test_format_is_json_plus_npz(model_bytes):
    m = _members(model_bytes)
    assert sorted(m) == ["arrays.npz", "manifest.json"]
    manifest = json.loads(m["manifest.json"])
    assert manifest["format"] == "simulacra-model" and manifest["format_version"] == 2
    assert manifest["synthesizer"] == "gaussian_copula"
    np.load(io.BytesIO(m["arrays.npz"]), allow_pickle=False)


def test_truncated(tmp_path, model_bytes):
    p = tmp_path / "t.zip"
    p.write_bytes(model_bytes[: len(model_bytes) // 2])
    with pytest.raises(ModelFileError, match="truncated|not a simulacra model"):
        BaseSynthesizer.load(p)


def test_edited_manifest_detected(tmp_path, model_bytes):
    m = _members(model_bytes)
    manifest = json.loads(m["manifest.json"])
    manifest["parameters"]["enforce_min_max_values"] = False
    m["manifest.json"] = json.dumps(manifest).encode()
    p = tmp_path / "e.zip"
    _write(p, m)
    with pytest.raises(ModelFileError, match="modified or corrupted"):
        BaseSynthesizer.load(p)


def test_edited_arrays_detected(tmp_path, model_bytes):
    m = _members(model_bytes)
    buf = io.BytesIO()
    np.savez(buf, a0=np.zeros(3))
    m["arrays.npz"] = buf.getvalue()
    p = tmp_path / "e2.zip"
    _write(p, m)
    with pytest.raises(ModelFileError, match="arrays checksum"):
        BaseSynthesizer.load(p)


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch /tmp/simulacra_pwned",))


def test_pickle_is_never_loaded(tmp_path):
    target = "/tmp/simulacra_pwned"
    if os.path.exists(target):
        os.unlink(target)
    p = tmp_path / "evil.pkl"
    p.write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(ModelFileError, match="not a zip"):
        BaseSynthesizer.load(p)
    # a zip with a pickled object array inside arrays.npz
    buf = io.BytesIO()
    np.save(buf, np.array([_Boom()], dtype=object), allow_pickle=True)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("a0.npy", buf.getvalue())
    manifest = {"format": "simulacra-model", "format_version": 1}
    p2 = tmp_path / "evil.zip"
    _write(p2, {"manifest.json": json.dumps(manifest).encode(), "arrays.npz": inner.getvalue()})
    with pytest.raises(ModelFileError):
        BaseSynthesizer.load(p2)
    assert not os.path.exists(target)


def test_unexpected_members_and_traversal(tmp_path, model_bytes):
    m = _members(model_bytes)
    m["../../etc/evil"] = b"x"
    p = tmp_path / "x.zip"
    _write(p, m)
    with pytest.raises(ModelFileError, match="expected members"):
        BaseSynthesizer.load(p)


def test_other_format_and_newer_version(tmp_path, model_bytes):
    m = _members(model_bytes)
    manifest = json.loads(m["manifest.json"])
    manifest["format_version"] = 99
    m["manifest.json"] = json.dumps(manifest).encode()
    p = tmp_path / "v.zip"
    _write(p, m)
    with pytest.raises(ModelFileError, match="upgrade simulacra"):
        BaseSynthesizer.load(p)
    _write(p, {"manifest.json": b'{"format": "something-else"}', "arrays.npz": b""})
    with pytest.raises(ModelFileError, match="not a simulacra model file"):
        BaseSynthesizer.load(p)


def test_missing_and_not_a_file(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        BaseSynthesizer.load(tmp_path / "nothing.zip")
    p = tmp_path / "data.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(ModelFileError, match="not a simulacra model file"):
        BaseSynthesizer.load(p)


def test_unknown_synthesizer_even_with_valid_checksum(tmp_path, model_bytes):
    """A crafted file with a recomputed checksum still cannot name arbitrary classes."""
    import hashlib

    from simulacra.io.modelfile import _canonical

    m = _members(model_bytes)
    manifest = json.loads(m["manifest.json"])
    manifest.pop("checksum")
    manifest["synthesizer"] = "os.system"
    manifest["checksum"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    m["manifest.json"] = json.dumps(manifest).encode()
    p = tmp_path / "c.zip"
    _write(p, m)
    with pytest.raises(ModelFileError, match="unknown synthesizer"):
        BaseSynthesizer.load(p)
    # a crafted transform type is refused too
    manifest = json.loads(_members(model_bytes)["manifest.json"])
    manifest.pop("checksum")
    manifest["state"]["transformer"]["transforms"][0]["type"] = "subprocess.Popen"
    manifest["checksum"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    m["manifest.json"] = json.dumps(manifest).encode()
    _write(p, m)
    with pytest.raises(ModelFileError, match="unknown transform type"):
        BaseSynthesizer.load(p)


def test_save_is_atomic(tmp_path, penguins, penguins_metadata):
    s = GaussianCopulaSynthesizer(penguins_metadata).fit(penguins)
    with pytest.raises(ModelFileError, match="does not exist"):
        s.save(tmp_path / "no_such_dir" / "m.zip")
    s.save(tmp_path / "ok.zip")
    assert [p.name for p in tmp_path.iterdir()] == ["ok.zip"]
