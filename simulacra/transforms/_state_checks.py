"""Checks on the text fields of a transform's saved state that flow into the output.

A model file's checksum proves nothing about its author, so the names and formats a transform
restores (strftime formats and their shares, dtype names) are checked on load: a crafted
``"%Q%Q"`` format would otherwise make every sampled date the literal text ``%Q%Q``, and a
``"V8"`` or ``"object"`` dtype on an integer column would change the values' type. Each check
raises ``ValueError`` naming the field; the synthesizer's loader turns it into a ModelFileError.
"""

from __future__ import annotations

import math
import re
import warnings

import pandas as pd

from ..utils.dtypes import check_value_dtype  # noqa: F401 - one rule for transforms and constraints
from ..utils.validation import is_number

#: strftime directives a model may use (C89 and ISO 8601 ones that pandas parses back)
STRFTIME_DIRECTIVES = frozenset("aAbBdHIjmMpSfyYzZwUWGuV%")
_DIRECTIVE = re.compile(r"%(.?)")
_PROBE = pd.Timestamp("2001-02-13 14:05:06.789012")
MAX_FORMAT = 200
#: numeric dtype names a NumericalTransform may restore (numpy and pandas nullable), and timedeltas
INTEGER_DTYPES = frozenset(
    [f"{p}int{b}" for p in ("", "u") for b in (8, 16, 32, 64)]
    + [f"{p}Int{b}" for p in ("", "U") for b in (8, 16, 32, 64)]
)
FLOAT_DTYPES = frozenset(["float16", "float32", "float64", "Float32", "Float64"])
TIMEDELTA_DTYPES = frozenset(f"timedelta64[{u}]" for u in ("s", "ms", "us", "ns"))


def check_strftime(fmt, what: str) -> str:
    """A strftime format of known directives that writes a date or time pandas reads back."""
    if not isinstance(fmt, str) or not 0 < len(fmt) <= MAX_FORMAT:
        raise ValueError(f"{what} must be a strftime format of at most {MAX_FORMAT} characters, got {str(fmt)[:40]!r}")
    directives = _DIRECTIVE.findall(fmt)
    unknown = sorted({d for d in directives if d not in STRFTIME_DIRECTIVES})
    if unknown:
        raise ValueError(
            f"{what} {fmt[:60]!r} uses unknown strftime directive(s) {', '.join('%' + d for d in unknown)}"
        )
    if not any(d != "%" for d in directives):
        raise ValueError(f"{what} {fmt[:60]!r} has no date or time directive (such as %Y, %m, %d, %H)")
    utc = "%z" in fmt or "%Z" in fmt or fmt.endswith("Z")
    probe = _PROBE.tz_localize("UTC") if utc else _PROBE
    try:
        text = probe.strftime(fmt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            back = pd.to_datetime(pd.Series([text]), format=fmt, errors="coerce", utc=utc)
    except (ValueError, TypeError, OverflowError) as e:
        raise ValueError(f"{what} {fmt[:60]!r} does not round-trip a date ({str(e)[:80]})") from None
    if back.isna().any():
        raise ValueError(f"{what} {fmt[:60]!r} writes dates it cannot read back ({text[:40]!r})")
    return fmt


def check_shares(shares: list, n: int, what: str = "format_shares") -> None:
    """``n`` finite non-negative shares summing to 1."""
    if len(shares) != n:
        raise ValueError(f"{what} has {len(shares)} value(s) for {n} format(s)")
    if not all(math.isfinite(x) and x >= 0 for x in shares) or abs(sum(shares) - 1.0) > 1e-6:
        raise ValueError(f"{what} {[round(x, 6) for x in shares][:5]} must be non-negative and sum to 1")


def check_numeric_dtype(dtype: str, representation: str, lo: float, hi: float) -> None:
    """A numeric dtype name (whitelisted) whose range holds the learned bounds [lo, hi]."""
    if dtype in TIMEDELTA_DTYPES:
        if representation != "Float":
            raise ValueError(f"dtype {dtype!r} does not fit computer_representation {representation!r}")
        return
    if dtype not in INTEGER_DTYPES and dtype not in FLOAT_DTYPES:
        raise ValueError(
            f"dtype {dtype[:40]!r} is not a numeric dtype (one of int8..int64, uint8..uint64, Int8..UInt64, "
            "float16..float64, Float32, Float64, timedelta64)"
        )
    if dtype in INTEGER_DTYPES:
        import numpy as np

        info = pd.api.types.pandas_dtype(dtype)
        limits = np.iinfo(getattr(info, "numpy_dtype", info))
        if lo < float(limits.min) or hi > float(limits.max):
            raise ValueError(f"bounds [{lo}, {hi}] do not fit dtype {dtype!r}")
    elif dtype in FLOAT_DTYPES:
        import numpy as np

        top = float(np.finfo(dtype.lower()).max)  # float16 ends at 65,504: larger values would come back as inf
        if lo < -top or hi > top:
            raise ValueError(f"bounds [{lo}, {hi}] do not fit dtype {dtype!r}")


_OFFSET = re.compile(r"[+-]\d{2}:?\d{2}")


def check_datetime_dtype(dtype: str, what: str) -> None:
    """datetime64 (naive or with a time zone)."""
    try:
        dt = pd.api.types.pandas_dtype(dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {dtype[:40]!r} is not a dtype name") from None
    if getattr(dt, "kind", None) != "M":
        raise ValueError(f"{what} {dtype[:40]!r} is not a datetime64 dtype")


def check_utc_offset(offset, what: str) -> None:
    """None or a UTC offset text like ``'+01:00'``."""
    if offset is not None and (not isinstance(offset, str) or not _OFFSET.fullmatch(offset)):
        raise ValueError(f"{what} {str(offset)[:40]!r} is not a UTC offset like '+01:00'")


def check_locales(locales: list, what: str) -> None:
    """Locales Faker has person data for."""
    from ..errors import ParameterError
    from ..fake.locales import check_locale

    if not locales or len(locales) > 100:
        raise ValueError(f"{what} must list 1 to 100 locales")
    for loc in locales:
        try:
            check_locale(loc)
        except ParameterError as e:
            raise ValueError(f"{what}: {str(e)[:160]}") from None


def check_categories_fit(categories: list, dtype: str) -> None:
    """Categories of a numeric or boolean dtype are numbers or booleans (a text value would change the column's type)."""
    dt = pd.api.types.pandas_dtype(dtype)
    kind = getattr(getattr(dt, "numpy_dtype", dt), "kind", "O")
    if kind in "iuf":
        bad = [c for c in categories if c is not None and not is_number(c)]
    elif kind == "b":
        bad = [c for c in categories if c is not None and not isinstance(c, bool)]
    else:
        return
    if bad:
        raise ValueError(f"category {str(bad[0])[:40]!r} does not fit the column's dtype {dtype!r}")
