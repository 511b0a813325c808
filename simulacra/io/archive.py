"""Bounded reading of zip archives and ``.npz`` array files that may be hostile.

Declared sizes are never trusted on their own: the central directory is checked before
:mod:`zipfile` parses it (a few entries, a small directory), only stored and deflated members are
read (bzip2 and lzma decompress without an output bound), members are decompressed in a stream
with a running cap on the bytes actually produced, and every ``.npy`` header is parsed and checked
(numeric dtype, shape x itemsize equal to the bytes present and within the budget) before its
array is allocated. Every failure is a :class:`~simulacra.errors.ModelFileError`.
"""

from __future__ import annotations

import math
import re
import struct
import tempfile
import zipfile
import zlib

import numpy as np

from ..errors import ModelFileError

CHUNK = 1 << 20
ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
_NPY_NAME = re.compile(r"a\d{1,9}\.npy")
#: errors the zip and zlib layers raise on damaged data
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)


def check_directory(fh, what: str, max_entries: int, max_directory_bytes: int) -> None:
    """Refuse an archive whose central directory is too big *before* zipfile reads it into memory.

    Finds the end-of-central-directory record the way :mod:`zipfile` does (at the very end, else
    the last one within the 64 KiB comment area), including the zip64 record.
    """
    fh.seek(0, 2)
    size = fh.tell()
    if size < 22:
        raise ModelFileError(f"{what} is not a zip archive (too short)")
    fh.seek(size - 22)
    end = fh.read(22)
    if end[:4] == b"PK\x05\x06" and end[-2:] == b"\x00\x00":
        pos = size - 22
    else:
        start = max(0, size - 22 - 65535)
        fh.seek(start)
        tail = fh.read()
        i = tail.rfind(b"PK\x05\x06")
        if i < 0 or i + 22 > len(tail):
            raise ModelFileError(f"{what} is not a zip archive (no end record); it may be truncated")
        pos = start + i
        end = tail[i : i + 22]
    _, _, _, _, entries, dir_size, dir_offset, _ = struct.unpack("<4s4H2LH", end)
    if entries == 0xFFFF or dir_size == 0xFFFFFFFF or dir_offset == 0xFFFFFFFF:
        if pos < 20:
            raise ModelFileError(f"{what} has a damaged zip64 end record")
        fh.seek(pos - 20)
        sig, _, rec_offset, _ = struct.unpack("<4sLQL", fh.read(20))
        if sig == b"PK\x06\x07":
            if rec_offset > size - 56:
                raise ModelFileError(f"{what} has a damaged zip64 end record")
            fh.seek(rec_offset)
            rec = fh.read(56)
            if rec[:4] != b"PK\x06\x06":
                raise ModelFileError(f"{what} has a damaged zip64 end record")
            _, _, _, _, _, _, _, entries, dir_size, _ = struct.unpack("<4sQ2H2L4Q", rec)
    if entries > max_entries:
        raise ModelFileError(f"{what} lists {entries:,} members (at most {max_entries:,} are expected)")
    if dir_size > max_directory_bytes:
        raise ModelFileError(
            f"{what} has a {dir_size:,}-byte member directory (at most {max_directory_bytes:,} bytes are expected)"
        )


def check_member(info: zipfile.ZipInfo, what: str, limit: int) -> None:
    """Compression method, encryption and declared size of one member."""
    if info.compress_type not in ALLOWED_METHODS:
        name = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        raise ModelFileError(
            f"{what}: member {info.filename} is compressed with {name}; simulacra model files use deflate only "
            "(a file from another tool, or a crafted one)"
        )
    if info.flag_bits & 0x1:
        raise ModelFileError(f"{what}: member {info.filename} is encrypted")
    if info.file_size > limit:
        raise ModelFileError(
            f"{what}: member {info.filename} declares {info.file_size:,} bytes, more than the limit of {limit:,} bytes"
            " (set SIMULACRA_MAX_MODEL_BYTES to load bigger models you trust)"
        )


def copy_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, sink, limit: int, what: str, hashers=()) -> int:
    """Decompress one member into ``sink`` (a writable file) in chunks, with a running cap.

    At most ``min(limit, declared size)`` bytes are ever produced; ``hashers`` see every chunk.
    """
    cap = min(limit, info.file_size)
    total = 0
    with z.open(info) as f:
        while True:
            chunk = f.read(min(CHUNK, cap - total + 1))
            if not chunk:
                break
            total += len(chunk)
            if total > cap:
                raise ModelFileError(
                    f"{what}: member {info.filename} holds more bytes than it declares or than the limit ({cap:,})"
                )
            for h in hashers:
                h.update(chunk)
            sink.write(chunk)
    if total != info.file_size:
        raise ModelFileError(
            f"{what}: member {info.filename} holds {total:,} bytes but declares {info.file_size:,}; it is truncated or crafted"
        )
    return total


def read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, what: str) -> bytes:
    import io

    buf = io.BytesIO()
    copy_member(z, info, buf, limit, what)
    return buf.getvalue()


