"""Synthetic values that cannot be read as the column's sdtype (text in a numerical column, +/-inf,
dates that do not parse) count as not matching the real data; an empty synthetic table scores 0;
no stray numpy warnings (issue #11, audit item 8 and the inf warnings)."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from simulacra import evaluate_quality, run_diagnostic
from simulacra.evaluation.primitives import ks_complement
from simulacra.evaluation.report import build_report

META = {"columns": {"a": {"sdtype": "numerical"}, "b": {"sdtype": "numerical"}, "c": {"sdtype": "categorical"}}}


@pytest.fixture(scope="module")
def real():
    rng = np.random.default_rng(0)
    b = rng.integers(0, 10, 200)
    # c follows b (association above 0.3): the pair (b, c) counts in Column Pair Trends
    return pd.DataFrame({"a": rng.normal(size=200), "b": b, "c": np.where(b > 4, "x", "y")})


def quiet(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` and the warnings it issued."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    return out, [str(w.message) for w in seen], [w for w in seen if issubclass(w.category, RuntimeWarning)]


def shape(report, column):
    d = report.get_details("Column Shapes").set_index("Column")
    return d.loc[column]


def pair(report, c1, c2):
    d = report.get_details("Column Pair Trends")
    return d[(d["Column 1"] == c1) & (d["Column 2"] == c2)].iloc[0]


def test_text_in_a_numerical_column_scores_zero_not_na(real):
    syn = real.assign(a="hello")
    report, messages, numpy_warnings = quiet(evaluate_quality, real, syn, META, verbose=False)
    row = shape(report, "a")
    assert row["Score"] == 0.0  # was NaN, and the column was left out of the average
    assert "'a'" in row["Note"] and "200 of 200" in row["Note"] and "'hello'" in row["Note"]
    assert any("'a'" in m and "cannot be read as numerical" in m for m in messages)
    assert report.warnings and "'a'" in report.warnings[0]
    shapes = report.get_properties().set_index("Property")["Score"]
    assert shapes["Column Shapes"] == pytest.approx(
        (0.0 + shape(report, "b")["Score"] + shape(report, "c")["Score"]) / 3
    )
    # pairs with the unreadable column count as not matching; the valid pair (b, c) is still scored and averaged
    assert pair(report, "a", "b")["Score"] == 0.0
    assert pair(report, "a", "c")["Score"] == pytest.approx(0.0, abs=1e-12)
    assert pair(report, "b", "c")["Score"] == pytest.approx(1.0)
    assert shapes["Column Pair Trends"] == pytest.approx(1.0)
    assert report.get_score() < 0.9
    assert not numpy_warnings


def test_partly_unreadable_values_count_as_not_matching(real):
    rows = np.arange(0, 200, 10)  # 20 of 200
    text = real.astype({"a": object})
    text.loc[rows, "a"] = "n/a-ish"
    inf = real.copy()
    inf.loc[rows, "a"] = np.where(rows % 20 == 0, np.inf, -np.inf)
    before = inf.copy()
    valid = np.delete(real["a"].to_numpy(), rows)
    expected = ks_complement(real["a"].to_numpy(), valid) * 180 / 200
    for syn in (text, inf):
        report, messages, numpy_warnings = quiet(evaluate_quality, real, syn, META, verbose=False)
        assert shape(report, "a")["Score"] == pytest.approx(expected, abs=1e-12)
        assert any("20 of 200 synthetic values" in m for m in messages)
        assert not numpy_warnings
        keep = np.setdiff1d(np.arange(200), rows)  # (a, b): the correlation of the readable rows times their share
        rr = np.corrcoef(real["a"], real["b"])[0, 1]
        rs = np.corrcoef(real["a"].to_numpy()[keep], real["b"].to_numpy()[keep])[0, 1]
        assert pair(report, "a", "b")["Score"] == pytest.approx((1 - abs(rr - rs) / 2) * 180 / 200, abs=1e-9)
    pd.testing.assert_frame_equal(inf, before)  # the caller's table is not changed (inf stays inf)


def test_clean_data_is_scored_as_before(real):
    syn = real.sample(frac=1, random_state=3).reset_index(drop=True)
    report, messages, _ = quiet(evaluate_quality, real, syn, META, verbose=False)
    assert messages == [] and report.warnings == []
    assert "Note" not in report.get_details("Column Shapes").columns
    assert shape(report, "a")["Score"] == pytest.approx(1.0)


def test_all_missing_synthetic_table_scores_zero_with_a_message(real):
    syn = pd.DataFrame({c: [np.nan] * 50 for c in real.columns})
    report, messages, numpy_warnings = quiet(evaluate_quality, real, syn, META, verbose=False)
    assert report.get_score() == 0.0  # was NaN ("overall nan%")
    assert report.get_details("Column Shapes")["Score"].tolist() == [0.0, 0.0, 0.0]
    assert "no readable values in any scored column" in report.warnings[0]
    assert "nan%" not in report.summary()
    assert not numpy_warnings
    diag = run_diagnostic(real, syn, META, verbose=False)
    assert diag.get_details("Coverage")["Score"].tolist() == [0.0, 0.0, 0.0]


def test_nothing_to_score_says_n_a():
    real = pd.DataFrame({"t": ["x y z", "a b"]})
    report, messages, _ = quiet(evaluate_quality, real, real, {"columns": {"t": {"sdtype": "text"}}}, verbose=False)
    assert np.isnan(report.get_score())
    assert "Overall Score (Average): n/a" in report.summary()
    assert any("no column could be scored" in m for m in messages)


def test_pair_threshold_sentence_when_no_pair_counts():
    rng = np.random.default_rng(1)
    real = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    meta = {"columns": {"a": {"sdtype": "numerical"}, "b": {"sdtype": "numerical"}}}
    report, _, _ = quiet(evaluate_quality, real, real.copy(), meta, verbose=False)
    assert np.isnan(report.get_properties().set_index("Property")["Score"]["Column Pair Trends"])  # as SDMetrics 0.32
    text = report.pair_threshold_text(option="--all-pairs")
    assert "no column pair has a real correlation above 0.5" in text and "--all-pairs" in text and "100.0%" in text
    assert report.pair_threshold_text() in report.summary()


def test_unparseable_dates_count_as_not_matching():
    dates = pd.date_range("2020-01-01", periods=100, freq="D")
    real = pd.DataFrame({"d": dates.strftime("%Y-%m-%d")})
    syn = real.copy()
    syn.loc[:24, "d"] = "not a date"
    meta = {"columns": {"d": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"}}}
    report, messages, _ = quiet(evaluate_quality, real, syn, meta, verbose=False)
    expected = ks_complement(dates.asi8 / 1e9, dates.asi8[25:] / 1e9) * 0.75
    assert shape(report, "d")["Score"] == pytest.approx(expected, abs=1e-12)
    assert any("25 of 100 synthetic values cannot be read as datetime" in m for m in messages)
    page, messages, _ = quiet(
        build_report, real, syn, meta
    )  # the page parses text dates once: unreadable ones still count
    assert "25 of 100 synthetic values cannot be read as datetime" in page


def test_diagnostic_validity_flags_unreadable_values(real):
    syn = real.assign(a="hello")
    diag, _, _ = quiet(run_diagnostic, real, syn, META, verbose=False)
    validity = diag.get_details("Data Validity").set_index("Column")
    assert validity.loc["a", "Score"] == 0.0  # was left out: the property scored 1.0
    assert "200 of 200" in validity.loc["a", "Note"] and validity.loc["b", "Note"] == ""
    assert diag.get_details("Coverage").set_index("Column").loc["a", "Score"] == 0.0
    assert diag.warnings and "'a'" in diag.warnings[0]
    half = real.astype({"a": object})
    half.loc[:99, "a"] = "x"
    diag, _, _ = quiet(run_diagnostic, real, half, META, verbose=False)
    assert diag.get_details("Data Validity").set_index("Column").loc["a", "Score"] == pytest.approx(0.5)


def test_report_page_with_inf_has_no_numpy_warnings(real):
    syn = real.copy()
    syn.loc[:5, "a"] = np.inf
    syn.loc[6:8, "a"] = -np.inf
    page, messages, numpy_warnings = quiet(build_report, real, syn, META)
    assert not numpy_warnings, [str(w.message) for w in numpy_warnings]
    assert "quality-warning" in page and "9 of 200 synthetic values" in page
    assert page.count("Real vs. Synthetic Data for column") == 3  # the column with inf is still drawn
    huge = real.assign(a=1e308, b=-1e308)  # variances overflow: n/a, and no numpy warning
    _, _, numpy_warnings = quiet(build_report, real, huge, META)
    assert not numpy_warnings, [str(w.message) for w in numpy_warnings]


def test_cli_evaluate_and_report_show_the_warning_and_no_numpy_noise(real, tmp_path):
    from click.testing import CliRunner

    from simulacra.cli import cli

    real.to_csv(tmp_path / "real.csv", index=False)
    real.assign(a="hello").to_csv(tmp_path / "text.csv", index=False)
    inf = real.copy()
    inf.loc[:8, "a"] = np.inf
    inf.to_csv(tmp_path / "inf.csv", index=False)
    run = lambda *a: CliRunner().invoke(cli, [str(x) for x in a])  # noqa: E731
    r = run("evaluate", tmp_path / "real.csv", tmp_path / "text.csv")
    assert r.exit_code == 0, r.output
    assert "warning: column 'a': 200 of 200 synthetic values cannot be read as numerical" in r.stderr
    assert "n/a" not in r.stdout.split("Column shapes")[1].split("\n")[4]  # a's row: 0.000, not n/a
    j = run("evaluate", tmp_path / "real.csv", tmp_path / "text.csv", "--json")
    out = json.loads(j.stdout)
    assert out["properties"]["Column Shapes"] < 0.7 and "'a'" in out["warnings"][0]
    assert out["properties"]["Column Pair Trends"] == pytest.approx(1.0)
    nan_name = tmp_path / "nan_name.csv"  # n/a scores are null; a column named NaN-something keeps its name
    pd.DataFrame({"NaNcol": ["t1", "t2"], "NaNx": [1.0, 2.0]}).to_csv(nan_name, index=False)
    text_only = pd.DataFrame({"NaNcol": ["t1", "t2"], "NaNx": ["u", "v"]})
    text_only.to_csv(tmp_path / "nan_syn.csv", index=False)
    k = run("evaluate", nan_name, tmp_path / "nan_syn.csv", "--json")
    assert k.exit_code == 0, k.output
    got = json.loads(k.stdout)
    assert got["properties"]["Column Pair Trends"] is None and any("column 'NaNx'" in w for w in got["warnings"])
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b,c\n,,\n,,\n")
    e = run("evaluate", tmp_path / "real.csv", empty)
    assert e.exit_code == 0 and "overall 0.0%" in e.stdout and "nan" not in e.stdout
    rep = run("report", tmp_path / "real.csv", tmp_path / "inf.csv", "-o", tmp_path / "r.html")
    assert rep.exit_code == 0, rep.output
    lines = rep.stderr.splitlines()
    assert lines == [
        "warning: column 'a': 9 of 200 synthetic values cannot be read as numerical (e.g. inf); they count as not matching"
    ]


def test_readable_share_in_blocks_is_the_same():
    from simulacra.evaluation.pair_metrics import readable_share
    from simulacra.evaluation.views import Views

    rng = np.random.default_rng(2)
    cols = {f"x{k}": rng.normal(size=60).astype(object) for k in range(5)}
    for k, v in enumerate(cols.values()):
        v[rng.random(60) < 0.1 * k] = "bad"
        v[rng.random(60) < 0.1] = None
    syn = pd.DataFrame(cols)
    meta = {c: {"sdtype": "numerical"} for c in cols}
    views = Views([syn, syn], meta)
    num_s = [(c, views.num(c)[1]) for c in cols]
    i, j = np.triu_indices(5, k=1)
    whole = readable_share(num_s, views, i, j)
    assert np.array_equal(whole, readable_share(num_s, views, i, j, block_cells=1))
    for k in range(len(i)):
        a, b = syn.iloc[:, i[k]], syn.iloc[:, j[k]]
        present = a.notna() & b.notna()
        readable = present & (a != "bad") & (b != "bad")
        assert whole[k] == pytest.approx(readable.sum() / present.sum())
