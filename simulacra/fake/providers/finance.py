"""Finance: credit card numbers that pass Luhn, IBANs with valid check digits, currency codes, prices."""

from __future__ import annotations

import numpy as np

from ...errors import ParameterError
from .._arrow import strings
from ..core import Provider, column
from ..engine import scatter
from ._util import DIGITS, TWO_DIGITS, digits_to_str, join, luhn_check_digit, take

#: card type -> (prefixes, length)
CARDS = {
    "visa": (("4",), 16),
    "mastercard": (("51", "52", "53", "54", "55", "2221", "2720"), 16),
    "amex": (("34", "37"), 15),
    "discover": (("6011", "65"), 16),
    "jcb": (("3528", "3589"), 16),
    "diners": (("300", "305", "36", "38"), 14),
}


class Finance(Provider):
    topic = "finance"

    @column()
    def credit_card_number(self, n, rng, engine, card_type=None):
        types = list(CARDS) if card_type is None else [card_type]
        for t in types:
            if t not in CARDS:
                raise ParameterError(f"unknown card_type {t!r}; choose one of {', '.join(CARDS)}")
        which = rng.integers(0, len(types), n)
        groups, order = [], []
        for k, t in enumerate(types):
            idx = np.flatnonzero(which == k)
            if not idx.size:
                continue
            prefixes, length = CARDS[t]
            sub = rng.subset(idx, k) if hasattr(rng, "subset") else rng
            pick = sub.integers(0, len(prefixes), idx.size)
            body = sub.integers(0, 10, (idx.size, length - 1))
            for j, p in enumerate(prefixes):
                rows = pick == j
                body[rows, : len(p)] = np.array([int(c) for c in p])
            groups.append(join(digits_to_str(body), take(DIGITS, luhn_check_digit(body))))
            order.append(idx)
        return scatter(groups, order, n)

    @column()
    def iban(self, n, rng, engine):
        """IBANs of the locale's country (Faker's BBAN format) with valid ISO 7064 check digits."""
        fmt = engine.attr("bban_format", topics=("bank",)) or "????#############"
        cc = engine.attr("country_code", topics=("bank",)) or "GB"
        # BBAN characters as numbers: digits 0-9, letters 10-35 (always upper case here)
        L = len(fmt)
        vals = np.empty((n, L), dtype=np.int64)
        for j, ch in enumerate(fmt):
            if ch == "#":
                vals[:, j] = rng.integers(0, 10, n)
            elif ch == "?":
                vals[:, j] = rng.integers(10, 36, n)
            elif ch.isdigit():
                vals[:, j] = int(ch)
            else:
                vals[:, j] = int(ch, 36)
        tail = [int(c, 36) for c in cc] + [0, 0]
        # every value as two digits (letters are 10..35, digits written 0d then stripped below)
        wide = np.concatenate([vals, np.tile(tail, (n, 1))], axis=1)
        is_letter = np.concatenate([vals >= 10, np.tile([True, True, False, False], (n, 1))], axis=1)
        digits = []
        for j in range(wide.shape[1]):
            col = wide[:, j]
            digits.append(np.where(is_letter[:, j], col // 10, -1))
            digits.append(np.where(is_letter[:, j], col % 10, col))
        mat = np.stack(digits, axis=1)
        r = np.zeros(n, dtype=np.int64)
        for j in range(mat.shape[1]):
            d = mat[:, j]
            r = np.where(d >= 0, (r * 10 + np.maximum(d, 0)) % 97, r)
        check = 98 - r
        alphabet = strings(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        parts = [cc, take(TWO_DIGITS, check)] + [take(alphabet, vals[:, j]) for j in range(L)]
        return join(*parts)

    @column()
    def currency_code(self, n, rng, engine):
        cur = engine.attr("currencies", topics=("currency",))
        return take([c[0] for c in cur], rng.integers(0, len(cur), n))

    @column()
    def price(self, n, rng, engine, minimum: float = 0.0, maximum: float = 1000.0):
        if minimum > maximum:
            raise ParameterError(f"minimum price {minimum} is larger than maximum {maximum}")
        return np.round(minimum + rng.random(n) * (maximum - minimum), 2)
