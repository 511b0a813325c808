"""Phone numbers in the locale's formats."""

from __future__ import annotations

from ...errors import ParameterError
from ..core import Provider, column

#: methods a locale without ``phone_number`` (en_PH, fil_PH, tl_PH) has instead, in order
_FALLBACKS = ("mobile_number", "landline_number", "cellphone_number")


class Phone(Provider):
    topic = "phone"

    @column()
    def phone_number(self, n, rng, engine):
        """Phone numbers in the locale's formats (its mobile numbers where it has no general ones)."""
        if engine.formats("phone_number") is not None or engine.elements("phone_number") is not None:
            return engine.gen("phone_number", n, rng)
        for method in ("phone_number",) + _FALLBACKS:
            try:
                return engine.pool(method, n, rng)
            except ParameterError:
                continue
        raise ParameterError(f"locale {engine.locale} has no phone number data")

    @column()
    def msisdn(self, n, rng, engine):
        return engine.pool("msisdn", n, rng)
