"""Sequential tables: entities (a sequence key) whose rows are ordered in time (a sequence index).

- :func:`detect_context_columns`: the columns constant within every sequence (a country's continent);
- :func:`check_sequence_data`: errors and warnings about a sequential table before it is learned;
- :func:`detect_sequence`: the sequence key and index that ``Metadata.detect_from_dataframe`` proposes.

Every check is a vectorized group operation (``groupby``, ``duplicated``); none changes the data.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from .dateparse import parse_out_of_range
from .detection import DATETIME_FORMATS, _norm_name

#: words naming an entity whose rows form a sequence (a column named so, or so plus an id-like suffix)
ENTITY_WORDS = frozenset(
    ("country", "patient", "customer", "user", "subject", "entity", "ticker", "symbol", "device", "sensor", "store")
)
#: suffixes an entity word may have in a sequence key's name (``country_code``, ``store_nbr``)
ENTITY_SUFFIXES = frozenset(("id", "uuid", "guid", "key", "code", "name", "no", "nbr", "num", "number"))
#: last words of a name that make any column an identifier (``patient_id``, ``session_uuid``)
ID_SUFFIXES = frozenset(("id", "uuid", "guid"))
#: words of a numerical column's name that say it orders rows in time
TIME_WORDS = frozenset(
    (
        "year",
        "date",
        "time",
        "timestamp",
        "datetime",
        "visit",
        "step",
        "period",
        "t",
        "day",
        "week",
        "month",
        "quarter",
        "wave",
        "round",
        "epoch",
    )
)
#: sdtypes a proposed sequence key may have been detected with (it becomes 'id')
_KEY_CANDIDATE_SDTYPES = ("id", "categorical", "numerical")


# ---------------------------------------------------------------------------------------- context
def detect_context_columns(
    data: pd.DataFrame, sequence_key: str, sequence_index: str | None = None, exclude=()
) -> list[str]:
    """The columns whose value is constant within every sequence (context columns).

    Parameters
    ----------
    data : pandas.DataFrame
        Rows of many sequences, in any order.
    sequence_key : str
        The column naming the sequence (entity) each row belongs to.
    sequence_index : str, optional
        The column ordering each sequence's rows (never a context column).
    exclude : iterable of str
        Other columns never to return.

    Returns
    -------
    list of str
        The columns (other than the key, the index and ``exclude``), in the frame's column order,
        with one value in every sequence; missing counts as a value (a sequence with all missing is
        constant). A column constant over the whole table counts too.
    """
    _check_frame(data)
    _check_present(data, sequence_key, "sequence key")
    skip = {sequence_key, sequence_index, *exclude}
    candidates = [c for c in data.columns if c not in skip]
    if not candidates or data.empty:
        return []
    counts = data.groupby(sequence_key, sort=False, dropna=False, observed=True)[candidates].nunique(dropna=False)
    constant = (counts <= 1).all(axis=0)
    return [c for c in candidates if bool(constant[c])]


# ---------------------------------------------------------------------------------------- checks
def check_sequence_data(
    data: pd.DataFrame, sequence_key: str, sequence_index: str | None = None, context_columns=None, prefixes=False
) -> None:
    """Raise InvalidDataError if ``data`` cannot be learned as sequences; warn about what is odd.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows of many sequences, in any order (not changed).
    sequence_key : str
        The column naming the sequence (entity) each row belongs to.
    sequence_index : str, optional
        The numerical or datetime column ordering each sequence's rows.
    context_columns : list of str, optional
        Columns that must be constant within each sequence.
    prefixes : bool, default False
        The rows are the beginnings of sequences to continue, not data to learn: one row each is
        fine (no error, no warning about lengths).

    Raises
    ------
    InvalidDataError
        The key is not a column or has missing values; the index is not a column, has missing values,
        mixes kinds of values (numbers and text, dates and numbers) or holds text that is not dates; an
        index value appears twice in one sequence; a context column varies within a sequence; every
        sequence has a single row.

    Warns
    -----
    UserWarning
        Some sequences have a single row; the index is not sorted within some sequences.
    """
    _check_frame(data)
    if data.empty:
        raise InvalidDataError("the data has no rows; sequences need rows of at least some entities")
    _check_present(data, sequence_key, "sequence key")
    keys = data[sequence_key]
    missing = keys.isna()
    if missing.any():
        raise InvalidDataError(
            f"sequence key {sequence_key!r} is missing in {int(missing.sum())} of {len(data)} rows (e.g. row "
            f"{_show(data.index[np.argmax(missing.to_numpy())])}); every row needs the entity it belongs to: fill "
            "those values or drop the rows"
        )
    order = None
    if sequence_index is not None:
        if sequence_index == sequence_key:
            raise InvalidDataError(
                f"column {sequence_key!r} is both the sequence key and the sequence index; the index must be "
                "another column (the one ordering each entity's rows)"
            )
        _check_present(data, sequence_index, "sequence index")
        order = _index_order(data, sequence_key, sequence_index)
        _check_duplicates(keys, order, sequence_key, sequence_index, data[sequence_index])
    for col in context_columns or ():
        _check_context(data, sequence_key, sequence_index, col)
    sizes = keys.value_counts(sort=False)
    sizes = sizes[sizes > 0]  # a categorical key counts its unused categories
    if prefixes:
        sizes = sizes[sizes > 1]
    if len(sizes) and (sizes == 1).all():
        raise InvalidDataError(
            f"every value of sequence key {sequence_key!r} appears in one row only (e.g. {_show(sizes.index[0])}), so "
            "every sequence has a single row and there is nothing to learn about sequences; use a single-table "
            "synthesizer (e.g. GaussianCopulaSynthesizer), or pick the column that repeats for each entity"
        )
    single = int((sizes == 1).sum())
    if single:
        warnings.warn(
            f"{single} of {len(sizes)} entities of sequence key {sequence_key!r} have a single row (e.g. "
            f"{_show(sizes.index[np.argmax((sizes == 1).to_numpy())])}); they are learned as sequences of length 1",
            UserWarning,
            stacklevel=2,
        )
    if order is not None:
        _warn_unsorted(keys, order, sequence_key, sequence_index, len(sizes))


def _check_frame(data) -> None:
    if not isinstance(data, pd.DataFrame):
        raise InvalidDataError(f"expected a pandas DataFrame of sequences, got {type(data).__name__}")


def _check_present(data: pd.DataFrame, column, what: str) -> None:
    if column not in data.columns:
        names = ", ".join(map(repr, list(data.columns)[:20]))
        raise InvalidDataError(
            f"{what} {column!r} is not a column of the data (columns: {names}); pass one of its columns or add it"
        )


def _show(value) -> str:
    """``value`` for a message: numpy scalars as Python ones, timestamps as their text."""
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return repr(str(pd.Timestamp(value)))
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _example_key(keys: pd.Series, mask) -> str:
    """The key of the first row where ``mask`` holds, for a message."""
    return _show(keys.iloc[int(np.argmax(np.asarray(mask, dtype=bool)))])


def _value_kinds(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Kind of each value of an object or text column ('number', 'datetime', 'text', 'boolean' or 'other'),
    and the text dates parsed (``datetime64[us]``, NaT for the other values).

    Text that parses as a date (one of the detected formats, any year) is a 'datetime'.
    """
    kinds = pd.Series("other", index=values.index, dtype=object)
    is_bool = values.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
    is_num = values.map(lambda v: isinstance(v, (int, float, np.integer, np.floating))).to_numpy(dtype=bool)
    is_dt = values.map(lambda v: isinstance(v, np.datetime64) or hasattr(v, "isocalendar")).to_numpy(dtype=bool)
    is_str = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    kinds[is_num & ~is_bool] = "number"
    kinds[is_dt] = "datetime"
    kinds[is_bool] = "boolean"
    parsed = np.full(len(values), np.datetime64("NaT", "us"))
    if is_str.any():
        parsed[is_str] = _parse_text_dates(values[is_str])
        kinds[is_str] = np.where(np.isnat(parsed[is_str]), "text", "datetime")
    return kinds, parsed


