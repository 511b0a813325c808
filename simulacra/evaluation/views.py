"""Column views of the tables a report compares: checked inputs, each column read once as numbers or codes.

:class:`Views` holds per-column arrays (numbers, sorted present values, integer codes) of a few tables,
made on first use and shared by every metric of a report; :func:`prepare` checks the two tables against
the metadata; :func:`numeric_view` and :func:`as_datetime` read a continuous column.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from ..errors import InvalidDataError, MetadataError

CONTINUOUS = ("numerical", "datetime")
DISCRETE = ("categorical", "boolean", "ordinal")


def columns_meta(metadata) -> dict:
    from ..metadata import Metadata

    if isinstance(metadata, Metadata):
        return metadata.columns
    if isinstance(metadata, dict):
        if metadata.get("tables"):
            return next(iter(metadata["tables"].values()))["columns"]
        if "columns" in metadata:
            return metadata["columns"]
    if hasattr(metadata, "to_dict"):
        return columns_meta(metadata.to_dict())
    raise MetadataError("metadata must be a simulacra Metadata or an SDV-style metadata dict")


def as_datetime(s: pd.Series, meta: dict) -> pd.Series:
    """A datetime column as naive datetime64 values in UTC: text is parsed with the column's format, and values in other formats (mixed-format columns) count too.

    Values with a time zone or a UTC offset (a tz-aware dtype, text such as ``+02:00``, an object
    column of Timestamps in several zones) are converted to UTC, so that tables in different zones
    or with mixed offsets compare as instants; naive values are read as UTC (kept as they are).
    """
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    import warnings

    fmt = meta.get("datetime_format")
    raw = s
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            s = (
                pd.to_datetime(raw, format=fmt, errors="coerce", utc=True)
                if fmt
                else pd.to_datetime(raw, errors="coerce", format="mixed", utc=True)
            )
        except (TypeError, ValueError):  # values of other types (numbers among Timestamps): parse them one by one below
            s = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
        s = s.dt.tz_localize(None)
        rest = s.isna() & raw.notna()
        if rest.any():
            s = s.astype("datetime64[ns]")
            s[rest] = pd.to_datetime(raw[rest].astype(str), errors="coerce", format="mixed", utc=True).dt.tz_localize(
                None
            )
    rest = (s.isna() & raw.notna()).to_numpy()
    if rest.any() and fmt:  # dates before 1677 or after 2262: microseconds (issue #11)
        from ..metadata.dateparse import parse_out_of_range

        wide = parse_out_of_range(raw[rest].astype(str), fmt)
        if (~np.isnat(wide)).any():
            vals = s.to_numpy().astype("datetime64[us]")
            vals[np.flatnonzero(rest)] = wide
            s = pd.Series(vals, index=raw.index, name=raw.name)
    return s


def numeric_view(s: pd.Series, meta: dict) -> np.ndarray:
    """Numbers for a continuous column: floats, or datetimes as seconds since the epoch; NaN for missing values and for values that cannot be read (text, +/-inf)."""
    if meta["sdtype"] == "datetime":
        s = as_datetime(s, meta)
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        arr = s.to_numpy()
        unit = np.datetime_data(arr.dtype)[0]
        per_second = {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}.get(unit, 1.0)
        nat = np.isnat(arr)
        v = arr.view("int64") / per_second  # seconds in the column's own unit: no overflow
        v[nat] = np.nan
        return v
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    inf = np.isinf(v)
    return np.where(inf, np.nan, v) if inf.any() else v  # never in place: the array may be the caller's own data


def prepare(real, synthetic, metadata, name_real="real_data", name_syn="synthetic_data"):
    """Checked copies of the two tables (text column names) and the column metadata."""
    for name, df in ((name_real, real), (name_syn, synthetic)):
        if not isinstance(df, pd.DataFrame):
            raise InvalidDataError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
        if len(df) == 0:
            raise InvalidDataError(f"{name} has no rows")
    real, synthetic = text_columns(real), text_columns(synthetic)
    meta = columns_meta(metadata)
    for label, df in (("real data", real), ("synthetic data", synthetic)):
        missing = [c for c in meta if c not in df.columns]
        if missing:
            raise MetadataError(
                f"the metadata names column(s) {', '.join(map(repr, missing))} that the {label} does not have"
            )
    return real, synthetic, meta


def text_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with text column names (a renamed copy only when some name is not text)."""
    return df if all(isinstance(c, str) for c in df.columns) else df.rename(columns=str)


