"""Mixed types in one column: numbers next to strings, codes with "N/A" markers, integers beyond 64 bits.

Numbers and strings in one column are an error whose message says how to fix it, except for
categorical codes (a few whole numbers) whose other values mean "missing" or are a few labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidDataError

_SAMPLE = 2000  # values inspected for pattern checks

#: strings that stand for a missing or unknown value among numbers ("N/A" in a column of codes)
MISSING_MARKERS = frozenset(
    {
        "",
        "n/a",
        "na",
        "n.a.",
        "none",
        "null",
        "nil",
        "nan",
        "-",
        "--",
        "?",
        "??",
        ".",
        "unknown",
        "unk",
        "missing",
        "not available",
        "not applicable",
        "#n/a",
    }
)
#: a column of whole numbers with at most this many distinct values reads as codes
MAX_CODES = 20

_FIX = "clean the column (make the odd values numbers or missing values), or set its sdtype to 'categorical' in the metadata"


def _is_number_type(t) -> bool:
    return issubclass(t, (int, float, np.integer, np.floating)) and not issubclass(t, (bool, np.bool_))


#: text codes may carry this many distinct labels besides the numbers ("unrated", "N/A")
MAX_CODE_LABELS = 3


def _codes_with_markers(numbers: pd.Series, odd: pd.Series, labels: int = 0) -> bool:
    """True for categorical codes (few whole numbers) whose other values mean 'missing' or are few labels.

    ``labels`` is how many distinct strings other than missing markers are allowed.
    """
    nums = pd.to_numeric(numbers, errors="coerce").dropna().to_numpy(dtype=float)
    if nums.size == 0 or not np.all(np.mod(nums, 1) == 0) or len(np.unique(nums)) > MAX_CODES:
        return False
    return len(_labels(odd)) <= labels


def _check_python_mix(name, nonnull: pd.Series) -> None:
    """Python numbers and strings in one object column: an error (unless codes with 'N/A' markers)."""
    types = nonnull.map(type)
    is_num = types.map(_is_number_type).to_numpy(dtype=bool)
    is_str = types.map(lambda t: issubclass(t, str)).to_numpy(dtype=bool)
    is_bool = types.map(lambda t: issubclass(t, (bool, np.bool_))).to_numpy(dtype=bool)
    if is_bool.any() and is_num.any():
        # JSON true/false next to numbers: a model would learn true as 1.0
        example = nonnull[is_num].iloc[0]
        raise InvalidDataError(
            f"column {name!r} mixes true/false with numbers (e.g. {example!r}); "
            "make the column all booleans or all numbers (false/true as 0/1)"
        )
    if is_num.any() and is_str.any():
        if _codes_with_markers(nonnull[is_num], nonnull[is_str]):
            return
        example = nonnull[is_str].iloc[0]
        raise InvalidDataError(f"column {name!r} mixes numbers and strings (e.g. {example!r}); {_FIX}")


def _check_numeric_text(name, strs: pd.Series) -> None:
    """Text that is mostly numbers, with a few other values: an error, unless codes with 'N/A' markers.

    Checked on the whole column (each distinct value parsed once), not on a sample: one stray
    value anywhere makes a numeric column categorical otherwise. Columns of more than 20,000
    values whose first 2,000 are less than 20% numbers are taken as text without the full parse.
    """
    head = strs.iloc[:_SAMPLE].str.strip()
    head_num = pd.to_numeric(head, errors="coerce").notna()
    if len(strs) > 10 * _SAMPLE and head_num.mean() < 0.2 and _text_labels(head[~head_num.to_numpy()]):
        return  # plainly text: skip the slow parse of a big column
    counts = strs.value_counts(sort=False)  # each distinct value parsed once
    numeric = pd.to_numeric(pd.Series(counts.index, dtype=object).astype(str).str.strip(), errors="coerce")
    is_num = numeric.notna().to_numpy()
    weights = counts.to_numpy()
    n_odd = int(weights[~is_num].sum())
    if n_odd == 0 or not is_num.any():
        return
    odd = pd.Series(counts.index[~is_num], dtype=object)
    if _codes_with_markers(numeric[is_num], odd, labels=MAX_CODE_LABELS):
        return
    bad = strs[strs.isin(set(odd))].unique()[:3]  # in the order they appear
    if weights[is_num].sum() < n_odd:
        # mostly text: text with some numbers in it ('12', '12B', '3A', 'room 5') or with many
        # distinct labels stays text; a few word labels ('abc', 'def', up to MAX_CODES of them)
        # next to numbers that are not codes are the same mix as the other way round
        if _text_labels(odd):
            return
        ex = strs[strs.isin(set(counts.index[is_num]))].iloc[0]
        raise InvalidDataError(
            f"column {name!r} mixes numbers (e.g. {ex!r}) with {n_odd} text value(s) such as "
            f"{', '.join(repr(b) for b in bad)}; {_FIX}"
        )
    raise InvalidDataError(
        f"column {name!r} is numeric except for {n_odd} value(s) such as {', '.join(repr(b) for b in bad)}; {_FIX}"
    )


def _beyond_64_bits(strs: pd.Series) -> bool:
    """Text that is whole numbers (no leading zeros) that no 64-bit integer type holds (pandas leaves them text)."""
    head = strs.iloc[:50].str.strip()
    if not head.str.fullmatch(r"[+-]?(0|[1-9]\d*)").all() or not (head.str.len() >= 19).any() and len(strs) <= 50:
        return False
    text = strs.str.strip()
    if not text.str.fullmatch(r"[+-]?(0|[1-9]\d*)").all():
        return False
    return pd.to_numeric(text, errors="coerce").dtype.kind not in "iu"


def _labels(words: pd.Series) -> pd.Series:
    """The distinct values of ``words`` (stripped) that are not missing markers."""
    w = pd.Series(pd.Series(words, dtype=object).astype(str).str.strip().unique(), dtype=object)
    return w[~w.str.lower().isin(MISSING_MARKERS)]


def _text_labels(words: pd.Series) -> bool:
    """True when the labels next to some numbers make the column text: more than ``MAX_CODES``
    distinct labels, or labels that are mostly numbers with letters ('12B', 'room 5'), of which
    the plain numbers ('12') are more of the same. A few word labels ('low', 'high') are not."""
    w = _labels(words)
    return len(w) > MAX_CODES or (len(w) > 0 and float(w.str.contains(r"\d").mean()) >= 0.5)


def check_mixed_types(name, series: pd.Series) -> None:
    """Raise InvalidDataError if an object column mixes numbers and strings.

    Python numbers next to strings, or text that is numbers except for a few values, are an
    error whose message says how to fix it. Categorical codes are not: at most ``MAX_CODES``
    distinct whole numbers whose other values mean "missing" (``N/A``, ``?``, ``unknown``, ...)
    or, in text, are at most ``MAX_CODE_LABELS`` distinct labels (``"unrated"``); they are
    learned as categories, markers and labels included.
    """
    if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
        return
    nonnull = series.dropna()
    if nonnull.empty:
        return
    kind = pd.api.types.infer_dtype(nonnull, skipna=True)
    if kind == "string":
        _check_numeric_text(name, nonnull.astype(str))
    elif kind.startswith("mixed"):
        _check_python_mix(name, nonnull)
