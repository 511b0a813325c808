"""mimesis-style classes over the vectorized engine, so mimesis code runs with only its imports changed::

from simulacra.fake import Person, Datetime, Text, Generic, Fieldset, Locale, Gender

Person(Locale.EN).full_name(gender=Gender.FEMALE)     # one value per call, as in mimesis
Generic(locale=Locale.ES).code.imei()
Fieldset(i=100)("email", key=str.upper)              # a list of 100 values
"""

from __future__ import annotations

from .core import Fake
from .enums import Gender  # noqa: F401 - mimesis code imports Gender from here too
from .locales import Locale


def _locale(locale) -> str:
    return locale.value if isinstance(locale, Locale) else str(locale)


class _Topic:
    topic = ""
    #: mimesis method names of this topic that differ from ours
    renames: dict = {}

    def __init__(self, locale=Locale.EN, seed=None, _fake=None):
        self._fake = _fake if _fake is not None else Fake(locale=_locale(locale), seed=seed)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._fake.method(f"{self.topic}.{self.renames.get(name, name)}")

    def __repr__(self):
        return f"{type(self).__name__}(locale={self._fake.locale!r})"


class Person(_Topic):
    topic = "person"
    renames = {"name": "first_name", "surname": "last_name"}  # mimesis' name() is a first name

    def telephone(self, *a, **k):
        return self._fake.phone.phone_number(*a, **k)


class Address(_Topic):
    topic = "address"
    renames = {
        "street_number": "building_number",
        "province": "state",
        "prefecture": "state",
        "federal_subject": "state",
        "zip_code": "postcode",
        "postal_code": "postcode",
    }


class Datetime(_Topic):
    topic = "datetime"


class Text(_Topic):
    topic = "text"


class Internet(_Topic):
    topic = "internet"


class Finance(_Topic):
    topic = "finance"


class Code(_Topic):
    topic = "codes"


class Food(_Topic):
    topic = "food"
    renames = {"spice": "spices"}


class Generic:
    """All topic providers of one locale: ``generic.person.username()``, ``generic.code.imei()``."""

    def __init__(self, locale=Locale.EN, seed=None):
        fake = Fake(locale=_locale(locale), seed=seed)
        for attr, cls in (
            ("person", Person),
            ("address", Address),
            ("datetime", Datetime),
            ("text", Text),
            ("internet", Internet),
            ("finance", Finance),
            ("code", Code),
            ("food", Food),
        ):
            setattr(self, attr, cls(_fake=fake))


class Fieldset:
    """mimesis' ``Fieldset``: ``Fieldset(i=100)("email", key=...)`` gives a list of ``i`` values."""

    def __init__(self, locale=Locale.EN, i: int = 10, seed=None):
        self._fake = Fake(locale=_locale(locale), seed=seed)
        self.i = i

    def __call__(self, name: str, key=None, i: int | None = None, **kwargs):
        values = self._fake.fields(name, n=self.i if i is None else i, key=key, **kwargs)
        return values.tolist()
