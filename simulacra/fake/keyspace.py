"""Keys as functions of the row position: keyed permutations, and the key columns built on them.

A :class:`Permutation` is a keyed bijection of ``[0, size)`` (a balanced Feistel network on the
next even number of bits, with cycle walking back into the range), vectorized over ``uint64``
arrays. Distinct positions give distinct values, and a value is computed from its position and
the key alone: a partition of a fake table makes its own keys, and a child table makes its
parents' keys for the positions it draws, without either holding the other's values. It mixes
well (six rounds of the splitmix64 finalizer), but it is no cipher: do not use it to hide data.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa

#: Feistel rounds of a permutation
ROUNDS = 6
#: byte -> its two hex digits, as the two bytes of one uint16 (in memory order)
_HEX2 = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype=np.uint16)
#: (start in the 36 characters of a UUID, start in its 32 hex digits, length) of its five groups
_GROUPS = ((0, 0, 8), (9, 8, 4), (14, 12, 4), (19, 16, 4), (24, 20, 12))


def name_hash(name: str) -> int:
    """A stable 64-bit number for a table or column name (the same in every process and version)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def mix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finalizer of each ``uint64`` (a bijection of 64-bit words), as a new array."""
    z = x ^ (x >> np.uint64(30))
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


class Permutation:
    """A keyed bijection of ``[0, size)``, ``size`` up to ``2**64``.

    Parameters
    ----------
    size : int
        The number of positions (and of values).
    seed : numpy.random.SeedSequence
        The key: the round keys are drawn from it.
    """

    def __init__(self, size: int, seed: np.random.SeedSequence):
        if not 1 <= size <= 2**64:
            raise ValueError(f"a permutation needs 1 to 2**64 positions, got {size}")
        self.size = int(size)
        self.half = max(1, ((self.size - 1).bit_length() + 1) // 2)
        self.mask = np.uint64((1 << self.half) - 1)
        self.keys = seed.generate_state(ROUNDS, np.uint64)

    def _rounds(self, x: np.ndarray) -> np.ndarray:
        h = np.uint64(self.half)
        left, right = x >> h, x & self.mask
        for k in self.keys:
            left, right = right, left ^ (mix64(right ^ k) & self.mask)
        return (left << h) | right

    def __call__(self, positions) -> np.ndarray:
        """The values (``uint64``) of ``positions`` (integers in ``[0, size)``)."""
        y = self._rounds(np.asarray(positions).astype(np.uint64))
        if self.size < 2 ** (2 * self.half):  # cycle walking: a value outside the range goes round again
            out = y >= np.uint64(self.size)
            while out.any():
                idx = np.flatnonzero(out)
                y[idx] = self._rounds(y[idx])
                out[idx] = y[idx] >= np.uint64(self.size)
        return y


def integer_keys(perm: Permutation, minimum: int, positions) -> pd.Series:
    """Distinct integers ``minimum + perm(position)`` (int64; the range is checked by the caller)."""
    v = perm(positions) + np.uint64(minimum % 2**64)  # wraps modulo 2**64: two's complement
    return pd.Series(v.view(np.int64))


def uuid_keys(perm: Permutation, noise: np.ndarray, positions) -> pd.Series:
    """Version-4 UUIDs, distinct by construction: 64 of their 122 free bits are ``perm(position)``
    (a ``2**64`` permutation), the other 58 a keyed hash of the position (``noise``: a uint64 key)."""
    pos = np.asarray(positions).astype(np.uint64)
    m = len(pos)
    v = perm(pos).astype(">u8").view(np.uint8).reshape(m, 8)
    w = mix64(pos ^ noise).astype(">u8").view(np.uint8).reshape(m, 8)
    b = np.empty((m, 16), dtype=np.uint8)
    b[:, 0:6] = v[:, 0:6]
    b[:, 6] = 0x40 | (w[:, 0] & 0x0F)  # version 4
    b[:, 7] = v[:, 6]
    b[:, 8] = 0x80 | (w[:, 1] & 0x3F)  # RFC 4122 variant
    b[:, 9] = v[:, 7]
    b[:, 10:16] = w[:, 2:8]
    digits = _HEX2[b].view(np.uint8).reshape(m, 32)
    text = np.full((m, 36), ord("-"), dtype=np.uint8)
    for at, frm, k in _GROUPS:
        text[:, at : at + k] = digits[:, frm : frm + k]
    offsets = np.arange(0, 36 * (m + 1), 36, dtype=np.int64)
    arr = pa.Array.from_buffers(pa.large_string(), m, [None, pa.py_buffer(offsets), pa.py_buffer(text)])
    if 36 * m < 2**31:
        arr = arr.cast(pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(arr))


def position_tag(index: int, count: int, seed: np.random.SeedSequence) -> str:
    """Partition ``index`` of ``count`` as a fixed-width decimal text (a keyed permutation of the
    indices, so that the tags do not count up); different indices, different tags of one width."""
    width = len(str(count - 1))
    return f"{int(Permutation(10**width, seed)(np.array([index]))[0]):0{width}d}"
