"""The model file format: data only, versioned, validated on load. Never pickle.

A model file is a zip archive with exactly two members:

- ``manifest.json``: format name and version, simulacra version, synthesizer name, its
  parameters, the metadata, the learned state as JSON (numeric arrays replaced by references
  ``{"__array__": "a3"}``), the SHA-256 of ``arrays.npz`` and a checksum of the manifest itself;
- ``arrays.npz``: the numeric arrays, read with ``allow_pickle=False``.

Loading refuses anything else: other or missing members, oversize members, a zip bomb, a wrong
format or newer version, a checksum mismatch (a truncated or edited file), object arrays, and
unknown synthesizer or transform names. Nothing in a model file can name code to run.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .._version import __version__
from ..errors import ModelFileError

FORMAT_NAME = "simulacra-model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"
MAX_MANIFEST_BYTES = 256 * 2**20
MAX_ARRAYS_BYTES = 8 * 2**30
MAX_RATIO = 2000


def _encode(obj, arrays: dict):
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise TypeError(f"only numeric arrays can be saved, got dtype {obj.dtype}")
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, dict):
        for k in obj:
            if not isinstance(k, str):
                raise TypeError(f"state keys must be strings, got {k!r}")
        return {k: _encode(v, arrays) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_encode(v, arrays) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"cannot store a {type(obj).__name__} in a model file")


def _decode(obj, arrays, used: set):
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            key = obj["__array__"]
            if not isinstance(key, str) or key not in arrays:
                raise ModelFileError(f"model file refers to a missing array {key!r}")
            used.add(key)
            return arrays[key]
        return {k: _decode(v, arrays, used) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v, arrays, used) for v in obj]
    return obj


def _canonical(manifest: dict) -> bytes:
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def save_model(path, synthesizer: str, parameters: dict, metadata: dict, state: dict) -> Path:
    """Write a model file atomically (temporary file, then rename)."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ModelFileError(f"cannot save model to {str(path)!r}: folder {str(parent)!r} does not exist")
    arrays: dict = {}
    try:
        encoded = _encode(state, arrays)
        params = _encode(parameters, {})
    except TypeError as e:
        raise ModelFileError(f"cannot save model: {e}") from None
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    array_bytes = buf.getvalue()
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "simulacra_version": __version__,
        "synthesizer": synthesizer,
        "parameters": params,
        "metadata": metadata,
        "state": encoded,
        "arrays_sha256": hashlib.sha256(array_bytes).hexdigest(),
    }
    try:
        manifest["checksum"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    except ValueError as e:
        raise ModelFileError(f"cannot save model: {e}") from None
    from .files import _umask

    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".part", dir=parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False, allow_nan=False))
            z.writestr(ARRAYS, array_bytes)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise ModelFileError(f"model file manifest has a duplicate key {k!r}")
        out[k] = v
    return out


def load_model(path) -> dict:
    """Read and validate a model file; return the manifest with arrays put back into ``state``."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file {str(path)!r} does not exist")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(
            f"{str(path)!r} is not a simulacra model file (not a zip archive; it may be truncated, or a pickle from another tool)"
        )
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = [i.filename for i in infos]
            if sorted(names) != sorted([MANIFEST, ARRAYS]) or len(names) != 2:
                raise ModelFileError(
                    f"{str(path)!r} is not a simulacra model file: expected members {MANIFEST} and {ARRAYS}, found {names[:5]}"
                )
            for info in infos:
                limit = MAX_MANIFEST_BYTES if info.filename == MANIFEST else MAX_ARRAYS_BYTES
                if info.file_size > limit:
                    raise ModelFileError(f"{str(path)!r}: member {info.filename} is too large ({info.file_size:,} bytes)")
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 2**20:
                    raise ModelFileError(f"{str(path)!r}: member {info.filename} is suspiciously compressed (zip bomb?)")
            raw_manifest = z.read(MANIFEST)
            array_bytes = z.read(ARRAYS)
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise ModelFileError(f"{str(path)!r} is corrupted or truncated: {e}") from None
    try:
        manifest = json.loads(raw_manifest.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError(f"{str(path)!r}: manifest is not valid JSON ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{str(path)!r} is not a simulacra model file (format {manifest.get('format') if isinstance(manifest, dict) else None!r})")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{str(path)!r}: invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{str(path)!r} was written in model format {version} by simulacra {manifest.get('simulacra_version')}; "
            f"this simulacra ({__version__}) reads format {FORMAT_VERSION} and older: upgrade simulacra"
        )
    for key in ("synthesizer", "parameters", "metadata", "state", "arrays_sha256", "checksum"):
        if key not in manifest:
            raise ModelFileError(f"{str(path)!r}: manifest lacks {key!r}")
    checksum = manifest.pop("checksum")
    try:
        expected = hashlib.sha256(_canonical(manifest)).hexdigest()
    except ValueError:
        raise ModelFileError(f"{str(path)!r}: manifest contains invalid numbers") from None
    if checksum != expected:
        raise ModelFileError(f"{str(path)!r} was modified or corrupted (manifest checksum mismatch); re-create it with fit and save")
    if hashlib.sha256(array_bytes).hexdigest() != manifest["arrays_sha256"]:
        raise ModelFileError(f"{str(path)!r} was modified or corrupted (arrays checksum mismatch); re-create it with fit and save")
    try:
        with np.load(io.BytesIO(array_bytes), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise ModelFileError(f"{str(path)!r}: arrays cannot be read safely ({e})") from None
    for k, a in arrays.items():
        if a.dtype.kind not in "biuf":
            raise ModelFileError(f"{str(path)!r}: array {k!r} has a non-numeric dtype {a.dtype}")
    used: set = set()
    manifest["state"] = _decode(manifest["state"], arrays, used)
    manifest["checksum"] = checksum
    return manifest
