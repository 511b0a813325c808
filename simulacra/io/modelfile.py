"""The model file format: data only, versioned, validated on load. Never pickle.

A model file is a zip archive with exactly two members:

- ``manifest.json``: format name and version, simulacra version, synthesizer name, its
  parameters, the metadata, the learned state as JSON (numeric arrays replaced by references
  ``{"__array__": "a3"}``), the SHA-256 of ``arrays.npz``, an optional HMAC-SHA256 signature
  and a checksum of the manifest itself;
- ``arrays.npz``: the numeric arrays, read with our own bounded reader (never ``allow_pickle``).

Loading refuses anything else: other or missing members, compression other than deflate,
members or arrays beyond the size limit (``SIMULACRA_MAX_MODEL_BYTES``, default 2 GiB; sizes
are counted as they are decompressed, never taken from headers alone; each array is also held to
the size its synthesizer derives from the manifest, and an array the state does not use is
refused, both before the array is inflated), JSON nested too deeply or
with absurd numbers, a wrong format or newer version, a checksum mismatch (a truncated or edited
file), a missing or wrong signature when a key is given (``key=`` or ``SIMULACRA_MODEL_KEY``),
object arrays, and unknown synthesizer or transform names. Nothing in a model file can name code
to run.

Format versions (``format_version`` in the manifest; :data:`READ_VERSIONS` are read, the newest is written):

- 1: one single-table synthesizer's state;
- 2: the same layout, and a state may nest component states (a multi-table or sequential synthesizer:
  ``state = {"components": {name: {"synthesizer", "parameters", "metadata", "state"}}}``, each entry
  shaped like a version-1 manifest's fields), their arrays in the one ``arrays.npz``. A version-1
  file is a version-2 file without components and loads unchanged.

A file of another version (newer, or one this simulacra never wrote) is a :class:`ModelFileError`
naming the versions this simulacra reads.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import io
import json
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .._version import __version__
from ..errors import ModelFileError, ParameterError
from ..utils.validation import is_int
from .archive import READ_ERRORS, check_directory, check_member, copy_member, read_member, read_npz, spooled_file
from .safe_load import load_json_text

FORMAT_NAME = "simulacra-model"
FORMAT_VERSION = 2
#: the model format versions this simulacra reads (see the module docstring)
READ_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"
MAX_MANIFEST_BYTES = 256 * 2**20
DEFAULT_MAX_MODEL_BYTES = 2 * 2**30
SIZE_ENV = "SIMULACRA_MAX_MODEL_BYTES"
KEY_ENV = "SIMULACRA_MODEL_KEY"
MIN_KEY_BYTES = 16
SIGNATURE_ALGORITHM = "HMAC-SHA256"
_UNITS = {
    "": 1,
    "B": 1,
    "K": 2**10,
    "KB": 2**10,
    "KIB": 2**10,
    "M": 2**20,
    "MB": 2**20,
    "MIB": 2**20,
    "G": 2**30,
    "GB": 2**30,
    "GIB": 2**30,
    "T": 2**40,
    "TB": 2**40,
    "TIB": 2**40,
}


def max_model_bytes() -> int:
    """The most bytes of arrays a model file may hold: ``SIMULACRA_MAX_MODEL_BYTES`` (e.g. ``8G``), default 2 GiB."""
    raw = os.environ.get(SIZE_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_MODEL_BYTES
    import re

    m = re.fullmatch(r"(\d{1,15})\s*([A-Za-z]{0,3})", raw)
    unit = _UNITS.get(m.group(2).upper()) if m else None
    if unit is None or int(m.group(1)) * unit < 1:
        raise ParameterError(
            f"environment variable {SIZE_ENV} must be a positive size such as 4294967296 or 4G, got {raw[:40]!r}"
        )
    return int(m.group(1)) * unit


def resolve_key(key):
    """The signing key as bytes: ``key`` (str or bytes), else ``SIMULACRA_MODEL_KEY``; None for no key (or ``key=False``)."""
    source = "key"
    if key is False:
        return None
    if key is None:
        key = os.environ.get(KEY_ENV)
        if not key:
            return None
        source = f"environment variable {KEY_ENV}"
    if isinstance(key, str):
        key = key.encode("utf-8")
    elif isinstance(key, (bytes, bytearray, memoryview)):
        key = bytes(key)
    else:
        raise ParameterError(f"a model key must be text or bytes, got {type(key).__name__}")
    if len(key) < MIN_KEY_BYTES:
        raise ParameterError(
            f"the {source} is too short ({len(key)} bytes); use at least {MIN_KEY_BYTES} random bytes, "
            "e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return key


def read_key_file(path) -> bytes:
    """A signing key from a file (its bytes, without a trailing newline)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ParameterError(f"cannot read the key file {str(p)!r}: {e.strerror or e}") from None
    data = data.rstrip(b"\r\n")
    resolve_key(data)  # length check, naming the problem
    return data


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


