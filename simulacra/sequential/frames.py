"""Sequences as two tables: one row per entity, and one row per later step with its history.

A sequential table (a sequence key naming the entity, a sequence index ordering its rows) is learned
as two single-table problems, both built here with vectorized group operations:

- the **entity table**: one row per entity with the key, the context columns (constant within a
  sequence), the sequence length ``__length``, the first index value ``__start`` and the first
  step's values of every other column;
- the **step table**: one row per step ``t >= 1`` with, as context, the entity's context columns,
  ``__length``, the position ``__pos`` and the previous step (``__lag__x``; for numbers also the
  previous change ``__dlag__x``), and, as what is learned, the index gap ``__gap`` and each column's
  value. A number is learned as its change from the previous step (``__d__x``, on a log scale for
  positive columns spanning decades), so per-entity trends and levels carry over; its level ``x``
  is learned beside the change only where the column has missing values (it is used after a
  missing step).

:class:`Layout` holds what fit learned about the columns (roles, numeric scales, bounds, the index
unit) and is saved with the model as plain JSON.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..utils.values import seconds_to_datetime

LENGTH, POS, START, GAP = "__length", "__pos", "__start", "__gap"
LAG, DLAG, DELTA = "__lag__", "__dlag__", "__d__"
#: a positive column whose max/min reaches this ratio changes multiplicatively (population, income)
LOG_RATIO = 20.0
#: a column whose most common value has this share (zero sales, no hours) is learned as levels, not changes:
#: changes would almost never land back on that value
POINT_MASS = 0.1
#: units an index is a whole multiple of (datetimes: seconds), coarsest first
DATETIME_UNITS = (86_400.0, 3_600.0, 60.0, 1.0, 1e-3, 1e-6)
NUMBER_UNITS = (1.0, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6)
LEARNED_SDTYPES = ("numerical", "datetime", "categorical", "boolean")


def _multiple_of(values: np.ndarray, unit: float) -> bool:
    q = values / unit
    return bool(np.all(np.abs(q - np.round(q)) <= 1e-6 * np.maximum(1.0, np.abs(q)) + 1e-9))


def coarsest_unit(values: np.ndarray, units) -> float:
    """The coarsest of ``units`` every finite value is a whole multiple of (the finest one otherwise)."""
    v = values[np.isfinite(values)]
    for u in units:
        if _multiple_of(v, u):
            return u
    return units[-1]


def decimals_of(values: np.ndarray) -> int | None:
    """Decimals that hold every finite value exactly (None beyond 9: left unrounded)."""
    v = values[np.isfinite(values)]
    tol = 1e-9 * np.maximum(1.0, np.abs(v))
    for d in range(10):
        if np.all(np.abs(np.round(v, d) - v) <= tol):
            return d
    return None


class Layout:
    """The columns of a sequential table and what fit learned about them (JSON-able via ``to_dict``)."""

    def __init__(self, state: dict):
        self.__dict__.update(copy.deepcopy(state))

    def to_dict(self) -> dict:
        return copy.deepcopy(self.__dict__)

    # ------------------------------------------------------------------ fit
    @classmethod
    def learn(cls, df: pd.DataFrame, columns: dict, key: str, index, context: list, reading=(None, None)) -> "Layout":
        """Roles, numeric scales and the index unit of ``df`` (already checked, and sorted with
        ``reading``: the index's :func:`index_reading`)."""
        bad = [c for c in columns if str(c).startswith("__")]
        if bad:
            raise ParameterError(
                f"column {bad[0]!r}: names starting with '__' are kept for the sequential model's own columns; "
                "rename the column"
            )
        steps = [c for c in columns if c not in (key, index) and c not in context]
        numbers = {}
        for c in steps:
            if columns[c]["sdtype"] != "numerical":
                continue
            x = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            fin = x[np.isfinite(x)]
            if len(fin) == 0:
                continue
            lo, hi = float(fin.min()), float(fin.max())
            top = float(pd.Series(fin).value_counts(normalize=True).iloc[0])
            numbers[c] = {
                "log": bool(lo > 0 and hi / lo >= LOG_RATIO),
                "levels": bool(top >= POINT_MASS and len(fin) >= 20),
                "min": lo,
                "max": hi,
                "decimals": decimals_of(fin),
                "missing": bool(np.isnan(x).any()),
            }
        state = {
            "key": key,
            "index": index,
            "context": list(context),
            "steps": steps,
            "numbers": numbers,
            "dtypes": {c: str(df[c].dtype) for c in columns},
            "order": list(columns),
            "index_kind": None,
            "index_format": None,
            "index_parse": None,
            "unit": None,
            "gap": None,
            "min_gap": None,
        }
        if index is not None:
            kind, parse = reading
            secs = index_values(df[index], kind, parse)
            state["index_kind"] = kind
            state["index_parse"] = parse
            state["index_format"] = _text_format(df[index], columns[index], secs) if kind == "datetime" else None
            state["unit"] = coarsest_unit(secs, DATETIME_UNITS if kind == "datetime" else NUMBER_UNITS)
            keys = df[key].to_numpy()
            same = keys[1:] == keys[:-1]
            gaps = np.diff(secs)[same]
            if len(gaps):
                state["min_gap"] = float(gaps.min())
                if np.allclose(gaps, gaps[0], rtol=0, atol=1e-9 * max(1.0, abs(gaps[0]))):
                    state["gap"] = float(gaps[0])  # a regular index: every gap kept exact
        return cls(state)

    # ------------------------------------------------------------------ columns of the two models
    def learned_steps(self, columns: dict) -> list:
        return [c for c in self.steps if columns[c]["sdtype"] in LEARNED_SDTYPES]

    def learned_context(self, columns: dict) -> list:
        return [c for c in self.context if columns[c]["sdtype"] in LEARNED_SDTYPES]

    def entity_columns(self, columns: dict) -> dict:
        out = {self.key: dict(columns[self.key])}
        out.update({c: dict(columns[c]) for c in self.context})
        out[LENGTH] = {"sdtype": "numerical", "computer_representation": "Int64"}
        if self.index is not None:
            out[START] = {"sdtype": "numerical", "computer_representation": "Float"}
        out.update({c: dict(columns[c]) for c in self.steps})
        return out

    def step_columns(self, columns: dict) -> tuple[dict, list]:
        """``(columns, context_columns)`` of the step model."""
        num = {"sdtype": "numerical", "computer_representation": "Float"}
        ctx = self.learned_context(columns) + [LENGTH, POS]
        out = {c: dict(columns[c]) for c in self.learned_context(columns)}
        out[LENGTH] = {"sdtype": "numerical", "computer_representation": "Int64"}
        out[POS] = {"sdtype": "numerical", "computer_representation": "Int64"}
        for c in self.learned_steps(columns):
            # a datetime's previous value is given as seconds (a number); the others as they are
            out[LAG + c] = dict(num) if columns[c]["sdtype"] == "datetime" else dict(columns[c])
            ctx.append(LAG + c)
            if c in self.numbers:
                out[DLAG + c] = dict(num)
                ctx.append(DLAG + c)
        if self.index is not None and self.gap is None:
            out[GAP] = dict(num)
        for c in self.steps:
            if c in self.numbers:
                if not self.numbers[c]["levels"]:
                    out[DELTA + c] = dict(num)
                if self.numbers[c]["missing"] or self.numbers[c]["levels"]:
                    out[c] = dict(columns[c])
            else:
                out[c] = dict(columns[c])
        return out, ctx

    # ------------------------------------------------------------------ numbers
    def working(self, c: str, x: np.ndarray) -> np.ndarray:
        """Column ``c``'s numbers on the scale its changes are learned on."""
        if self.numbers[c]["log"]:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(np.where(x > 0, x, np.nan))
        return x

    def working_bounds(self, c: str) -> tuple[float, float]:
        spec = self.numbers[c]
        return (np.log(spec["min"]), np.log(spec["max"])) if spec["log"] else (spec["min"], spec["max"])

    def from_working(self, c: str, w: np.ndarray) -> np.ndarray:
        """Working-scale values back to numbers within the learned range and precision.

        A value grown past a bound is reflected back inside (a country at the top of the range
        that grows again turns back from it instead of piling up on the maximum), then clipped.
        """
        lo, hi = self.working_bounds(c)
        spec = self.numbers[c]
        w = np.asarray(w, dtype=float)
        w = np.where(w > hi, 2 * hi - w, w)
        w = np.where(w < lo, 2 * lo - w, w)
        with np.errstate(over="ignore", invalid="ignore"):
            x = np.exp(np.clip(w, -700, 700)) if spec["log"] else w
        x = np.clip(x, spec["min"], spec["max"])
        if spec["decimals"] is not None:
            x = np.round(x, spec["decimals"])
        return x


# ---------------------------------------------------------------------- the index
def index_reading(df: pd.DataFrame, columns: dict, index) -> tuple[str | None, str | None]:
    """``(kind, parse format)`` of the index: ``"number"`` or ``"datetime"`` (and how its text is read)."""
    if index is None:
        return None, None
    if columns[index]["sdtype"] != "datetime":
        return "number", None
    return "datetime", parse_format(df[index], columns[index])


def parse_format(s: pd.Series, meta: dict) -> str | None:
    """The format text dates are read with: the metadata's, else the one every value is written in
    (``02/07/2021`` read per value would be February in one row and July in another); None for
    datetimes and for text in mixed formats (each value read on its own)."""
    if meta.get("datetime_format") or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return meta.get("datetime_format")
    from ..metadata.detection import detect_datetime_formats

    found = detect_datetime_formats(s.dropna().astype(str))
    if found and len(found) == 1:
        return next(iter(found))
    return None


def _text_format(s: pd.Series, meta: dict, secs: np.ndarray) -> str | None:
    """The strftime format text dates are written back in (None: the column holds datetimes)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return None
    fmt = meta.get("datetime_format")
    if fmt:
        return fmt
    from ..metadata.detection import detect_datetime_formats

    found = detect_datetime_formats(s.dropna().astype(str))
    if found:  # the text's own most common format
        return max(found, key=found.get)
    fin = secs[np.isfinite(secs)]
    return "%Y-%m-%d" if _multiple_of(fin, 86_400.0) else "%Y-%m-%d %H:%M:%S"


def index_values(s: pd.Series, kind: str, fmt=None) -> np.ndarray:
    """The index as float numbers (datetimes: seconds since 1970, UTC for aware ones)."""
    if kind == "number":
        return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        dt = s
    else:
        # text: the metadata's format, else each value parsed on its own (as the data checks do)
        dt = pd.to_datetime(s, format=fmt or "mixed", errors="coerce")
    if getattr(dt.dt, "tz", None) is not None:
        dt = dt.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = dt.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float)
    ns[dt.isna().to_numpy()] = np.nan
    return ns / 1e9


def index_series(secs: np.ndarray, layout: Layout, name: str) -> pd.Series:
    """Float index values back in the index column's own form (numbers, datetimes or text dates)."""
    dtype = layout.dtypes[name]
    if layout.index_kind == "number":
        if dtype.startswith(("int", "uint", "Int", "UInt")):
            return pd.Series(np.round(secs).astype("int64"), name=name).astype(dtype)
        decimals = max(0, int(round(-np.log10(layout.unit)))) if layout.unit < 1 else 0
        return pd.Series(np.round(secs, decimals + 3 if layout.unit == NUMBER_UNITS[-1] else decimals), name=name)
    dt = pd.Series(seconds_to_datetime(secs), name=name)
    if layout.index_format is not None:
        return dt.dt.strftime(layout.index_format).astype(object)
    if "UTC" in dtype or "," in dtype:  # an aware column: the instants in its zone
        tz = dtype.split(",", 1)[1].strip(" ]")
        return dt.dt.tz_localize("UTC").dt.tz_convert(tz)
    return dt


# ---------------------------------------------------------------------- the two tables
def sort_sequences(df: pd.DataFrame, key: str, index, index_kind, fmt=None) -> pd.DataFrame:
    """Rows grouped by entity (first appearance order) and ordered by the index within each (stable)."""
    codes = pd.factorize(df[key])[0]
    cols = [codes]
    if index is not None:
        cols = [index_values(df[index], index_kind, fmt), codes]
    order = np.lexsort(cols)
    return df.iloc[order].reset_index(drop=True)


def positions(df: pd.DataFrame, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(entity code, position within the sequence, sequence length)`` of every row of a sorted frame."""
    codes = pd.factorize(df[key])[0]
    g = pd.Series(codes)
    pos = g.groupby(codes).cumcount().to_numpy()
    length = g.groupby(codes).transform("size").to_numpy()
    return codes, pos, length


def numbers_of(df: pd.DataFrame, c: str) -> np.ndarray:
    return pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def entity_table(df: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """One row per entity: key, context, ``__length``, ``__start`` and the first step's values."""
    codes, pos, length = positions(df, layout.key)
    first = df.loc[pos == 0].reset_index(drop=True)
    out = first[[layout.key] + layout.context].copy()
    out[LENGTH] = length[pos == 0].astype("int64")
    if layout.index is not None:
        out[START] = index_values(first[layout.index], layout.index_kind, layout.index_parse)
    for c in layout.steps:
        out[c] = first[c].to_numpy()
    return out


def changes(w: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Each row's change from the previous row of its sequence (NaN on a sequence's first row)."""
    d = np.full(len(w), np.nan)
    d[1:] = w[1:] - w[:-1]
    d[pos == 0] = np.nan
    return d


def step_table(df: pd.DataFrame, layout: Layout, columns: dict) -> pd.DataFrame:
    """One row per step ``t >= 1``: context, position, the previous step, the gap and the step's values."""
    codes, pos, length = positions(df, layout.key)
    rows = np.flatnonzero(pos >= 1)
    prev = rows - 1  # sorted by entity then index: the previous row is the previous step

    def values(c):  # the steps' real values, dtypes kept (Int64, categories, datetimes)
        return df[c].iloc[rows].reset_index(drop=True)

    out = {c: values(c) for c in layout.learned_context(columns)}
    out[LENGTH] = length[rows].astype("int64")
    out[POS] = pos[rows].astype("int64")
    for c in layout.steps:
        sdtype = columns[c]["sdtype"]
        if c in layout.numbers:
            x = numbers_of(df, c)
            d = changes(layout.working(c, x), pos)
            out[LAG + c], out[DLAG + c] = x[prev], d[prev]
            spec = layout.numbers[c]
            if not spec["levels"]:
                out[DELTA + c] = d[rows]
            if spec["missing"] or spec["levels"]:
                out[c] = values(c)
            continue
        if sdtype == "datetime":
            out[LAG + c] = index_values(df[c], "datetime", columns[c].get("datetime_format"))[prev]
        elif sdtype in LEARNED_SDTYPES:
            out[LAG + c] = df[c].to_numpy()[prev]
        out[c] = values(c)
    if layout.index is not None and layout.gap is None:
        secs = index_values(df[layout.index], layout.index_kind, layout.index_parse)
        out[GAP] = secs[rows] - secs[prev]
    return pd.DataFrame(out)
