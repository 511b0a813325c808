"""Hostile archives: zip bombs, lying sizes, other compressions, crafted .npy headers.

Declared sizes are never trusted: members are decompressed in a stream with a running cap, only
deflate (and stored) members are read, .npy headers are checked against the bytes present and
the size budget before anything is allocated. Under a memory limit the same files give a
ModelFileError, not a MemoryError.
"""

import base64
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib

import numpy as np
import pytest

from simulacra.errors import ModelFileError
from simulacra.io.modelfile import _canonical, load_model, max_model_bytes

#: bzip2 of 1.875 GiB of zeros (1,427 bytes); the audit's bomb declared 1,000 bytes
BZIP2_BOMB = base64.b64decode(
    "QlpoOTFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZlsYfBwEvTMCAwAAEAAAIIAAwzAmqaZRSCVtUikErxdyRThQkBcsDDIA="
)


def _manifest(arrays_bytes: bytes, state=None) -> bytes:
    m = {
        "format": "simulacra-model",
        "format_version": 1,
        "simulacra_version": "0",
        "synthesizer": "gaussian_copula",
        "parameters": {},
        "metadata": {},
        "state": state if state is not None else {"x": {"__array__": "a0"}},
        "arrays_sha256": hashlib.sha256(arrays_bytes).hexdigest(),
    }
    m["checksum"] = hashlib.sha256(_canonical(m)).hexdigest()
    return json.dumps(m).encode()


def _model(path, arrays_bytes: bytes, method=zipfile.ZIP_DEFLATED, manifest=None):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            zipfile.ZipInfo("manifest.json"), manifest or _manifest(arrays_bytes), compress_type=zipfile.ZIP_DEFLATED
        )
        z.writestr(zipfile.ZipInfo("arrays.npz"), arrays_bytes, compress_type=method)
    return path


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _patch_size(data: bytes, name: bytes, size: int) -> bytes:
    """Set the declared uncompressed size of member name in both its headers."""
    b = bytearray(data)
    pos = 0
    while True:
        i = b.find(b"PK\x03\x04", pos)
        if i < 0:
            break
        n = struct.unpack("<H", b[i + 26 : i + 28])[0]
        if b[i + 30 : i + 30 + n] == name:
            b[i + 22 : i + 26] = struct.pack("<L", size)
        pos = i + 4
    pos = 0
    while True:
        i = b.find(b"PK\x01\x02", pos)
        if i < 0:
            break
        n = struct.unpack("<H", b[i + 28 : i + 30])[0]
        if b[i + 46 : i + 46 + n] == name:
            b[i + 24 : i + 28] = struct.pack("<L", size)
        pos = i + 4
    return bytes(b)


def _raw_deflate_member(path, name: str, payload_chunks, declared: int, crc: int):
    """A zip whose member name holds the deflated chunks but declares declared bytes."""
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    comp = b"".join(c.compress(ch) for ch in payload_chunks) + c.flush()
    manifest = _manifest(b"")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", manifest)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_STORED
        z.writestr(info, comp)  # stored bytes, relabelled as deflate below
    data = bytearray(open(path, "rb").read())
    for sig, off_method, off_crc, off_csize, off_size, off_name in (
        (b"PK\x03\x04", 8, 14, 18, 22, 26),
        (b"PK\x01\x02", 10, 16, 20, 24, 28),
    ):
        pos = 0
        while (i := data.find(sig, pos)) >= 0:
            n = struct.unpack("<H", data[i + off_name : i + off_name + 2])[0]
            start = i + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(data[start : start + n]) == name.encode():
                data[i + off_method : i + off_method + 2] = struct.pack("<H", zipfile.ZIP_DEFLATED)
                data[i + off_crc : i + off_crc + 4] = struct.pack("<L", crc)
                data[i + off_size : i + off_size + 4] = struct.pack("<L", declared)
            pos = i + 4
    open(path, "wb").write(bytes(data))
    return path


def test_bzip2_bomb_is_refused_before_decompressing(tmp_path):
    p = _model(tmp_path / "b.zip", BZIP2_BOMB, method=zipfile.ZIP_BZIP2)
    p.write_bytes(_patch_size(p.read_bytes(), b"arrays.npz", 1000))
    with pytest.raises(ModelFileError, match="bzip2.*deflate only"):
        load_model(p)


def test_lzma_and_unknown_methods_are_refused(tmp_path):
    arrays = _npz(a0=np.zeros(3))
    p = _model(tmp_path / "l.zip", arrays, method=zipfile.ZIP_LZMA)
    with pytest.raises(ModelFileError, match="lzma"):
        load_model(p)


def test_member_lying_about_its_size_is_cut_at_the_declared_size(tmp_path):
    # 64 MiB of zeros, declared as 1,000 bytes: at most 1,000 bytes are ever produced
    p = _raw_deflate_member(tmp_path / "lie.zip", "arrays.npz", [bytes(1 << 20)] * 64, 1000, 0)
    with pytest.raises(ModelFileError, match="corrupted|truncated|declares"):
        load_model(p)


