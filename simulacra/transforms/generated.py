"""Columns that are not learned but generated: ids, PII and free text.

- ids are regenerated unique, in the input's shape (``AB-0001`` -> ``XQ-4821``), or as
  consecutive integers for integer ids;
- PII columns (email, phone_number, name, ...) are filled with fake values of the same kind, so no
  real value can leak through them;
- free text is filled with fake sentences of about the real length.

Only the missing-value rate (and, for text, the typical length) is learned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidDataError, ParameterError
from .base import ColumnTransform, check_rate
from ..utils.regex import coprime_multiplier, generate_unique, infer_regex, parse_regex, space_size


class IdTransform(ColumnTransform):
    """Ids, generated unique from the rows' global positions (no outputs: not learned).

    Integer ids are consecutive from the learned start; text ids follow the learned (or given)
    ``regex_format`` through a permutation drawn once per run (:meth:`new_run_state`).
    """

    sdtype = "id"

    def __init__(self, column, regex_format=None):
        super().__init__(column)
        self.regex_format = regex_format

    def fit(self, series):
        nonnull = series.dropna()
        self.dtype = str(series.dtype)
        self.null_rate = float(series.isna().mean())
        self.is_integer = pd.api.types.is_integer_dtype(series.dtype) or (
            pd.api.types.is_float_dtype(series.dtype) and len(nonnull) > 0 and bool(np.all(np.mod(nonnull, 1) == 0))
        )
        self.start = int(nonnull.min()) if self.is_integer and len(nonnull) else 0
        if not self.is_integer:
            rx = self.regex_format or infer_regex(nonnull.astype(str).to_numpy()[:5000])
            if rx is None:
                rx = "[A-Za-z0-9]{%d}" % max(6, int(np.ceil(np.log(max(len(series), 2)) / np.log(62))) + 2)
            self.regex_format = rx
            parse_regex(rx)
        return self

    def inverse(self, values, rng, positions, run_state=None):
        n = len(positions)
        if self.is_integer:
            last = self.start + (int(positions.max()) if n else 0)
            try:
                dt = pd.api.types.pandas_dtype(self.dtype)
                npdt = getattr(dt, "numpy_dtype", dt)
                info = np.iinfo(npdt) if npdt.kind in "iu" else None
            except (TypeError, ValueError):
                info = None
            if info is not None and last > info.max:
                raise ParameterError(
                    f"id column {self.column!r} ({self.dtype}) cannot hold {n:,} distinct ids from {self.start}: "
                    f"its largest value is {info.max}; change its dtype (e.g. to int64) before fitting"
                )
            out = pd.Series(self.start + positions.astype(np.int64), name=self.column)
            try:
                out = out.astype(self.dtype)
            except (TypeError, ValueError):
                pass
        else:
            if run_state is None:
                raise ValueError(f"id column {self.column!r}: decoding needs the run state (new_run_state)")
            atoms, mult, off = run_state
            size = space_size(atoms)
            last = int(positions.max()) + 1 if n else 0
            if last > size:
                raise ParameterError(
                    f"id column {self.column!r}: its format {self.regex_format!r} allows only {size:,} distinct "
                    f"values but {last:,} rows were asked for; widen regex_format in the metadata"
                )
            # the permutation parameters depend on the sampling seed, not on the batch
            strings = generate_unique(atoms, positions, mult, off)
            out = pd.Series(strings, name=self.column, dtype=object if self.dtype == "object" else self.dtype)
        if self.null_rate > 0 and n:
            out = (
                out.astype(object)
                if not isinstance(out.dtype, pd.api.extensions.ExtensionDtype) and out.dtype.kind in "iu"
                else out
            )
            out[rng.random(n) < self.null_rate] = None
        return out

    positional = True

    def new_run_state(self, rng: np.random.Generator, num_rows: int | None = None):
        """The id shape and permutation of one sampling run: ``(atoms, multiplier, offset)``.

        When more rows are asked for than the learned shape allows (``[A-Z]{2}`` has 676), the
        shape is extended with digits so that every id stays unique. Integer ids need none.
        """
        if self.is_integer:
            return None
        atoms = parse_regex(self.regex_format)
        while num_rows is not None and space_size(atoms) < num_rows:
            atoms = atoms + ["0123456789"]
        size = space_size(atoms)
        return atoms, coprime_multiplier(size, rng), int(rng.integers(0, min(size, 2**62)))

    def get_state(self):
        st = super().get_state()
        st.update(
            regex_format=self.regex_format,
            dtype=self.dtype,
            null_rate=self.null_rate,
            is_integer=bool(self.is_integer),
            start=int(self.start),
        )
        return st

    def set_state(self, st):
        super().set_state(st)
        self.regex_format = st["regex_format"]
        self.dtype = str(st["dtype"])
        self.null_rate = check_rate(st["null_rate"])
        self.is_integer = bool(st["is_integer"])
        self.start = int(st["start"])
        if abs(self.start) >= 2**62 or self.output_names:
            raise ValueError("invalid id start or outputs")
        if not self.is_integer:
            parse_regex(self.regex_format)
        from ._state_checks import check_value_dtype

        check_value_dtype(self.dtype, "dtype")


class PIITransform(ColumnTransform):
    """PII column: never learned; sampled as fake values of the sdtype (missing rate kept).

    With ``pseudonymize_key``, each real value is replaced by its keyed pseudonym (the same real
    value always gives the same fake value under the same key) and samples are drawn from the
    pseudonyms with the real frequencies; only pseudonyms are stored, never real values.
    """

    def __init__(self, column, sdtype, locales=None, pseudonymize_key=None):
        super().__init__(column)
        self.sdtype = sdtype
        self.locales = list(locales) if locales else ["en_US"]
        self.pseudonymize_key = pseudonymize_key
        self.values = None
        self.probabilities = None

    #: set by ``TableTransformer(primary_key=...)``: values unique in a run, from the row index
    is_key = False

    @property
    def positional(self):
        """A primary-key column's values follow the rows' global positions (unique in a run)."""
        return self.is_key

    def fit(self, series):
        from ..fake.locales import check_locale

        for loc in self.locales:
            check_locale(loc)
        self.null_rate = float(series.isna().mean())
        if self.sdtype == "unknown" and self.null_rate == 1.0:
            raise InvalidDataError(
                f"column {self.column!r} has no values (all missing), so its type cannot be learned; drop it, "
                "or declare its sdtype in the metadata"
            )
        self.dtype = (
            str(series.dtype) if series.dtype == object or pd.api.types.is_string_dtype(series.dtype) else "object"
        )
        if self.pseudonymize_key is not None and self.null_rate < 1.0:
            from ..fake.pseudonym import pseudonymize

            fake = pseudonymize(series.dropna(), self.sdtype, self.pseudonymize_key, self.locales[0])
            counts = fake.value_counts(sort=False)
            self.values = [str(v) for v in counts.index]
            self.probabilities = counts.to_numpy(dtype=float) / counts.sum()
        return self

    def _fake(self, n, rng):
        from ..fake.pseudonym import fake_values

        if len(self.locales) == 1:
            return fake_values(self.sdtype, n, rng, self.locales[0]).to_numpy(dtype=object)
        which = rng.integers(0, len(self.locales), n)
        out = np.empty(n, dtype=object)
        for k, loc in enumerate(self.locales):
            idx = np.flatnonzero(which == k)
            if idx.size:
                out[idx] = fake_values(self.sdtype, idx.size, rng, loc).to_numpy(dtype=object)
        return out

    def inverse(self, values, rng, positions, run_state=None):
        n = len(positions)
        if self.values is not None:
            cats = np.empty(len(self.values), dtype=object)
            cats[:] = self.values
            out = cats[rng.choice(len(cats), size=n, p=self.probabilities)]
        else:
            out = self._fake(n, rng)
        if self.is_key:
            if self.null_rate > 0:
                rng.random(n)  # the same draws as a non-key column: the columns after it keep their values
            keys = unique_by_index(out, self.sdtype, positions, run_state, self.column)
            return pd.Series(keys, name=self.column, dtype=object)
        if self.null_rate > 0:
            out = out.copy()
            out[rng.random(n) < self.null_rate] = np.nan
        return pd.Series(out, name=self.column, dtype=object)

    def new_run_state(self, rng: np.random.Generator, num_rows: int | None = None):
        """For a primary key: ``(width, multiplier, offset)`` of the permutation of the row index
        written into each value (``width`` decimal digits); None otherwise."""
        if not self.is_key:
            return None
        width = max(4, len(str(max(int(num_rows or 10**9) - 1, 0))))
        size = 10**width
        return width, coprime_multiplier(size, rng), int(rng.integers(0, size))

    def get_state(self):
        st = super().get_state()
        st.update(
            sdtype=self.sdtype,
            locales=self.locales,
            null_rate=self.null_rate,
            dtype=self.dtype,
            values=self.values,
            probabilities=self.probabilities,
        )
        return st

    def set_state(self, st):
        super().set_state(st)
        from ..fake.pseudonym import FAKER_METHODS, SDTYPE_FIELDS

        self.sdtype = str(st["sdtype"])
        if self.sdtype not in SDTYPE_FIELDS and self.sdtype not in FAKER_METHODS:
            raise ValueError(f"unknown PII sdtype {self.sdtype!r}")
        self.locales = [str(x) for x in st["locales"]]
        from ._state_checks import check_locales, check_value_dtype

        check_locales(self.locales, "locales")
        check_value_dtype(str(st["dtype"]), "dtype")
        self.null_rate = check_rate(st["null_rate"])
        self.dtype = str(st["dtype"])
        self.pseudonymize_key = None
        self.values = None if st.get("values") is None else [str(v) for v in st["values"]]
        self.probabilities = None if st.get("probabilities") is None else np.asarray(st["probabilities"], dtype=float)
        if self.values is not None and (self.probabilities is None or len(self.probabilities) != len(self.values)):
            raise ValueError("pseudonym values and probabilities differ in length")
        if self.probabilities is not None:
            p = self.probabilities
            if p.ndim != 1 or not np.all(np.isfinite(p)) or (p < 0).any() or abs(float(p.sum()) - 1.0) > 1e-6:
                raise ValueError("pseudonym probabilities must be non-negative and sum to 1")


def unique_by_index(values, sdtype: str, positions: np.ndarray, run_state, column: str = "") -> np.ndarray:
    """``values`` (fake strings) made unique in a run: the permuted row index is written into each.

    The index ``(position * multiplier + offset) mod 10**width`` (``run_state``) is a permutation, so
    two rows of a run never get the same ``width`` digits:

    - e-mails get them at the end of the user part (its own trailing digits dropped);
    - credit-card numbers in the digits before the check digit, which is then redone (Luhn);
    - other values in their last ``width`` decimal digits, appended (``-0042``) to those with fewer.

    In each case the digits can be read back from the value, so equal values mean equal indexes.
    """
    if run_state is None:
        raise ValueError(f"key column {column!r}: decoding needs the run state (new_run_state)")
    width, mult, off = run_state
    size = 10**width
    positions = np.asarray(positions, dtype=np.int64)
    if len(positions) and int(positions.max()) >= size:
        raise ParameterError(
            f"key column {column!r}: {int(positions.max()) + 1:,} rows is more than the run was planned for ({size:,})"
        )
    if size <= 2**31:
        idx = (positions * mult + off) % size
    else:  # the product could overflow int64
        idx = np.asarray((positions.astype(object) * mult + off) % size, dtype=np.int64)
    digits = pd.Series(idx).astype(str).str.zfill(width)
    s = pd.Series(values, dtype=object).fillna("").astype(str)
    if sdtype == "email":
        user, _, domain = (s.str.rpartition("@")[k] for k in (0, 1, 2))
        missing = user == ""
        user = user.where(~missing, domain).str.replace(r"\d+$", "", regex=True)
        domain = domain.where(~missing, "example.com")
        return (user + digits + "@" + domain).to_numpy(dtype=object)
    extra = 1 if sdtype == "credit_card_number" else 0
    arr = s.to_numpy(dtype=str)
    codes = arr.view(np.uint32).reshape(len(arr), -1) if len(arr) else np.zeros((0, 1), np.uint32)
    isdig = (codes >= 48) & (codes <= 57)
    short = isdig.sum(axis=1) < width + extra
    if short.any():  # too few digits to hold the index: appended
        s[short] = s[short] + "-" + digits[short] + ("0" if extra else "")
        arr = s.to_numpy(dtype=str)
        codes = arr.view(np.uint32).reshape(len(arr), -1)
        isdig = (codes >= 48) & (codes <= 57)
    rank = np.cumsum(isdig[:, ::-1], axis=1, dtype=np.int16)[:, ::-1] * isdig  # 1 = last digit, 0 = none
    codes = codes.copy()
    k = rank - extra  # 1..width: the index's digits, from the last
    rows, cols = np.nonzero((k >= 1) & (k <= width))
    index_digits = (idx[:, None] // 10 ** np.arange(width, dtype=np.int64)) % 10 + 48
    codes[rows, cols] = index_digits[rows, k[rows, cols] - 1]
    if extra:
        d = np.where(isdig, codes.astype(np.int16) - 48, 0)
        doubled = d * 2 - 9 * (d > 4)
        v = np.where(rank % 2 == 0, doubled, d) * (rank >= 2)
        check = (10 - v.sum(axis=1) % 10) % 10
        rows, cols = np.nonzero(rank == 1)
        codes[rows, cols] = 48 + check[rows]
    out = codes.view(f"<U{codes.shape[1]}").ravel()
    return out.astype(object)


class TextTransform(PIITransform):
    """Free text: fake sentences with about the real number of words."""

    def __init__(self, column, locales=None):
        super().__init__(column, "text", locales)

    def fit(self, series):
        self.null_rate = float(series.isna().mean())
        self.dtype = "object"
        texts = series.dropna().astype(str)
        if len(texts) > 20_000:
            texts = texts.sample(20_000, random_state=0)
        values = texts.tolist()
        self.mean_words = float(np.mean([len(v.split()) for v in values])) if values else 5.0
        self.max_chars = max((len(v) for v in values), default=200)
        return self

    def _fake(self, n, rng):
        from ..fake import Fake

        fake = Fake(locale=self.locales[0], seed=rng)
        if self.max_chars > 200:
            return fake.text.paragraph(n, nb_sentences=max(1, int(round(self.mean_words / 9)))).to_numpy(dtype=object)
        text = fake.text.sentence(n, nb_words=max(1, int(round(self.mean_words)))).to_numpy(dtype=object)
        return text

    def get_state(self):
        st = ColumnTransform.get_state(self)
        st.update(
            sdtype="text",
            locales=self.locales,
            null_rate=self.null_rate,
            dtype=self.dtype,
            mean_words=self.mean_words,
            max_chars=self.max_chars,
        )
        return st

    def set_state(self, st):
        ColumnTransform.set_state(self, st)
        self.sdtype = "text"
        self.values = None
        self.probabilities = None
        self.pseudonymize_key = None
        self.locales = [str(x) for x in st["locales"]]
        self.null_rate = check_rate(st["null_rate"])
        self.dtype = str(st["dtype"])
        from ._state_checks import check_locales, check_value_dtype

        check_locales(self.locales, "locales")
        check_value_dtype(self.dtype, "dtype")
        self.mean_words = float(st["mean_words"])
        self.max_chars = int(st["max_chars"])
        if not (0 <= self.mean_words <= 10_000 and 0 <= self.max_chars <= 10**7):
            raise ValueError("text lengths out of range")
