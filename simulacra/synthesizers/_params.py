"""Checks of the synthesizers' constructor parameters: type and range, at construction.

The ranges are those a model file may hold (``_model_checks.INT_RANGES``, the layer-size caps),
so what the API accepts is what a model file may hold: a synthesizer that can be built can be
saved and loaded again, and an absurd value (``embedding_dim=10**8``) is a ParameterError here,
not an allocator error in the middle of ``fit``. Booleans must be real booleans (``bool`` or
``numpy.bool_``): ``bool("False")`` is True, so text is refused instead of read as True.
"""

from __future__ import annotations


from ..errors import ParameterError
from ..utils import validation
from ._model_checks import DIM_PARAMS, INT_RANGES, MAX_LAYER_SIZE, MAX_LAYERS

#: the most weights the layers known at construction may hold (4 GiB of float32; Adam adds twice that)
MAX_WEIGHTS = 2**30


def check_bool(name: str, value) -> bool:
    """``value`` as a bool; anything but ``True``/``False`` (numpy's too) is a ParameterError."""
    return validation.check_bool(name, value)


def check_int(name: str, value, allow_none: bool = False):
    """An integer within the range a model file may hold for ``name`` (``INT_RANGES``)."""
    lo, hi = INT_RANGES[name]
    return validation.check_int(name, value, minimum=lo, maximum=hi, allow_none=allow_none)


def check_number(name: str, value, minimum: float = 0.0, strict: bool = False, allow_none: bool = False):
    """A finite real number of at least ``minimum`` (above it when ``strict``)."""
    return validation.check_number(name, value, minimum=minimum, strict=strict, allow_none=allow_none)


def check_dims(name: str, dims) -> tuple[int, ...]:
    """Layer sizes: an integer or a list/tuple of 1 to 64 integers from 1 to 65,536."""
    assert name in DIM_PARAMS
    if validation.is_int(dims):
        dims = (dims,)
    what = f"a tuple of 1 to {MAX_LAYERS} layer sizes from 1 to {MAX_LAYER_SIZE:,}, like (256, 256)"
    if not isinstance(dims, (list, tuple)) or not 1 <= len(dims) <= MAX_LAYERS:
        raise ParameterError(f"{name} must be {what}, got {dims!r}")
    for d in dims:
        if not validation.is_int(d) or not 1 <= d <= MAX_LAYER_SIZE:
            raise ParameterError(f"{name} must be {what}, got {dims!r}")
    return tuple(int(d) for d in dims)


def check_weights(who: str, chains: dict) -> None:
    """Refuse layers that would hold more than ``MAX_WEIGHTS`` weights before the data adds its own.

    ``chains`` maps a network's name to the number of weights its data-independent layers hold
    (a lower bound of its size: the data's columns only add to it).
    """
    total = sum(chains.values())
    if total > MAX_WEIGHTS:
        biggest = max(chains, key=chains.get)
        raise ParameterError(
            f"{who}: these layer sizes make networks of at least {total:,} weights ({total * 4 / 2**30:.1f} GiB, "
            f"the {biggest} {chains[biggest]:,}), more than the {MAX_WEIGHTS:,} allowed; lower embedding_dim or the layer sizes"
        )


#: the most memory a training step's activations may take by the estimate below (x3: backward pass, gradient penalty)
MAX_BATCH_BYTES = 8 * 2**30
_OOM = ("can't allocate memory", "defaultcpuallocator", "out of memory", "not enough memory")


def check_batch_memory(who: str, rows: int, floats_per_row: int, multiple: int = 1) -> None:
    """Refuse a batch whose activations (``rows`` x ``floats_per_row`` float32, x3 for the backward
    pass) would take more than ``MAX_BATCH_BYTES``, before torch tries to allocate them."""
    need = 3 * 4 * int(rows) * int(floats_per_row)
    if need > MAX_BATCH_BYTES:
        fits = max(multiple, MAX_BATCH_BYTES // (12 * max(1, int(floats_per_row))) // multiple * multiple)
        raise ParameterError(
            f"{who}: batch_size={rows:,} needs about {need / 2**30:,.1f} GiB per training step with these layer sizes and "
            f"{floats_per_row:,} values per row, more than the {MAX_BATCH_BYTES / 2**30:.0f} GiB allowed; "
            f"use batch_size at most {fits:,}{f' (a multiple of pac={multiple})' if multiple > 1 else ''} or smaller layers"
        )


def is_out_of_memory(error: BaseException) -> bool:
    """Whether a torch RuntimeError is an allocation failure (CPU allocator or CUDA out of memory)."""
    text = str(error).lower()
    return any(k in text for k in _OOM) or type(error).__name__ == "OutOfMemoryError"


def chain_weights(first: int, dims, residual: bool = False) -> int:
    """Weights of dense layers from ``first`` inputs through ``dims`` (CTGAN's generator concatenates: ``residual``)."""
    total, width = 0, int(first)
    for h in dims:
        total += width * int(h)
        width = width + int(h) if residual else int(h)
    return total


def check_locales(locales) -> list[str]:
    """``None`` -> ``['en_US']``; a locale or a list of locales Faker has person data for."""
    if locales is None:
        return ["en_US"]
    if isinstance(locales, str):
        locales = [locales]
    if not isinstance(locales, (list, tuple)) or not locales:
        raise ParameterError(f"locales must be a locale like 'en_US' or a non-empty list of them, got {locales!r}")
    from ..fake.locales import check_locale

    out = []
    for loc in locales:
        if not isinstance(loc, str):
            raise ParameterError(f"locales must be text like 'en_US', got {loc!r}")
        try:
            out.append(check_locale(loc))
        except ParameterError as e:
            raise ParameterError(f"locales: {e}") from None
    return out


#: keywords every synthesizer takes, with their defaults (BaseSynthesizer.__init__ names them)
BASE_KEYWORDS = {"learn_rules": True, "protect_rare": True}


def with_base_keywords(init):
    """``init`` that also takes the :data:`BASE_KEYWORDS` it does not name (set after it ran: the subclass passes the rest to the base)."""
    import functools
    import inspect

    code = init.__code__
    named = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    missing = [k for k in BASE_KEYWORDS if k not in named]
    if not missing:
        return init

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        given = {k: kwargs.pop(k, BASE_KEYWORDS[k]) for k in missing}
        init(self, *args, **kwargs)
        for k, v in given.items():
            setattr(self, k, check_bool(k, v))

    sig = inspect.signature(init)
    extra = [
        inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=BASE_KEYWORDS[k], annotation="bool")
        for k in missing
    ]
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    tail = [p for p in sig.parameters.values() if p.kind is p.VAR_KEYWORD]
    __init__.__signature__ = sig.replace(parameters=params + extra + tail)
    return __init__