def test_honest_deflate_bomb_beyond_the_budget_is_refused_from_its_header(tmp_path):
    arrays = _npz(a0=np.zeros(3))
    p = _model(tmp_path / "big.zip", arrays)
    p.write_bytes(_patch_size(p.read_bytes(), b"arrays.npz", 3_700_000_000))
    with pytest.raises(
        ModelFileError, match="declares 3,700,000,000 bytes, more than the limit.*SIMULACRA_MAX_MODEL_BYTES"
    ):
        load_model(p)


def test_budget_from_the_environment(tmp_path, monkeypatch):
    arrays = _npz(a0=np.zeros(2**18))  # 2 MiB of zeros, a few KB compressed
    p = _model(tmp_path / "m.zip", arrays)
    monkeypatch.setenv("SIMULACRA_MAX_MODEL_BYTES", "1M")
    assert max_model_bytes() == 2**20
    with pytest.raises(ModelFileError, match="more than the limit of 1,048,576 bytes"):
        load_model(p)
    monkeypatch.setenv("SIMULACRA_MAX_MODEL_BYTES", "lots")
    with pytest.raises(Exception, match="SIMULACRA_MAX_MODEL_BYTES must be a positive size"):
        load_model(p)
    monkeypatch.setenv("SIMULACRA_MAX_MODEL_BYTES", "4m")
    assert load_model(p)["state"]["x"].shape == (2**18,)
    monkeypatch.delenv("SIMULACRA_MAX_MODEL_BYTES")
    assert max_model_bytes() == 2 * 2**30


def _npy_with_header(shape, dtype="<f8", body=b"") -> bytes:
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


def _inner(members: dict, method=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in members.items():
            z.writestr(zipfile.ZipInfo(n), b, compress_type=method)
    return buf.getvalue()


def test_npy_header_declaring_7_tib_is_refused_before_allocation(tmp_path):
    arrays = _inner({"a0.npy": _npy_with_header((10**12,), body=bytes(64))})
    p = _model(tmp_path / "t.zip", arrays)
    with pytest.raises(ModelFileError, match=r"declares shape \(1000000000000,\) \(8,000,000,000,000 bytes\)"):
        load_model(p)


def test_npy_header_lying_about_its_bytes(tmp_path):
    arrays = _inner({"a0.npy": _npy_with_header((1000,), body=bytes(80))})
    p = _model(tmp_path / "s.zip", arrays)
    with pytest.raises(ModelFileError, match="holds 80 bytes"):
        load_model(p)
    # a deflated inner member is refused whatever its header says (simulacra stores inner arrays)
    arrays = _inner({"a0.npy": _npy_with_header((1000,), body=bytes(80))}, method=zipfile.ZIP_DEFLATED)
    with pytest.raises(ModelFileError, match="is compressed"):
        load_model(_model(tmp_path / "s2.zip", arrays))


@pytest.mark.parametrize("dtype", ["|O", "<U5", "[('a', '<f8')]", "<c16", "<M8[s]"])
def test_npy_non_numeric_dtypes(tmp_path, dtype):
    header = _npy_with_header((1,), dtype="<f8", body=bytes(8)).replace(
        b"'<f8'", dtype.encode() if dtype.startswith("[") else f"'{dtype}'".encode()
    )
    arrays = _inner({"a0.npy": header})
    with pytest.raises(ModelFileError, match="non-numeric dtype|invalid header|declares shape"):
        load_model(_model(tmp_path / "d.zip", arrays))


def test_inner_bzip2_members_and_odd_names(tmp_path):
    arrays = _inner({"a0.npy": _npy_with_header((1,), body=bytes(8))}, method=zipfile.ZIP_BZIP2)
    with pytest.raises(ModelFileError, match="bzip2"):
        load_model(_model(tmp_path / "i.zip", arrays))
    arrays = _inner({"../evil.npy": _npy_with_header((1,), body=bytes(8))})
    with pytest.raises(ModelFileError, match="unexpected member"):
        load_model(_model(tmp_path / "n.zip", arrays))


def test_compressed_inner_members_are_refused(tmp_path):
    """A second deflate layer lets a few KB expand to GB (the audit's 5.5 KB file reached 1.35 GB)."""
    buf = io.BytesIO()
    np.savez_compressed(buf, a0=np.zeros(5_000_000))
    arrays = buf.getvalue()
    with pytest.raises(ModelFileError, match="a0.npy in arrays.npz is compressed"):
        load_model(_model(tmp_path / "c.zip", arrays))
    buf = io.BytesIO()
    np.savez(buf, a0=np.arange(1000.0))  # what simulacra writes: stored inner arrays
    assert np.array_equal(load_model(_model(tmp_path / "s.zip", buf.getvalue()))["state"]["x"], np.arange(1000.0))


def test_many_members_are_refused_before_zipfile_reads_the_directory(tmp_path):
    p = tmp_path / "many.zip"
    with zipfile.ZipFile(p, "w") as z:
        for i in range(200):
            z.writestr(f"m{i}", b"")
    with pytest.raises(ModelFileError, match="lists 200 members"):
        load_model(p)


def test_nesting_and_huge_numbers_in_the_manifest(tmp_path):
    arrays = _npz(a0=np.zeros(1))
    deep = b'{"format": "simulacra-model", "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    with pytest.raises(ModelFileError, match="nests 10001 levels"):
        load_model(_model(tmp_path / "n.zip", arrays, manifest=deep))
    big = b'{"format": "simulacra-model", "x": ' + b"9" * 100_000 + b"}"
    with pytest.raises(ModelFileError, match="number of 100,000 characters"):
        load_model(_model(tmp_path / "h.zip", arrays, manifest=big))


MEMORY_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    from simulacra.errors import ModelFileError
    from simulacra.io.modelfile import load_model

    def vm():
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize"))

    limit = vm() + 128 * 2**20  # 128 MiB more than what is mapped now
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for path in sys.argv[1:]:
        try:
            load_model(path)
            print(path, "loaded")
        except ModelFileError as e:
            print(path, "ModelFileError", str(e).replace(path, "P")[:200])
        except BaseException as e:
            print(path, "FAILED", type(e).__name__, str(e)[:100])
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux-only")
def test_bombs_under_a_memory_limit_give_model_file_errors(tmp_path):
    files = []
    p = _model(tmp_path / "bz.zip", BZIP2_BOMB, method=zipfile.ZIP_BZIP2)
    p.write_bytes(_patch_size(p.read_bytes(), b"arrays.npz", 1000))
    files.append(p)
    files.append(_raw_deflate_member(tmp_path / "lie.zip", "arrays.npz", [bytes(1 << 20)] * 256, 1000, 0))
    p = _model(tmp_path / "big.zip", _npz(a0=np.zeros(3)))
    p.write_bytes(_patch_size(p.read_bytes(), b"arrays.npz", 3_700_000_000))
    files.append(p)
    files.append(_model(tmp_path / "tib.zip", _inner({"a0.npy": _npy_with_header((10**12,), body=bytes(64))})))
    # honest headers, within the 2 GiB budget, but 256 MiB does not fit in the memory limit
    files.append(_huge_honest(tmp_path / "honest.zip", 256 * 2**20))
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, *map(str, files)], capture_output=True, text=True, timeout=120, env=env
    )
    lines = out.stdout.splitlines()
    assert len(lines) == len(files), out.stdout + out.stderr
    assert all(" ModelFileError " in ln for ln in lines), out.stdout
    assert "bzip2" in lines[0] and "declares" in lines[2] and "8,000,000,000,000 bytes" in lines[3]
    assert "not enough memory" in lines[4], lines[4]


