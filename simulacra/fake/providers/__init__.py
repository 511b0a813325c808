"""Topic providers, one module per topic (Faker's layout), imported when first used."""

import importlib
from collections.abc import Mapping

#: provider name -> (module, class)
_CLASSES = {
    "person": ("person", "Person"),
    "address": ("address", "Address"),
    "datetime": ("datetime", "Datetime"),
    "text": ("text", "Text"),
    "internet": ("internet", "Internet"),
    "phone": ("phone", "Phone"),
    "finance": ("finance", "Finance"),
    "codes": ("codes", "Codes"),
    "food": ("food", "Food"),
    "basic": ("basic", "Basic"),
}


class _Providers(Mapping):
    """``{name: provider class}``; a provider's module is imported on first access."""

    def __getitem__(self, name):
        module, cls = _CLASSES[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), cls)

    def __iter__(self):
        return iter(_CLASSES)

    def __len__(self):
        return len(_CLASSES)

    def __contains__(self, name):
        return name in _CLASSES


PROVIDERS = _Providers()

#: Faker's and mimesis' method names -> ours
ALIASES = {
    "name": "full_name",
    "user_name": "username",
    "telephone": "phone_number",
    "phone": "phone_number",
    "zipcode": "postcode",
    "zip_code": "postcode",
    "postal_code": "postcode",
    "date_of_birth": "birthdate",
    "birthday": "birthdate",
    "ipv4_address": "ipv4",
    "ipv6_address": "ipv6",
    "credit_card": "credit_card_number",
    "uuid": "uuid4",
    "isbn": "isbn13",
    "ean": "ean13",
    "email_address": "email",
    "currency": "currency_code",
    "street": "street_address",
    "region": "state",
    "prefix": "title",
    "paragraphs": "paragraph",
}

__all__ = ["PROVIDERS", "ALIASES"]