def _parse_text_dates(text: pd.Series) -> np.ndarray:
    """Text dates (``datetime64[us]``, UTC wall clock) parsed with the first detected format that reads each; NaT
    where none does."""
    out = np.full(len(text), np.datetime64("NaT", "us"))
    s = text.astype(str).str.strip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in DATETIME_FORMATS:
            todo = np.isnat(out)
            if not todo.any():
                break
            try:
                got = pd.to_datetime(s[todo], format=fmt, errors="coerce", utc=True)
            except (ValueError, TypeError, OverflowError):
                continue
            got = got.dt.tz_localize(None).to_numpy().astype("datetime64[us]")
            if np.isnat(got).any():  # dates before 1677 or after 2262
                wide = parse_out_of_range(s[todo], fmt)
                got = np.where(np.isnat(got), wide, got)
            out[todo] = got
    return out


def _index_order(data: pd.DataFrame, key: str, index: str) -> pd.Series:
    """The index as comparable numbers (float for numbers, int64 for datetimes and durations); errors naming it."""
    s = data[index]
    keys = data[key]
    missing = s.isna()
    if missing.any():
        raise InvalidDataError(
            f"sequence index {index!r} is missing in {int(missing.sum())} of {len(s)} rows (e.g. in the sequence of "
            f"{key} {_example_key(keys, missing)}); every row needs its place in its sequence: fill those "
            "values or drop the rows"
        )
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.is_timedelta64_dtype(s.dtype):
        return pd.Series(s.to_numpy().astype("int64"), index=s.index)  # in the column's own unit: order kept
    if pd.api.types.is_bool_dtype(s.dtype):
        raise InvalidDataError(
            f"sequence index {index!r} holds booleans (e.g. {_show(s.iloc[0])} for {key} {_show(keys.iloc[0])}); "
            "the index orders each sequence's rows: use a numerical or datetime column"
        )
    if pd.api.types.is_numeric_dtype(s.dtype):
        return pd.Series(s.to_numpy(dtype=float), index=s.index)
    kinds, stamps = _value_kinds(s)
    found = list(dict.fromkeys(kinds))  # in order of first appearance
    if len(found) > 1 or found[0] in ("text", "boolean", "other"):
        examples = ", ".join(
            f"{kind} {_show(s[(kinds == kind).to_numpy()].iloc[0])} (for {key} {_example_key(keys, kinds == kind)})"
            for kind in found[:3]
        )
        what = f"mixes kinds of values: {examples}" if len(found) > 1 else f"holds {examples}"
        raise InvalidDataError(
            f"sequence index {index!r} {what}; the index orders each sequence's rows, so it needs all numbers or "
            "all dates: convert it with pd.to_numeric or pd.to_datetime (text dates must all parse), or fix the "
            "odd values"
        )
    if found[0] == "number":
        return pd.Series(pd.to_numeric(s).to_numpy(dtype=float), index=s.index)
    objects = np.isnat(stamps)  # datetime objects (text dates are parsed already)
    if objects.any():
        stamps[objects] = np.array(s[objects].map(_utc_wall_clock).tolist(), dtype="datetime64[us]")
    return pd.Series(stamps.astype("int64"), index=s.index)


