"""Validation of the options a fake schema gives its columns, before anything is generated.

Every option a column passes to a provider is checked here once, when the schema is read: its
type (a number is a number, not the text ``"5"``; a flag is ``true``/``false``), its range (finite
numbers, ``minimum <= maximum``, integers that fit int64, dates in years 1..9999) and its name
(an option the provider does not take). A bad option is a :class:`~simulacra.errors.SchemaError`
naming the table, the column and the option and saying what is expected. The rules go by option
name (``minimum``, ``start``, ``values``...), refined per provider where the range differs
(``datetime.year``, ``person.age``), and fall back on the provider's annotation (``int``,
``float``, ``bool``) for the others.
"""

from __future__ import annotations

import datetime as _dt
import functools
import inspect
import math
import numbers

import numpy as np

from ..errors import ParameterError, SchemaError
from ..utils.validation import is_number

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_REPEAT = 1000  # words per value, sentences per paragraph...
_FIRST_DATE = np.datetime64("0001-01-01T00:00:00", "s")
_LAST_DATE = np.datetime64("9999-12-31T23:59:59", "s")


def show(value, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters (a 5,000,000-digit string is not echoed)."""
    r = repr(value)
    return r if len(r) <= limit else f"{r[: limit - 3]}... ({len(r):,} characters)"


def _fail(where: str, option: str, expected: str, value) -> SchemaError:
    hint = ""
    if isinstance(value, str) and len(value) < 100 and "number" in expected:
        try:
            float(value)
            hint = " (text, not a number: remove the quotes; YAML reads 1.0e5 as text, write 1.0e+5)"
        except ValueError:
            pass
    return SchemaError(f"{where}: option {option!r} must be {expected}, got {show(value)}{hint}")


def as_int(value, where: str, option: str, lo: int = INT64_MIN, hi: int = INT64_MAX) -> int:
    """A whole number in ``lo..hi`` (an integral float below 2**53 is taken; text and bools are not)."""
    expected = (
        "a whole number that fits 64 bits"
        if lo == INT64_MIN and hi >= INT64_MAX - 1
        else f"a whole number from {lo:,} to {hi:,}"
    )
    if not is_number(value):
        raise _fail(where, option, expected, value)
    if not isinstance(value, numbers.Integral):
        v = float(value)
        if not math.isfinite(v) or v != math.floor(v) or abs(v) >= 2**53:
            raise _fail(where, option, expected + " (not a fraction)", value)
        value = int(v)
    value = int(value)
    if not lo <= value <= hi:
        raise _fail(where, option, expected, value)
    return value


def as_float(value, where: str, option: str, lo: float | None = None, hi: float | None = None) -> float:
    """A finite number (``lo``/``hi``: inclusive bounds); text, bools, NaN and infinities are refused."""
    if lo is not None and hi is not None:
        rng = f" from {lo:g} to {hi:g}"
    else:
        rng = "" if lo is None and hi is None else (f" >= {lo:g}" if lo is not None else f" <= {hi:g}")
    expected = f"a finite number{rng}"
    if not is_number(value):
        raise _fail(where, option, expected, value)
    try:
        v = float(value)
    except OverflowError:
        raise _fail(where, option, expected, value) from None
    if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        raise _fail(where, option, expected, value)
    return v


def as_bool(value, where: str, option: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise _fail(where, option, "true or false", value)
    return bool(value)


def as_text(value, where: str, option: str, allow_none: bool = True):
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value:
        raise _fail(where, option, "a non-empty text", value)
    return value


def as_date(value, where: str, option: str, unit: str = "D") -> np.datetime64:
    """A date (``2020-01-31``, a YAML date, ``datetime.date``) within years 1..9999."""
    expected = "a date like '2020-01-31' in the years 1 to 9999"
    if isinstance(value, bool) or not isinstance(value, (str, _dt.date, np.datetime64)):
        raise _fail(where, option, expected, value)  # an integer would be read as days since 1970
    if isinstance(value, str) and (len(value) > 40 or not value.strip()):
        raise _fail(where, option, expected, value)
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    try:
        d = np.datetime64(value, unit)
    except (ValueError, TypeError, OverflowError):
        raise _fail(where, option, expected, value) from None
    if np.isnat(d) or not _FIRST_DATE <= d.astype("datetime64[s]") <= _LAST_DATE:
        raise _fail(where, option, expected, value)
    return d


def _as_values(value, where, option):
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
        raise _fail(where, option, "a non-empty list of values", value)
    for v in value:
        if v is None or isinstance(v, (str, bool)):
            continue
        if isinstance(v, numbers.Integral):
            as_int(v, where, option)
        elif isinstance(v, numbers.Real):
            as_float(v, where, option)
        else:
            raise _fail(where, option, "a list of texts, numbers, true/false or null", v)
    return list(value)


def _as_weights(value, where, option):
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
        raise _fail(where, option, "a list of non-negative numbers, one per value", value)
    w = [as_float(v, where, option, lo=0.0) for v in value]
    if not sum(w) > 0 or not math.isfinite(sum(w)):
        raise _fail(where, option, "non-negative numbers with a positive (finite) sum", value)
    return list(value)


def _gender(value, where, option):
    from .providers._util import normalize_gender

    try:
        normalize_gender(value)
    except ParameterError:
        raise _fail(where, option, "'male', 'female' or null", value) from None
    return value


def _no_name(value, where, option):
    raise SchemaError(f"{where}: option 'name' takes one name per row; derive the column with from: <column> instead")


def _repeat(value, where, option):
    return as_int(value, where, option, 1, MAX_REPEAT)


def _decimals(value, where, option):
    return None if value is None else as_int(value, where, option, 0, 15)


#: option name -> check(value, where, option); "number" options go by the provider's annotation
_RULES = {
    "mean": as_float,
    "std": lambda v, w, o: as_float(v, w, o, lo=0.0),
    "probability": lambda v, w, o: as_float(v, w, o, lo=0.0, hi=1.0),
    "decimals": _decimals,
    "values": _as_values,
    "weights": lambda v, w, o: None if v is None else _as_weights(v, w, o),
    "minimum_age": lambda v, w, o: as_int(v, w, o, 0, 150),
    "maximum_age": lambda v, w, o: as_int(v, w, o, 0, 150),
    "quantity": _repeat,
    "nb_words": _repeat,
    "nb_sentences": _repeat,
    "free": as_bool,
    "private": as_bool,
    "gender": _gender,
    "card_type": as_text,
    "domain": lambda v, w, o: as_text(v, w, o, allow_none=False),
    "name": _no_name,
}
#: (provider, option) -> inclusive integer range, where narrower than int64
_INT_RANGES = {
    ("datetime.year", "minimum"): (1, 9999),
    ("datetime.year", "maximum"): (1, 9999),
    ("person.age", "minimum"): (0, 150),
    ("person.age", "maximum"): (0, 150),
}
_PAIRS = (("minimum", "maximum"), ("start", "end"), ("minimum_age", "maximum_age"))


@functools.lru_cache(maxsize=None)
def _signature(fn) -> dict:
    """A provider function's options: name -> (annotation text, default)."""
    params = list(inspect.signature(fn).parameters.values())[4:]  # self, n, rng, engine
    return {
        p.name: (str(p.annotation), p.default)
        for p in params
        if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD
    }


def _check_one(provider: str, option: str, annotation: str, value, where: str):
    if option == "reference" and value is None:
        return None
    if option in ("start", "end", "reference"):
        return as_date(value, where, option, "s" if provider == "datetime.datetime" else "D")
    if option in _RULES:
        return _RULES[option](value, where, option)
    if annotation.startswith("int"):
        if value is None and "None" in annotation:
            return None
        lo, hi = _INT_RANGES.get((provider, option), (INT64_MIN, INT64_MAX - 1))  # maximum + 1 must fit
        return as_int(value, where, option, lo, hi)
    if annotation.startswith("float"):
        return as_float(value, where, option)
    if annotation.startswith("bool"):
        return as_bool(value, where, option)
    return value


def check_provider_options(provider_fn, options: dict, where: str) -> tuple[str, dict]:
    """``options`` checked for the column method ``provider_fn``: (provider name, normalized options)."""
    prov = f"{provider_fn.__self__.topic}.{provider_fn.field}"
    sig = _signature(provider_fn.raw)
    unknown = [k for k in options if k not in sig]
    if unknown:
        known = ", ".join(k for k in sig if k != "name") or "none"
        raise SchemaError(
            f"{where}: bad option {show(str(unknown[0]))}: provider {prov!r} has no such option; its options: {known}"
        )
    out = {k: _check_one(prov, k, sig[k][0], v, where) for k, v in options.items()}
    for lo_name, hi_name in _PAIRS:
        if lo_name not in sig or hi_name not in sig or (lo_name not in out and hi_name not in out):
            continue
        lo = out.get(lo_name, sig[lo_name][1])
        hi = out.get(hi_name, sig[hi_name][1])
        if lo is None or hi is None:
            continue
        if lo_name == "start":
            unit = "s" if prov == "datetime.datetime" else "D"
            lo, hi = np.datetime64(lo, unit), np.datetime64(hi, unit)
        if lo > hi:
            said_lo = f"{lo_name} {lo}" + ("" if lo_name in out else " (the default)")
            said_hi = f"{hi_name} {hi}" + ("" if hi_name in out else " (the default)")
            raise SchemaError(f"{where}: {said_lo} is larger than {said_hi}; give {lo_name} <= {hi_name}")
        if isinstance(lo, float) or isinstance(hi, float):
            if not math.isfinite(float(hi) - float(lo)):
                raise SchemaError(
                    f"{where}: the range {lo_name}..{hi_name} ({lo}..{hi}) is wider than a float can hold; narrow it"
                )
    if prov == "basic.choice":
        if "values" not in out:
            raise SchemaError(f"{where}: provider 'basic.choice' needs option 'values', a non-empty list")
        if "weights" in out and out["weights"] is not None and len(out["weights"]) != len(out["values"]):
            raise SchemaError(
                f"{where}: option 'weights' has {len(out['weights'])} numbers for {len(out['values'])} values; give one weight per value"
            )
    if prov == "person.birthdate":
        ref = out.get("reference")
        if ref is None:  # (not `or`: a datetime64 of 1970-01-01 is falsy)
            from .providers.person import REFERENCE_DATE as ref
        oldest = np.datetime64(ref, "D") - np.timedelta64(
            int(round((out.get("maximum_age", sig["maximum_age"][1]) + 1) * 366)), "D"
        )
        if oldest < _FIRST_DATE.astype("datetime64[D]"):
            raise SchemaError(
                f"{where}: reference {ref} minus maximum_age falls before the year 1; give a later reference"
            )
    return prov, out


def check_sequence(options: dict, where: str) -> tuple[int, int]:
    """``start`` and ``step`` of a sequence column (whole numbers, step not 0); no other option."""
    extra = [k for k in options if k not in ("start", "step")]
    if extra:
        raise SchemaError(
            f"{where}: bad option {show(str(extra[0]))}: provider 'sequence' has no such option; its options: start, step"
        )
    start = as_int(options.get("start", 1), where, "start")
    step = as_int(options.get("step", 1), where, "step")
    if step == 0:
        raise SchemaError(f"{where}: option 'step' of a sequence must not be 0")
    return start, step


def check_sequence_rows(start: int, step: int, rows: int, where: str) -> None:
    """The last value of a ``rows``-long sequence must fit int64 (numpy would wrap it silently)."""
    if rows < 1:
        return
    last = start + step * (rows - 1)
    if not INT64_MIN <= last <= INT64_MAX:
        raise SchemaError(
            f"{where}: a sequence from {start:,} with step {step:,} over {rows:,} rows reaches {last:,}, "
            f"beyond the 64-bit integer range ({INT64_MIN:,}..{INT64_MAX:,}); give a smaller start or step, or fewer rows"
        )


def check_share(value, where: str, option: str) -> float:
    """A share between 0 and 1 (``nulls``); null means 0."""
    if value is None:
        return 0.0
    ok = is_number(value)
    v = float(value) if ok and abs(value) < 2 else math.nan
    if not 0.0 <= v <= 1.0:
        raise SchemaError(
            f"{where}: option {option!r}: {option} must be a share between 0 and 1 (e.g. 0.1), got {show(value)}"
        )
    return v


def check_schema_locale(value, where: str):
    """A table's or column's ``locale``: a locale name, a list of them or ``{locale: weight}``; null: inherited."""
    if value is None:
        return None
    from .core import parse_locales

    try:
        parse_locales(value)
    except ParameterError as e:
        raise SchemaError(f"{where}: option 'locale': {e}") from None
    except (TypeError, ValueError, OverflowError):
        raise _fail(where, "locale", "a locale like 'en_US', a list of them or {locale: weight}", value) from None
    return value


@functools.lru_cache(maxsize=1)
def _lookup():
    from .core import Fake

    return Fake()


def provider_method(name: str):
    """The column method a schema's ``provider`` names (ParameterError if none)."""
    return _lookup().method(name)