def _huge_honest(path, nbytes: int):
    """A model whose arrays.npz holds one zero array of nbytes with honest headers everywhere (built in a stream)."""
    npy_head = _npy_with_header((nbytes // 8,))
    # inner npz: one stored member, written by hand so that nothing big is held in memory
    crc = zlib.crc32(npy_head)
    zero = bytes(1 << 20)
    for _ in range(nbytes // len(zero)):
        crc = zlib.crc32(zero, crc)
    size = len(npy_head) + nbytes
    name = b"a0.npy"
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, size, size, len(name), 0) + name
    central = (
        struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, size, size, len(name), 0, 0, 0, 0, 0, 0)
        + name
    )
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + size, 0)

    def inner_chunks():
        yield local + npy_head
        for _ in range(nbytes // len(zero)):
            yield zero
        yield central + end

    sha, outer_crc, total = hashlib.sha256(), 0, 0
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    comp = []
    for ch in inner_chunks():
        sha.update(ch)
        outer_crc = zlib.crc32(ch, outer_crc)
        total += len(ch)
        comp.append(c.compress(ch))
    comp.append(c.flush())
    comp = b"".join(comp)
    m = {
        "format": "simulacra-model",
        "format_version": 1,
        "simulacra_version": "0",
        "synthesizer": "gaussian_copula",
        "parameters": {},
        "metadata": {},
        "state": {"x": {"__array__": "a0"}},
        "arrays_sha256": sha.hexdigest(),
    }
    m["checksum"] = hashlib.sha256(_canonical(m)).hexdigest()
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", json.dumps(m))
        info = zipfile.ZipInfo("arrays.npz")
        z.writestr(info, comp)
    data = bytearray(open(path, "rb").read())
    for sig, off_method, off_crc, off_size, off_name, hdr in (
        (b"PK\x03\x04", 8, 14, 22, 26, 30),
        (b"PK\x01\x02", 10, 16, 24, 28, 46),
    ):
        pos = 0
        while (i := data.find(sig, pos)) >= 0:
            n = struct.unpack("<H", data[i + off_name : i + off_name + 2])[0]
            if bytes(data[i + hdr : i + hdr + n]) == b"arrays.npz":
                data[i + off_method : i + off_method + 2] = struct.pack("<H", zipfile.ZIP_DEFLATED)
                data[i + off_crc : i + off_crc + 4] = struct.pack("<L", outer_crc)
                data[i + off_size : i + off_size + 4] = struct.pack("<L", total)
            pos = i + 4
    open(path, "wb").write(bytes(data))
    return path