def spooled_file():
    """A temporary file kept in memory while small, on disk beyond 32 MiB; deleted when closed."""
    return tempfile.SpooledTemporaryFile(max_size=32 * 2**20)


def read_npz(fh, what: str, budget: int, max_arrays: int = 1_000_000, limits: dict | None = None) -> dict:
    """Arrays of an ``.npz`` archive (an open binary file), within ``budget`` bytes in all.

    Members must be ``a<N>.npy`` files, stored (the model file around them is deflated once: a
    second deflate layer would let a few kilobytes expand to gigabytes), with a version 1 or 2 header
    declaring a plain numeric dtype; the header's shape times the itemsize must equal the bytes
    that follow it, and the sum over all arrays must stay within ``budget``. With ``limits``
    (array name -> most elements it may hold), a member not named there, or whose header declares
    more elements, is refused before anything of it is decompressed beyond its header.
    """
    check_directory(fh, f"{what} (arrays.npz)", max_arrays, max_arrays * 1024 + 65536)
    fh.seek(0)
    try:
        z = zipfile.ZipFile(fh)
    except READ_ERRORS as e:
        raise ModelFileError(f"{what}: arrays.npz is not a valid archive ({e})") from None
    arrays: dict = {}
    left = budget
    with z:
        for info in z.infolist():
            if not _NPY_NAME.fullmatch(info.filename):
                raise ModelFileError(f"{what}: arrays.npz has an unexpected member {info.filename[:80]!r}")
            key = info.filename[:-4]
            if key in arrays:
                raise ModelFileError(f"{what}: arrays.npz holds array {key!r} twice")
            if limits is not None and key not in limits:
                raise ModelFileError(
                    f"{what}: arrays.npz holds an array {key!r} that the model state does not use; the file was edited or crafted"
                )
            check_member(info, f"{what} (arrays.npz)", left)
            if info.compress_type != zipfile.ZIP_STORED:  # a second deflate layer multiplies the bomb ratio
                raise ModelFileError(
                    f"{what}: array {info.filename} in arrays.npz is compressed; simulacra stores arrays uncompressed inside "
                    "the (deflated) model file: the file was made by another tool or crafted"
                )
            arrays[key] = _read_npy(z, info, what, left, None if limits is None else limits[key])
            left -= arrays[key].nbytes
    return arrays


def _read_npy(z, info, what, left: int, max_count: int | None = None) -> np.ndarray:
    fmt = np.lib.format
    name = info.filename
    try:
        with z.open(info) as f:
            try:
                version = fmt.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = fmt.read_array_header_1_0(f)
                elif version == (2, 0):
                    shape, fortran, dtype = fmt.read_array_header_2_0(f)
                else:
                    raise ValueError(f"unsupported .npy version {version}")
            except (ValueError, SyntaxError, TypeError) as e:
                raise ModelFileError(f"{what}: array {name} has an invalid header ({str(e)[:200]})") from None
            header_len = f.tell()
            if (
                dtype.kind not in "biuf"
                or dtype.fields is not None
                or dtype.subdtype is not None
                or dtype.itemsize > 16
            ):
                raise ModelFileError(f"{what}: array {name} has a non-numeric dtype {dtype}")
            if not isinstance(shape, tuple) or len(shape) > 32 or not all(isinstance(d, int) and d >= 0 for d in shape):
                raise ModelFileError(f"{what}: array {name} declares an invalid shape {str(shape)[:80]}")
            count = math.prod(shape)
            nbytes = count * dtype.itemsize
            if max_count is not None and count > max_count:
                raise ModelFileError(
                    f"{what}: array {name} declares shape {shape} ({count:,} values), more than the {max_count:,} values "
                    "the model's metadata, parameters and state allow for it; the file was edited or crafted"
                )
            if nbytes > left:
                raise ModelFileError(
                    f"{what}: array {name} declares shape {shape} ({nbytes:,} bytes), more than the {left:,} bytes left in the "
                    "model size limit (set SIMULACRA_MAX_MODEL_BYTES to load bigger models you trust)"
                )
            if header_len + nbytes != info.file_size:
                raise ModelFileError(
                    f"{what}: array {name} declares shape {shape} ({nbytes:,} bytes) but holds {info.file_size - header_len:,} bytes"
                )
            try:
                arr = np.empty(count, dtype=dtype)
            except MemoryError:
                raise ModelFileError(f"{what}: not enough memory for array {name} ({nbytes:,} bytes)") from None
            view = memoryview(arr.view(np.uint8).reshape(-1)) if nbytes else memoryview(b"")
            got = 0
            while got < nbytes:
                n = f.readinto(view[got : min(nbytes, got + CHUNK)])
                if not n:
                    break
                got += n
            if got != nbytes or f.read(1):
                raise ModelFileError(f"{what}: array {name} does not hold the {nbytes:,} bytes its header declares")
    except ModelFileError:
        raise
    except MemoryError:
        raise ModelFileError(f"{what}: not enough memory to read array {name}") from None
    except READ_ERRORS as e:
        raise ModelFileError(f"{what}: array {name} is corrupted ({e})") from None
    return arr.reshape(shape, order="F" if fortran else "C")