def _utc_wall_clock(value) -> np.datetime64:
    """A date, datetime, Timestamp or datetime64 as ``datetime64[us]`` (aware ones in UTC), any year."""
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[us]")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        if isinstance(value, pd.Timestamp):
            return value.to_datetime64().astype("datetime64[us]")
        return np.datetime64(value, "us")
    return np.datetime64(value, "D").astype("datetime64[us]")


def _check_duplicates(keys: pd.Series, order: pd.Series, key: str, index: str, raw: pd.Series) -> None:
    frame = pd.DataFrame({"k": keys.to_numpy(), "i": order.to_numpy()})
    dup = frame.duplicated(["k", "i"]).to_numpy()
    if dup.any():
        first = int(np.argmax(dup))
        raise InvalidDataError(
            f"sequence index {index!r} has {_show(raw.iloc[first])} twice in the sequence of {key} {_show(keys.iloc[first])} "
            f"({int(dup.sum())} repeated (key, index) pairs in all); each entity's rows need distinct index values: "
            f"drop the repeats (data.drop_duplicates([{key!r}, {index!r}])) or aggregate them"
        )


def _check_context(data: pd.DataFrame, key: str, index, col) -> None:
    if col in (key, index):
        raise InvalidDataError(
            f"context column {col!r} is the sequence key or index; leave it out of context_columns (they are the "
            "other columns constant within each sequence)"
        )
    _check_present(data, col, "context column")
    counts = data.groupby(key, sort=False, observed=True)[col].nunique(dropna=False)
    varying = counts > 1
    if varying.any():
        bad = counts.index[np.argmax(varying.to_numpy())]
        values = data.loc[(data[key] == bad).to_numpy(), col].drop_duplicates().iloc[:2].tolist()
        raise InvalidDataError(
            f"context column {col!r} is not constant within the sequence of {key} {_show(bad)} (e.g. {_show(values[0])} "
            f"and {_show(values[1])}; {int(varying.sum())} sequences vary); a context column holds one value per entity: "
            "leave it out of context_columns or fix its values"
        )


def _warn_unsorted(keys: pd.Series, order: pd.Series, key: str, index: str, n_sequences: int) -> None:
    step = pd.Series(order.to_numpy()).groupby(keys.to_numpy(), sort=False).diff()
    back = (step < 0).to_numpy()
    if back.any():
        n = int(pd.Series(keys.to_numpy()[back]).nunique())
        warnings.warn(
            f"sequence index {index!r} is not sorted within {n} of {n_sequences} sequences (e.g. {key} "
            f"{_example_key(keys, back)}); their rows are learned in index order (your data frame is not changed)",
            UserWarning,
            stacklevel=3,
        )


