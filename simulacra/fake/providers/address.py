"""Address: street, city, state, postcode, country; ``record`` keeps one address's parts together."""

from __future__ import annotations

import numpy as np

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported lazily (start-up time)
    import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._arrow import array

from ..core import Provider, column


class Address(Provider):
    topic = "address"

    @column()
    def street_address(self, n, rng, engine):
        return pc.replace_substring(engine.gen("street_address", n, rng), "\n", ", ")

    @column()
    def street_name(self, n, rng, engine):
        return engine.gen("street_name", n, rng)

    @column()
    def building_number(self, n, rng, engine):
        return engine.gen("building_number", n, rng)

    @column()
    def city(self, n, rng, engine):
        return engine.gen("city", n, rng)

    @column()
    def state(self, n, rng, engine):
        for token in ("state", "administrative_unit", "region", "prefecture", "province"):
            if engine.elements(token) is not None or engine.formats(token) is not None:
                return engine.gen(token, n, rng)
        from ...errors import ParameterError

        for method in ("state", "administrative_unit", "region", "province"):
            try:
                return engine.pool(method, n, rng)
            except ParameterError:
                continue
        raise ParameterError(f"locale {engine.locale} has no states or regions")

    @column()
    def state_abbr(self, n, rng, engine):
        return engine.gen("state_abbr", n, rng)

    @column()
    def postcode(self, n, rng, engine):
        return engine.gen("postcode", n, rng)

    @column()
    def country(self, n, rng, engine):
        return engine.gen("country", n, rng)

    @column()
    def country_code(self, n, rng, engine):
        return engine.pool("country_code", n, rng)

    @column()
    def address(self, n, rng, engine):
        """A full postal address on one line."""
        return pc.replace_substring(engine.gen("address", n, rng), "\n", ", ")

    def record(self, n: int, locale=None) -> pd.DataFrame:
        """Addresses whose street, city, state and postcode belong together where the data allows
        (en_US: the ZIP code lies in the state's range)."""
        from ..core import check_n, engine_for

        n = check_n(n)
        loc = locale or self.fake.locales[0]
        eng = engine_for(loc)
        rng = self.fake.rng
        street = pc.replace_substring(eng.gen("street_address", n, rng), "\n", ", ")
        city = eng.gen("city", n, rng)
        ranges = eng.attr("states_postcode", topics=("address",))
        if ranges and eng.elements("state_abbr") is not None:
            known = set(eng.elements("state_abbr")[0].to_pylist())
            abbrs = np.array([a for a in ranges if a in known])
            pick = rng.integers(0, len(abbrs), n)
            lo = np.array([ranges[a][0] for a in abbrs])[pick]
            hi = np.array([ranges[a][1] for a in abbrs])[pick]
            code = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
            postcode = pc.utf8_lpad(pc.cast(array(code), pa.string()), 5, "0")
            state = pc.take(array(abbrs.tolist(), type=pa.string()), array(pick))
        else:
            state = self.generate("state", n, rng, eng)
            postcode = eng.gen("postcode", n, rng)
        import pandas as pd

        from ..core import to_series

        return pd.DataFrame(
            {
                "street_address": to_series(street),
                "city": to_series(city),
                "state": to_series(state),
                "postcode": to_series(postcode),
            }
        )
