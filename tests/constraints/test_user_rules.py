"""User constraints written the SDV way (``fit(self, data, columns_meta)``), the guaranteed_by hook, and
constraints on columns of a kind they cannot read (refused with a short ConstraintError, never a raw error)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.constraints import (
    Constraint,
    CustomConstraint,
    FixedIncrements,
    Inequality,
    Negative,
    OneHot,
    Positive,
    ScalarRange,
    Unique,
    create_custom_constraint_class,
)
from simulacra.errors import ConstraintError, ModelFileError
from simulacra.synthesizers.base import BaseSynthesizer


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 200
    low = rng.normal(10, 2, n).round(2)
    return pd.DataFrame(
        {
            "low": low,
            "high": (low + rng.exponential(3, n)).round(2),
            "k": rng.integers(0, 50, n) * 2,
            "city": rng.choice(["Paris", "Rome", "Lyon"], n),
            "a": rng.integers(0, 2, n),
            "d": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
        }
    )


def _metadata(df):
    md = Metadata.detect_from_dataframe(df)
    md.update_column("a", sdtype="numerical")
    md.update_column("k", sdtype="numerical")
    md.update_column("city", sdtype="categorical")
    return md


class EvenK(CustomConstraint):
    """Written as an SDV user writes it: fit(self, data, columns_meta), no check keyword."""

    def __init__(self, column_name="k"):
        super().__init__()
        self.column_name = column_name

    @property
    def columns(self):
        return [self.column_name]

    def fit(self, data, columns_meta):
        self.seen_max = int(data[self.column_name].max())
        self.meta = columns_meta[self.column_name]

    def is_valid(self, data):
        return (data[self.column_name] % 2 == 0).to_numpy()


class MyInequality(Inequality):
    """A subclass of a built-in overriding fit with the two-argument signature."""

    def fit(self, data, columns_meta):
        super().fit(data, columns_meta)
        self.fitted_on = len(data)


def test_user_fit_overrides_with_two_arguments_fit_sample_save_and_load(table, tmp_path):
    even, ineq = EvenK(), MyInequality("low", "high")
    synth = GaussianCopulaSynthesizer(_metadata(table))
    synth.add_constraints([ineq, even])
    synth.fit(table)  # TypeError "unexpected keyword argument 'check'" before the fix
    assert even.seen_max == table["k"].max() and even.meta["sdtype"] == "numerical"
    assert ineq.fitted_on == len(table)
    rows = synth.sample(150, seed=4, batch_size=60)
    assert (rows["k"] % 2 == 0).all() and (rows["low"] <= rows["high"]).all()

    synth.save(tmp_path / "m.zip")
    back = BaseSynthesizer.load(tmp_path / "m.zip")
    with pytest.raises(ConstraintError, match="attach them again"):
        back.sample(5, seed=0)
    back.add_constraints([ineq, even])  # neither is registered: both come back as placeholders
    pd.testing.assert_frame_equal(back.sample(150, seed=4, batch_size=60), rows)


def test_the_pipeline_checks_the_real_rows_even_when_fit_is_overridden(table):
    synth = GaussianCopulaSynthesizer(_metadata(table))
    synth.add_constraints([EvenK()])
    with pytest.raises(ConstraintError, match=r"EvenK.*of the 200 real rows break it"):
        synth.fit(table.assign(k=table["k"] + 1))


def test_guaranteed_by_says_which_rules_ids_meet():
    assert Unique(["sid", "x"]).guaranteed_by({"sid"}) and Unique("sid").guaranteed_by(["sid", "nid"])
    assert not Unique(["x"]).guaranteed_by({"sid"}) and not Unique(["x"]).guaranteed_by(set())
    assert not Inequality("a", "b").guaranteed_by({"a", "b"})
    assert not Constraint().guaranteed_by({"a"}) and not EvenK().guaranteed_by({"k"})


# --------------------------------------------------------------------------- kinds
WRONG_SDTYPE = [
    (lambda: Inequality("city", "high"), "'city' is 'categorical'.*Inequality needs numerical or datetime"),
    (lambda: Inequality("low", "d"), "'low' is 'numerical' and 'd' is 'datetime'.*two numerical or two datetime"),
    (lambda: ScalarRange("city", 0, 5), "'city' is 'categorical'.*ScalarRange needs numerical or datetime"),
    (
        lambda: ScalarRange("low", pd.Timestamp("2020"), pd.Timestamp("2021")),
        "low_value and high_value must be numbers",
    ),
    (lambda: ScalarRange("d", "x", "y"), "low_value and high_value must be dates"),
    (lambda: Positive("city"), r"Positive\(column_name='city'.*'categorical'.*Positive needs numerical or datetime"),
    (lambda: Negative("city"), "'categorical'.*Negative needs numerical or datetime"),
    (lambda: FixedIncrements("d", 5), "'d' is 'datetime'.*FixedIncrements needs numerical columns"),
    (lambda: OneHot(["city", "d"]), "'d' is 'datetime'.*OneHot needs numerical or boolean or categorical"),
]


@pytest.mark.parametrize("make, expected", WRONG_SDTYPE)
def test_a_rule_on_a_column_of_the_wrong_sdtype_is_refused_when_added(table, make, expected):
    synth = GaussianCopulaSynthesizer(_metadata(table))
    with pytest.raises(ConstraintError, match=expected):
        synth.add_constraints([make()])
    assert synth.get_constraints() == []


def test_the_sdtypes_are_checked_again_at_fit(table):
    md = _metadata(table)
    synth = GaussianCopulaSynthesizer(md)
    synth.add_constraints([Inequality("low", "high")])
    md.update_column("high", sdtype="categorical")
    with pytest.raises(ConstraintError, match="'high' is 'categorical' in the metadata"):
        synth.fit(table)


WRONG_VALUES = [
    (lambda: ScalarRange("low", 0, 5), "low", "'low' holds text"),
    (lambda: Positive("low"), "low", "'low' holds text"),
    (lambda: FixedIncrements("low", 5), "low", "'low' holds text.*not numbers"),
    (lambda: Inequality("low", "high"), "high", "'high' holds text.*pd.to_datetime"),
    (lambda: OneHot(["city", "a"]), None, "'city' holds text.*OneHot needs 0/1 columns"),
]


@pytest.mark.parametrize("make, column, expected", WRONG_VALUES)
def test_values_of_the_wrong_kind_are_a_short_constraint_error_at_fit(table, make, column, expected):
    df = table.copy()
    if column is not None:  # the metadata says numerical, the data holds text
        df[column] = np.where(np.arange(len(df)) % 2, "Milan", "Rome")
    synth = GaussianCopulaSynthesizer(_metadata(table))
    synth.add_constraints([make()])
    with pytest.raises(ConstraintError, match=expected) as err:
        synth.fit(df)
    assert "Milan" not in str(err.value) and "Paris" not in str(err.value) and len(str(err.value)) < 300


def test_onehot_on_categorical_zero_one_columns_still_works():
    df = pd.DataFrame({"x": [1, 0, 0] * 20, "y": [0, 1, 0] * 20, "z": [0, 0, 1] * 20, "v": np.arange(60.0)})
    md = Metadata.detect_from_dataframe(df)
    for c in "xyz":
        md.update_column(c, sdtype="categorical")
    synth = GaussianCopulaSynthesizer(md)
    synth.add_constraints([OneHot(["x", "y", "z"])])
    rows = synth.fit(df).sample(50, seed=1)
    assert (rows[["x", "y", "z"]].astype(int).sum(axis=1) == 1).all()


def test_rules_on_dates_and_custom_rules_are_not_refused(table):
    Small = create_custom_constraint_class(lambda cols, data: data[cols[0]].notna())
    synth = GaussianCopulaSynthesizer(_metadata(table))
    synth.add_constraints(
        [Positive("d"), ScalarRange("d", "2019-01-01", "2023-01-01"), Small(column_names=["city"]), Unique("city")]
    )
    assert len(synth.get_constraints()) == 4


def test_a_custom_rule_is_attached_again_only_in_its_own_place(table, tmp_path):
    # every create_custom_constraint_class(lambda ...) class is named '<lambda>': the columns tell them apart
    Even = create_custom_constraint_class(lambda cols, data: data[cols[0]] % 2 == 0)
    Above = create_custom_constraint_class(lambda cols, data: data[cols[0]] > -100)
    synth = GaussianCopulaSynthesizer(_metadata(table))
    synth.add_constraints([Even(column_names=["k"])])
    rows = synth.fit(table).sample(40, seed=2)
    synth.save(tmp_path / "m.zip")
    back = BaseSynthesizer.load(tmp_path / "m.zip")
    with pytest.raises(
        ConstraintError, match=r"reads \['low'\], but the <lambda> this model was fitted with read \['k'\]"
    ):
        back.add_constraints([Above(column_names=["low"])])
    back.add_constraints([Even(column_names=["k"])])
    pd.testing.assert_frame_equal(back.sample(40, seed=2), rows)


def test_a_custom_entry_without_columns_still_matches_by_name(table, tmp_path):
    from ..conftest import read_model_file, write_model_file

    synth = GaussianCopulaSynthesizer(_metadata(table))
    synth.add_constraints([EvenK()])
    synth.fit(table).save(tmp_path / "m.zip")
    manifest, arrays = read_model_file(tmp_path / "m.zip")
    assert manifest["state"]["constraints"] == [{"custom": "EvenK", "columns": ["k"]}]
    manifest["state"]["constraints"] = [{"custom": "EvenK"}]  # as files written before the columns were kept
    back = BaseSynthesizer.load(write_model_file(tmp_path / "old.zip", manifest, arrays))
    back.add_constraints([EvenK()])
    assert (back.sample(30, seed=1)["k"] % 2 == 0).all()
    for bad in ({"custom": "EvenK", "columns": "k"}, {"custom": "EvenK", "columns": ["nope"]}, {"custom": ["x"]}):
        manifest["state"]["constraints"] = [bad]
        with pytest.raises(ModelFileError, match="custom constraint|not in the model's columns"):
            BaseSynthesizer.load(write_model_file(tmp_path / "bad.zip", manifest, arrays))