# ---------------------------------------------------------------------------------------- detection
def _key_name(name) -> str | None:
    """'id' for an identifier's name (``patient_id``), 'entity' for an entity's (``country``), else None."""
    norm = _norm_name(name)
    tokens = [t for t in norm.split("_") if t]
    if not tokens:
        return None
    if tokens[-1] in ID_SUFFIXES or (norm.endswith("id") and norm[:-2] in ENTITY_WORDS):
        return "id"
    if tokens[0] in ENTITY_WORDS and set(tokens[1:]) <= ENTITY_SUFFIXES:
        return "entity"
    return None


def _is_time_name(name) -> bool:
    norm = _norm_name(name)
    return bool(set(norm.split("_")) & TIME_WORDS) or norm.endswith(("date", "time", "year", "stamp"))


def _whole_numbers(s: pd.Series) -> bool:
    v = s.to_numpy(dtype=float, na_value=np.nan)
    return bool(np.isfinite(v).all() and np.all(np.mod(v, 1) == 0))


def _is_index_for(df: pd.DataFrame, key: str, col: str) -> bool:
    """Whether ``col`` is complete, unique within every sequence of ``key`` and not unique over the table."""
    s = df[col]
    if s.isna().any() or not s.duplicated().any():
        return False
    return not pd.DataFrame({"k": df[key].to_numpy(), "i": s.to_numpy()}).duplicated().any()


def _increasing_within(df: pd.DataFrame, key: str, col: str) -> bool:
    step = pd.Series(df[col].to_numpy(dtype=float)).groupby(df[key].to_numpy(), sort=False).diff()
    return bool((step.dropna() > 0).all())


def propose_sequence(table: dict, df: pd.DataFrame) -> None:
    """Set the sequence key (its sdtype becomes 'id') and index that :func:`detect_sequence` finds, if any.

    Parameters
    ----------
    table : dict
        The table's detected metadata (``columns``, ``primary_key``), changed in place.
    df : pandas.DataFrame
        The table's data.
    """
    found = detect_sequence(df, table["columns"], table.get("primary_key"))
    if found is not None:
        key, index = found
        table["columns"][key] = {"sdtype": "id"}
        table["sequence_key"], table["sequence_index"] = key, index


def detect_sequence(df: pd.DataFrame, columns: dict, primary_key=None) -> tuple[str, str] | None:
    """The (sequence key, sequence index) to propose for a detected table, or None.

    Conservative: a table with a primary key gets none. A key is a complete column named as an
    identifier (``patient_id``, ``id``) or an entity (``country``, ``customer_code``: see
    :data:`ENTITY_WORDS`), detected as 'id', 'categorical' or whole 'numerical', with between 2 and
    n/2 distinct values (on average 2 rows or more per entity). Its index is a complete column unique
    within every sequence and repeated over the table: a datetime column first, then a numerical
    one named for time (:data:`TIME_WORDS`), then, for an identifier's name, a whole-number column
    increasing within every sequence in the frame's order.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    columns : dict
        Its detected column metadata.
    primary_key : str or list, optional
        Its detected primary key.

    Returns
    -------
    tuple of (str, str) or None
    """
    n = len(df)
    if primary_key is not None or n < 4:
        return None
    for key, meta in columns.items():
        kind = _key_name(key)
        sdtype = meta["sdtype"]
        if kind is None or sdtype not in _KEY_CANDIDATE_SDTYPES or key not in df.columns:
            continue
        s = df[key]
        if s.isna().any() or (sdtype == "numerical" and not _whole_numbers(s)):
            continue
        groups = s.nunique()
        if not 2 <= groups <= n / 2:
            continue
        others = [c for c in columns if c != key and c in df.columns]
        tiers = [
            [c for c in others if columns[c]["sdtype"] == "datetime"],
            [c for c in others if columns[c]["sdtype"] == "numerical" and _is_time_name(c)],
        ]
        if kind == "id":
            tiers.append(
                [
                    c
                    for c in others
                    if columns[c]["sdtype"] == "numerical"
                    and not _is_time_name(c)
                    and _whole_numbers(df[c])
                    and _increasing_within(df, key, c)
                ]
            )
        for tier in tiers:
            for col in tier:
                if _is_index_for(df, key, col):
                    return key, col
    return None