def save_model(path, synthesizer: str, parameters: dict, metadata: dict, state: dict, key=None) -> Path:
    """Write a model file atomically (temporary file, then rename); signed when a key is given
    (``key=`` or ``SIMULACRA_MODEL_KEY``)."""
    from .writers import write_target

    path = write_target(Path(path))  # a symbolic link is written through: its target is replaced
    secret = resolve_key(key)
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
    limit = max_model_bytes()
    if len(array_bytes) > limit:
        warnings.warn(
            f"this model holds {len(array_bytes):,} bytes of arrays, more than the {limit:,}-byte limit for "
            f"loading: set {SIZE_ENV} (e.g. {SIZE_ENV}={-(-len(array_bytes) // 2**30) + 1}G) where it is loaded",
            stacklevel=3,
        )
    try:
        if secret is not None:
            signer = _new_signer(secret, manifest)
            signer.update(array_bytes)
            manifest["signature"] = {"algorithm": SIGNATURE_ALGORITHM, "value": signer.hexdigest()}
        manifest["checksum"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    except ValueError as e:
        raise ModelFileError(f"cannot save model: {e}") from None
    from .writers import atomic_output

    # .<name>.<host>.<pid>.<random>.part next to the file: a dead run's part is removed by the next save
    with atomic_output(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False, allow_nan=False))
            z.writestr(ARRAYS, array_bytes)
    return path


