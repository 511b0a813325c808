"""Signed model files: HMAC-SHA256 over the manifest and arrays, with key= or SIMULACRA_MODEL_KEY."""

import hashlib
import json
import subprocess
import sys
import zipfile

import pytest

from simulacra import GaussianCopulaSynthesizer
from simulacra.errors import ModelFileError, ParameterError
from simulacra.io.modelfile import _canonical, read_key_file
from simulacra.synthesizers.base import BaseSynthesizer
from ..conftest import npz_bytes, read_model_arrays, read_model_file, write_model_file

KEY = "0123456789abcdef-shared-secret"
OTHER = "fedcba9876543210-another-secret"


@pytest.fixture(scope="module")
def fitted(penguins, penguins_metadata):
    return GaussianCopulaSynthesizer(penguins_metadata).fit(penguins)


def _resign_arrays(path, out, change):
    """Edit the arrays and recompute both checksums (what an attacker can do without the key)."""
    manifest, raw = read_model_file(path)
    arrays = read_model_arrays(raw)
    change(arrays)
    return write_model_file(out, manifest, npz_bytes(arrays))


def test_signed_round_trip(tmp_path, fitted, monkeypatch):
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    p = tmp_path / "signed.zip"
    fitted.save(p, key=KEY)
    manifest = json.loads(zipfile.ZipFile(p).read("manifest.json"))
    assert manifest["signature"]["algorithm"] == "HMAC-SHA256" and len(manifest["signature"]["value"]) == 64
    expected = fitted.sample(20, seed=1)
    assert BaseSynthesizer.load(p, key=KEY).sample(20, seed=1).equals(expected)
    assert BaseSynthesizer.load(p, key=KEY.encode()).sample(20, seed=1).equals(expected)
    # without a key a signed file still loads, on its checksum
    assert BaseSynthesizer.load(p).sample(20, seed=1).equals(expected)


def test_wrong_key_unsigned_file_and_edits(tmp_path, fitted, monkeypatch):
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    signed, unsigned = tmp_path / "s.zip", tmp_path / "u.zip"
    fitted.save(signed, key=KEY)
    fitted.save(unsigned)
    with pytest.raises(ModelFileError, match="signature does not match the key"):
        BaseSynthesizer.load(signed, key=OTHER)
    with pytest.raises(ModelFileError, match="is not signed, but a key was given"):
        BaseSynthesizer.load(unsigned, key=KEY)

    def shift(arrays):
        k = sorted(arrays)[0]
        arrays[k] = arrays[k] + 1

    edited = _resign_arrays(signed, tmp_path / "e.zip", shift)
    with pytest.raises(ModelFileError, match="signature does not match"):
        BaseSynthesizer.load(edited, key=KEY)
    # stripping the signature does not help either
    with zipfile.ZipFile(signed) as z:
        manifest = json.loads(z.read("manifest.json"))
        arrays = z.read("arrays.npz")
    manifest.pop("checksum")
    manifest.pop("signature")
    manifest["checksum"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    stripped = tmp_path / "x.zip"
    with zipfile.ZipFile(stripped, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("arrays.npz", arrays)
    with pytest.raises(ModelFileError, match="is not signed"):
        BaseSynthesizer.load(stripped, key=KEY)


def test_environment_variable_and_short_keys(tmp_path, fitted, monkeypatch):
    p = tmp_path / "env.zip"
    monkeypatch.setenv("SIMULACRA_MODEL_KEY", KEY)
    fitted.save(p)  # signed with the variable's key
    BaseSynthesizer.load(p)
    monkeypatch.setenv("SIMULACRA_MODEL_KEY", OTHER)
    with pytest.raises(ModelFileError, match="signature does not match"):
        BaseSynthesizer.load(p)
    assert BaseSynthesizer.load(p, key=KEY)._fitted
    monkeypatch.setenv("SIMULACRA_MODEL_KEY", "short")
    with pytest.raises(ParameterError, match="environment variable SIMULACRA_MODEL_KEY is too short"):
        BaseSynthesizer.load(p)
    with pytest.raises(ParameterError, match="too short"):
        fitted.save(tmp_path / "k.zip", key="abc")
    assert not (tmp_path / "k.zip").exists()


def test_key_file(tmp_path):
    f = tmp_path / "key"
    f.write_bytes(KEY.encode() + b"\n")
    assert read_key_file(f) == KEY.encode()
    with pytest.raises(ParameterError, match="cannot read the key file"):
        read_key_file(tmp_path / "missing")


def _cli(*args, env=None):
    from click.testing import CliRunner

    from simulacra.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env={"SIMULACRA_MODEL_KEY": None, **(env or {})})


def test_cli_fit_and_sample_honour_the_key(tmp_path, penguins):
    data = tmp_path / "p.csv"
    penguins.to_csv(data, index=False)
    model = tmp_path / "m.zip"
    r = _cli("fit", data, "-o", model, env={"SIMULACRA_MODEL_KEY": KEY})
    assert r.exit_code == 0, r.output
    r = _cli("sample", model, "-n", 10, "-o", tmp_path / "a.csv", env={"SIMULACRA_MODEL_KEY": OTHER})
    assert r.exit_code != 0 and "signature does not match" in r.output
    assert not (tmp_path / "a.csv").exists()
    keyfile = tmp_path / "key"
    keyfile.write_text(KEY + "\n")
    r = _cli("sample", model, "-n", 10, "-o", tmp_path / "b.csv", "--key-file", keyfile)
    assert r.exit_code == 0, r.output
    unsigned = tmp_path / "u.zip"
    assert _cli("fit", data, "-o", unsigned).exit_code == 0
    r = _cli("sample", unsigned, "-n", 10, "-o", tmp_path / "c.csv", "--key-file", keyfile)
    assert r.exit_code != 0 and "is not signed" in r.output


def test_cli_sample_one_line_error_on_a_wrong_key(tmp_path, fitted):
    """Through the real entry point: one line on stderr, a non-zero exit, no output file."""
    model = tmp_path / "m.zip"
    fitted.save(model, key=KEY)
    env = {k: v for k, v in __import__("os").environ.items() if k != "SIMULACRA_MODEL_KEY"}
    env.update(SIMULACRA_MODEL_KEY=OTHER, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    r = subprocess.run(
        [sys.executable, "-m", "simulacra", "sample", str(model), "-n", "5", "-o", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1 and "signature does not match" in r.stderr, (
        r.stderr
    )
    assert not (tmp_path / "o.csv").exists()
