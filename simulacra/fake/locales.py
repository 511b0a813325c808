"""Locale data read from the installed Faker package (names, streets, cities, formats, words).

Every locale Faker has (``faker.config.AVAILABLE_LOCALES``) works. Where a locale lacks a provider
topic, its data comes from the language (``en`` for ``en_CA``), then, for person names only, from
another locale of the same language (``ar_AE`` takes ``ar_AA``'s names, ``it_CH`` ``it_IT``'s), then
from Faker's default (``en_US``), as Faker itself falls back.

``Locale`` names mimesis' locales (``Locale.EN``, ``Locale.ES``, ``Locale.EN_CA``...) with the Faker
locale each one means, so ``from mimesis.locales import Locale`` becomes
``from simulacra.fake.locales import Locale``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from enum import Enum
from functools import lru_cache

from ..errors import ParameterError

#: Faker provider topics whose locale data simulacra samples.
TOPICS = (
    "person",
    "address",
    "internet",
    "phone_number",
    "company",
    "lorem",
    "bank",
    "currency",
    "date_time",
    "job",
    "automotive",
    "color",
    "user_agent",
)

#: Locales covered by the tests (all of Faker's locales with person data work).
CORE_LOCALES = ("en_US", "en_GB", "es_ES", "sv_SE", "uk_UA", "de_DE", "fr_FR", "ja_JP", "pt_BR", "zh_CN")


@lru_cache(maxsize=1)
def available_locales() -> tuple[str, ...]:
    """Every locale Faker has (``faker.config.AVAILABLE_LOCALES``), sorted."""
    from faker.config import AVAILABLE_LOCALES

    return tuple(sorted(AVAILABLE_LOCALES))


@lru_cache(maxsize=64)
def _topic_modules(topic: str) -> tuple[str, ...]:
    """The locale modules Faker ships for a provider topic (``('ar_AA', 'ar_SA', ...)``)."""
    try:
        mod = importlib.import_module(f"faker.providers.{topic}")
    except ImportError:
        return ()
    return tuple(sorted(m.name for m in pkgutil.iter_modules(getattr(mod, "__path__", []))))


def _sibling(topic: str, locale: str) -> str | None:
    """Another locale of ``locale``'s language with data for ``topic`` (``de_DE`` for ``de``), or None."""
    lang = locale.split("_")[0]
    mods = [m for m in _topic_modules(topic) if m.split("_")[0] == lang and m != locale]
    if not mods:
        return None
    preferred = f"{lang}_{lang.upper()}"
    return preferred if preferred in mods else mods[0]


def check_locale(locale: str) -> str:
    """``locale`` with ``-`` written ``_`` (``'en-CA'`` -> ``'en_CA'``), if Faker has it.

    Raises
    ------
    ParameterError
        ``locale`` is not a string or not one of Faker's locales.
    """
    if isinstance(locale, Enum):
        locale = locale.value
    if not isinstance(locale, str):
        raise ParameterError(f"locale must be a string like 'en_US', got {locale!r}")
    loc = locale.replace("-", "_")
    if loc not in available_locales():
        parts = loc.split("_")
        if len(parts) == 2 and f"{parts[0].lower()}_{parts[1].upper()}" in available_locales():
            return f"{parts[0].lower()}_{parts[1].upper()}"
        import difflib

        close = difflib.get_close_matches(loc, available_locales(), n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise ParameterError(
            f"unknown locale {locale!r}; {hint}Faker's {len(available_locales())} locales are listed by "
            "simulacra.fake.available_locales(), e.g. en_US, en_GB, de_DE, fr_FR, es_ES, ja_JP, zh_CN"
        )
    return loc


def _provider_class(topic: str, locale: str):
    """The Faker provider class of ``topic`` for ``locale``, falling back to its language (for person
    names: another locale of the language), then the default."""
    lang = locale.split("_")[0]
    names = [locale, lang]
    if topic == "person":
        names.append(_sibling(topic, locale) or lang)
    for name in names:
        try:
            return importlib.import_module(f"faker.providers.{topic}.{name}").Provider
        except (ImportError, AttributeError):
            continue
    try:
        mod = importlib.import_module(f"faker.providers.{topic}")
    except ImportError:
        return None
    default = getattr(mod, "localized", False) and getattr(mod, "default_locale", None)
    if default:
        try:
            return importlib.import_module(f"faker.providers.{topic}.{default}").Provider
        except ImportError:
            pass
    return getattr(mod, "Provider", None)


class LocaleTopics(Mapping):
    """``{topic: Faker provider class}`` for one locale, in ``TOPICS`` order; a topic's module is
    imported when a lookup first reaches it, so a lookup answered by an early topic (or limited
    to some topics) reads nothing else."""

    def __init__(self, locale: str):
        self.locale = locale
        self._classes: dict = {}

    def _load(self, topic: str):
        if topic not in self._classes:
            self._classes[topic] = _provider_class(topic, self.locale) if topic in TOPICS else None
        return self._classes[topic]

    def __getitem__(self, topic: str):
        cls = self._load(topic)
        if cls is None:
            raise KeyError(topic)
        return cls

    def __iter__(self):
        return (t for t in TOPICS if self._load(t) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, topic) -> bool:
        return isinstance(topic, str) and self._load(topic) is not None


@lru_cache(maxsize=64)
def locale_providers(locale: str) -> LocaleTopics:
    """``{topic: provider class}`` for ``locale``, loaded topic by topic as lookups need them."""
    return LocaleTopics(check_locale(locale))


class Locale(str, Enum):
    """mimesis' locale names (``Locale.EN``, ``Locale.EN_CA``...) mapped to the Faker locales they mean.

    mimesis locales Faker lacks take the nearest one Faker has: the Arabic variants without Faker
    data (``AR_OM``, ``AR_KW``...) take ``ar_AA`` (Modern Standard Arabic), ``KK`` takes ``ru_RU``.
    """

    AR_AE = "ar_AE"
    AR_DZ = "ar_DZ"
    AR_EG = "ar_EG"
    AR_JO = "ar_JO"
    AR_OM = "ar_AA"
    AR_KW = "ar_AA"
    AR_MA = "ar_AA"
    AR_QA = "ar_AA"
    AR_SA = "ar_SA"
    AR_SY = "ar_AA"
    AR_TN = "ar_AA"
    AR_YE = "ar_AA"
    AZ = "az_AZ"
    CS = "cs_CZ"
    DA = "da_DK"
    DE = "de_DE"
    DE_AT = "de_AT"
    DE_CH = "de_CH"
    EL = "el_GR"
    EN = "en_US"
    EN_AU = "en_AU"
    EN_CA = "en_CA"
    EN_GB = "en_GB"
    ES = "es_ES"
    ES_MX = "es_MX"
    ET = "et_EE"
    FA = "fa_IR"
    FI = "fi_FI"
    FR = "fr_FR"
    HU = "hu_HU"
    HR = "hr_HR"
    IS = "is_IS"
    IT = "it_IT"
    JA = "ja_JP"
    KK = "ru_RU"
    KO = "ko_KR"
    NL = "nl_NL"
    NL_BE = "nl_BE"
    NO = "no_NO"
    PL = "pl_PL"
    PT = "pt_PT"
    PT_BR = "pt_BR"
    RU = "ru_RU"
    SK = "sk_SK"
    SV = "sv_SE"
    TR = "tr_TR"
    UK = "uk_UA"
    ZH = "zh_CN"

    def __str__(self) -> str:
        return self.value
