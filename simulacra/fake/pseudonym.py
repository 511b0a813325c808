"""Fake values for PII columns, and keyed pseudonymization.

``fake_values(sdtype, n, seed)`` makes ``n`` fake values of a PII sdtype with the vectorized engine.

``pseudonymize(values, sdtype, key)`` maps each real value to a fake value of the same kind,
always the same for the same value and key, so that joins across tables survive anonymization;
the real value cannot be recovered without the key. The fake value is generated from the
value's HMAC-SHA256 under the key: the random numbers the generator draws for that row are
derived from the HMAC (counter-based, like a stream cipher), so a value's pseudonym does not
depend on which other values are present.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import numpy as np
import pandas as pd

from ..errors import ParameterError

#: PII sdtype -> Fake field
SDTYPE_FIELDS = {
    "email": "internet.email",
    "phone_number": "phone.phone_number",
    "first_name": "person.first_name",
    "last_name": "person.last_name",
    "name": "person.full_name",
    "address": "address.address",
    "street_address": "address.street_address",
    "city": "address.city",
    "state": "address.state",
    "country": "address.country",
    "postcode": "address.postcode",
    "credit_card_number": "finance.credit_card_number",
    "ipv4_address": "internet.ipv4",
    "ipv6_address": "internet.ipv6",
    "iban": "finance.iban",
    "url": "internet.url",
    "user_name": "internet.username",
}
#: PII sdtypes made by Faker's own method (through the engine's pool)
FAKER_METHODS = {"ssn": "ssn", "company": "company", "job": "job", "license_plate": "license_plate", "unknown": "pystr"}

_MASK = (1 << 64) - 1
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def _mix(x):
    """SplitMix64 finalizer on uint64 arrays (wrap-around arithmetic)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _mix_int(*values: int) -> int:
    h = hashlib.blake2b(repr(values).encode(), digest_size=8).digest()
    return int.from_bytes(h, "little")


class HashRNG:
    """A ``numpy.random.Generator`` stand-in whose draws for row *i* depend only on ``hashes[i]``.

    Supports what the fake providers use: ``integers``, ``random``, ``choice`` and ``subset`` (the
    generator of a subset of rows, e.g. the rows that got one template).
    """

    def __init__(self, hashes: np.ndarray, base: int, stream: int = 0):
        self.h = np.asarray(hashes, dtype=np.uint64)
        self.base = int(base) & _MASK
        self.stream = int(stream) & _MASK
        self.calls = 0

    def _counter(self) -> np.uint64:
        c = _mix_int(self.base, self.stream, self.calls)
        self.calls += 1
        return np.uint64(c)

    def _bits(self, k: int) -> np.ndarray:
        c = self._counter()
        with np.errstate(over="ignore"):
            x = (self.h[:, None] ^ c) + np.arange(1, k + 1, dtype=np.uint64)[None, :] * _GOLD
        return _mix(_mix(x))

    def _shape(self, size):
        shape = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
        if shape[0] != len(self.h):
            raise ValueError("HashRNG draws one value per row")
        return shape, int(np.prod(shape[1:])) if len(shape) > 1 else 1

    def random(self, size=None):
        if size is None:
            return (self._counter() >> np.uint64(11)) * 2.0**-53
        shape, k = self._shape(size)
        return ((self._bits(k) >> np.uint64(11)) * 2.0**-53).reshape(shape)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        if high is None:
            low, high = 0, low
        span = int(high) - int(low) + (1 if endpoint else 0)
        if span <= 0:
            raise ValueError("high <= low")
        if size is None:
            return int(low) + int(self._counter()) % span
        shape, k = self._shape(size)
        vals = (self._bits(k) % np.uint64(span)).astype(np.int64) + int(low)
        return vals.reshape(shape).astype(dtype)

    def choice(self, a, size=None, replace=True, p=None):
        n = int(a) if isinstance(a, (int, np.integer)) else len(a)
        if p is None:
            idx = self.integers(0, n, size)
        else:
            idx = np.minimum(np.searchsorted(np.cumsum(p), self.random(size), side="right"), n - 1)
        return idx if isinstance(a, (int, np.integer)) else np.asarray(a)[idx]

    def subset(self, idx: np.ndarray, tag) -> "HashRNG":
        return HashRNG(self.h[idx], self.base, _mix_int(self.stream, self.calls, tag))


