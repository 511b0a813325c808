"""Dates outside pandas' nanosecond range (before 1677-09-21 or after 2262-04-11).

pandas parses text dates to ``datetime64[ns]`` and gives up on historical or far-future dates
(birth dates in parish records, expiry dates like 2999-12-31). Arrow's ``strptime`` parses any
year at microsecond resolution, vectorized; it is used for the values pandas cannot hold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_NS_MIN = np.datetime64("1677-09-21T00:12:43.145224192", "us")
_NS_MAX = np.datetime64("2262-04-11T23:47:16.854775807", "us")


def parse_out_of_range(values: pd.Series, fmt: str) -> np.ndarray:
    """``datetime64[us]`` array: the values that ``fmt`` parses and that lie outside the ns range; NaT elsewhere.

    Values inside the ns range are left to pandas (NaT here), so its stricter judgement of them
    stands. Formats with fractional seconds (``%f``) are not supported here (NaT).
    """
    out = np.full(len(values), np.datetime64("NaT", "us"))
    if "%f" in fmt or len(values) == 0:
        return out
    import pyarrow as pa
    import pyarrow.compute as pc

    text = values.astype(object).where(values.notna(), None)
    arr = pa.array(text.tolist(), type=pa.string())
    try:
        parsed = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
        # strptime takes day 30 of February and rolls it over: a value counts only when it is
        # written back the same way (the offset of a %z value is checked by the first parse)
        check_fmt, check_arr = fmt, arr
        if "%z" in fmt:
            check_fmt = fmt.replace("%z", "")
            check_arr = pc.replace_substring_regex(arr, pattern=r"[+-]\d{2}:?\d{2}$|Z$", replacement="")
        local = pc.strptime(check_arr, format=check_fmt, unit="s", error_is_null=True)
        same = pc.equal(pc.strftime(local, format=check_fmt), check_arr)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return out
    same = same.fill_null(False).to_numpy(zero_copy_only=False)
    if pa.types.is_timestamp(parsed.type) and parsed.type.tz is not None:
        parsed = parsed.cast(pa.timestamp("s"))  # wall clock in UTC, as pandas gives with utc=True
    got = parsed.to_numpy(zero_copy_only=False).astype("datetime64[us]")
    wide = same & ~np.isnat(got) & ((got < _NS_MIN) | (got > _NS_MAX))
    out[wide] = got[wide]
    return out
