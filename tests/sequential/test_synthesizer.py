"""SequentialSynthesizer / PARSynthesizer: sequences that look like the real ones, keys, order, seeds, files."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata, PARSynthesizer, SequentialSynthesizer
from simulacra.datasets.sequential import make_patient_visits
from simulacra.errors import ModelFileError, ParameterError

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "gapminder.csv"


def gapminder():
    if DATA.exists():
        return pd.read_csv(DATA)
    pytest.skip("the shared datasets are not here")


def gap_metadata(df):
    md = Metadata.detect_from_dataframe(df)
    if md.get_sequence_key() is None:
        md.update_column("country", sdtype="id")
        md.set_sequence_key("country")
        md.set_sequence_index("year")
    return md


def patients(n=300, seed=0):
    """Patients with 2-10 visits at irregular whole-day gaps, a context (sex, birth year), a lab value that
    drifts per patient and is missing more often after a 'none' treatment, and a treatment category."""
    return make_patient_visits(n, seed)


def patient_metadata(df):
    md = Metadata.detect_from_dataframe(df)
    if md.get_sequence_key() is None:
        md.update_column("patient_id", sdtype="id")
        md.set_sequence_key("patient_id")
        md.set_sequence_index("visit_date")
    md.update_column("birth_year", sdtype="numerical")
    md.update_column("treatment", sdtype="categorical")
    return md


@pytest.fixture(scope="module")
def gap_fit():
    df = gapminder()
    md = gap_metadata(df)
    return df, md, PARSynthesizer(md, context_columns=["continent"]).fit(df)


@pytest.fixture(scope="module")
def patient_fit():
    df = patients()
    md = patient_metadata(df)
    return df, md, SequentialSynthesizer(md).fit(df, seed=1)


def _lag1(df, key, index, col):
    d = df.sort_values([key, index])
    x = d[col].to_numpy(dtype=float)
    same = d[key].to_numpy()[1:] == d[key].to_numpy()[:-1]
    a, b = x[1:][same], x[:-1][same]
    ok = np.isfinite(a) & np.isfinite(b)
    return np.corrcoef(a[ok], b[ok])[0, 1]


def test_gapminder_sequences_keep_keys_order_years_and_context(gap_fit):
    df, md, synth = gap_fit
    out = synth.sample(num_sequences=50, seed=0)
    assert list(out.columns) == list(df.columns)
    assert out["country"].nunique() == 50 and out.groupby("country").size().eq(12).all()
    assert out["country"].map(type).eq(str).all() and not out["country"].isin(df["country"]).all()
    years = out.groupby("country")["year"].apply(list)
    assert all(y == list(range(1952, 2008, 5)) for y in years)  # a regular index stays exact
    assert out.groupby("country")["continent"].nunique().eq(1).all()
    assert set(out["continent"]) <= set(df["continent"])
    assert out["pop"].dtype == df["pop"].dtype and out["year"].dtype == df["year"].dtype
    assert out["lifeExp"].between(df["lifeExp"].min(), df["lifeExp"].max()).all()


def test_gapminder_quality_and_autocorrelation(gap_fit):
    from simulacra import evaluate_quality

    df, md, synth = gap_fit
    out = synth.sample(142, seed=3)
    assert evaluate_quality(df, out, md, verbose=False).get_score() > 0.82
    for col in ("lifeExp", "pop", "gdpPercap"):
        assert _lag1(out, "country", "year", col) > 0.9  # real: 0.97-0.999; rows drawn alone: about 0
    # per-country trends survive: life expectancy rises in most countries, as in the real panel
    first = out.groupby("country")["lifeExp"].first()
    last = out.groupby("country")["lifeExp"].last()
    assert (last > first).mean() > 0.8


def test_same_seed_and_batch_size_same_rows(gap_fit):
    _, _, synth = gap_fit
    a = synth.sample(30, seed=5)
    pd.testing.assert_frame_equal(a, synth.sample(30, seed=5))
    assert not a.equals(synth.sample(30, seed=6))
    b = synth.sample(30, seed=5, batch_size=7)  # as for single tables: a batch plan is (rows, batch size, seed)
    pd.testing.assert_frame_equal(b, synth.sample(30, seed=5, batch_size=7))
    assert b["country"].nunique() == 30 and b.groupby("country").size().eq(12).all()  # keys unique across batches


def test_sequence_length_is_every_sequences_length(gap_fit):
    _, _, synth = gap_fit
    out = synth.sample(10, sequence_length=3, seed=0)
    assert out.groupby("country").size().eq(3).all()
    with pytest.raises(ParameterError, match="sequence_length"):
        synth.sample(10, sequence_length=0)


def test_sample_sequential_columns_keeps_the_given_context(gap_fit):
    _, _, synth = gap_fit
    ctx = pd.DataFrame({"continent": ["Europe", "Africa", "Europe"]})
    out = synth.sample_sequential_columns(context_columns=ctx, sequence_length=4, seed=0)
    got = out.groupby("country", sort=False)["continent"].first().tolist()
    assert got == ["Europe", "Africa", "Europe"] and len(out) == 12
    keyed = synth.sample_sequential_columns(pd.DataFrame({"country": ["X", "Y"], "continent": ["Asia", "Asia"]}))
    assert set(keyed["country"]) == {"X", "Y"}
    with pytest.raises(ParameterError, match="continent"):
        synth.sample_sequential_columns(pd.DataFrame({"x": [1]}))


def test_continue_sequences_goes_on_from_each_prefix(gap_fit):
    df, _, synth = gap_fit
    prefix = df[df["year"] <= 1977]
    nxt = synth.continue_sequences(prefix, num_steps=2, seed=0)
    assert len(nxt) == 2 * prefix["country"].nunique()
    assert set(nxt["year"]) == {1982, 1987}
    merged = nxt.merge(prefix[prefix["year"] == 1977], on="country", suffixes=("", "_last"))
    assert (merged["continent"] == merged["continent_last"]).all()
    # the next values follow on from the last real ones (population changes by a few % in 5 years)
    step = merged[merged["year"] == 1982]
    assert (np.abs(np.log(step["pop"] / step["pop_last"])) < 0.5).mean() > 0.9
    grown = synth.continue_sequences(prefix, seed=0)  # lengths drawn from the learned ones: up to 12
    assert grown.groupby("country").size().eq(6).all()


def test_irregular_datetime_gaps_missing_values_and_categories(patient_fit):
    df, md, synth = patient_fit
    out = synth.sample(300, seed=0)
    assert out["visit_date"].dtype == df["visit_date"].dtype
    gaps = out.groupby("patient_id")["visit_date"].diff().dropna()
    assert (gaps > pd.Timedelta(0)).all()  # ordered within each sequence
    assert (gaps % pd.Timedelta(days=1) == pd.Timedelta(0)).all()  # whole days, as the real gaps
    assert gaps.nunique() > 20  # irregular gaps stay irregular
    lengths = out.groupby("patient_id").size()
    real_lengths = df.groupby("patient_id").size()
    assert lengths.min() >= 2 and lengths.max() <= 10 and abs(lengths.mean() - real_lengths.mean()) < 1.0
    assert set(out["treatment"]) <= set(df["treatment"])
    assert abs(out["lab"].isna().mean() - df["lab"].isna().mean()) < 0.06
    # informative missingness: the lab value is missing mostly after no treatment
    miss = out.groupby("treatment")["lab"].apply(lambda s: s.isna().mean())
    assert miss["none"] > 2 * miss.drop("none").max()
    assert out.groupby("patient_id")[["sex", "birth_year"]].nunique().eq(1).all().all()
    assert _lag1(out, "patient_id", "visit_date", "lab") > 0.7


def test_context_columns_are_detected(patient_fit):
    _, _, synth = patient_fit
    assert synth.get_info()["context_columns"] == ["sex", "birth_year"]


def test_save_and_load_round_trip(gap_fit, tmp_path):
    _, _, synth = gap_fit
    path = tmp_path / "par.zip"
    synth.save(path)
    back = PARSynthesizer.load(path)
    pd.testing.assert_frame_equal(back.sample(20, seed=2), synth.sample(20, seed=2))
    assert back.get_parameters() == synth.get_parameters()


@pytest.mark.parametrize(
    "edit",
    [
        lambda lay: lay["numbers"]["pop"].update(min="__import__('os')"),
        lambda lay: lay["numbers"]["pop"].update(min=-5.0),  # log scale below zero
        lambda lay: lay.update(unit=1e300),
        lambda lay: lay.update(index_format="no percent"),
        lambda lay: lay.update(steps=["lifeExp"]),
    ],
)
def test_a_crafted_layout_is_a_model_file_error(gap_fit, tmp_path, edit):
    from simulacra.io.modelfile import save_model
    from simulacra.synthesizers.persistence import to_state

    _, _, synth = gap_fit
    layout = synth._layout.to_dict()
    edit(layout)
    state = {
        "components": {"entity": to_state(synth._entity), "steps": to_state(synth._steps)},
        "layout": layout,
        "lengths": [int(x) for x in synth._lengths],
    }
    bad = tmp_path / "bad.zip"  # a well-formed file (checksums right) whose layout was edited
    save_model(bad, "sequential", synth.get_parameters(), synth.metadata.to_dict(), state)
    with pytest.raises(ModelFileError, match="layout"):
        PARSynthesizer.load(bad)


def test_metadata_without_a_sequence_key_is_refused():
    df = gapminder()
    with pytest.raises(ParameterError, match="set_sequence_key"):
        PARSynthesizer(Metadata.detect_from_dataframe(df.drop(columns="country")))


def test_sdv_constructor_names_are_accepted(gap_fit):
    _, md, _ = gap_fit
    s = PARSynthesizer(
        md,
        enforce_min_max_values=True,
        enforce_rounding=False,
        locales=["en_US"],
        context_columns=["continent"],
        segment_size=None,
        epochs=10,
        sample_size=1,
        cuda=False,
        verbose=False,
    )
    assert s.get_parameters()["epochs"] == 10


def test_huge_lengths_and_bad_counts_are_clear_errors(gap_fit):
    _, _, synth = gap_fit
    with pytest.raises(ParameterError, match="sequence_length=1,000,000,000"):
        synth.sample(1, sequence_length=10**9)
    with pytest.raises(ParameterError, match="num_sequences"):
        synth.sample(-1)
    with pytest.raises(ParameterError, match="num_steps"):
        synth.continue_sequences(gapminder().head(24), num_steps=0)


def test_continue_from_first_rows_and_text_dates_without_a_format(gap_fit):
    df, _, synth = gap_fit
    first = df[df["year"] == 1952].head(3)
    nxt = synth.continue_sequences(first, num_steps=2, seed=0)  # one row per prefix is fine here
    assert len(nxt) == 6 and set(nxt["year"]) == {1957, 1962}
    days = pd.Timestamp("2021-01-01") + pd.to_timedelta(np.arange(80) % 4 * 9 + np.arange(80) // 4, unit="D")
    text = pd.DataFrame(
        {
            "key": np.repeat([f"k{i}" for i in range(20)], 4),
            "ts": days.strftime("%d/%m/%Y"),
            "v": np.tile([0.0, 1, 2, 3], 20),
        }
    )
    md = Metadata.detect_from_dataframe(text)
    md.update_column("ts", sdtype="datetime")  # no datetime_format: each value parsed, written back as it was
    if md.get_sequence_key() is None:
        md.update_column("key", sdtype="id")
        md.set_sequence_key("key")
        md.set_sequence_index("ts")
    out = PARSynthesizer(md).fit(text).sample(5, seed=0)
    assert out["ts"].str.fullmatch(r"\d{2}/\d{2}/2021").all()
    parsed = pd.to_datetime(out["ts"], format="%d/%m/%Y")
    assert parsed.groupby(out["key"]).diff().dropna().gt(pd.Timedelta(0)).all()


def test_point_masses_and_a_primary_key():
    rng = np.random.default_rng(3)
    n, k = 300, 10
    sales = np.round(np.repeat(rng.gamma(2, 50, n), k) * rng.lognormal(0, 0.3, n * k), 2)
    sales[rng.random(n * k) < 0.3] = 0.0
    df = pd.DataFrame(
        {"store": np.repeat([f"s{i}" for i in range(n)], k), "week": np.tile(np.arange(k), n), "sales": sales}
    )
    md = Metadata.detect_from_dataframe(df)
    if md.get_sequence_key() is None:
        md.update_column("store", sdtype="id")
        md.set_sequence_key("store")
        md.set_sequence_index("week")
    out = PARSynthesizer(md).fit(df).sample(300, seed=0)
    assert (out["sales"] == 0).mean() > 0.12  # real 0.3; grown as changes it was 0.02
    df["row_id"] = np.arange(len(df))
    md.add_column("row_id", sdtype="id")
    md.set_primary_key("row_id")
    with pytest.raises(ParameterError, match="primary key"):
        PARSynthesizer(md)