class Views:
    """Per-column arrays of a few tables (real, synthetic, holdout...), made on first use and kept.

    Every metric of a report needs the same things: a continuous column's numbers, its sorted
    present values, a discrete column's integer codes. A report makes one ``Views`` of its tables
    and hands it to each metric, so that no column is converted, sorted or factorized twice.

    Parameters
    ----------
    frames : list of pandas.DataFrame
        The tables, with text column names; metrics use them by position (0: real, 1: synthetic).
    meta : dict
        Column metadata (``{name: {"sdtype": ...}}``).
    """

    def __init__(self, frames, meta: dict):
        self.frames = list(frames)
        self.meta = meta
        self._bad: dict = {}
        self._num: dict = {}
        self._sorted: dict = {}
        self._codes: dict = {}
        self._uniques: dict = {}
        self._memo: dict = {}
        self._lock = threading.RLock()  # a report may read the views from two threads

    def memo(self, key, make):
        """``make()``, computed once per ``key`` (results that several metrics share)."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    def covers(self, frames, meta: dict | None = None) -> bool:
        """Whether these views were made from exactly these tables (the same objects, in order) and the same column metadata.

        The tables must not change while views of them are in use: a report makes its views,
        computes every metric and drops them.
        """
        if len(frames) > len(self.frames) or not all(a is b for a, b in zip(frames, self.frames)):
            return False
        return meta is None or meta is self.meta or all(self.meta.get(c) == m for c, m in meta.items())

    @staticmethod
    def _column(f: pd.DataFrame, c: str) -> pd.Series:
        """Column ``c`` of table ``f``; a table without it (a holdout need not have id or text columns) reads as all missing."""
        return f[c] if c in f.columns else pd.Series([None] * len(f), index=f.index, dtype=object)

    def num(self, c: str) -> list[np.ndarray]:
        """The column's numbers in each table (floats, datetimes as seconds; NaN for missing and for unreadable values, see :meth:`unreadable`)."""
        with self._lock:
            if c not in self._num:
                nums, bad = [], []
                for f in self.frames:
                    s = self._column(f, c)
                    v = numeric_view(s, self.meta[c])
                    b = np.isnan(v) & s.notna().to_numpy(dtype=bool)
                    nums.append(v)
                    bad.append(b if b.any() else None)
                self._num[c], self._bad[c] = nums, bad
            return self._num[c]

    def unreadable(self, c: str) -> list[np.ndarray | None]:
        """Per table, a mask of the values of continuous column ``c`` that are present but cannot be read as its sdtype, or None where there are none.

        Text in a numerical column ("hello"), a date that does not parse, and +/-inf are
        unreadable: :meth:`num` gives NaN for them, and the quality and diagnostic reports count
        them as not matching the real data (they are not missing values).
        """
        self.num(c)
        return self._bad[c]

    def present_sorted(self, c: str) -> list[np.ndarray]:
        """The column's present numbers in each table, sorted (rounded to 14 decimals, as SDMetrics' KS test)."""
        with self._lock:
            if c not in self._sorted:
                self._sorted[c] = [np.sort(np.round(v[~np.isnan(v)], 14)) for v in self.num(c)]
            return self._sorted[c]

    def codes(self, c: str) -> tuple[list[np.ndarray], int, int]:
        """(codes per table, number of codes, code of a missing value or -1).

        The values of all tables are factorized together, so equal values get equal codes in every
        table; values compare as pandas compares them (1 equals 1.0, but "1" does not equal 1),
        numerical columns as numbers and datetime columns as timestamps (exactly: no rounding to
        floats), and values that cannot be hashed compare as text.
        """
        with self._lock:
            if c not in self._codes:
                sdtype = self.meta.get(c, {}).get("sdtype")
                columns = [self._column(f, c) for f in self.frames]
                if sdtype == "numerical":
                    columns = [pd.to_numeric(s, errors="coerce") for s in columns]
                elif sdtype == "datetime":
                    columns = [as_datetime(s, self.meta[c]) for s in columns]
                both = pd.concat(columns, ignore_index=True)
                if both.dtype == object or isinstance(both.dtype, pd.CategoricalDtype):
                    both = both.astype(object)
                try:
                    k, uniques = pd.factorize(both, use_na_sentinel=False)
                except TypeError:  # lists, dicts...: compare their text
                    both = both.astype(str).where(both.notna(), None)
                    k, uniques = pd.factorize(both, use_na_sentinel=False)
                missing = np.flatnonzero(pd.isna(uniques))
                parts = np.split(k.astype(np.int64), np.cumsum([len(f) for f in self.frames])[:-1])
                self._codes[c] = (parts, max(1, len(uniques)), int(missing[0]) if len(missing) else -1)
                self._uniques[c] = uniques
            return self._codes[c]

    def uniques(self, c: str) -> pd.Index:
        """The value of each code of :meth:`codes` (in order of first appearance, the real table first)."""
        self.codes(c)
        return self._uniques[c]


