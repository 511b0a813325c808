"""Helpers shared by the providers: digit matrices, check digits, string joins."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .. import _compute as pc
from .._arrow import array, as_arg, scalar, strings

DIGITS = strings(list("0123456789"))
NUM_STR = strings([str(i) for i in range(256)])
TWO_DIGITS = strings([f"{i:02d}" for i in range(100)])
HEX2 = strings([f"{i:02x}" for i in range(256)])


def join(*parts):
    """Concatenate Arrow string arrays and Python strings element-wise."""
    parts = [p if isinstance(p, str) else _arrow(p) for p in parts]
    if all(isinstance(p, str) for p in parts):
        return "".join(parts)
    return pc.binary_join_element_wise(*map(as_arg, parts), scalar(""))


def take(values, idx) -> pa.Array:
    """``values[idx]`` for an Arrow (or list) string table and numpy indices."""
    return pc.take(_arrow(values), array(np.asarray(idx)))


def where(mask, a, b) -> pa.Array:
    return pc.if_else(array(np.asarray(mask, dtype=bool)), as_arg(a), as_arg(b))


def _arrow(x):
    if isinstance(x, pa.ChunkedArray):
        return x.combine_chunks()
    if isinstance(x, pa.Array):
        return x
    if hasattr(x, "dtype") and hasattr(x, "iloc"):  # pandas Series
        return pa.array(x.astype("string[pyarrow]"), type=pa.string(), from_pandas=True)
    if isinstance(x, np.ndarray):
        return array(x.tolist() if x.dtype.kind == "U" else x)
    return array(list(x), type=pa.string())


def digits_to_str(mat: np.ndarray) -> pa.Array:
    """(n, L) int digit matrix -> Arrow array of L-character strings."""
    n, L = mat.shape
    out = None
    # join in blocks of up to 18 digits, each block one zero-padded integer
    for a in range(0, L, 18):
        block = mat[:, a : a + 18]
        k = block.shape[1]
        val = (block * (10 ** np.arange(k - 1, -1, -1, dtype=np.int64))).sum(axis=1)
        piece = pc.utf8_lpad(pc.cast(array(val), pa.string()), k, "0")
        out = piece if out is None else pc.binary_join_element_wise(out, piece, scalar(""))
    return out


def luhn_check_digit(body: np.ndarray) -> np.ndarray:
    """Luhn check digit for each row of an (n, L) digit matrix (the payload without check digit)."""
    rev = body[:, ::-1].copy()
    dbl = rev[:, 0::2] * 2
    rev[:, 0::2] = np.where(dbl > 9, dbl - 9, dbl)
    return (10 - rev.sum(axis=1) % 10) % 10


def mod97(digit_mat: np.ndarray) -> np.ndarray:
    """Remainder mod 97 of the big decimal numbers given as (n, L) digit matrices."""
    r = np.zeros(digit_mat.shape[0], dtype=np.int64)
    for j in range(digit_mat.shape[1]):
        r = (r * 10 + digit_mat[:, j]) % 97
    return r


def normalize_gender(gender):
    """'male' / 'female' / None from strings, mimesis' Gender enum and the like."""
    if gender is None:
        return None
    g = getattr(gender, "value", gender)
    g = str(g).strip().lower()
    if g in ("male", "m", "man", "men", "boy"):
        return "male"
    if g in ("female", "f", "woman", "women", "girl"):
        return "female"
    from ...errors import ParameterError

    raise ParameterError(f"gender must be 'male', 'female' or None, got {gender!r}")


def ascii_map(values: np.ndarray, engine) -> np.ndarray:
    """ASCII slugs of ``values`` (computed once per distinct value)."""
    from ..engine import to_ascii

    enc = pc.dictionary_encode(_arrow(values))
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    slugs = to_ascii(
        np.array(enc.dictionary.to_pylist(), dtype=object), engine.attr("replacements", topics=("internet",)) or ()
    )
    return pc.take(array(slugs.tolist(), type=pa.string()), enc.indices)
