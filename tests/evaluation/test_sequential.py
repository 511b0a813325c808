"""Sequential properties (Sequence Length, Context Shapes, Autocorrelation, Gaps, Trends): known answers, the quality report and the HTML section."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata, evaluate_quality
from simulacra.errors import MetadataError
from simulacra.evaluation.sequential import PROPERTIES, find_context_columns, sequential_properties

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "gapminder.csv"
VALUES = ["lifeExp", "pop", "gdpPercap"]


@pytest.fixture(scope="module")
def gap():
    if not DATA.exists():
        pytest.skip("the shared datasets are not here")
    return pd.read_csv(DATA)


def gap_metadata(df, sequential=True):
    """Gapminder's metadata, with or without its sequence key and index (written out, not detected)."""
    columns = {"country": {"sdtype": "id"}, "continent": {"sdtype": "categorical"}}
    columns.update({c: {"sdtype": "numerical"} for c in ["year", *VALUES]})
    roles = {"sequence_key": "country", "sequence_index": "year"} if sequential else {}
    return Metadata.load_from_dict({"columns": columns, **roles})


def panel(lengths, step=1, seed=0, slope=1.0):
    """Entities E0, E1, ... with the given lengths, index 0, step, 2*step... and a value slope*t + noise, a context group."""
    rng = np.random.default_rng(seed)
    lengths = np.asarray(lengths)
    pos = np.concatenate([np.arange(k) for k in lengths])
    ent = np.repeat(np.arange(len(lengths)), lengths)
    return pd.DataFrame(
        {
            "id": [f"E{e}" for e in ent],
            "group": np.where(ent % 2, "a", "b"),
            "t": pos * step,
            "x": slope * pos + rng.normal(0, 0.1, len(pos)),
        }
    )


def panel_metadata(index="t"):
    return Metadata.load_from_dict(
        {
            "columns": {
                "id": {"sdtype": "id"},
                "group": {"sdtype": "categorical"},
                "t": {"sdtype": "numerical"},
                "x": {"sdtype": "numerical"},
            },
            "sequence_key": "id",
            "sequence_index": index,
        }
    )


def scores(real, syn, md, **kw):
    return {k: v[0] for k, v in sequential_properties(real, syn, md, **kw).items()}


def test_identical_and_renamed_sequences_score_one():
    real = panel([3, 4, 5, 6] * 5)
    md = panel_metadata()
    assert scores(real, real.copy(), md) == {p: 1.0 for p in PROPERTIES}
    renamed = real.assign(id="S" + real["id"]).sample(frac=1, random_state=0)  # other keys, rows out of order
    assert scores(real, renamed, md) == pytest.approx({p: 1.0 for p in PROPERTIES})


def test_sequence_length_histograms():
    md = panel_metadata()
    assert scores(panel([3] * 10), panel([5] * 10), md)["Sequence Length"] == 0.0
    half = scores(panel([3] * 10), panel([3] * 5 + [5] * 5), md)["Sequence Length"]
    assert half == pytest.approx(0.5)
    d = sequential_properties(panel([3] * 10), panel([5] * 4), md)["Sequence Length"][1]
    assert d.loc[
        0, ["Real Sequences", "Synthetic Sequences", "Real Mean Length", "Synthetic Mean Length"]
    ].tolist() == [
        10,
        4,
        3.0,
        5.0,
    ]


def test_context_columns_found_given_and_scored(gap):
    md = gap_metadata(gap)
    assert find_context_columns(gap, md) == ["continent"]
    same = sequential_properties(gap, gap, md)["Context Shapes"][1]
    assert same["Column"].tolist() == ["continent"] and same.loc[0, "Score"] == 1.0
    # every synthetic country in Asia: a worse context distribution; continents changing within a country
    asia = gap.assign(continent="Asia")
    assert scores(gap, asia, md)["Context Shapes"] < 0.5
    rng = np.random.default_rng(0)
    mixed = gap.assign(continent=rng.permutation(gap["continent"].to_numpy()))
    d = sequential_properties(gap, mixed, md)["Context Shapes"][1]
    assert d.loc[0, "Synthetic Constant Share"] < 0.1
    # given context columns: continent is then neither autocorrelated nor a trend, nor anything else
    given = sequential_properties(gap, gap, md, context_columns=["continent", "pop"])
    assert given["Context Shapes"][1]["Column"].tolist() == ["continent", "pop"]
    assert "pop" not in given["Autocorrelation"][1]["Column"].tolist()
    with pytest.raises(MetadataError, match="nope"):
        sequential_properties(gap, gap, md, context_columns=["nope"])


