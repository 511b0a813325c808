"""Constraints hold on 100% of sampled rows, for every synthesizer, and survive save/load."""

import numpy as np
import pandas as pd
import pytest

from simulacra import CARTSynthesizer, GaussianCopulaSynthesizer, Metadata
from simulacra.constraints import (
    FixedCombinations,
    FixedIncrements,
    Inequality,
    Negative,
    OneHot,
    Positive,
    ScalarRange,
    Unique,
    create_custom_constraint_class,
)
from simulacra.errors import ConstraintError
from simulacra.synthesizers.base import BaseSynthesizer

SYNTHS = [GaussianCopulaSynthesizer, CARTSynthesizer]


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 600
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    city = rng.choice(["Paris", "Lyon", "Berlin", "Munich"], n)
    country = np.where(np.isin(city, ["Paris", "Lyon"]), "FR", "DE")
    low = rng.normal(50, 10, n).round(1)
    onehot = np.eye(3, dtype=int)[rng.integers(0, 3, n)]
    return pd.DataFrame(
        {
            "low": low,
            "high": (low + rng.gamma(2, 5, n)).round(1),
            "checkin": start,
            "checkout": start + pd.to_timedelta(rng.integers(1, 15, n), unit="D"),
            "city": city,
            "country": country,
            "score": rng.uniform(0, 10, n).round(2),
            "debt": -rng.gamma(2, 100, n).round(0),
            "qty": rng.integers(1, 20, n) * 5,
            "a": onehot[:, 0],
            "b": onehot[:, 1],
            "c": onehot[:, 2],
            "code": rng.integers(0, 10**6, n),
        }
    )


def constraints():
    return [
        Inequality("low", "high"),
        Inequality("checkin", "checkout", strict_boundaries=True),
        FixedCombinations(["city", "country"]),
        ScalarRange("score", 0, 10),
        Negative("debt"),
        Positive("qty", strict=True),
        FixedIncrements("qty", 5),
        OneHot(["a", "b", "c"]),
        Unique("code"),
    ]


@pytest.mark.parametrize("klass", SYNTHS)
def test_all_constraints_hold(table, klass, tmp_path):
    md = Metadata.detect_from_dataframe(table)
    md.update_column("code", sdtype="numerical")
    s = klass(md)
    s.add_constraints(constraints())
    s.fit(table)
    syn = s.sample(3000, seed=0, batch_size=1000)
    assert len(syn) == 3000
    for c in constraints()[:-1]:
        assert np.asarray(c.is_valid(syn)).all(), c
    assert syn["code"].is_unique
    assert (syn["high"] >= syn["low"]).all()
    assert (syn["checkout"] > syn["checkin"]).all()
    pairs = set(map(tuple, syn[["city", "country"]].to_numpy()))
    assert pairs <= {("Paris", "FR"), ("Lyon", "FR"), ("Berlin", "DE"), ("Munich", "DE")}
    assert (syn[["a", "b", "c"]].sum(axis=1) == 1).all()
    assert (syn["qty"] % 5 == 0).all()
    assert syn.dtypes.equals(table.dtypes)
    # saved with the model
    s.save(tmp_path / "m.zip")
    back = BaseSynthesizer.load(tmp_path / "m.zip")
    assert [type(c).__name__ for c in back.get_constraints()] == [type(c).__name__ for c in constraints()]
    pd.testing.assert_frame_equal(back.sample(500, seed=3), s.sample(500, seed=3))


def test_sdv1_dict_form_and_errors(table):
    md = Metadata.detect_from_dataframe(table)
    s = GaussianCopulaSynthesizer(md)
    s.add_constraints(
        [
            {
                "constraint_class": "Inequality",
                "constraint_parameters": {"low_column_name": "low", "high_column_name": "high"},
            }
        ]
    )
    with pytest.raises(ConstraintError, match="unknown constraint class"):
        s.add_constraints([{"constraint_class": "Nope"}])
    with pytest.raises(ConstraintError, match="'zz'"):
        s.add_constraints([Inequality("low", "zz")])
    bad = GaussianCopulaSynthesizer(md)
    bad.add_constraints([Inequality("high", "low")])
    with pytest.raises(ConstraintError, match="real rows break it"):
        bad.fit(table)
    s.fit(table)
    with pytest.raises(ConstraintError, match="before fit"):
        s.add_constraints([Positive("qty")])


def test_custom_constraint_and_reattach(table, tmp_path):
    def is_valid(column_names, data):
        return (data["score"] < 8) | (data["city"] == "Paris")

    ParisScore = create_custom_constraint_class(is_valid)
    md = Metadata.detect_from_dataframe(
        table.assign(score=np.where(table["city"] == "Paris", table["score"], table["score"].clip(upper=7.9)))
    )
    data = table.assign(score=np.where(table["city"] == "Paris", table["score"], table["score"].clip(upper=7.9)))
    s = GaussianCopulaSynthesizer(md)
    s.add_constraints([ParisScore(column_names=["score", "city"])])
    s.fit(data)
    syn = s.sample(2000, seed=1)
    assert is_valid(None, syn).all()
    s.save(tmp_path / "c.zip")
    back = GaussianCopulaSynthesizer.load(tmp_path / "c.zip")
    with pytest.raises(ConstraintError, match="attach them again"):
        back.sample(5)
    back.add_constraints([ParisScore(column_names=["score", "city"])])
    assert is_valid(None, back.sample(500, seed=2)).all()


def test_impossible_constraint_is_a_clear_error(table):
    class Never(create_custom_constraint_class(lambda cols, data: np.ones(len(data), bool))):
        def is_valid(self, data):
            return np.zeros(len(data), dtype=bool)

    md = Metadata.detect_from_dataframe(table)
    s = GaussianCopulaSynthesizer(md)
    s.fit(table)
    s._constraints.append(Never(column_names=["low"]))
    with pytest.raises(ConstraintError, match="Never"):
        s.sample(10, seed=0)


def test_a_rule_after_a_reshaping_constraint_is_checked_on_the_real_rows(table):
    """A custom rule listed after Inequality on the same columns sees the real columns, not the gap."""
    stay = create_custom_constraint_class(lambda cols, data: (data[cols[1]] - data[cols[0]]).dt.days >= 1)
    synth = CARTSynthesizer(Metadata.detect_from_dataframe(table, table_name="t"))
    synth.add_constraints([Inequality("checkin", "checkout"), stay(column_names=["checkin", "checkout"])])
    synth.fit(table)
    rows = synth.sample(200, seed=0)
    assert ((rows["checkout"] - rows["checkin"]).dt.days >= 1).all()
    broken = table.assign(checkout=table["checkin"])  # real rows that break the custom rule are still refused
    synth2 = CARTSynthesizer(Metadata.detect_from_dataframe(table, table_name="t"))
    synth2.add_constraints([Inequality("checkin", "checkout"), stay(column_names=["checkin", "checkout"])])
    with pytest.raises(ConstraintError, match="real rows break it"):
        synth2.fit(broken)
