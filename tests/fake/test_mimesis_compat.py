"""mimesis code with only its imports changed: Locale, Gender, the topic classes and shipped food data."""

import datetime as dt
import subprocess
import sys

import pytest

from simulacra.fake import Address, Datetime, Fieldset, Generic, Person, Text
from simulacra.fake.enums import Gender
from simulacra.fake.locales import Locale, available_locales, check_locale
from simulacra.fake.providers.food import food_lists


def test_locale_and_gender_import_paths():
    import simulacra.fake as fake

    assert fake.Locale is Locale and fake.Gender is Gender
    assert Locale.EN_CA.value == "en_CA" and Locale.EN == "en_US"
    assert check_locale(Locale.ES) == "es_ES"
    assert {g.name for g in Gender} == {"MALE", "FEMALE"}


@pytest.mark.parametrize("loc", list(Locale))
def test_every_mimesis_locale_makes_names(loc):
    assert loc.value in available_locales()
    assert Person(loc, seed=0).full_name()


def test_seed_calls():
    person = Person(Locale.EN, seed=1)
    assert person.full_name(gender=Gender.FEMALE) and person.full_name(gender=Gender.MALE)
    person, datetime, text = Person(Locale.UK, seed=1), Datetime(Locale.UK, seed=1), Text(Locale.UK, seed=1)
    assert isinstance(datetime.date(), dt.date) and text.quote().startswith("\u201c") and person.full_name()
    generic = Generic(locale=Locale.EN, seed=1)
    assert generic.person.username() and isinstance(generic.datetime.date(), dt.date)
    assert Person(Locale.SV, seed=1).full_name()
    g = Generic(locale=Locale.ES, seed=1)
    assert g.datetime.month() in {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                                  "septiembre", "octubre", "noviembre", "diciembre"}  # fmt: skip
    imei = g.code.imei()
    assert len(imei) == 15 and imei.isdigit()
    assert g.food.fruit() in food_lists("es_ES")["fruits"]
    emails = Fieldset(i=100, seed=1)("email", key=lambda x: x.split("@")[0])
    assert len(emails) == 100 and not any("@" in e for e in emails)


def test_exercises_person_and_address():
    person = Person(seed=2)
    assert person.first_name() and person.last_name() and person.name() and person.surname()
    address = Address(seed=2)
    for meth in ("street_name", "city", "country", "state", "postal_code", "zip_code", "street_number", "address"):
        assert getattr(address, meth)(), meth


def test_food_lists_cover_each_kind():
    for loc in ("en_US", "es_ES", "de_DE", "ja_JP", "zh_CN", "sv_SE", "uk_UA", "fi_FI"):
        lists = food_lists(loc)
        assert set(lists) == {"fruits", "vegetables", "dishes", "drinks", "spices"}
        assert all(len(v) >= 10 and len(set(v)) == len(v) for v in lists.values())
    g = Generic(locale=Locale.DE, seed=0).food
    assert g.vegetable() in food_lists("de_DE")["vegetables"] and g.dish() and g.drink() and g.spices()


def test_food_without_mimesis_installed():
    code = (
        "import sys\n"
        "sys.modules['mimesis'] = None\n"
        "from simulacra.fake import Generic\n"
        "from simulacra.fake.locales import Locale\n"
        "g = Generic(locale=Locale.ES, seed=0)\n"
        "print(g.food.fruit(), g.food.dish(n=3).tolist())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] in food_lists("es")["fruits"]