def test_iid_rows_lose_the_autocorrelation(gap):
    md = gap_metadata(gap)
    rng = np.random.default_rng(0)
    iid = gap.assign(**{c: rng.permutation(gap[c].to_numpy()) for c in VALUES})  # values drawn alone, rows of no one
    same, shuffled = scores(gap, gap, md), scores(gap, iid, md)
    assert same["Autocorrelation"] == 1.0
    assert shuffled["Autocorrelation"] < 0.6 and shuffled["Trends"] < 0.7
    d = sequential_properties(gap, iid, md)["Autocorrelation"][1].set_index("Column")
    assert (d["Real Autocorrelation"] > 0.95).all() and (d["Synthetic Autocorrelation"].abs() < 0.1).all()
    # the flattened columns are the same values: Column Shapes cannot tell
    assert evaluate_quality(gap, iid, md, verbose=False).get_details("Column Shapes")["Score"].min() == 1.0
    # small noise keeps it
    noisy = gap.assign(**{c: gap[c] * (1 + rng.normal(0, 0.02, len(gap))) for c in VALUES})
    assert scores(gap, noisy, md)["Autocorrelation"] > 0.99


def test_reversed_sequences_reverse_the_trends(gap):
    md = gap_metadata(gap)
    rev = gap.sort_values(["country", "year"]).copy()
    for c in VALUES:  # each country's values in the other order of years
        rev[c] = rev.groupby("country")[c].transform(lambda s: s.to_numpy()[::-1])
    got = scores(gap, rev, md)
    assert got["Trends"] < 0.2
    assert got["Autocorrelation"] > 0.99  # reversing keeps the lag-1 pairs
    d = sequential_properties(gap, rev, md)["Trends"][1].set_index("Column")
    assert d.loc["lifeExp", "Real Median Slope"] > 0 > d.loc["lifeExp", "Synthetic Median Slope"]


def test_trend_slopes_known_answer():
    md = panel_metadata()
    up, down = panel([4] * 20, slope=2.0), panel([4] * 20, slope=-2.0)
    d = sequential_properties(up, down, md)["Trends"][1].set_index("Column")
    assert d.loc["x", "Score"] == 0.0
    assert d.loc["x", "Real Median Slope"] == pytest.approx(2.0, abs=0.2)
    assert d.loc["x", "Synthetic Median Slope"] == pytest.approx(-2.0, abs=0.2)


def test_regular_and_irregular_gaps():
    md = panel_metadata()
    real = panel([6] * 10, step=5)
    irregular = real.copy()
    rng = np.random.default_rng(1)
    steps = rng.choice([3, 5, 7], len(real))
    steps[irregular.groupby("id").cumcount().to_numpy() == 0] = 0
    irregular["t"] = pd.Series(steps).groupby(irregular["id"]).cumsum().to_numpy()
    d = sequential_properties(real, irregular, md)["Gaps"][1]
    share = (steps[irregular.groupby("id").cumcount().to_numpy() > 0] == 5).mean()
    assert d.loc[0, "Regular Gap"] == 5.0
    assert d.loc[0, "Synthetic Share Regular"] == pytest.approx(share)
    assert share <= d.loc[0, "Score"] < 1.0
    assert scores(real, real, md)["Gaps"] == 1.0
    # irregular real gaps: no regular gap, the KS complement only
    back = sequential_properties(irregular, real, md)["Gaps"][1]
    assert np.isnan(back.loc[0, "Regular Gap"]) and back.loc[0, "Score"] < 1.0


