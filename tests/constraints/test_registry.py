"""The constraint registry and the model-file round trip of every built-in constraint."""

import json

import numpy as np
import pandas as pd
import pytest

from simulacra.constraints import (
    BUILTINS,
    Constraint,
    FixedCombinations,
    FixedIncrements,
    Inequality,
    MissingCustom,
    Negative,
    OneHot,
    OneHotEncoding,
    Range,
    ScalarInequality,
    Positive,
    ScalarRange,
    Unique,
    constraint_from_dict,
    constraint_to_state,
    constraints_from_state,
    create_custom_constraint_class,
    get_constraint_class,
    register,
)
from simulacra.constraints import builtin
from simulacra.constraints.registry import is_registered
from simulacra.errors import ConstraintError, ModelFileError

NAMES = [
    "Inequality",
    "ScalarRange",
    "Positive",
    "Negative",
    "FixedCombinations",
    "OneHot",
    "Unique",
    "FixedIncrements",
    "OneHotEncoding",
    "ScalarInequality",
    "Range",
]


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 60
    low = rng.normal(50, 10, n).round(1)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    hot = np.eye(3, dtype=int)[rng.integers(0, 3, n)]
    city = rng.choice(["Oslo", "Rome", "Pisa"], n)
    df = pd.DataFrame(
        {
            "low": low,
            "high": low + rng.gamma(2, 3, n).round(1),
            "checkin": start,
            "checkout": start + pd.to_timedelta(rng.integers(1, 9, n), unit="D"),
            "score": rng.uniform(0, 10, n).round(2),
            "qty": rng.integers(1, 20, n) * 5,
            "debt": -rng.integers(0, 100, n),
            "city": city,
            "country": np.where(city == "Oslo", "NO", "IT"),
            "a": hot[:, 0],
            "b": hot[:, 1],
            "c": hot[:, 2],
            "code": rng.permutation(n),
            "x0": hot[:, 1],
            "x1": hot[:, 2],
            "x2": hot[:, 0],
            "top": rng.uniform(10, 20, n).round(2),
        }
    )
    df.loc[[3, 7], "low"] = np.nan  # Inequality learns a fill for missing lows
    return df


def _fitted(table):
    meta = {c: {"sdtype": "numerical"} for c in table}
    meta.update({c: {"sdtype": "datetime"} for c in ("checkin", "checkout")})
    meta.update({c: {"sdtype": "categorical"} for c in ("city", "country")})
    out = [
        Inequality("low", "high"),
        Inequality("checkin", "checkout", strict_boundaries=True),
        ScalarRange("score", 0, 10),
        Positive("qty", strict=True),
        Negative("debt"),
        FixedCombinations(["city", "country"]),
        OneHot(["a", "b", "c"]),
        Unique("code"),
        FixedIncrements("qty", 5),
        OneHotEncoding(["x0", "x1", "x2"]),
        ScalarInequality("score", ">=", 0),
        Range("debt", "score", "top"),
    ]
    for c in out:
        c.fit(table, meta)
    return out


def test_registry_holds_the_builtins_by_name():
    assert [n for n, cls in BUILTINS.items() if not getattr(cls, "learned", False)] == NAMES
    assert builtin.BUILTINS is BUILTINS  # the old import path still works
    for name in NAMES:
        cls = get_constraint_class(name)
        assert cls.__name__ == name and issubclass(cls, Constraint) and is_registered(cls)
    assert get_constraint_class("Unique") is Unique


@pytest.mark.parametrize("name", ["Nope", None, 3, "inequality"])
def test_unknown_names_are_refused(name):
    with pytest.raises(ConstraintError, match=r"unknown constraint class .*; built-ins: Inequality, ScalarRange"):
        get_constraint_class(name)
    with pytest.raises(ConstraintError, match="unknown constraint class"):
        constraint_from_dict({"constraint_class": name})


def test_sdv1_dicts_build_registered_classes():
    c = constraint_from_dict(
        {
            "constraint_class": "ScalarRange",
            "constraint_parameters": {"column_name": "x", "low_value": 0, "high_value": 1},
        }
    )
    assert isinstance(c, ScalarRange) and c.get_parameters()["high_value"] == 1
    with pytest.raises(ConstraintError, match="ScalarRange: bad parameters"):
        constraint_from_dict({"constraint_class": "ScalarRange", "constraint_parameters": {"column": "x"}})
    with pytest.raises(ConstraintError, match="must be below"):
        constraint_from_dict(
            {
                "constraint_class": "ScalarRange",
                "constraint_parameters": {"column_name": "x", "low_value": 1, "high_value": 1},
            }
        )


