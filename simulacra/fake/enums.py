"""mimesis' enums used by its providers' options, so ``from mimesis.enums import Gender`` becomes
``from simulacra.fake.enums import Gender``."""

from __future__ import annotations

from enum import Enum


class Gender(Enum):
    """A person's gender, for the name providers' ``gender=`` option."""

    MALE = "male"
    FEMALE = "female"


class TitleType(Enum):
    """mimesis' ``TitleType``: a person's title kind (``Person.title(title_type=...)``)."""

    TYPICAL = "typical"
    ACADEMIC = "academic"


__all__ = ["Gender", "TitleType"]
