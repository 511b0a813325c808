"""simulacra.fake.Faker: Faker's API (names, signatures, seeds, locales, unique) over the engine."""

import datetime as dt
import inspect
import re
import time
import uuid

import numpy as np
import pytest
from faker import Faker as RealFaker

from simulacra.errors import ParameterError, SimulacraError
from simulacra.fake import Faker, UniquenessException
from simulacra.fake.faker_methods import METHODS
from simulacra.fake.locales import available_locales

COMMON = (
    "name first_name last_name address street_address city state zipcode postcode country phone_number email "
    "text company job ssn pyint random_int date_of_birth date date_time date_between iso8601 url user_name ipv4 "
    "ipv6 uuid4 word words sentence sentences paragraph paragraphs credit_card_number iban currency_code "
    "color_name license_plate boolean pyfloat pystr random_element random_elements lexify numerify bothify "
    "profile simple_profile catch_phrase time year month_name day_of_week hex_color safe_email free_email"
).split()


@pytest.fixture
def fake():
    f = Faker()
    f.seed_instance(0)
    return f


@pytest.mark.parametrize("name", COMMON)
def test_common_methods_give_faker_types_one_and_many(fake, name):
    real = getattr(RealFaker(), name)()
    one = getattr(fake, name)()
    assert type(one) is type(real), (name, one, real)
    many = getattr(fake, name)(n=5)
    assert len(many) == 5


def test_signatures_are_fakers():
    real = RealFaker()
    checked = 0
    for name, fn in METHODS.items():
        if not hasattr(real, name):
            continue
        ours = list(inspect.signature(fn).parameters)[2:]
        theirs = list(inspect.signature(getattr(real, name)).parameters)
        assert ours == theirs, name
        checked += 1
    assert checked > 70


def test_seed_is_class_level_and_reproducible():
    Faker.seed(123)
    a = [Faker().name() for _ in range(3)] + [Faker().email()]
    Faker.seed(123)
    b = [Faker().name() for _ in range(3)] + [Faker().email()]
    assert a == b
    Faker.seed(124)
    assert [Faker().name() for _ in range(3)] != a[:3]
    with pytest.raises(TypeError, match="Faker.seed"):
        Faker().seed(1)


def test_seed_instance_and_delegated_methods_are_reproducible():
    f, g = Faker(), Faker()
    f.seed_instance(7)
    g.seed_instance(7)
    assert [f.catch_phrase() for _ in range(3)] == [g.catch_phrase() for _ in range(3)]
    assert f.name(n=10).tolist() == g.name(n=10).tolist()
    Faker.seed(1)  # the class seed does not move an instance with its own
    assert f.address() == g.address()


def test_single_values_continue_the_batch_stream(fake):
    values = [fake.name() for _ in range(100)]
    assert len(set(values)) > 90


def test_multi_locale_and_getitem():
    f = Faker(["en_US", "ja_JP"])
    f.seed_instance(0)
    names = f.name(n=2000)
    latin = np.array([bool(re.search("[A-Za-z]", v)) for v in names])
    assert 0.4 < latin.mean() < 0.6
    assert re.search("[\u3040-\u30ff\u4e00-\u9fff]", f["ja_JP"].name())
    assert f.locales == ["en_US", "ja_JP"]
    with pytest.raises(KeyError):
        f["de_DE"]
    w = Faker({"en_US": 0.9, "ja_JP": 0.1})
    w.seed_instance(0)
    share = np.mean([bool(re.search("[A-Za-z]", v)) for v in w.name(n=2000)])
    assert 0.85 < share < 0.95
    singles = {bool(re.search("[A-Za-z]", f.name())) for _ in range(50)}
    assert singles == {True, False}


def test_unique_and_clear(fake):
    values = {fake.unique.random_int(1, 20) for _ in range(20)}
    assert values == set(range(1, 21))
    with pytest.raises(UniquenessException, match="clear") as e:
        fake.unique.random_int(1, 20)
    assert isinstance(e.value, SimulacraError)
    from faker.exceptions import UniquenessException as FakerUE

    assert isinstance(e.value, FakerUE)
    fake.unique.clear()
    assert 1 <= fake.unique.random_int(1, 20) <= 20
    batch = fake.unique.first_name(n=300)
    assert len(set(batch)) == 300
    with pytest.raises(UniquenessException):
        fake.unique.boolean(n=3)


def test_unknown_attribute_names_close_matches(fake):
    with pytest.raises(AttributeError, match="did you mean 'name'"):
        fake.naem()
    with pytest.raises(AttributeError):
        fake.unique.no_such_thing()


