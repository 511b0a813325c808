"""The Arrow compute kernels the engine's start-up path needs, without importing ``pyarrow.compute``.

``import pyarrow.compute`` builds Python wrappers and docstrings for hundreds of kernels (25 ms
on a quiet machine, over 0.1 s on a busy one): more than the first fake value itself. These call
the same kernels with the same default options through ``call_function``; where pyarrow lacks
it, they are ``pyarrow.compute``'s own functions.
"""

from __future__ import annotations

try:
    from pyarrow._compute import (
        CastOptions,
        DictionaryEncodeOptions,
        JoinOptions,
        PadOptions,
        TakeOptions,
        call_function,
    )
except ImportError:  # pragma: no cover - other pyarrow layouts
    call_function = None

if call_function is not None:

    def take(data, indices):
        return call_function("take", [data, indices], TakeOptions(boundscheck=True))

    def cast(arr, target_type):
        return call_function("cast", [arr], CastOptions.safe(target_type))

    def utf8_lpad(strings, width: int, padding: str = " "):
        return call_function("utf8_lpad", [strings], PadOptions(width, padding))

    def binary_join_element_wise(*strings):
        """Join element-wise; the last argument is the separator (``pyarrow.compute``'s signature)."""
        return call_function("binary_join_element_wise", list(strings), JoinOptions())

    def if_else(cond, left, right):
        return call_function("if_else", [cond, left, right])

    def dictionary_encode(arr):
        return call_function("dictionary_encode", [arr], DictionaryEncodeOptions())

else:  # pragma: no cover
    from pyarrow.compute import binary_join_element_wise, cast, dictionary_encode, if_else, take, utf8_lpad

__all__ = ["take", "cast", "utf8_lpad", "binary_join_element_wise", "if_else", "dictionary_encode"]
