"""Rows as token sequences: a per-column vocabulary the LLM synthesizer learns and decodes under constraints.

Each learned column becomes a fixed number of *slots*, and each slot allows a known set of tokens:

- a categorical or boolean column: one slot, one token per learned category;
- a numerical column: its value as an integer ``k = round((x - low) / step)`` in ``[0, K]`` written
  with ``D`` digit tokens (base ``RADIX``, most significant first), ``step``
  the learned precision (a power of ten, coarsened so that ``K < 10**7``); a digit is allowed only
  while the number stays ``<= K``;
- a datetime column: its parts, year (the learned years), month, day (only days of that month),
  and the hour, minute and second where the real values have them; the decoder keeps the parts
  between the earliest and the latest real value's (``date_low`` / ``date_high`` per slot).

A column with missing values also allows the ``NULL`` token in its first slot; its other slots are
then ``FILL``. Every sequence the decoder can emit therefore decodes to a valid row.

A row is ``[BOS] [COL_a] a-slots [COL_b] b-slots ...`` in any column order: the column tokens say
which column follows, so a model trained on permuted orders can be given any subset of columns first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError, ModelFileError

PAD, BOS, NULL, FILL = 0, 1, 2, 3
MAX_DIGITS = 7  # decimal digits of a number's integer k at most
#: a number's k is written in base RADIX, one token a digit (base 100 halves the tokens of wide numeric
#: tables but learned penguins less faithfully in as many epochs: 0.85 vs 0.89 quality)
RADIX = 10
PLACES = 7  # base-RADIX places of the largest k (RADIX ** PLACES >= 10 ** MAX_DIGITS)
#: shared token groups after the specials and the column tokens: digits per position, then date parts
_PARTS = {"month": 12, "day": 31, "hour": 24, "minute": 60, "second": 60}
_PART_LOW = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}
MAX_CATEGORIES = 100_000
MAX_COLUMNS = 2_000


def _digits_for(K: int) -> int:
    """Base-RADIX places of ``K``."""
    places, K = 1, int(K)
    while K >= RADIX**places:
        places += 1
    return places


def _numeric_plan(values: np.ndarray, decimals) -> tuple[float, float, int]:
    """``(low, step, K)`` of a numerical column from its finite values and learned decimals (None: not learned)."""
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    span = hi - lo
    if decimals is not None:
        step = 10.0 ** (-int(decimals))
    elif span > 0:
        step = 10.0 ** np.floor(np.log10(span / 1e5))
    else:
        step = 1.0
    if span / step > 10**MAX_DIGITS - 1:
        step = 10.0 ** np.ceil(np.log10(span / (10**MAX_DIGITS - 1)))
    if step >= 1:
        lo = np.floor(lo / step) * step
    K = int(np.ceil(round((hi - lo) / step, 6)))
    return lo, float(step), K


class RowCodec:
    """The vocabulary and slots of a table's learned columns (see the module docstring).

    Build with :meth:`fit` (real values) or :meth:`from_state`; :meth:`encode` turns a DataFrame
    into ``(n, T)`` token and slot arrays in a given column order, :meth:`decode` turns value
    tokens back into a DataFrame.
    """

    def __init__(self, columns: list[dict]):
        self.columns = columns
        self._build()

    # ------------------------------------------------------------------ building
    @classmethod
    def fit(cls, table: pd.DataFrame, kinds: dict) -> "RowCodec":
        """Learn the codec of ``table`` (learned columns as values); ``kinds``: {column: "cat" | "num" | "date"}."""
        from ..transforms.numerical import learn_decimals

        cols = []
        for name in table.columns:
            kind, s = kinds[name], table[name]
            col = {"name": name, "kind": kind, "nullable": bool(s.isna().any())}
            if kind == "cat":
                vals = pd.unique(s.dropna())
                col["values"] = [v.item() if hasattr(v, "item") else v for v in vals]
            elif kind == "num":
                x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
                x = x[np.isfinite(x)]
                col["low"], col["step"], col["K"] = _numeric_plan(x, learn_decimals(x, max_decimals=6) if x.size else 0)
            else:
                sec = s.to_numpy(dtype=float)
                sec = sec[np.isfinite(sec)].astype(np.int64)
                parts = _date_parts(sec) if sec.size else {"year": np.array([1970]), "sod": np.array([0])}
                col["years"] = [int(parts["year"].min()), int(parts["year"].max())]
                sod = parts["sod"]
                col["time"] = "none" if not sod.any() else ("hm" if not (sod % 60).any() else "hms")
                if sec.size:  # the earliest and latest values' parts: decoding keeps between them
                    col["range"] = [_part_list(sec.min()), _part_list(sec.max())]
            cols.append(col)
        return cls(cols)

    def _build(self) -> None:
        if len(self.columns) > MAX_COLUMNS:
            raise ModelFileError(f"LLM codec: more than {MAX_COLUMNS} columns")
        C = len(self.columns)
        self.n_specials = 4
        self.col_token = np.arange(C) + 4
        nxt = 4 + C
        self.digit_base = nxt  # token of digit v at place p: digit_base + RADIX p + v
        nxt += RADIX * PLACES
        self.part_base = {}
        for part, size in _PARTS.items():
            self.part_base[part] = nxt
            nxt += size
        slots = []  # per slot: (column, position, kind tag)
        self.value_base, self.slot_start, self.lengths = [], [], []
        for j, col in enumerate(self.columns):
            self.slot_start.append(len(slots))
            kind = col["kind"]
            if kind == "cat":
                k = len(col["values"])
                if not 0 < k <= MAX_CATEGORIES:
                    raise ModelFileError(f"LLM codec: column {col['name']!r} has {k} categories")
                self.value_base.append(nxt)
                nxt += k
                tags = ["cat"]
            elif kind == "num":
                K = int(col["K"])
                if not 0 <= K < 10**MAX_DIGITS or not float(col["step"]) > 0:
                    raise ModelFileError(f"LLM codec: column {col['name']!r} has an invalid number plan")
                col["digits"] = _digits_for(K)
                self.value_base.append(None)
                tags = [f"#{p}" for p in range(col["digits"])]
            elif kind == "date":
                y0, y1 = (int(v) for v in col["years"])
                if not 1 <= y0 <= y1 <= 9999 or col.get("time") not in ("none", "hm", "hms"):
                    raise ModelFileError(f"LLM codec: column {col['name']!r} has an invalid date plan")
                self.value_base.append(nxt)
                nxt += y1 - y0 + 1
                tags = ["year", "month", "day"] + {
                    "none": [],
                    "hm": ["hour", "minute"],
                    "hms": ["hour", "minute", "second"],
                }[col["time"]]
            else:
                raise ModelFileError(f"LLM codec: unknown column kind {kind!r}")
            self.lengths.append(len(tags))
            slots += [(j, p, t) for p, t in enumerate(tags)]
        self.vocab_size = nxt
        self.slots = slots
        S = len(slots)
        # slot ids: 0 = BOS position, 1..C = column-token positions, C+1.. = value slots
        self.n_slots = 1 + C + S
        allowed = np.zeros((self.n_slots, self.vocab_size), dtype=bool)
        allowed[0, BOS] = True
        allowed[1 + np.arange(C), self.col_token] = True
        self.digit_slot = np.full(self.n_slots, -1)  # the position of a digit slot
        self.bound = np.full((self.n_slots,), RADIX - 1)  # the digit of K at a digit slot
        self.day_slot = np.zeros(self.n_slots, dtype=bool)
        self.first_slot = np.zeros(self.n_slots, dtype=bool)
        self.nullable_slot = np.zeros(self.n_slots, dtype=bool)
        self.slot_column = np.full(self.n_slots, -1)
        # a date's slots: the tokens of its earliest and latest values' parts (-1: no bound)
        self.date_low = np.full(self.n_slots, -1, dtype=np.int64)
        self.date_high = np.full(self.n_slots, -1, dtype=np.int64)
        for s, (j, p, tag) in enumerate(slots):
            sid = 1 + C + s
            col = self.columns[j]
            self.slot_column[sid] = j
            self.first_slot[sid] = p == 0
            if tag == "cat":
                allowed[sid, self.value_base[j] : self.value_base[j] + len(col["values"])] = True
            elif tag.startswith("#"):
                allowed[sid, self.digit_base + RADIX * p : self.digit_base + RADIX * (p + 1)] = True
                self.digit_slot[sid] = p
                self.bound[sid] = int(col["K"]) // RADIX ** (col["digits"] - 1 - p) % RADIX
            elif tag == "year":
                y0, y1 = col["years"]
                allowed[sid, self.value_base[j] : self.value_base[j] + y1 - y0 + 1] = True
            else:
                allowed[sid, self.part_base[tag] : self.part_base[tag] + _PARTS[tag]] = True
                self.day_slot[sid] = tag == "day"
            if col["kind"] == "date" and col.get("range") is not None:
                base = self.value_base[j] - col["years"][0] if tag == "year" else self.part_base[tag] - _PART_LOW[tag]
                rng_ = col["range"]
                ok = (
                    isinstance(rng_, list) and len(rng_) == 2 and all(isinstance(r, list) and len(r) == 6 for r in rng_)
                )
                lo, hi = (int(r[_PART_INDEX[tag]]) + base for r in rng_) if ok else (-1, -1)
                if not (ok and 0 <= lo < nxt and 0 <= hi < nxt and allowed[sid, lo] and allowed[sid, hi]):
                    raise ModelFileError(f"LLM codec: column {col['name']!r} has an invalid date range")
                if p == 0 and lo > hi:
                    raise ModelFileError(f"LLM codec: column {col['name']!r} has an invalid date range")
                self.date_low[sid], self.date_high[sid] = lo, hi
            if col["nullable"]:
                allowed[sid, NULL if p == 0 else FILL] = True
                self.nullable_slot[sid] = p == 0
        self.allowed = allowed
        tok_digit = np.full(self.vocab_size, -1)
        tok_digit[self.digit_base : self.digit_base + RADIX * PLACES] = np.tile(np.arange(RADIX), PLACES)
        self.token_digit = tok_digit
        tok_day = np.zeros(self.vocab_size, dtype=np.int64)
        tok_day[self.part_base["day"] : self.part_base["day"] + 31] = np.arange(1, 32)
        self.token_day = tok_day
        self.seq_len = 1 + C + S
        self.kind_code = np.array([{"cat": 0, "num": 1, "date": 2}[c["kind"]] for c in self.columns] or [0])
        self._group_slots()

    def _group_slots(self) -> None:
        """``slot_group`` (per slot id, -1 off value slots) and ``groups`` ``[(first, end, nullable slot ids)]``.

        A value slot's tokens are one contiguous range (a column's categories or years, the digits of
        a position, a date part), plus ``NULL`` in a nullable column's first slot; slots with the same
        range share a group (the digits of position p in every numerical column). Training and
        decoding score each slot's group only, not the whole vocabulary.
        """
        group_of = np.full(self.n_slots, -1, dtype=np.int64)
        ranges: dict = {}
        for sid in range(1 + len(self.columns), self.n_slots):
            ids = np.flatnonzero(self.allowed[sid])
            ids = ids[ids > FILL]
            group_of[sid] = ranges.setdefault((int(ids[0]), int(ids[-1]) + 1), len(ranges))
        self.slot_group = group_of
        self.groups = [
            (a, b, np.flatnonzero((group_of == g) & self.nullable_slot))
            for (a, b), g in sorted(ranges.items(), key=lambda kv: kv[1])
        ]

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self.columns]

    # ------------------------------------------------------------------ values <-> tokens
    def column_tokens(self, j: int, series: pd.Series) -> np.ndarray:
        """``(n, L_j)`` tokens of column ``j``'s values (missing: NULL then FILL)."""
        col, n = self.columns[j], len(series)
        L = self.lengths[j]
        out = np.full((n, L), FILL, dtype=np.int64)
        kind = col["kind"]
        if kind == "cat":
            codes = pd.Categorical(series, categories=pd.Index(col["values"], dtype=object)).codes.astype(np.int64)
            missing = np.asarray(series.isna())
            unknown = (codes < 0) & ~missing
            if unknown.any():
                bad = series[unknown].iloc[0]
                raise ConstraintError(f"column {col['name']!r} never took the value {bad!r} in the real data")
            out[:, 0] = np.where(missing, NULL, self.value_base[j] + codes)
        elif kind == "num":
            x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
            missing = ~np.isfinite(x)
            k = np.clip(np.rint((np.where(missing, col["low"], x) - col["low"]) / col["step"]), 0, col["K"]).astype(
                np.int64
            )
            D = col["digits"]
            for p in range(D):
                d = (k // RADIX ** (D - 1 - p)) % RADIX
                out[:, p] = np.where(missing, FILL, self.digit_base + RADIX * p + d)
            out[missing, 0] = NULL
        else:
            sec = series.to_numpy(dtype=float)
            missing = ~np.isfinite(sec)
            parts = _date_parts(np.where(missing, 0, sec).astype(np.int64))
            y0, y1 = col["years"]
            out[:, 0] = self.value_base[j] + np.clip(parts["year"], y0, y1) - y0
            sod = parts["sod"]
            values = {
                "month": parts["month"],
                "day": parts["day"],
                "hour": sod // 3600,
                "minute": sod // 60 % 60,
                "second": sod % 60,
            }
            for p, (_, _, tag) in enumerate(self.slots[self.slot_start[j] : self.slot_start[j] + L]):
                if p:
                    out[:, p] = self.part_base[tag] + values[tag] - _PART_LOW[tag]
            out[missing, 0] = NULL
            out[missing, 1:] = FILL
        if not self.columns[j]["nullable"] and (out[:, 0] == NULL).any():
            raise ConstraintError(f"column {col['name']!r} had no missing values in the real data")
        return out

    def decode_column(self, j: int, tok: np.ndarray) -> pd.Series:
        """Values of column ``j`` from its ``(n, L_j)`` tokens."""
        col = self.columns[j]
        missing = tok[:, 0] == NULL
        kind = col["kind"]
        if kind == "cat":
            vals = np.empty(len(col["values"]) + 1, dtype=object)
            vals[:-1] = col["values"]
            vals[-1] = None
            codes = np.where(missing, len(col["values"]), tok[:, 0] - self.value_base[j])
            return pd.Series(vals[codes], name=col["name"], dtype=object)
        if kind == "num":
            D = col["digits"]
            k = np.zeros(len(tok), dtype=np.int64)
            for p in range(D):
                k = k * RADIX + np.where(missing, 0, tok[:, p] - self.digit_base - RADIX * p)
            x = col["low"] + k * col["step"]
            return pd.Series(np.where(missing, np.nan, x), name=col["name"])
        y0 = col["years"][0]
        year = np.where(missing, 1970, tok[:, 0] - self.value_base[j] + y0)
        part = {}
        for p, (_, _, tag) in enumerate(self.slots[self.slot_start[j] : self.slot_start[j] + self.lengths[j]]):
            if p:
                part[tag] = np.where(missing, _PART_LOW[tag], tok[:, p] - self.part_base[tag] + _PART_LOW[tag])
        months = (year - 1970) * 12 + part["month"] - 1
        days = months.astype("datetime64[M]").astype("datetime64[D]") + (part["day"] - 1)
        sec = days.astype("datetime64[s]") + (
            part.get("hour", 0) * 3600 + part.get("minute", 0) * 60 + part.get("second", 0)
        )
        out = pd.Series(sec, name=col["name"])
        out[missing] = pd.NaT
        return out

    def encode_table(self, table: pd.DataFrame) -> list[np.ndarray]:
        """Each column's ``(n, L_j)`` tokens."""
        return [self.column_tokens(j, table[c]) for j, c in enumerate(self.names)]

    def decode_table(self, tokens: np.ndarray, order: np.ndarray) -> pd.DataFrame:
        """The DataFrame of sequences ``tokens`` (n, T) laid out in ``order`` (n, C)."""
        starts = self.starts(order)
        n = len(tokens)
        out = {}
        for j, c in enumerate(self.names):
            pos = starts[:, j][:, None] + 1 + np.arange(self.lengths[j])
            out[c] = self.decode_column(j, tokens[np.arange(n)[:, None], pos])
        return pd.DataFrame(out, index=pd.RangeIndex(n))  # n rows even with no learned column

    # ------------------------------------------------------------------ layouts
    def starts(self, order: np.ndarray) -> np.ndarray:
        """``(n, C)``: where each column's token sits in each row laid out in ``order``."""
        block = 1 + np.asarray(self.lengths)
        lens = block[order]
        first = 1 + np.cumsum(lens, axis=1) - lens
        starts = np.empty_like(order)
        np.put_along_axis(starts, order, first, axis=1)
        return starts

    def layout(self, col_tokens: list[np.ndarray] | None, order: np.ndarray, n: int):
        """``(tokens, slots)`` of ``n`` rows in ``order``; tokens -1 where ``col_tokens`` is None or holds -1 (free)."""
        T = self.seq_len
        tokens = np.full((n, T), -1, dtype=np.int64)
        slots = np.zeros((n, T), dtype=np.int64)
        tokens[:, 0] = BOS
        starts = self.starts(order)
        rows = np.arange(n)[:, None]
        C = len(self.columns)
        for j in range(C):
            pos = starts[:, j][:, None] + np.arange(1 + self.lengths[j])
            tokens[rows, pos[:, :1]] = self.col_token[j]
            slots[rows, pos[:, :1]] = 1 + j
            slots[rows, pos[:, 1:]] = 1 + C + self.slot_start[j] + np.arange(self.lengths[j])
            if col_tokens is not None and col_tokens[j] is not None:
                tokens[rows, pos[:, 1:]] = col_tokens[j]
        return tokens, slots

    # ------------------------------------------------------------------ state
    def get_state(self) -> list[dict]:
        return [{k: v for k, v in c.items() if k != "digits"} for c in self.columns]

    @classmethod
    def from_state(cls, state) -> "RowCodec":
        if not isinstance(state, list) or not all(isinstance(c, dict) for c in state):
            raise ModelFileError("model file: the LLM codec must be a list of column objects")
        try:
            return cls([dict(c) for c in state])
        except (KeyError, TypeError, ValueError) as e:
            raise ModelFileError(f"model file: invalid LLM codec ({type(e).__name__}: {str(e)[:100]})") from None


_PART_INDEX = {"year": 0, "month": 1, "day": 2, "hour": 3, "minute": 4, "second": 5}


def _part_list(sec) -> list[int]:
    """``[year, month, day, hour, minute, second]`` of one time in seconds since 1970."""
    p = _date_parts(np.array([int(sec)], dtype=np.int64))
    sod = int(p["sod"][0])
    return [int(p["year"][0]), int(p["month"][0]), int(p["day"][0]), sod // 3600, sod // 60 % 60, sod % 60]


def _date_parts(sec: np.ndarray) -> dict:
    """Calendar parts of seconds since 1970 (vectorized)."""
    t = sec.astype("datetime64[s]")
    months = t.astype("datetime64[M]")
    days = t.astype("datetime64[D]")
    return {
        "year": months.astype("datetime64[Y]").astype(np.int64) + 1970,
        "month": months.astype(np.int64) % 12 + 1,
        "day": (days - months.astype("datetime64[D]")).astype(np.int64) + 1,
        "sod": (t - days.astype("datetime64[s]")).astype(np.int64),
    }


def days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Days of each (year, month)."""
    m = (np.asarray(year) - 1970) * 12 + np.asarray(month) - 1
    start = m.astype("datetime64[M]")
    return ((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype(np.int64)
