"""Food: fruit, vegetables, dishes, drinks, spices in the locale's language.

Faker has no food data; the lists ship with simulacra (``simulacra.fake.data.food``), so no
optional package is needed. A language without lists there uses the English ones.
"""

from __future__ import annotations

from ..core import Provider, column
from ._util import take


def food_lists(locale: str) -> dict:
    """``{"fruits": [...], "vegetables": [...], "dishes": [...], "drinks": [...], "spices": [...]}`` for ``locale``."""
    from ..data.food import FOOD

    lists = FOOD.get(locale.split("_")[0], FOOD["en"])
    return {key: value.split("|") for key, value in lists.items()}


class Food(Provider):
    topic = "food"

    def _pick(self, key, n, rng, engine):
        vals = food_lists(engine.locale)[key]
        return take(vals, rng.integers(0, len(vals), n))

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

    @column()
    def spices(self, n, rng, engine):
        return self._pick("spices", n, rng, engine)
