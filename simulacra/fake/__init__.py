"""Fake data: vectorized providers over Faker's locale data, schema-driven tables.

>>> from simulacra.fake import Fake
>>> fake = Fake(locale="en_US", seed=42)
>>> fake.person.full_name(n=3)            # doctest: +SKIP

Drop-in forms of Faker and mimesis code (only the imports change)::

    from simulacra.fake import Faker          # from faker import Faker
    from simulacra.fake import Person, Generic  # from mimesis import Person, Generic
    from simulacra.fake.locales import Locale   # from mimesis.locales import Locale
    from simulacra.fake.enums import Gender     # from mimesis.enums import Gender
"""

from .compat import Address, Code, Datetime, Fieldset, Finance, Food, Generic, Internet, Person, Text
from .core import Fake, available_locales
from .enums import Gender
from .locales import CORE_LOCALES, Locale


def __getattr__(name):
    # the Faker facade (and the Arrow kernels it needs) is imported when first used, keeping
    # ``from simulacra.fake import Fake`` and its first value light
    if name in ("Faker", "UniquenessException"):
        from . import faker

        return getattr(faker, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Fake",
    "Faker",
    "UniquenessException",
    "available_locales",
    "CORE_LOCALES",
    "Person",
    "Address",
    "Datetime",
    "Text",
    "Internet",
    "Finance",
    "Code",
    "Food",
    "Generic",
    "Fieldset",
    "Locale",
    "Gender",
]