def load_model(path, key=None, array_limits=None) -> dict:
    """Read and validate a model file; return the manifest with arrays put back into ``state``.

    With a ``key`` (or ``SIMULACRA_MODEL_KEY`` set), the file must carry a valid signature made
    with that key. Nothing larger than the size limit (:func:`max_model_bytes`) is ever held.
    ``array_limits(manifest)`` (given by the synthesizers) returns, for each array the state refers
    to, the most values it may hold given the metadata, parameters and state; an array declaring
    more, or one the state does not refer to, is refused before it is decompressed, and the
    ``arrays.npz`` member may not exceed what those limits add up to.
    """
    path = Path(path)
    where = repr(str(path))
    if not path.is_file():
        raise ModelFileError(f"model file {where} does not exist")
    secret = resolve_key(key)
    budget = max_model_bytes()
    manifest_limit = min(MAX_MANIFEST_BYTES, max(2**20, budget // 8))
    try:
        with open(path, "rb") as fh:
            if not zipfile.is_zipfile(fh):
                raise ModelFileError(
                    f"{where} is not a simulacra model file (not a zip archive; it may be truncated, or a pickle from another tool)"
                )
            check_directory(fh, where, 16, 65536)
            fh.seek(0)
            with zipfile.ZipFile(fh) as z:
                infos = z.infolist()
                names = [i.filename for i in infos]
                if sorted(names) != sorted([MANIFEST, ARRAYS]) or len(names) != 2:
                    raise ModelFileError(
                        f"{where} is not a simulacra model file: expected members {MANIFEST} and {ARRAYS}, found {names[:5]}"
                    )
                info = {i.filename: i for i in infos}
                check_member(info[MANIFEST], where, manifest_limit)
                check_member(info[ARRAYS], where, budget)
                raw_manifest = read_member(z, info[MANIFEST], manifest_limit, where)
                manifest, checksum = _parse_manifest(raw_manifest, where)
                signer = _signer(manifest, secret, where)
                limits, arrays_cap = _array_limits(manifest, array_limits, budget, where)
                if info[ARRAYS].file_size > arrays_cap:
                    raise ModelFileError(
                        f"{where}: {ARRAYS} declares {info[ARRAYS].file_size:,} bytes, more than the {arrays_cap:,} bytes its "
                        "state's arrays can need; the file was edited or crafted"
                    )
                digest = hashlib.sha256()
                with spooled_file() as spool:
                    copy_member(z, info[ARRAYS], spool, arrays_cap, where, (digest,) + ((signer,) if signer else ()))
                    if digest.hexdigest() != manifest["arrays_sha256"]:
                        raise ModelFileError(
                            f"{where} was modified or corrupted (arrays checksum mismatch); re-create it with fit and save"
                        )
                    if signer is not None and not hmac.compare_digest(
                        signer.hexdigest(), manifest["signature"]["value"]
                    ):
                        raise ModelFileError(
                            f"{where}: the signature does not match the key: the file was modified after it was signed, "
                            "or it was signed with another key; do not load it unless you trust where it came from"
                        )
                    arrays = read_npz(spool, where, budget, limits=limits)
    except ModelFileError:
        raise
    except MemoryError:
        raise ModelFileError(f"{where}: not enough memory to load this model") from None
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise ModelFileError(f"{where} is corrupted or truncated: {e}") from None
        raise ModelFileError(
            f"{where}: no space left in the temporary folder {tempfile.gettempdir()!r} to unpack this model; free space or set TMPDIR"
        ) from None
    except READ_ERRORS as e:
        raise ModelFileError(f"{where} is corrupted or truncated: {e}") from None
    used: set = set()
    manifest["state"] = _decode(manifest["state"], arrays, used)
    manifest["checksum"] = checksum
    return manifest


def _array_refs(obj, refs: set) -> set:
    """The array names a (still encoded) state refers to."""
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            if not isinstance(obj["__array__"], str):
                raise ModelFileError(f"model file refers to an invalid array name {str(obj['__array__'])[:40]!r}")
            refs.add(obj["__array__"])
        else:
            for v in obj.values():
                _array_refs(v, refs)
    elif isinstance(obj, list):
        for v in obj:
            _array_refs(v, refs)
    return refs


#: bytes an .npy member may add to its values inside arrays.npz (zip headers, .npy header), and the archive's own
NPY_OVERHEAD = 4096
NPZ_OVERHEAD = 65536


def _array_limits(manifest: dict, array_limits, budget: int, where: str):
    """(name -> most values or None, cap on the arrays.npz member) before any array is read."""
    refs = _array_refs(manifest["state"], set())
    limits = dict.fromkeys(refs)
    if array_limits is not None:
        try:
            given = array_limits(manifest)
        except ModelFileError as e:
            raise ModelFileError(
                f"{where}: {str(e).removeprefix('model file: ')}; the file was edited or crafted"
            ) from None
        for k in refs:
            n = given.get(k)
            if not is_int(n) or n < 0:
                raise ModelFileError(
                    f"{where}: no size can be derived for array {k!r} from the model state; the file was edited or crafted"
                )
            limits[k] = n
    if any(n is None for n in limits.values()):
        return limits, budget
    return limits, min(budget, sum(n * 16 + NPY_OVERHEAD for n in limits.values()) + NPZ_OVERHEAD)


def _parse_manifest(raw: bytes, where: str):
    manifest = load_json_text(raw, f"{where}: manifest", ModelFileError, unique_keys=True, allow_nan=False)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelFileError(
            f"{where} is not a simulacra model file (format {manifest.get('format') if isinstance(manifest, dict) else None!r})"
        )
    version = manifest.get("format_version")
    readable = " and ".join(map(str, READ_VERSIONS))
    if not is_int(version) or version < 1:
        raise ModelFileError(
            f"{where}: invalid format_version {str(version)[:40]!r}; this simulacra reads model formats {readable}"
        )
    if version not in READ_VERSIONS:
        raise ModelFileError(
            f"{where} was written in model format {version} by simulacra {str(manifest.get('simulacra_version'))[:40]}; "
            f"this simulacra ({__version__}) reads model formats {readable}: upgrade simulacra to load it"
        )
    for k in ("synthesizer", "parameters", "metadata", "state", "arrays_sha256", "checksum"):
        if k not in manifest:
            raise ModelFileError(f"{where}: manifest lacks {k!r}")
    checksum = manifest.pop("checksum")
    try:
        expected = hashlib.sha256(_canonical(manifest)).hexdigest()
    except (ValueError, RecursionError):
        raise ModelFileError(f"{where}: manifest contains invalid numbers") from None
    if checksum != expected:
        raise ModelFileError(
            f"{where} was modified or corrupted (manifest checksum mismatch); re-create it with fit and save"
        )
    if not isinstance(manifest["arrays_sha256"], str):
        raise ModelFileError(f"{where}: invalid arrays checksum")
    return manifest, checksum


def _signer(manifest: dict, secret, where: str):
    """An HMAC over the manifest (without checksum and signature), to be fed the arrays; None without a key."""
    sig = manifest.get("signature")
    if sig is not None and (
        not isinstance(sig, dict)
        or sig.get("algorithm") != SIGNATURE_ALGORITHM
        or not isinstance(sig.get("value"), str)
    ):
        raise ModelFileError(f"{where}: unknown signature {str(sig)[:80]}; it was not written by simulacra")
    if secret is None:
        return None
    if sig is None:
        raise ModelFileError(
            f"{where} is not signed, but a key was given (key= or {KEY_ENV}); refuse unsigned models from others, "
            "or load it without a key if you trust it"
        )
    return _new_signer(secret, {k: v for k, v in manifest.items() if k != "signature"})


def _new_signer(secret: bytes, manifest: dict):
    h = hmac.new(secret, b"simulacra-model-signature-v1\0", hashlib.sha256)
    h.update(_canonical(manifest))
    h.update(b"\0")
    return h
