"""Locale data read from the installed Faker package (names, streets, cities, formats, words)."""

from __future__ import annotations

import importlib
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


def check_locale(locale: str) -> str:
    if not isinstance(locale, str):
        raise ParameterError(f"locale must be a string like 'en_US', got {locale!r}")
    loc = locale.replace("-", "_")
    if loc not in available_locales():
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


@lru_cache(maxsize=64)
def locale_providers(locale: str) -> dict:
    """``{topic: provider class}`` for ``locale``."""
    locale = check_locale(locale)
    out = {}
    for topic in TOPICS:
        cls = _provider_class(topic, locale)
        if cls is not None:
            out[topic] = cls
    return out
