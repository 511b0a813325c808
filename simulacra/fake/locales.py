"""Locale data read from the installed Faker package (names, streets, cities, formats, words)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
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
    """Locales for which Faker ships person data."""
    from faker.config import AVAILABLE_LOCALES

    out = []
    for loc in AVAILABLE_LOCALES:
        try:
            importlib.import_module(f"faker.providers.person.{loc}")
        except ImportError:
            continue
        out.append(loc)
    return tuple(sorted(out))


@lru_cache(maxsize=256)
def _has_person_data(loc: str) -> bool:
    """Whether Faker has person data for ``loc`` or its language (imports that one module, not every locale's)."""
    from faker.config import AVAILABLE_LOCALES

    if loc not in AVAILABLE_LOCALES:
        return False
    for name in (loc, loc.split("_")[0]):  # as Faker does: en_CA takes the person data of en
        try:
            importlib.import_module(f"faker.providers.person.{name}")
        except ImportError:
            continue
        return True
    return False


def check_locale(locale: str) -> str:
    if not isinstance(locale, str):
        raise ParameterError(f"locale must be a string like 'en_US', got {locale!r}")
    loc = locale.replace("-", "_")
    if not _has_person_data(loc):
        raise ParameterError(f"unknown locale {locale!r}; valid locales: {', '.join(available_locales())}")
    return loc


def _provider_class(topic: str, locale: str):
    """The Faker provider class of ``topic`` for ``locale``, falling back to its language, then the default."""
    lang = locale.split("_")[0]
    for name in (locale, lang):
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