def field_for(sdtype: str) -> str | None:
    return SDTYPE_FIELDS.get(sdtype)


def _generate(sdtype: str, n: int, rng, locale: str):
    from .core import Fake, engine_for, to_series

    engine = engine_for(locale)
    field = SDTYPE_FIELDS.get(sdtype)
    if field is not None:
        return to_series(Fake(locale=locale, seed=0).generate(field, n, rng, engine))
    method = FAKER_METHODS.get(sdtype, sdtype)
    return to_series(engine.pool(method, n, rng))


def fake_values(sdtype: str, n: int, seed=None, locale: str = "en_US") -> pd.Series:
    """``n`` fake values of a PII sdtype."""
    from .._random import as_generator

    return _generate(sdtype, n, as_generator(seed), locale)


def new_key() -> str:
    """A random secret key for :func:`pseudonymize`."""
    return secrets.token_hex(16)


def _key_bytes(key) -> bytes:
    if isinstance(key, bytes):
        k = key
    elif isinstance(key, str):
        k = key.encode("utf-8")
    else:
        raise ParameterError("the pseudonymization key must be a string or bytes")
    if len(k) < 8:
        raise ParameterError("the pseudonymization key must have at least 8 characters")
    return k


def pseudonymize(values, sdtype: str, key, locale: str = "en_US") -> pd.Series:
    """Replace each real value by its keyed fake counterpart (missing values stay missing)."""
    k = _key_bytes(key)
    s = pd.Series(values).reset_index(drop=True)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series([None] * len(s), dtype=object)
    hashes = np.fromiter(
        (
            int.from_bytes(hmac.new(k, f"{sdtype}\x00{u}".encode("utf-8"), hashlib.sha256).digest()[:8], "little")
            for u in uniques
        ),
        dtype=np.uint64,
        count=len(uniques),
    )
    base = int.from_bytes(hmac.new(k, f"base\x00{sdtype}\x00{locale}".encode(), hashlib.sha256).digest()[:8], "little")
    fake = _generate(sdtype, len(uniques), HashRNG(hashes, base), locale)
    if sdtype in ("email", "user_name"):
        # identifiers: widen the space with four digits from the hash so that distinct real
        # values practically never share a pseudonym
        digits = pd.Series((hashes >> np.uint64(24)) % np.uint64(10000)).astype(str).str.zfill(4).to_numpy()
        if sdtype == "email":
            parts = fake.str.split("@", n=1, expand=True)
            fake = parts[0] + pd.Series(digits, index=parts.index) + "@" + parts[1]
        else:
            fake = fake + pd.Series(digits, index=fake.index)
    out = fake.iloc[np.maximum(codes, 0)].reset_index(drop=True).astype(object)
    out[codes < 0] = None
    return out


def pseudonymize_table(df: pd.DataFrame, metadata=None, key=None, columns=None, locale: str = "en_US"):
    """Pseudonymize the PII columns of ``df`` (detected, or named in ``columns`` as {column: sdtype}).

    Returns ``(pseudonymized DataFrame, key)``; keep the key to pseudonymize other tables the
    same way (joins on PII columns survive).
    """
    from ..metadata import Metadata
    from ..metadata.sdtypes import is_pii

    key = key or new_key()
    if columns is None:
        md = metadata if metadata is not None else Metadata.detect_from_dataframe(df)
        cols = md.columns if isinstance(md, Metadata) else Metadata.load_from_dict(md).columns
        columns = {c: m["sdtype"] for c, m in cols.items() if is_pii(m["sdtype"], m) and c in df.columns}
    out = df.copy()
    for c, sdtype in columns.items():
        if c not in df.columns:
            raise ParameterError(f"no column named {c!r} to pseudonymize")
        out[c] = pseudonymize(df[c], sdtype, key, locale).to_numpy()
    return out, key