def test_datetime_index_gaps_in_seconds():
    real = panel([5] * 8)
    real["t"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(real["t"], unit="D")
    weekly = real.assign(t=pd.Timestamp("2024-01-01") + pd.to_timedelta(real.groupby("id").cumcount() * 7, unit="D"))
    md = Metadata.load_from_dict(
        {
            "columns": {
                "id": {"sdtype": "id"},
                "group": {"sdtype": "categorical"},
                "t": {"sdtype": "datetime"},
                "x": {"sdtype": "numerical"},
            },
            "sequence_key": "id",
            "sequence_index": "t",
        }
    )
    d = sequential_properties(real, weekly, md)["Gaps"][1]
    assert d.loc[0, "Real Median Gap"] == 86400 and d.loc[0, "Synthetic Median Gap"] == 7 * 86400
    assert d.loc[0, "Score"] == 0.0 and d.loc[0, "Synthetic Share Regular"] == 0.0


def test_without_index_row_order_and_no_gaps():
    md = Metadata.load_from_dict(
        {
            "columns": {"id": {"sdtype": "id"}, "group": {"sdtype": "categorical"}, "x": {"sdtype": "numerical"}},
            "sequence_key": "id",
        }
    )
    real = panel([4] * 10).drop(columns="t")
    out = sequential_properties(real, real, md)
    assert np.isnan(out["Gaps"][0]) and len(out["Gaps"][1]) == 0
    assert out["Trends"][0] == 1.0 and out["Autocorrelation"][0] == 1.0


def test_degenerate_synthetic_sequences_score_zero():
    md = panel_metadata()
    real = panel([4] * 10)
    flat = real.assign(x=1.0)  # no autocorrelation: the synthetic column is constant
    assert scores(real, flat, md)["Autocorrelation"] == 0.0
    single = panel([1] * 10)  # no consecutive rows: no pairs, no steps, no slopes
    got = scores(real, single, md)
    assert got["Autocorrelation"] == 0.0 and got["Gaps"] == 0.0 and got["Trends"] == 0.0


def test_no_sequence_key_is_an_error():
    real = panel([3] * 4)
    md = Metadata.load_from_dict({"columns": {"id": {"sdtype": "id"}, "x": {"sdtype": "numerical"}}})
    with pytest.raises(MetadataError, match="sequence key"):
        sequential_properties(real, real, md)


def test_quality_report_adds_the_sequential_properties(gap, capsys):
    md = gap_metadata(gap)
    rng = np.random.default_rng(2)
    syn = gap.assign(
        country=gap["country"] + " (s)", **{c: gap[c] * (1 + rng.normal(0, 0.05, len(gap))) for c in VALUES}
    )
    report = evaluate_quality(gap, syn, md)
    printed = capsys.readouterr().out
    props = report.get_properties().set_index("Property")["Score"]
    assert list(props.index) == ["Column Shapes", "Column Pair Trends", *PROPERTIES]
    for p in PROPERTIES:
        assert f"- {p}: " in printed
        assert 0 <= props[p] <= 1 and len(report.get_details(p))
    assert "Sequence Score" in printed
    assert report.get_sequence_score() == pytest.approx(props[list(PROPERTIES)].mean())
    assert report.get_score() == pytest.approx((props["Column Shapes"] + props["Column Pair Trends"]) / 2)
    assert "country" not in report.get_details("Column Shapes")["Column"].tolist()
    assert "year" in report.get_details("Column Shapes")["Column"].tolist()  # the index is a column like any other
    assert "<svg" in report.get_visualization("Autocorrelation").to_svg()
    # the flattened score is the one of the same rows without the sequence key
    flat = evaluate_quality(gap, syn, gap_metadata(gap, sequential=False), verbose=False)
    assert flat.get_score() == report.get_score()
    assert flat.get_sequence_score() is None and len(flat.get_properties()) == 2
    for p in ("Column Shapes", "Column Pair Trends"):
        pd.testing.assert_frame_equal(flat.get_details(p), report.get_details(p))
    # a dict metadata with a sequence key works the same; context columns can be given
    as_dict = evaluate_quality(gap, syn, md.to_dict(), verbose=False, context_columns=["continent"])
    assert as_dict.get_sequence_score() == pytest.approx(report.get_sequence_score())


def test_html_report_has_a_sequences_section(gap):
    from simulacra.evaluation.report import build_report

    md = gap_metadata(gap)
    syn = gap.assign(country=gap["country"] + " (s)", lifeExp=gap["lifeExp"] + 1)
    page = build_report(gap, syn, md)
    assert "<h2 id='sequences'>Sequences</h2>" in page and "id='sequence-scores'" in page
    for p in PROPERTIES:
        assert f"<h3>{p}</h3>" in page
    assert "id='sequence-plots'" in page
    for c in VALUES:
        assert f"Sequences of column &#x27;{c}&#x27;" in page or f"Sequences of column '{c}'" in page
    assert "Real: 3 of 142 sequences" in page and "Synthetic: 3 of 142 sequences" in page
    assert page.index("<h2>Quality</h2>") < page.index("id='sequences'") < page.index("<h2>Diagnostics</h2>")
    assert "id='sequences'" not in build_report(gap, syn, gap_metadata(gap, sequential=False))
