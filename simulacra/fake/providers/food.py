"""Food: fruit, vegetables, dishes, drinks.

Faker has no food data; these lists come from mimesis' locale data when mimesis is installed
(``pip install mimesis``), read from its data files, never copied into simulacra.
"""

from __future__ import annotations

import json
from functools import lru_cache


from ...errors import ParameterError
from ..core import Provider, column


@lru_cache(maxsize=32)
def _food_data(locale: str) -> dict:
    try:
        import mimesis
    except ImportError:
        raise ParameterError("food data comes from mimesis' locale files: pip install mimesis") from None
    from pathlib import Path

    root = Path(mimesis.__file__).parent
    merged: dict = {}
    for base in (root / "datasets", root / "datasets" / "locales", root / "data"):
        # English first, then the locale's own lists on top (a locale may lack some lists)
        for name in ("en", locale.split("_")[0], locale.replace("_", "-").lower()):
            path = base / name / "food.json"
            if path.exists():
                merged.update(json.loads(path.read_text(encoding="utf-8")))
    if not merged:
        raise ParameterError(f"mimesis has no food data for locale {locale!r}")
    return merged


class Food(Provider):
    topic = "food"

    def _pick(self, key, n, rng, engine):
        data = _food_data(engine.locale)
        vals = data.get(key) or data.get(key + "s")
        if not vals:
            raise ParameterError(f"no {key} data for locale {engine.locale}")
        from ._util import take

        return take([str(v) for v in vals], rng.integers(0, len(vals), n))

    @column()
    def fruit(self, n, rng, engine):
        return self._pick("fruits", n, rng, engine)

    @column()
    def vegetable(self, n, rng, engine):
        return self._pick("vegetables", n, rng, engine)

    @column()
    def dish(self, n, rng, engine):
        return self._pick("dishes", n, rng, engine)

    @column()
    def drink(self, n, rng, engine):
        return self._pick("drinks", n, rng, engine)
