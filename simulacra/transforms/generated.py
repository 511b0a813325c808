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

from .._random import int_seed
from ..errors import InvalidDataError, ParameterError
from .base import ColumnTransform
from .regex import coprime_multiplier, generate_unique, infer_regex, parse_regex, space_size


class IdTransform(ColumnTransform):
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

    def inverse(self, values, rng, positions):
        n = len(positions)
        if self.is_integer:
            out = pd.Series(self.start + positions.astype(np.int64), name=self.column)
            try:
                return out.astype(self.dtype)
            except (TypeError, ValueError):
                return out
        atoms = parse_regex(self.regex_format)
        size = space_size(atoms)
        last = int(positions.max()) + 1 if n else 0
        if last > size:
            raise ParameterError(
                f"id column {self.column!r}: its format {self.regex_format!r} allows only {size:,} distinct "
                f"values but {last:,} rows were asked for; widen regex_format in the metadata"
            )
        # the permutation parameters depend on the sampling seed, not on the batch
        mult, off = self._perm
        strings = generate_unique(atoms, positions, mult, off)
        return pd.Series(strings, name=self.column, dtype=object if self.dtype == "object" else self.dtype)

    def prepare(self, root_rng: np.random.Generator) -> None:
        """Draw the permutation used for this sampling run (called once per ``sample``)."""
        if not self.is_integer:
            size = space_size(parse_regex(self.regex_format))
            self._perm = (coprime_multiplier(size, root_rng), int(root_rng.integers(0, min(size, 2**62))))

    def get_state(self):
        st = super().get_state()
        st.update(regex_format=self.regex_format, dtype=self.dtype, null_rate=self.null_rate, is_integer=bool(self.is_integer), start=int(self.start))
        return st

    def set_state(self, st):
        super().set_state(st)
        self.regex_format = st["regex_format"]
        self.dtype = str(st["dtype"])
        self.null_rate = float(st["null_rate"])
        self.is_integer = bool(st["is_integer"])
        self.start = int(st["start"])
        if not self.is_integer:
            parse_regex(self.regex_format)


# sdtype -> Faker method
FAKER_METHODS = {
    "email": "email",
    "phone_number": "phone_number",
    "first_name": "first_name",
    "last_name": "last_name",
    "name": "name",
    "address": "address",
    "street_address": "street_address",
    "city": "city",
    "state": "state",
    "country": "country",
    "postcode": "postcode",
    "credit_card_number": "credit_card_number",
    "ipv4_address": "ipv4",
    "ipv6_address": "ipv6",
    "iban": "iban",
    "ssn": "ssn",
    "company": "company",
    "job": "job",
    "url": "url",
    "user_name": "user_name",
    "license_plate": "license_plate",
    "unknown": "pystr",
}

_POOL = 5000


def _faker(locales, seed: int):
    from faker import Faker

    try:
        f = Faker(locales or ["en_US"])
    except AttributeError as e:
        raise ParameterError(f"unknown locale in {locales!r}: {e}") from None
    f.seed_instance(seed)
    return f


class PIITransform(ColumnTransform):
    """PII column: never learned; sampled as fake values of the sdtype (missing rate kept)."""

    def __init__(self, column, sdtype, locales=None):
        super().__init__(column)
        self.sdtype = sdtype
        self.locales = list(locales) if locales else ["en_US"]

    def fit(self, series):
        self.null_rate = float(series.isna().mean())
        if self.sdtype == "unknown" and self.null_rate == 1.0:
            raise InvalidDataError(
                f"column {self.column!r} has no values (all missing), so its type cannot be learned; drop it, "
                "or declare its sdtype in the metadata"
            )
        self.dtype = str(series.dtype) if series.dtype == object or pd.api.types.is_string_dtype(series.dtype) else "object"
        if self.sdtype not in FAKER_METHODS:
            raise InvalidDataError(f"column {self.column!r}: no fake-value generator for sdtype {self.sdtype!r}")
        return self

    def _pool(self, n, rng):
        faker = _faker(self.locales, int(rng.integers(0, 2**31)))
        method = getattr(faker, FAKER_METHODS[self.sdtype])
        k = min(n, _POOL)
        pool = np.array([str(method()).replace("\n", ", ") for _ in range(k)], dtype=object)
        return pool

    def inverse(self, values, rng, positions):
        n = len(positions)
        pool = self._pool(n, rng)
        out = pool[rng.integers(0, len(pool), n)] if n > len(pool) else pool[:n]
        if self.null_rate > 0:
            out = out.copy()
            out[rng.random(n) < self.null_rate] = np.nan
        return pd.Series(out, name=self.column, dtype=object)

    def get_state(self):
        st = super().get_state()
        st.update(sdtype=self.sdtype, locales=self.locales, null_rate=self.null_rate, dtype=self.dtype)
        return st

    def set_state(self, st):
        super().set_state(st)
        self.sdtype = str(st["sdtype"])
        if self.sdtype not in FAKER_METHODS:
            raise ValueError(f"unknown PII sdtype {self.sdtype!r}")
        self.locales = [str(x) for x in st["locales"]]
        self.null_rate = float(st["null_rate"])
        self.dtype = str(st["dtype"])


class TextTransform(PIITransform):
    """Free text: fake sentences with about the real number of words."""

    def __init__(self, column, locales=None):
        super().__init__(column, "text", locales)

    def fit(self, series):
        self.null_rate = float(series.isna().mean())
        self.dtype = "object"
        words = series.dropna().astype(str).str.split().str.len()
        self.mean_words = float(words.mean()) if len(words) else 5.0
        self.max_chars = int(series.dropna().astype(str).str.len().max()) if len(words) else 200
        return self

    def _pool(self, n, rng):
        faker = _faker(self.locales, int(rng.integers(0, 2**31)))
        k = min(n, _POOL)
        nw = max(1, int(round(self.mean_words)))
        if self.max_chars > 200:
            vals = [faker.text(max_nb_chars=self.max_chars).replace("\n", " ") for _ in range(k)]
        else:
            vals = [faker.sentence(nb_words=nw).rstrip(".") if nw < 4 else faker.sentence(nb_words=nw) for _ in range(k)]
        return np.array(vals, dtype=object)

    def get_state(self):
        st = super().get_state()
        st.update(mean_words=self.mean_words, max_chars=self.max_chars)
        return st

    def set_state(self, st):
        ColumnTransform.set_state(self, st)
        self.sdtype = "text"
        self.locales = [str(x) for x in st["locales"]]
        self.null_rate = float(st["null_rate"])
        self.dtype = str(st["dtype"])
        self.mean_words = float(st["mean_words"])
        self.max_chars = int(st["max_chars"])
