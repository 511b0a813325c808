"""Arrow arrays and scalars built without waking pyarrow's pandas shim.

``pa.array`` and ``pa.scalar`` import pandas on their first call (pyarrow checks whether the input
is a pandas object), which costs a quarter of a second or more: longer than Faker takes to make
its first value. Until pandas is imported anyway, small arrays of numpy numbers, booleans and
Python strings are built here from their buffers (the same arrays ``pa.array`` makes); anything
else, anything large, and everything once pandas is loaded goes to ``pa.array``.
"""

from __future__ import annotations

import sys
from functools import lru_cache

import numpy as np
import pyarrow as pa

_SMALL = 1 << 16  # above this many values, pa.array's C loop is worth the import


def array(values, type=None) -> pa.Array:
    """``pa.array(values, type=type)`` for numpy numbers/booleans and sequences of ``str``
    (``type``: None, ``pa.string()`` or ``pa.int64()``)."""
    if "pandas" in sys.modules or not hasattr(values, "__len__") or len(values) > _SMALL:
        return pa.array(values, type=type)
    text = type is None or type == pa.string()
    if isinstance(values, np.ndarray) and values.ndim == 1:
        kind = values.dtype.kind
        if kind in "iuf" and (type is None or (type == pa.int64() and kind in "iu")):
            a = np.ascontiguousarray(values if type is None else values.astype(np.int64))
            return pa.Array.from_buffers(pa.from_numpy_dtype(a.dtype), len(a), [None, pa.py_buffer(a)])
        if kind == "b" and type is None:
            bits = np.packbits(values, bitorder="little")
            return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
        if text and kind in "UO":
            items = values.tolist()
            if kind == "U" or all(isinstance(v, str) for v in items):
                return strings(items)
        return pa.array(values, type=type)
    if (
        isinstance(values, (list, tuple))
        and (values or type is not None)
        and text
        and all(isinstance(v, str) for v in values)
    ):
        return strings(values)
    return pa.array(values, type=type)


def strings(values) -> pa.Array:
    """A ``string`` array of Python strings (offsets and UTF-8 data buffers)."""
    encoded = [v.encode("utf-8") for v in values]
    data = b"".join(encoded)
    if len(data) >= 2**31 - 1:
        return pa.array(list(values), type=pa.string())
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)]
    )


@lru_cache(maxsize=4096)
def scalar(text: str) -> pa.Scalar:
    """A ``string`` scalar (``pa.scalar(text)``)."""
    return strings([text])[0]


def as_arg(piece):
    """A compute-function argument: Python strings become string scalars."""
    return scalar(piece) if isinstance(piece, str) else piece


__all__ = ["array", "strings", "scalar", "as_arg"]
