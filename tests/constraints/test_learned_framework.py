import pandas as pd
import pytest

from simulacra.constraints.learned import FAMILIES, LearnedRule, discover_rules
from simulacra.errors import ConstraintError


def test_families_order():
    assert FAMILIES == ("derived", "clock", "grids", "missing", "lookup", "categorical", "inequality")


def test_discover_rules_refuses_bad_input():
    with pytest.raises(ConstraintError, match="DataFrame"):
        discover_rules([1, 2], {})
    with pytest.raises(ConstraintError, match="unknown rule family"):
        discover_rules(pd.DataFrame({"a": [1]}), {"a": {"sdtype": "numerical"}}, families=["nope"])


def test_discover_rules_returns_learned_rules():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0] * 10, "b": [2.0, 3.0, 5.0] * 10})
    meta = {"a": {"sdtype": "numerical"}, "b": {"sdtype": "numerical"}}
    rules = discover_rules(df, meta)
    for r in rules:
        assert r.learned is True and r.family in FAMILIES and isinstance(r.describe(), str)
        assert bool(r.is_valid(df).all())
    assert discover_rules(df, meta, skip={"a", "b"}) == []


def test_learned_rule_repair_default():
    class Noop(LearnedRule):
        family = "missing"

    df = pd.DataFrame({"a": [1]})
    assert Noop().repair(df).equals(df)
    assert Noop().consumed_columns == []