def test_every_builtin_round_trips_through_json(table):
    fitted = _fitted(table)
    assert {type(c).__name__ for c in fitted} == set(NAMES)
    entries = json.loads(json.dumps([constraint_to_state(c) for c in fitted]))  # what a model file holds
    back, missing = constraints_from_state(entries)
    assert missing == []
    for c, b in zip(fitted, back, strict=True):
        assert type(b) is type(c)
        assert b.get_parameters() == c.get_parameters() and b.get_state() == c.get_state()
        assert b._to_state() == c._to_state() == constraint_to_state(c)
        np.testing.assert_array_equal(b.is_valid(table), c.is_valid(table))
        learned = c.transform(table)
        pd.testing.assert_frame_equal(b.transform(table), learned)
        pd.testing.assert_frame_equal(b.reverse_transform(learned), c.reverse_transform(learned))
        assert b.transform_columns({x: {"sdtype": "numerical"} for x in table}) == c.transform_columns(
            {x: {"sdtype": "numerical"} for x in table}
        )
    # the real table comes back through the whole chain
    df = table
    for c in back:
        df = c.transform(df)
    for c in reversed(back):
        df = c.reverse_transform(df)
    pd.testing.assert_frame_equal(df[list(table)], table)


def test_per_component_round_trip(table):
    for c in _fitted(table):
        entry = c._to_state()
        assert set(entry) == {"class", "parameters", "state"} and entry["class"] == type(c).__name__
        b = type(c)._from_state(entry)
        assert b.get_state() == c.get_state()


def test_older_entries_still_load():
    """Entries as earlier simulacra versions wrote them (no "state" for stateless rules, fewer keys)."""
    entries = [
        {"class": "Unique", "parameters": {"column_names": ["code"]}},
        {"class": "Inequality", "parameters": {"low_column_name": "a", "high_column_name": "b"}, "state": {}},
        {"class": "Positive", "parameters": {"column_name": "q", "strict": False}, "state": None},
    ]
    back, missing = constraints_from_state(entries)
    assert [type(c) for c in back] == [Unique, Inequality, Positive] and missing == []
    assert back[1].get_state() == {"dates": False, "high_dtype": "float64", "fill": None}


def test_custom_constraints_become_placeholders_in_place():
    Mine = create_custom_constraint_class(lambda cols, data: np.ones(len(data), bool))
    chain = [Mine(column_names=["x"]), Positive("x"), MissingCustom("Other")]
    entries = [constraint_to_state(c) for c in chain]
    assert entries[0] == {"custom": "<lambda>", "columns": ["x"]} and entries[2] == {"custom": "Other"}
    back, missing = constraints_from_state(entries)
    assert [type(c) for c in back] == [MissingCustom, Positive, MissingCustom]
    assert [c.class_name for c in back if isinstance(c, MissingCustom)] == missing == ["<lambda>", "Other"]
    assert repr(back[0]) == "MissingCustom('<lambda>')"
    df = pd.DataFrame({"x": [1, -1]})
    assert back[0].is_valid(df).all() and back[0].transform(df) is df
    assert constraint_to_state(back[0]) == {"custom": "<lambda>", "columns": ["x"]}  # saved again as it came


def test_a_subclass_of_a_builtin_is_not_saved_as_the_builtin():
    class MyInequality(Inequality):
        pass

    assert not is_registered(MyInequality)
    assert constraint_to_state(MyInequality("a", "b")) == {"custom": "MyInequality", "columns": ["a", "b"]}


def test_register_a_new_class():
    class Even(Constraint):
        def __init__(self, column_name):
            self.column = column_name

        @property
        def columns(self):
            return [self.column]

        def get_parameters(self):
            return {"column_name": self.column}

        def is_valid(self, data):
            return (data[self.column] % 2 == 0).to_numpy()

    try:
        assert register(Even) is Even and register(Even) is Even  # idempotent
        assert get_constraint_class("Even") is Even
        entry = constraint_to_state(Even("n"))
        assert entry == {"class": "Even", "parameters": {"column_name": "n"}, "state": {}}
        (back,), missing = constraints_from_state([entry])
        assert isinstance(back, Even) and back.column == "n" and missing == []

        class Other(Constraint):
            pass

        Other.__name__ = "Even"
        with pytest.raises(ConstraintError, match="'Even' is already registered"):
            register(Other)
    finally:
        BUILTINS.pop("Even", None)
    with pytest.raises(ConstraintError, match="only Constraint subclasses"):
        register(dict)
    with pytest.raises(ConstraintError, match="only Constraint subclasses"):
        register(Positive("x"))


BAD_ENTRIES = {
    "unknown class": ([{"class": "Nope", "parameters": {}}], "model file names an unknown constraint 'Nope'"),
    "no class": ([{"parameters": {}}], "model file names an unknown constraint None"),
    "not a list": ({"class": "Unique"}, "constraints must be a list"),
    "entry not an object": (["Unique"], "a constraint entry must be an object"),
    "parameters not an object": ([{"class": "Unique", "parameters": ["code"]}], "parameters must be an object"),
    "unknown parameter": (
        [{"class": "Unique", "parameters": {"column_names": ["a"], "evil": 1}}],
        "constraint Unique has bad parameters",
    ),
    "refused parameters": (
        [{"class": "FixedIncrements", "parameters": {"column_name": "a", "increment_value": -1}}],
        "constraint FixedIncrements has bad parameters .*increment_value must be positive",
    ),
    "state not an object": (
        [{"class": "OneHot", "parameters": {"column_names": ["a", "b"]}, "state": [1]}],
        "constraint OneHot state must be an object",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ENTRIES))
