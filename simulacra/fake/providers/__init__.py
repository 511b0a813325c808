"""Topic providers, one module per topic (Faker's layout)."""

from .address import Address
from .basic import Basic
from .codes import Codes
from .datetime import Datetime
from .finance import Finance
from .food import Food
from .internet import Internet
from .person import Person
from .phone import Phone
from .text import Text

PROVIDERS = {
    "person": Person,
    "address": Address,
    "datetime": Datetime,
    "text": Text,
    "internet": Internet,
    "phone": Phone,
    "finance": Finance,
    "codes": Codes,
    "food": Food,
    "basic": Basic,
}

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