def check_holdout(holdout: pd.DataFrame, meta: dict) -> pd.DataFrame:
    """The holdout with text column names; a :class:`MetadataError` when it lacks a scored (numerical, datetime or discrete) column."""
    holdout = text_columns(holdout)
    lacking = [c for c, m in meta.items() if m["sdtype"] in CONTINUOUS + DISCRETE and c not in holdout.columns]
    if lacking:
        raise MetadataError(f"the holdout lacks column(s) {', '.join(map(repr, lacking))}")
    return holdout


def top_categories(views: Views, c: str, max_categories: int) -> tuple[np.ndarray, pd.Index]:
    """The ``max_categories`` most frequent values of column ``c`` in the first table (ties in order of first appearance).

    Returns (a lookup from :meth:`Views.codes` to 0..len(values)-1, every other code going to
    len(values); the values, a missing value written "__missing__").
    """
    codes, n_codes, _ = views.codes(c)
    counts = np.bincount(codes[0], minlength=n_codes)
    top = np.argsort(-counts, kind="stable")[:max_categories]
    top = top[counts[top] > 0]
    lut = np.full(n_codes, len(top), np.int64)
    lut[top] = np.arange(len(top))
    return lut, pd.Index(["__missing__" if pd.isna(u) else u for u in views.uniques(c)[top]], dtype=object)


def lookup(values: pd.Index, s: pd.Series) -> np.ndarray:
    """Position of each value of ``s`` in :func:`top_categories`' ``values`` (missing as "__missing__"), len(values) for the others."""
    vals = s.astype(object)
    vals = pd.Index(vals.where(vals.notna(), "__missing__"))
    try:
        k = values.get_indexer(vals)
    except TypeError:  # values that cannot be hashed compare as text (as in the views)
        k = values.astype(str).get_indexer(vals.astype(str))
    return np.where(k < 0, len(values), k)


def views_for(frames, meta: dict, views: Views | None) -> Views:
    """``views`` when it was made from these tables and this metadata, else new views of them."""
    return views if views is not None and views.covers(frames, meta) else Views(frames, meta)


def row_keys(frames, columns, views: Views | None = None) -> list[np.ndarray]:
    """One int64 key per row of each frame: rows are equal (over ``columns``) exactly when their keys are.

    Each column is factorized over all frames together (missing values are a value; see
    :meth:`Views.codes`), and the codes of a row are combined in mixed radix; when the next
    column would overflow 63 bits, the keys so far are renumbered densely first (so no hashing,
    and no collision).
    """
    views = views_for(frames, {}, views)
    sizes = [len(f) for f in frames]
    keys, radix = np.zeros(sum(sizes), np.int64), 1
    for c in columns:
        codes, n_codes, _ = views.codes(c)
        if radix * n_codes >= 2**62:
            keys, uniques = pd.factorize(keys)
            keys, radix = keys.astype(np.int64), max(1, len(uniques))
        keys = keys * n_codes + np.concatenate(codes[: len(frames)])
        radix *= n_codes
    return np.split(keys, np.cumsum(sizes)[:-1])


def unreadable_note(views: Views, c: str, table: int = 1, label: str = "synthetic") -> str | None:
    """One sentence on the values of continuous column ``c`` in table ``table`` that cannot be read as its sdtype (None when there are none)."""
    bad = views.unreadable(c)[table]
    if bad is None:
        return None
    n_bad = int(bad.sum())
    present = n_bad + int((~np.isnan(views.num(c)[table])).sum())
    first = views.frames[table][c].iloc[int(np.argmax(bad))]
    text = repr(first) if isinstance(first, str) else str(first)  # 'hello', inf
    example = text if len(text) <= 40 else text[:37] + "..."
    sdtype = views.meta[c]["sdtype"]
    return f"column {c!r}: {n_bad:,} of {present:,} {label} values cannot be read as {sdtype} (e.g. {example})"


def capped_notes(notes: list[str], max_notes: int = 10) -> list[str]:
    """``notes``, the first ``max_notes`` of them and one line saying how many more (wide tables)."""
    if len(notes) <= max_notes:
        return list(notes)
    return notes[:max_notes] + [f"... and {len(notes) - max_notes:,} more column(s) like these (see get_details)"]
