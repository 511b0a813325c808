"""The providers' internal API: Provider.generate / Fake.generate draw a raw column exactly as the public
method draws it (same seed, same values), so providers call each other without the public wrapper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import ParameterError
from simulacra.fake import Fake
from simulacra.fake.core import engine_for, to_series


@pytest.mark.parametrize(
    "field", ["internet.domain", "internet.email", "person.full_name", "address.state", "text.word"]
)
def test_generate_equals_the_public_method(field):
    public = Fake(seed=3).method(field)(40)
    fake = Fake(seed=3)
    raw = fake.generate(field, 40, fake.rng, engine_for("en_US"))
    pd.testing.assert_series_equal(to_series(raw), public)


def test_person_email_is_internet_email():
    a = Fake(seed=5).person.email(30, free=False)
    b = Fake(seed=5).internet.email(30, free=False)
    pd.testing.assert_series_equal(a, b)


def test_provider_generate_refuses_unknown_fields():
    fake = Fake(seed=0)
    with pytest.raises(ParameterError, match="has no field 'nope'"):
        fake.internet.generate("nope", 3, fake.rng, engine_for("en_US"))


def test_fake_exposes_its_stream_and_locales():
    fake = Fake(locale={"en_US": 1, "de_DE": 1}, seed=1)
    assert fake.locales == ["en_US", "de_DE"]
    assert isinstance(fake.rng, np.random.Generator)
    assert fake.internet.fake is fake


def test_engine_cache_computes_once():
    eng = engine_for("en_US")
    calls = []
    key = ("test-cache", id(calls))
    assert eng.cached(key, lambda: calls.append(1) or "v") == "v"
    assert eng.cached(key, lambda: calls.append(1) or "w") == "v"
    assert calls == [1]


def test_every_field_gives_zero_values():
    """sample(0) of a table with PII columns asks the fake engine for 0 values of each."""
    from simulacra.fake import pseudonym

    fake = Fake(seed=1)
    for name in fake.fields_available():
        if name == "basic.choice":
            continue  # needs values=
        try:
            out = fake.method(name)(0)
        except ParameterError as e:  # fields whose data needs an optional package (food: mimesis)
            assert "pip install" in str(e), name
            continue
        assert len(out) == 0, name
    for sdtype in ("email", "name", "phone_number", "address", "user_name", "city", "credit_card_number"):
        assert len(pseudonym.fake_values(sdtype, 0, seed=1)) == 0
