"""Detect each column's sdtype from its dtype, its name and its values."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from .dateparse import parse_out_of_range
from .mixedtypes import _SAMPLE, _beyond_64_bits, _check_numeric_text, _check_python_mix
from .names import name_role, person_name_sdtype

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
        card = _card_from_numbers(vals)
        if card is not None:
            return card
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


def _card_from_numbers(vals: np.ndarray) -> dict | None:
    """Credit-card numbers stored as whole numbers (as pandas reads a CSV): 13-19 digits, Luhn-valid."""
    head = vals[:_SAMPLE]
    if head.dtype.kind not in "iuf" or not len(head):
        return None
    f = head.astype(np.float64)
    if not (np.all(np.mod(f, 1) == 0) and np.all(f >= 1e12) and np.all(f < 1e19)):
        return None
    digits = np.array([str(int(v)) for v in head], dtype=object)
    if _share(luhn_valid(digits)) >= 0.9:
        return {"sdtype": "credit_card_number", "pii": True}
    return None


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


def detect_table(df: pd.DataFrame, infer_sdtypes: bool = True) -> tuple[dict, str | None]:
    """Detect every column of ``df``; return (columns metadata, primary key or None).

    With ``infer_sdtypes=False`` every column is 'unknown' and there is no primary key.
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if df.shape[1] == 0:
        raise InvalidDataError("the table has no columns")
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise InvalidDataError(f"column name {dup!r} appears more than once; rename the duplicates")
    if not infer_sdtypes:
        return {str(name): {"sdtype": "unknown"} for name in df.columns}, None
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