def test_values_follow_fakers_rules(fake):
    assert "\n" in fake.address()
    assert all(re.fullmatch(r"\d{3}-\d{2}-\d{4}", s) and not s.startswith(("000", "666")) for s in fake.ssn(n=500))
    ints = fake.random_int(10, 20, step=5, n=1000)
    assert set(ints.tolist()) == {10, 15, 20}
    assert set(fake.pyint(0, 3, n=500).tolist()) == {0, 1, 2, 3}
    floats = fake.pyfloat(left_digits=2, right_digits=3, positive=True, n=1000)
    assert (floats > 0).all() and (floats < 100).all()
    assert np.allclose(np.round(floats, 3), floats)
    bounded = fake.pyfloat(min_value=5, max_value=6, n=500)
    assert (bounded >= 5).all() and (bounded <= 6).all()
    assert all(len(s) == 20 for s in fake.pystr(n=50))
    assert all(3 <= len(s) <= 6 and s.startswith("x") is False for s in fake.pystr(min_chars=3, max_chars=6, n=50))
    assert re.fullmatch(r"AB\d\d[a-zA-Z]{2}", fake.bothify("AB##??"))
    assert re.fullmatch(r"\d{3}-[1-9]", fake.numerify("###-%"))
    assert re.fullmatch(r"[xyz]{4}", fake.lexify("????", letters="xyz"))
    for t in fake.text(max_nb_chars=120, n=200):
        assert len(t) < 120 and t
    for t in fake.text(max_nb_chars=20, n=100):
        assert len(t) <= 21 and t.endswith(".")
    assert len(fake.sentence(nb_words=4, variable_nb_words=False).split()) == 4
    uuid.UUID(fake.uuid4())
    assert isinstance(fake.uuid4(cast_to=None), uuid.UUID)
    assert all(re.fullmatch(r"(\d{1,3}\.){3}\d{1,3}", v) for v in fake.ipv4(n=100))
    assert fake.email().split("@")[1] in ("example.org", "example.com", "example.net")
    assert fake.email(domain="acme.test").endswith("@acme.test")


def test_luhn_and_iban(fake):
    for card in fake.credit_card_number(n=200):
        digits = [int(c) for c in card][::-1]
        total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
        assert total % 10 == 0
    for iban in fake.iban(n=50):
        moved = iban[4:] + iban[:4]
        assert int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def test_dates(fake):
    today = dt.date.today()
    for d in fake.date_of_birth(minimum_age=18, maximum_age=30, n=300).tolist():
        age = today.year - d.year - ((today.month, today.day) < (d.month, d.day))
        assert 18 <= age <= 30
    days = fake.date_between(start_date="-10d", end_date="today", n=300).tolist()
    assert min(days) >= today - dt.timedelta(days=11) and max(days) <= today
    assert isinstance(fake.date_time(), dt.datetime)
    assert fake.date_time(tzinfo=dt.timezone.utc).tzinfo is not None
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", fake.iso8601(sep=" "))
    assert re.fullmatch(r"\d\d/\d{4}", fake.date(pattern="%m/%Y"))
    with pytest.raises(ParameterError, match="cannot read"):
        fake.date_between(start_date="yesterday-ish")


def test_choices(fake):
    picks = fake.random_element(elements={"a": 0.9, "b": 0.1}, n=2000)
    assert 0.85 < np.mean(picks == "a") < 0.95
    assert fake.random_element(["x", "y"]) in ("x", "y")
    sample = fake.random_elements(elements=list(range(10)), length=10, unique=True)
    assert sorted(sample) == list(range(10))
    assert all(1 <= len(v) <= 3 for v in fake.random_elements(n=50))
    profile = fake.profile()
    assert {"job", "company", "ssn", "residence", "current_location", "blood_group", "website", "name", "mail"} <= set(
        profile
    )
    assert set(fake.profile(fields=["job", "name"])) == {"job", "name"}


def test_bad_arguments(fake):
    with pytest.raises(ParameterError):
        fake.random_int(10, 1)
    with pytest.raises(ParameterError, match="at least 5"):
        fake.text(max_nb_chars=3)
    with pytest.raises(ParameterError, match="unknown locale"):
        Faker("xx_XX")
    with pytest.raises(TypeError):
        fake.pyint(no_such_argument=1)
    with pytest.raises(ParameterError):
        fake.name(n=-1)


def test_add_provider_and_format_parse(fake):
    from faker.providers import BaseProvider

    class Shop(BaseProvider):
        def shop(self):
            return "Shop " + self.random_element(["A", "B"])

        def name(self):
            return "Custom"

    fake.add_provider(Shop)
    assert fake.shop() in ("Shop A", "Shop B")
    assert fake.name() == "Custom"
    assert fake.format("shop").startswith("Shop")
    assert re.fullmatch(r"Shop [AB] in .+", fake.parse("{{shop}} in {{city}}"))


def test_optional(fake):
    values = [fake.optional.name(prob=0.5) for _ in range(200)]
    assert 40 < sum(v is None for v in values) < 160
    with pytest.raises(ParameterError):
        fake.optional.name(prob=0)


@pytest.mark.filterwarnings("ignore:fr_QC locale is deprecated")
def test_every_faker_locale_gives_names_addresses_phones():
    from faker.config import AVAILABLE_LOCALES

    assert set(AVAILABLE_LOCALES) <= set(available_locales())
    for loc in AVAILABLE_LOCALES:
        f = Faker(loc)
        f.seed_instance(0)
        assert f.name() and f.address() and f.phone_number(), loc
    assert Faker("en_CA").postcode()[1].isdigit()


def test_batches_are_fast_and_single_calls_cheap():
    f = Faker()
    f.seed_instance(0)
    t = time.perf_counter()
    names = f.name(n=200_000)
    assert isinstance(names, np.ndarray) and len(names) == 200_000
    assert time.perf_counter() - t < 5
    f.name()
    t = time.perf_counter()
    for _ in range(10_000):
        f.name()
    assert time.perf_counter() - t < 2  # Faker itself takes about 0.2-0.7 s
