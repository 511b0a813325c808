"""Numbers written with a decimal comma or with thousands separators, in delimited text files.

A text column is read as numbers only when its values have one reading:

- every value fits the decimal-comma convention (``7,32``, ``8.093,10``, ``1.234.567``) and some
  value does not fit the other one: decimal commas (``7,32`` -> 7.32, ``8.093,10`` -> 8093.1);
- every value fits the thousands-comma convention (``12,500``, ``1,234,567``, ``1,234.5``) and some
  value does not fit the other one: thousands separators (``12,500`` -> 12500);
- both fit, and every value with a separator is a comma followed by exactly three digits
  (``12,500``, ``3,000``): thousands separators, as a decimal comma with always exactly three
  decimals and never a leading ``0,`` is far less likely than thousands grouping.

A column that mixes the two conventions, or holds both ``1,234`` and ``1.234`` (each of which
reads either way), cannot be told: a ``FileFormatError`` names the column and says what to do.
Codes with leading zeros (``007,5``) and columns with other text stay text.
"""

from __future__ import annotations

import pandas as pd

from ..errors import FileFormatError
from ..utils.dtypes import is_text_dtype

#: a number with thousands commas (every group three digits) and an optional decimal dot
_US = r"^[+-]?(?:\d+|[1-9]\d{0,2}(?:,\d{3})+)(?:\.\d+)?$"
#: a number with thousands dots (every group three digits) and an optional decimal comma
_EU = r"^[+-]?(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+)(?:,\d+)?$"
_FIX = (
    "rewrite the column with a dot as the decimal mark and no thousands separators "
    "(or, from Python, pass decimal=',' or thousands=',' to read_table)"
)


def read_number_text(df: pd.DataFrame, path) -> pd.DataFrame:
    """Text columns of numbers with decimal commas or thousands separators -> numbers (see the module)."""
    for c in df.columns:
        s = df[c]
        if not is_text_dtype(s.dtype):
            continue
        text = s.dropna()
        if not len(text) or not isinstance(text.iloc[0], str):
            continue
        try:  # the first rows first: most text columns are plainly not numbers
            first = text.iloc[:50].str.strip()
        except AttributeError:
            continue
        if not (first.str.match(_US, na=False) | first.str.match(_EU, na=False)).all():
            continue
        values = pd.Series(text.unique(), dtype=object)
        try:
            values = values.str.strip()  # non-strings (from a converter) become NaN: no match below
        except AttributeError:
            continue
        head = values.iloc[:50]
        if not (head.str.match(_US, na=False) | head.str.match(_EU, na=False)).all():
            continue  # plainly not numbers: skip the full match
        us, eu = values.str.match(_US, na=False), values.str.match(_EU, na=False)
        if not (us | eu).all() or values.str.match(r"^[+-]?0\d").any():
            continue  # other text, or codes with leading zeros: stays text
        if not values.str.contains(r"[,.]").any():
            continue
        if us.all() and eu.all():
            commas, dots = values.str.contains(",", regex=False), values.str.contains(".", regex=False)
            if commas.any() and dots.any():
                ex_c, ex_d = values[commas].iloc[0], values[dots].iloc[0]
                raise FileFormatError(
                    f"{str(path)!r}: column {c!r} has numbers such as {ex_c!r} and {ex_d!r} that read either with a "
                    "decimal comma or with thousands separators, and nothing in the column tells which; " + _FIX
                )
            if not commas.any():
                continue
            reading = "thousands"  # 12,500 and 3,000: every comma is followed by three digits
        elif us.all():
            reading = "thousands"
        elif eu.all():
            reading = "decimal"
        else:
            ex_u, ex_e = values[us & ~eu].iloc[0], values[eu & ~us].iloc[0]
            us_way = "thousands commas" if "," in ex_u else "a decimal dot"
            eu_way = "a decimal comma" if "," in ex_e else "thousands dots"
            raise FileFormatError(
                f"{str(path)!r}: column {c!r} mixes numbers written with {us_way} ({ex_u!r}) and with {eu_way} "
                f"({ex_e!r}); " + _FIX
            )
        clean = s.str.strip()
        if reading == "thousands":
            clean = clean.str.replace(",", "", regex=False)
        else:
            clean = clean.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        if clean.str.contains(".", regex=False).any():
            num = pd.to_numeric(clean, errors="coerce")  # decimals: float64, as pandas reads 7.32
        else:  # whole numbers: exact (Int64/UInt64 with missing values, also beyond 2**53)
            num = pd.to_numeric(clean, errors="coerce", dtype_backend="numpy_nullable")
            if str(num.dtype) not in ("Int64", "UInt64"):
                continue  # beyond 64 bits: stays text (detection says what to do)
            if not num.isna().any():
                num = pd.Series(num.to_numpy(dtype=num.dtype.numpy_dtype), index=s.index)
        if int(num.notna().sum()) == len(text):
            df[c] = num
    return df