def test_bad_entries_are_model_file_errors(case):
    entries, expected = BAD_ENTRIES[case]
    with pytest.raises(ModelFileError, match=expected):
        constraints_from_state(entries)


@pytest.mark.parametrize(
    "entry, expected",
    [
        (
            {
                "class": "Inequality",
                "parameters": {"low_column_name": "a", "high_column_name": "b"},
                "state": {"high_dtype": "V8"},
            },
            "constraint dtype 'V8' cannot hold",
        ),
        (
            {
                "class": "FixedIncrements",
                "parameters": {"column_name": "a", "increment_value": 5},
                "state": {"dtype": "nope"},
            },
            "'nope' is not a dtype name",
        ),
        (
            {"class": "OneHot", "parameters": {"column_names": ["a", "b"]}, "state": {"dtypes": ["int64"]}},
            "one entry per column",
        ),
        (
            {
                "class": "FixedCombinations",
                "parameters": {"column_names": ["a", "b"]},
                "state": {"combos": [["x"]], "dtypes": ["object", "object"], "meta": [{}, {}]},
            },
            "one value per column",
        ),
    ],
)
def test_bad_saved_states_are_value_errors_the_loader_names(entry, expected):
    with pytest.raises(ValueError, match=expected):
        constraints_from_state([entry])


@pytest.mark.parametrize("tz", [None, "Europe/Oslo"])
def test_fixed_combinations_of_dates_round_trip(tz):
    day = pd.Series(pd.to_datetime(["2024-01-01", None, "2024-01-01 10:00:00.5", "2023-05-05"] * 5, format="mixed"))
    if tz:
        day = day.dt.tz_localize(tz)
    df = pd.DataFrame({"day": day, "city": ["Oslo", "Rome", "Oslo", "Pisa"] * 5})
    c = FixedCombinations(["day", "city"])
    c.fit(df, {"day": {"sdtype": "datetime"}, "city": {"sdtype": "categorical"}})
    assert len(c.combos) == 4 and [None, "Rome"] in c.combos
    (back,), _ = constraints_from_state(json.loads(json.dumps([constraint_to_state(c)])))
    assert back.is_valid(df).all()
    learned = back.transform(df)
    assert learned["#combination#day#city"].tolist() == [0, 1, 2, 3] * 5
    pd.testing.assert_frame_equal(back.reverse_transform(learned)[["day", "city"]], df)
    other = df.assign(city=["Rome", "Rome", "Oslo", "Oslo"] * 5)
    assert back.is_valid(other).tolist() == [False, True, True, False] * 5


BAD_PARAMETERS = [
    (lambda: ScalarRange("x", "a", 3), r"ScalarRange\('x'\): low_value and high_value must be numbers"),
    (lambda: ScalarRange("x", 5, 1), "low_value 5 must be below high_value 1"),
    (lambda: ScalarRange("x", float("nan"), 1), "must be below"),
    (lambda: ScalarRange("x", 0, 1, strict_boundaries="yes"), "strict_boundaries must be True or False"),
    (lambda: Inequality("a", "b", strict_boundaries="False"), "strict_boundaries must be True or False, got 'False'"),
    (lambda: Positive("x", strict=1), r"Positive\('x'\): strict must be True or False"),
    (lambda: Negative("x", strict="no"), r"Negative\('x'\): strict must be True or False"),
    (lambda: FixedIncrements("x", "5"), "increment_value must be positive"),
    (lambda: FixedIncrements("x", True), "increment_value must be positive"),
    (lambda: FixedIncrements("x", 0), "increment_value must be positive"),
    (lambda: Unique(None), "Unique needs a column name or a list"),
    (lambda: Unique([]), "Unique needs a column name or a list"),
    (lambda: OneHot(["a"]), "OneHot needs a list of at least two column names"),
    (lambda: FixedCombinations("ab"), "FixedCombinations needs a list of at least two column names"),
]


@pytest.mark.parametrize("make, expected", BAD_PARAMETERS)
def test_bad_parameters_are_constraint_errors(make, expected):
    with pytest.raises(ConstraintError, match=expected):
        make()


def test_good_parameters_of_other_types_are_kept():
    assert ScalarRange("d", pd.Timestamp("2020-01-01"), pd.Timestamp("2021-01-01")).low == pd.Timestamp("2020-01-01")
    assert ScalarRange("x", np.int64(0), 2.5, strict_boundaries=np.True_).strict is True
    assert FixedIncrements("x", np.int64(5)).increment == 5 and Unique(("a", "b")).column_names == ["a", "b"]
