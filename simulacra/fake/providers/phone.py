"""Phone numbers in the locale's formats."""

from __future__ import annotations

from ..core import Provider, column


class Phone(Provider):
    topic = "phone"

    @column()
    def phone_number(self, n, rng, engine):
        return engine.gen("phone_number", n, rng)

    @column()
    def msisdn(self, n, rng, engine):
        return engine.pool("msisdn", n, rng)
