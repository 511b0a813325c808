"""The Faker methods :class:`simulacra.fake.Faker` makes column-wise, with Faker's signatures.

Each function takes a ``source`` (one locale's engine, providers and random stream), ``n`` and
the arguments of Faker's method of the same name, and returns ``n`` values at once: an Arrow or
numpy array, or a list where each value is itself a list or dict. Arguments these functions do
not draw themselves (``ipv4(network=True)``, ``words(part_of_speech=...)``) raise
:class:`Delegate`, and the facade asks Faker itself for those values.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow.compute as pc

from ._arrow import array, strings
from .providers._util import HEX2, TWO_DIGITS, join, take, where

METHODS: dict = {}


class Delegate(Exception):
    """Raised by a method for arguments that Faker itself makes."""


def method(*names):
    def deco(fn):
        for name in names or (fn.__name__,):
            METHODS[name] = fn
        return fn

    return deco


def _field(name, field, **fixed):
    METHODS[name] = lambda src, n: src.gen(field, n, **fixed)


def _token(name, token=None):
    METHODS[name] = lambda src, n: src.engine.gen(token or name, n, src.rng)


# ---------------------------------------------------------------- person, address, phone, company
_field("name", "person.full_name")
_field("name_male", "person.full_name", gender="male")
_field("name_female", "person.full_name", gender="female")
_field("first_name", "person.first_name")
_field("first_name_male", "person.first_name", gender="male")
_field("first_name_female", "person.first_name", gender="female")
_field("last_name", "person.last_name")
_field("last_name_male", "person.last_name", gender="male")
_field("last_name_female", "person.last_name", gender="female")
_field("phone_number", "phone.phone_number")
_field("state", "address.state")
_field("postcode", "address.postcode")
_field("zipcode", "address.postcode")
_field("user_name", "internet.username")
_field("iban", "finance.iban")
_field("currency_code", "finance.currency_code")
for _t in ("address", "street_address", "street_name", "building_number", "city", "country", "company", "job"):
    _token(_t)
_token("prefix")
_token("suffix")


@method()
def state_abbr(src, n, include_territories=True, include_freely_associated_states=True):
    if not (include_territories and include_freely_associated_states):
        raise Delegate
    return src.engine.gen("state_abbr", n, src.rng)


@method()
def ssn(src, n, taxpayer_identification_number_type="SSN"):
    """US social security numbers as Faker makes them (area 001-899 but 666, group 01-99, serial 0001-9999)."""
    if src.locale != "en_US" or taxpayer_identification_number_type != "SSN":
        raise Delegate
    rng = src.rng
    area = rng.integers(1, 900, n)
    area[area == 666] = 667
    group, serial = rng.integers(1, 100, n), rng.integers(1, 10000, n)
    return pc.binary_join_element_wise(
        pc.utf8_lpad(pc.cast(array(area), "string"), 3, "0"),
        take(TWO_DIGITS, group),
        pc.utf8_lpad(pc.cast(array(serial), "string"), 4, "0"),
        "-",
    )


@method()
def color_name(src, n):
    names = list(src.engine.attr("all_colors", topics=("color",)) or ())
    if not names:
        raise Delegate
    return take(names, src.rng.integers(0, len(names), n))


@method()
def hex_color(src, n):
    b = src.rng.integers(0, 256, (n, 3))
    return join("#", take(HEX2, b[:, 0]), take(HEX2, b[:, 1]), take(HEX2, b[:, 2]))


# ---------------------------------------------------------------- internet
_SAFE = strings(["example.org", "example.com", "example.net"])


@method()
def email(src, n, safe=True, domain=None):
    if domain:
        return src.gen("internet.email", n, domain=domain)
    if safe:
        return src.gen("internet.email", n, domain=take(_SAFE, src.rng.integers(0, 3, n)))
    return src.gen("internet.email", n, free=True)


@method()
def safe_email(src, n):
    return email(src, n, safe=True)


@method()
def free_email(src, n):
    return src.gen("internet.email", n, free=True)


@method()
def company_email(src, n):
    return src.gen("internet.email", n, free=False)


@method()
def domain_name(src, n, levels=1):
    if levels != 1:
        raise Delegate
    return src.gen("internet.domain", n)


@method()
def url(src, n, schemes=None):
    schemes = ["http", "https"] if schemes is None else list(schemes)
    rng = src.rng
    www = where(rng.random(n) < 0.5, "www.", "")
    host = join(www, src.gen("internet.domain", n), "/")
    if not schemes:
        return host
    return join(take(schemes, rng.integers(0, len(schemes), n)), "://", host)


@method()
def ipv4(src, n, network=False, address_class=None, private=None):
    if network or address_class is not None:
        raise Delegate
    return src.gen("internet.ipv4", n, private=bool(private))


@method()
def ipv4_private(src, n, network=False, address_class=None):
    return ipv4(src, n, network, address_class, private=True)


@method()
def mac_address(src, n, multicast=False):
    if multicast:
        raise Delegate
    return src.gen("internet.mac_address", n)


@method()
def ipv6(src, n, network=False):
    if network:
        raise Delegate
    return src.gen("internet.ipv6", n)


@method()
def uuid4(src, n, cast_to=str):
    values = src.gen("codes.uuid4", n)
    if cast_to is str:
        return values
    import uuid

    objs = [uuid.UUID(v) for v in values.to_pylist()]
    return objs if cast_to is None else [cast_to(u) for u in objs]


# ---------------------------------------------------------------- finance, codes, geo, profiles
@method()
def credit_card_number(src, n, card_type=None):
    from .providers.finance import CARDS

    if card_type is not None and card_type not in CARDS:
        raise Delegate
    return src.gen("finance.credit_card_number", n, card_type=card_type)


@method()
def ean13(src, n, prefixes=(), leading_zero=None):
    if leading_zero is not None or prefixes:
        raise Delegate
    return src.gen("codes.ean13", n)


@method()
def ean8(src, n, prefixes=()):
    if prefixes:
        raise Delegate
    return src.gen("codes.ean8", n)


def _coordinates(src, n, bound):
    micro = src.rng.integers(-bound * 1_000_000, bound * 1_000_000 + 1, n)
    q = Decimal(".000001")
    return [Decimal(str(v / 1_000_000)).quantize(q) for v in micro.tolist()]


@method()
def latitude(src, n):
    return _coordinates(src, n, 90)


@method()
def longitude(src, n):
    return _coordinates(src, n, 180)


_BLOOD = np.array([a + b for a in ("A", "B", "AB", "O") for b in ("+", "-")], dtype=object)


@method()
def simple_profile(src, n, sex=None):
    rng = src.rng
    sexes = np.array(["F", "M"], dtype=object)[rng.integers(0, 2, n)] if sex is None else np.full(n, sex, object)
    names = np.empty(n, dtype=object)
    for s, meth in (("F", "name_female"), ("M", "name_male")):
        rows = np.flatnonzero(sexes == s)
        if rows.size:
            names[rows] = src.values(meth, rows.size)
    other = np.flatnonzero((sexes != "F") & (sexes != "M"))
    if other.size:
        names[other] = src.values("name_nonbinary", other.size)
    cols = {
        "username": src.values("user_name", n),
        "name": names.tolist(),
        "sex": sexes.tolist(),
        "address": src.values("address", n),
        "mail": src.values("free_email", n),
        "birthdate": src.values("date_of_birth", n),
    }
    return [dict(zip(cols, row)) for row in zip(*cols.values())]


@method()
def profile(src, n, fields=None, sex=None):
    rng = src.rng
    sites = rng.integers(1, 5, n)
    urls = src.values("url", int(sites.sum()))
    ends = np.cumsum(sites)
    cols = {
        "job": src.values("job", n),
        "company": src.values("company", n),
        "ssn": src.values("ssn", n),
        "residence": src.values("address", n),
        "current_location": list(zip(src.values("latitude", n), src.values("longitude", n))),
        "blood_group": _BLOOD[rng.integers(0, len(_BLOOD), n)].tolist(),
        "website": [urls[e - k : e] for e, k in zip(ends.tolist(), sites.tolist())],
    }
    rows = [dict(zip(cols, row)) for row in zip(*cols.values())]
    out = [dict(r, **s) for r, s in zip(rows, simple_profile(src, n, sex))]
    return [{k: v for k, v in d.items() if k in fields} for d in out] if fields else out
