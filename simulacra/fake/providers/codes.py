"""Codes with valid check digits: IMEI, ISBN, EAN; UUIDs."""

from __future__ import annotations

import numpy as np

from ..core import Provider, column
from ._util import DIGITS, HEX2, digits_to_str, join, luhn_check_digit, take


def _ean_check(body: np.ndarray) -> np.ndarray:
    """GS1 check digit (EAN-8/13, ISBN-13): weights 3,1,... from the right."""
    w = np.where(np.arange(body.shape[1])[::-1] % 2 == 0, 3, 1)
    return (10 - (body * w).sum(axis=1) % 10) % 10


class Codes(Provider):
    topic = "codes"

    @column()
    def imei(self, n, rng, engine):
        body = rng.integers(0, 10, (n, 14))
        body[:, 0] = rng.integers(1, 10, n)
        return join(digits_to_str(body), take(DIGITS, luhn_check_digit(body)))

    @column()
    def ean13(self, n, rng, engine):
        body = rng.integers(0, 10, (n, 12))
        return join(digits_to_str(body), take(DIGITS, _ean_check(body)))

    @column()
    def ean8(self, n, rng, engine):
        body = rng.integers(0, 10, (n, 7))
        return join(digits_to_str(body), take(DIGITS, _ean_check(body)))

    @column()
    def isbn13(self, n, rng, engine):
        body = rng.integers(0, 10, (n, 12))
        body[:, :3] = [9, 7, 8]
        return join(digits_to_str(body), take(DIGITS, _ean_check(body)))

    @column()
    def isbn10(self, n, rng, engine):
        body = rng.integers(0, 10, (n, 9))
        check = (body * np.arange(1, 10)).sum(axis=1) % 11
        return join(digits_to_str(body), take(list("0123456789X"), check))

    @column()
    def uuid4(self, n, rng, engine):
        b = rng.integers(0, 256, (n, 16), dtype=np.uint8)
        b[:, 6] = (b[:, 6] & 0x0F) | 0x40
        b[:, 8] = (b[:, 8] & 0x3F) | 0x80
        parts = []
        for j in range(16):
            if j in (4, 6, 8, 10):
                parts.append("-")
            parts.append(take(HEX2, b[:, j]))
        return join(*parts)
