"""One sampling context per call: ids and Unique run across the conditions (groups) of one call, Unique on
an id column holds by construction, conditions on generated columns are refused up front."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra import CARTSynthesizer, Condition, GaussianCopulaSynthesizer, Metadata
from simulacra.constraints import Unique
from simulacra.errors import ConstraintError, ParameterError

CITIES = ["Paris", "Lyon", "Rome", "Milan"]


def _table(n=300, seed=0):
    r = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sid": [f"AB-{i:04d}" for i in range(n)],
            "nid": np.arange(1000, 1000 + n),
            "email": [f"user{i}@example.com" for i in range(n)],
            "a": r.normal(10, 3, n).round(2),
            "city": r.choice(CITIES, n),
            "k": r.choice(100_000, n, replace=False),
        }
    )


DF = _table()


def _md():
    md = Metadata.detect_from_dataframe(DF)
    md.update_column("sid", sdtype="id", regex_format="AB-[0-9]{4}")
    md.update_column("nid", sdtype="id")
    md.update_column("email", sdtype="email", pii=True)
    md.update_column("city", sdtype="categorical")
    md.set_primary_key("sid")
    return md


@pytest.fixture(scope="module", params=[GaussianCopulaSynthesizer, CARTSynthesizer], ids=["gc", "cart"])
def synth(request):
    return request.param(_md()).fit(DF)


def _fit(constraints, cls=GaussianCopulaSynthesizer):
    s = cls(_md())
    s.add_constraints(constraints)
    return s.fit(DF)


# ---------------------------------------------------------------------- one context per call (audit-a2 F2, F3)
def test_string_ids_are_unique_across_the_conditions_of_one_call(synth):
    r = synth.sample_from_conditions([Condition({"city": c}, 200) for c in CITIES], seed=0)
    assert len(r) == 800 and r["sid"].is_unique and r["nid"].is_unique
    assert (r["city"].to_numpy() == np.repeat(CITIES, 200)).all()
    # with batches inside each condition as well
    r = synth.sample_from_conditions([Condition({"city": c}, 200) for c in CITIES], seed=0, batch_size=30)
    assert r["sid"].is_unique


def test_string_ids_are_unique_across_the_groups_of_sample_remaining_columns(synth):
    known = pd.DataFrame({"city": CITIES * 1000})
    r = synth.sample_remaining_columns(known, seed=1)
    assert len(r) == 4000 and r["sid"].is_unique
    assert (r["city"] == known["city"]).all()


def test_the_call_is_one_run_same_seed_same_rows_other_seed_other_ids(synth):
    conds = [Condition({"city": c}, 50) for c in CITIES]
    a = synth.sample_from_conditions(conds, seed=4)
    pd.testing.assert_frame_equal(a, synth.sample_from_conditions(conds, seed=4))
    assert not a["sid"].equals(synth.sample_from_conditions(conds, seed=5)["sid"])


def test_unique_holds_across_conditions_and_groups():
    # 60 distinct values of k: two conditions of 15 rows drawn in separate contexts would repeat some
    df = DF.head(60).assign(k=np.arange(60) * 2)
    s = GaussianCopulaSynthesizer(_md())
    s.add_constraints([Unique(["k"])])
    s.fit(df)
    for seed in range(3):
        r = s.sample_from_conditions([Condition({"city": "Paris"}, 15), Condition({"city": "Rome"}, 15)], seed=seed)
        assert len(r) == 30 and r["k"].is_unique
        r = s.sample_remaining_columns(pd.DataFrame({"city": ["Paris"] * 15 + ["Rome"] * 15}), seed=seed)
        assert len(r) == 30 and r["k"].is_unique


# ---------------------------------------------------------------------- Unique on ids (audit-a2 F4)
@pytest.mark.parametrize("columns", [["sid"], ["nid"], ["sid", "city"]])
def test_unique_on_an_id_column_holds_over_many_batches(columns):
    s = _fit([Unique(columns)])
    r = s.sample(100, seed=5, batch_size=30)
    assert len(r) == 100 and r["sid"].is_unique and r["nid"].is_unique
    # the ids meet it by construction: the rows are those of a run without the constraint
    pd.testing.assert_frame_equal(r, GaussianCopulaSynthesizer(_md()).fit(DF).sample(100, seed=5, batch_size=30))
    # and any batch can be made alone again (nothing to track across batches)
    plan = s.plan(100, batch_size=30, seed=5)
    pd.testing.assert_frame_equal(s.sample_batch(plan, 2), r.iloc[60:90].reset_index(drop=True))


def test_unique_on_an_id_column_with_conditions():
    s = _fit([Unique(["sid"])], CARTSynthesizer)
    r = s.sample_from_conditions([Condition({"city": c}, 40) for c in CITIES], seed=2, batch_size=15)
    assert len(r) == 160 and r["sid"].is_unique
    r = s.sample_remaining_columns(pd.DataFrame({"city": CITIES * 30}), seed=2)
    assert len(r) == 120 and r["sid"].is_unique


def test_unique_on_a_learned_column_still_tracks_the_run():
    s = _fit([Unique(["k"])])
    assert s.sample(100, seed=5, batch_size=30)["k"].is_unique
    with pytest.raises(ConstraintError, match="cannot be made alone"):
        s.sample_batch(s.plan(100, batch_size=30, seed=5), 1)


# ---------------------------------------------------------------------- conditions on generated columns (F10)
@pytest.mark.parametrize(
    "values,what",
    [
        ({"sid": "AB-0001"}, "an id"),
        ({"nid": 1005}, "an id"),
        ({"email": "x@example.com"}, "a PII"),
        ({"city": "Paris", "sid": "AB-0001"}, "an id"),
    ],
)
def test_a_condition_on_a_generated_column_is_refused(synth, values, what):
    col = [c for c in values if c != "city"][0]
    with pytest.raises(ConstraintError, match=f"column '{col}' is {what}.*condition on learned columns"):
        synth.sample_from_conditions([Condition({"city": "Paris"}, 3), Condition(values, 2)], seed=0)
    with pytest.raises(ConstraintError, match=f"column '{col}' is {what}"):
        synth.sample_remaining_columns(pd.DataFrame({c: [v] * 2 for c, v in values.items()}), seed=0)


def test_duplicate_known_columns_are_refused(synth):
    known = pd.DataFrame([["Paris", "Paris"]], columns=["city", "city"])
    with pytest.raises(ParameterError, match="known_columns has the column 'city' more than once"):
        synth.sample_remaining_columns(known, seed=0)
