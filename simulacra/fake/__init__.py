"""Fake data: vectorized providers over Faker's locale data, schema-driven tables.

>>> from simulacra.fake import Fake
>>> fake = Fake(locale="en_US", seed=42)
>>> fake.person.full_name(n=3)            # doctest: +SKIP
"""

from .compat import Address, Code, Datetime, Fieldset, Finance, Food, Gender, Generic, Internet, Locale, Person, Text
from .core import Fake, available_locales
from .locales import CORE_LOCALES

__all__ = [
    "Fake",
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
