"""Detect each column's sdtype from its dtype, its name and its values."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from .dateparse import parse_out_of_range
from .names import name_role, person_name_sdtype

_SAMPLE = 2000  # values inspected for pattern checks

DATETIME_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
)

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_IPV4 = re.compile(r"^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$")
_IPV6 = re.compile(r"^[0-9A-Fa-f:]{2,39}$")
_SSN = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_PHONE = re.compile(r"^\+?[\d\s().\-xX]{7,25}$")
_PHONE_FORMATTED = re.compile(
    r"^(\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]?\d{3,4}(\s?(x|ext\.?)\s?\d{1,5})?$"
)
_CARD = re.compile(r"^\d{4}([ -]?\d{4}){2}[ -]?\d{1,7}$|^\d{13,19}$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9 ]{11,36}$")
_URL = re.compile(r"^https?://[^\s]+$")
_POSTCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{2,9}$")

_BOOL_STRINGS = [
    {"true", "false"},
    {"yes", "no"},
    {"t", "f"},
    {"y", "n"},
]


def _norm_name(name) -> str:
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(name))
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _name_tokens(name) -> set[str]:
    return set(_norm_name(name).split("_"))


def _share(mask) -> float:
    mask = np.asarray(mask, dtype=bool)
    return float(mask.mean()) if mask.size else 0.0


def luhn_valid(digits: np.ndarray) -> np.ndarray:
    """Vectorized Luhn check of an array of digit strings."""
    out = np.zeros(len(digits), dtype=bool)
    for length in np.unique([len(d) for d in digits]):
        idx = np.array([i for i, d in enumerate(digits) if len(d) == length])
        mat = np.array([list(digits[i]) for i in idx], dtype=np.int64)
        rev = mat[:, ::-1].copy()
        dbl = rev[:, 1::2] * 2
        rev[:, 1::2] = np.where(dbl > 9, dbl - 9, dbl)
        out[idx] = rev.sum(axis=1) % 10 == 0
    return out


def iban_valid(values: list[str]) -> np.ndarray:
    out = []
    for v in values:
        s = v.replace(" ", "").upper()
        s = s[4:] + s[:4]
        try:
            num = "".join(str(int(c, 36)) for c in s)
            out.append(int(num) % 97 == 1)
        except ValueError:
            out.append(False)
    return np.array(out, dtype=bool)


def detect_datetime_formats(values: pd.Series) -> dict[str, float] | None:
    """Shares of the datetime formats that parse the string ``values``; None if some don't parse.

    The formats are tried greedily: the format that parses the most remaining values first.
    """
    s = values.astype(str)
    remaining = np.ones(len(s), dtype=bool)
    shares: dict[str, float] = {}
    parsed = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in DATETIME_FORMATS:
            utc = "%z" in fmt or fmt.endswith("Z")
            try:
                p = pd.to_datetime(s, format=fmt, errors="coerce", utc=utc)
            except (ValueError, TypeError, OverflowError):
                continue
            ok = p.notna().to_numpy().copy()  # pandas may hand out a read-only view
            bad = ~ok
            if bad.any():
                # dates before 1677 or after 2262 do not fit datetime64[ns]: Arrow parses them
                wide = parse_out_of_range(s[bad], fmt)
                ok[np.flatnonzero(bad)[~np.isnat(wide)]] = True
            parsed[fmt] = ok
    if not parsed:
        return None
    while remaining.any():
        best, best_n = None, 0
        for fmt, ok in parsed.items():
            k = int((ok & remaining).sum())
            if k > best_n:
                best, best_n = fmt, k
        if best is None:
            return None
        shares[best] = best_n / len(s)
        remaining &= ~parsed[best]
    return shares


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


def _detect_pii(name, s: pd.Series) -> str | None:
    """PII sdtype of a string column from its name and its values, or None."""
    tokens = _name_tokens(name)
    norm = _norm_name(name)
    sample = s.iloc[:_SAMPLE].astype(str).str.strip()
    if sample.empty:
        return None
    if _share(sample.str.match(_EMAIL)) >= 0.9:
        return "email"
    if _share(sample.str.match(_IPV4)) >= 0.9:
        return "ipv4_address"
    if _share(sample.str.match(_SSN)) >= 0.9:
        return "ssn"
    if _share(sample.str.match(_URL)) >= 0.9:
        return "url"
    if ("ipv6" in tokens or "ip" in tokens) and _share(sample.str.match(_IPV6) & sample.str.contains(":")) >= 0.9:
        return "ipv6_address"
    compact = sample.str.replace(r"[ -]", "", regex=True)
    if _share(sample.str.match(_IBAN)) >= 0.9 and _share(iban_valid(list(sample))) >= 0.9:
        return "iban"
    card_like = sample.str.match(_CARD)
    if _share(card_like) >= 0.9:
        digits = compact[card_like].to_numpy()
        if len(digits) and _share(luhn_valid(digits)) >= 0.9:
            return "credit_card_number"
    phone_name = bool(tokens & {"phone", "telephone", "tel", "mobile", "cell", "fax"}) or "phone" in norm
    if phone_name and _share(sample.str.match(_PHONE)) >= 0.9:
        return "phone_number"
    if _share(sample.str.match(_PHONE_FORMATTED)) >= 0.9 and _share(sample.str.contains(r"[\s().\-]")) >= 0.9:
        return "phone_number"
    has_digit = sample.str.contains(r"\d")
    alpha_words = sample.str.match(r"^[^\d@]+$")
    if name_role(name) in ("first_name", "last_name"):  # nameFirst, lastName, surname...: before city or address
        person = person_name_sdtype(name, sample)
        if person is not None:
            return person
    if (tokens & {"zip", "zipcode", "postcode", "postal"}) and _share(sample.str.match(_POSTCODE)) >= 0.9:
        return "postcode"
    if (tokens & {"address", "street", "addr"}) and _share(has_digit) >= 0.5:
        return "address"
    if norm in {"city", "town"} or (tokens & {"city"}) and _share(alpha_words) >= 0.9:
        return "city"
    # person names from the column name (any case convention) and the values (Faker's name lists)
    return person_name_sdtype(name, sample)


#: infer_dtype kinds whose values a transform learns (no nested values, no bytes)
_LEARNABLE_KINDS = (
    "string",
    "integer",
    "floating",
    "mixed-integer-float",
    "decimal",
    "boolean",
    "time",
    "date",
    "datetime",
)


def learnable_kind(name, nonnull: pd.Series) -> str:
    """``infer_dtype`` of an object column's non-missing values; InvalidDataError naming the column
    for values no transform learns faithfully: nested values and bytes (looked for in the first 1,000)."""
    kind = pd.api.types.infer_dtype(nonnull, skipna=True)
    if kind in _LEARNABLE_KINDS:
        return kind
    head = nonnull.iloc[:1000]
    if head.map(lambda v: isinstance(v, (list, dict, set, tuple, np.ndarray))).any():
        raise InvalidDataError(
            f"column {name!r} holds nested values (lists, arrays or objects); flatten it into separate columns "
            "or store it as JSON text (read_table does this for JSON and Parquet files)"
        )
    if kind == "bytes" or head.map(lambda v: isinstance(v, (bytes, bytearray))).any():
        raise InvalidDataError(
            f"column {name!r} holds binary values (bytes), which simulacra does not learn; drop the column, "
            "or decode it to text (e.g. base64 or UTF-8) before fitting"
        )
    return kind


def _object_kind(name, nonnull: pd.Series) -> dict | None:
    """Metadata for object columns of nested, binary, decimal or time-of-day values; None otherwise.

    Lists, arrays, dicts and bytes are errors naming the column (``learnable_kind``: a model
    cannot learn them and they must not come back as their text form); ``decimal.Decimal``
    values are numbers, ``datetime.time`` values times of day and ``datetime.date`` values dates
    (all come back as the same Python type).
    """
    kind = learnable_kind(name, nonnull)
    head = nonnull.iloc[:1000]
    if kind == "decimal":
        return {"sdtype": "numerical", "computer_representation": "Float"}
    if kind == "time":
        micro = head.map(lambda v: v.microsecond != 0).any()
        return {"sdtype": "datetime", "datetime_format": "%H:%M:%S.%f" if micro else "%H:%M:%S"}
    if kind == "date":
        return {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"}
    if kind == "datetime":  # Timestamps in an object column (e.g. in several time zones)
        return {"sdtype": "datetime"}
    return None


def detect_column(name, series: pd.Series) -> dict:
    """Metadata of one column: a dict with at least 'sdtype'."""
    s = series
    n = len(s)
    nonnull = s.dropna()
    if n == 0 or nonnull.empty:
        return {"sdtype": "unknown"}
    if s.dtype == object:
        special = _object_kind(name, nonnull)
        if special is not None:
            return special
    tokens = _name_tokens(name)
    norm = _norm_name(name)
    id_name = bool(tokens & {"id", "uuid", "guid", "key", "pk"}) or norm.endswith("_id")
    nunique = nonnull.nunique()
    unique = nunique == len(nonnull) and len(nonnull) == n

    if pd.api.types.is_bool_dtype(s.dtype):
        return {"sdtype": "boolean"}
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        return {"sdtype": "numerical", "computer_representation": "Float"}
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return {"sdtype": "datetime"}
    if isinstance(s.dtype, pd.CategoricalDtype):
        return {"sdtype": "categorical"}
    if pd.api.types.is_numeric_dtype(s.dtype):
        vals = nonnull.to_numpy()
        if vals.dtype.kind == "f" and not np.isfinite(vals.astype(float)).all():
            # inf values are reported when the data is validated; detection stays quiet
            return {"sdtype": "numerical", "computer_representation": "Float"}
        if nunique == 2 and set(np.unique(vals).tolist()) <= {0, 1}:
            return {"sdtype": "boolean"}
        if id_name and unique and np.all(np.mod(vals, 1) == 0):
            return {"sdtype": "id"}
        return {"sdtype": "numerical", "computer_representation": numerical_representation(s)}
    # strings / objects
    kind = pd.api.types.infer_dtype(nonnull, skipna=True)
    # nested values beyond the first 1,000 (checked in _object_kind) make infer_dtype say "mixed..."
    if (
        s.dtype == object
        and kind.startswith("mixed")
        and nonnull.map(lambda v: isinstance(v, (list, dict, set, tuple))).any()
    ):
        raise InvalidDataError(
            f"column {name!r} holds nested values (lists or objects); flatten it into separate columns or store it as text"
        )
    if kind.startswith("mixed"):
        _check_python_mix(name, nonnull)
    if s.dtype == object and kind != "string":
        types = nonnull.map(type)
        if types.map(lambda t: issubclass(t, (bool, np.bool_))).all():
            return {"sdtype": "boolean"}
        if types.map(lambda t: issubclass(t, (int, float, np.integer, np.floating))).all():
            return {"sdtype": "numerical", "computer_representation": "Float"}
        return {"sdtype": "categorical"}
    strs = nonnull.astype(str)
    lowered = set(strs.str.strip().str.lower().unique()[:3])
    if nunique <= 2 and any(lowered <= b and len(lowered) == 2 for b in _BOOL_STRINGS):
        return {"sdtype": "boolean"}
    if _beyond_64_bits(strs):
        if id_name and unique:  # identifiers: regenerated with as many digits, no leading zero
            lengths = strs.str.strip().str.lstrip("+").str.len()
            same = lengths.min() == lengths.max() and not strs.str.strip().str.startswith("-").any()
            return (
                {"sdtype": "id", "regex_format": f"[1-9][0-9]{{{int(lengths.max()) - 1}}}"}
                if same
                else {"sdtype": "id"}
            )
        raise InvalidDataError(
            f"column {name!r} holds whole numbers beyond 64-bit integers (e.g. {strs.iloc[0]!r}), which cannot be "
            "learned as integers; if they are identifiers or codes, set its sdtype to 'id' or 'categorical' in the "
            "metadata (the digits are kept); to learn them as numbers at float precision, write them as floats (1.8e19)"
        )
    if strs.str.contains(r"\d").iloc[:_SAMPLE].mean() >= 0.9 or tokens & {
        "date",
        "time",
        "timestamp",
        "dt",
        "day",
        "created",
        "updated",
        "at",
    }:
        fmts = detect_datetime_formats(strs.iloc[:_SAMPLE])
        if fmts:
            dominant = max(fmts, key=fmts.get)
            return {"sdtype": "datetime", "datetime_format": dominant}
    pii = _detect_pii(name, strs)
    if pii is not None:
        return {"sdtype": pii, "pii": True}
    if not (id_name and unique):
        _check_numeric_text(name, strs)
    ratio = nunique / len(nonnull)
    mean_words = strs.iloc[:_SAMPLE].str.split().str.len().mean()
    text_name = bool(
        tokens & {"description", "comment", "comments", "text", "notes", "note", "review", "message", "body", "summary"}
    )
    if text_name and mean_words >= 2 or mean_words >= 5 and ratio > 0.5:
        return {"sdtype": "text"}
    if unique or (id_name and ratio > 0.95):
        from ..utils.regex import infer_regex

        meta = {"sdtype": "id"}
        if mean_words > 1.5:
            return {"sdtype": "text"}
        rx = infer_regex(strs.to_numpy()[:_SAMPLE])
        if rx is not None:
            meta["regex_format"] = rx
        return meta
    if ratio > 0.9 and len(nonnull) >= 50 and mean_words > 1.5:
        return {"sdtype": "text"}
    return {"sdtype": "categorical"}


def numerical_representation(s: pd.Series) -> str:
    """SDV's computer_representation name for a numeric column."""
    dt = s.dtype
    if isinstance(dt, pd.api.extensions.ExtensionDtype) and hasattr(dt, "numpy_dtype"):
        kind = dt.numpy_dtype.kind
        bits = dt.numpy_dtype.itemsize * 8
    else:
        kind = np.dtype(dt).kind
        bits = np.dtype(dt).itemsize * 8
    if kind == "i":
        return f"Int{bits}"
    if kind == "u":
        return f"UInt{bits}"
    return "Float"


def detect_table(df: pd.DataFrame) -> tuple[dict, str | None]:
    """Detect every column of ``df``; return (columns metadata, primary key or None)."""
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if df.shape[1] == 0:
        raise InvalidDataError("the table has no columns")
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise InvalidDataError(f"column name {dup!r} appears more than once; rename the duplicates")
    columns = {}
    for name in df.columns:
        columns[str(name)] = detect_column(name, df[name])
    primary_key = None
    candidates = [c for c, m in columns.items() if m["sdtype"] == "id"]
    for c in candidates:
        col = df[c]
        if col.notna().all() and col.is_unique:
            primary_key = c
            break
    return columns, primary_key
