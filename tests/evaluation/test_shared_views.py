"""A report computes each column once (shared views) and the fast closed forms: same numbers as
the standalone metrics and as SciPy."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulacra import CARTSynthesizer
from simulacra.evaluation import evaluate_privacy, evaluate_quality, evaluate_utility, run_diagnostic, statistical_tests
from simulacra.evaluation.distances import MixedEncoder, nearest
from simulacra.evaluation.views import Views, columns_meta
from simulacra.evaluation.diagnostic import DiagnosticReport, _range_coverage
from simulacra.evaluation.primitives import ks_statistic
from simulacra.evaluation.quality import QualityReport
from simulacra.evaluation.stats import chi_square_test, ks_test, welch_test


@pytest.mark.parametrize(
    "n1,n2,kind",
    [(40, 55, "float"), (300, 200, "ties"), (12_000, 11_000, "float"), (15_000, 12_000, "ties"), (1, 3, "ties")],
)
def test_closed_form_tests_match_scipy(n1, n2, kind):
    rng = np.random.default_rng(n1)
    if kind == "float":
        r, s = rng.normal(size=n1), rng.normal(0.05, 1.1, size=n2)
    else:  # many equal values: the KS statistic must be taken after the last copy of a value
        r, s = rng.integers(0, 12, n1).astype(float), rng.integers(1, 13, n2).astype(float)
    r, s = np.sort(r), np.sort(s)
    ref = stats.ks_2samp(r, s)
    assert ks_statistic(r, s) == pytest.approx(ref.statistic, abs=1e-12)
    d, p = ks_test(r, s)
    assert d == pytest.approx(ref.statistic, abs=1e-12) and p == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-300)
    if n1 > 1 and n2 > 1:
        t = stats.ttest_ind(r, s, equal_var=False)
        assert welch_test(r, s) == pytest.approx((t.statistic, t.pvalue), rel=1e-9)
    if kind == "ties":  # the same values as category codes
        cr, cs = np.bincount(r.astype(int), minlength=14), np.bincount(s.astype(int), minlength=14)
        keep = (cr + cs) > 0
        chi = stats.chi2_contingency(np.vstack([cr[keep], cs[keep]]), correction=False)
        assert chi_square_test(cr, cs) == pytest.approx((chi.statistic, chi.pvalue), rel=1e-9)


def test_views_codes_join_tables_and_missing_values():
    a = pd.DataFrame({"c": ["x", None, "y", np.nan], "n": [1, 2, None, 4], "l": [[1], [2], [1], None]})
    b = pd.DataFrame({"c": [pd.NA, "y", "z", "x"], "n": [4.0, 1.0, 2.0, 9.0], "l": [[2], [3], None, [1]]})
    v = Views([a, b], {"c": {"sdtype": "categorical"}, "n": {"sdtype": "numerical"}, "l": {"sdtype": "text"}})
    (ka, kb), n_codes, na = v.codes("c")
    assert n_codes == 4 and na >= 0  # x, y, z and one code for every kind of missing value
    assert ka.tolist() == [ka[0], na, ka[2], na] and kb.tolist() == [na, ka[2], kb[2], ka[0]]
    (na_, nb_), _, nna = v.codes("n")  # numbers: 4 equals 4.0
    assert nb_[0] == na_[3] and nb_[1] == na_[0] and na_[2] == nna
    (la, lb), _, _ = v.codes("l")  # values that cannot be hashed compare as text
    assert la[0] == la[2] == lb[3] and lb[0] == la[1]


def test_range_coverage_is_the_binned_definition():
    rng = np.random.default_rng(3)
    for r, s in [
        (rng.normal(size=5000), rng.normal(0.5, 0.5, 3000)),
        (rng.integers(0, 30, 4000).astype(float), rng.integers(5, 20, 4000).astype(float)),
        (np.full(100, 2.0), np.array([2.0, 3.0])),
    ]:
        q1, q99 = np.quantile(r, [0.01, 0.99])
        edges = np.linspace(q1, q99, 21) if q99 > q1 else np.array([q1 - 0.5, q1 + 0.5])

        def bins(v):
            return set(np.unique(np.clip(np.digitize(v[(v >= q1) & (v <= q99)], edges[1:-1]), 0, len(edges) - 2)))

        expected = len(bins(r) & bins(s)) / max(1, len(bins(r)))
        assert _range_coverage(np.sort(r), np.sort(s)) == pytest.approx(expected)


def test_report_metrics_with_shared_views_equal_standalone(penguins, penguins_metadata):
    train = penguins.sample(frac=0.6, random_state=0).reset_index(drop=True)
    hold = penguins.drop(penguins.sample(frac=0.6, random_state=0).index).reset_index(drop=True)
    syn = CARTSynthesizer(penguins_metadata).fit(train).sample(len(train), seed=0)
    meta = columns_meta(penguins_metadata)
    views = Views([train, syn, hold], meta)
    q = QualityReport()
    q.generate(train, syn, penguins_metadata, verbose=False, views=views)
    q0 = evaluate_quality(train, syn, penguins_metadata, verbose=False)
    assert q.get_score() == q0.get_score()
    pd.testing.assert_frame_equal(q.get_details("Column Pair Trends"), q0.get_details("Column Pair Trends"))
    d = DiagnosticReport()
    d.generate(train, syn, penguins_metadata, verbose=False, views=views)
    d0 = run_diagnostic(train, syn, penguins_metadata, verbose=False)
    for prop in d.PROPERTIES:
        pd.testing.assert_frame_equal(d.get_details(prop), d0.get_details(prop))
    pd.testing.assert_frame_equal(
        statistical_tests(train, syn, penguins_metadata, views=views), statistical_tests(train, syn, penguins_metadata)
    )
    p = evaluate_privacy(train, syn, penguins_metadata, holdout=hold, verbose=False, views=views).results
    assert p == evaluate_privacy(train, syn, penguins_metadata, holdout=hold, verbose=False).results
    u = evaluate_utility(train, syn, hold, "species", penguins_metadata, verbose=False, views=views)
    u0 = evaluate_utility(train, syn, hold, "species", penguins_metadata, verbose=False)
    assert u.real == u0.real and u.synthetic == u0.synthetic
    # views of other tables are not used by mistake
    other = syn.copy()
    other["body_mass_g"] = other["body_mass_g"] + 1000
    q1 = QualityReport()
    q1.generate(train, other, penguins_metadata, verbose=False, views=views)
    assert q1.get_score() < q.get_score()


def test_nearest_threads_and_missing_on_one_side_only():
    rng = np.random.default_rng(5)
    n = 400
    real = pd.DataFrame({"x": rng.normal(size=n), "y": rng.uniform(size=n), "c": rng.choice(list("abc"), n)})
    syn = real.sample(frac=1.0, random_state=2).reset_index(drop=True)
    syn.loc[::7, "y"] = np.nan  # missing only in the queries
    meta = {"x": {"sdtype": "numerical"}, "y": {"sdtype": "numerical"}, "c": {"sdtype": "categorical"}}
    enc = MixedEncoder(real, meta)
    R, S = enc.encode(real), enc.encode(syn)
    one = nearest(R, S, k=3, block_cells=5_000, workers=1)
    many = nearest(R, S, k=3, block_cells=5_000, workers=3)
    np.testing.assert_array_equal(one, many)
    # brute force with the documented scheme: a missing value is 1 from any value
    num_r, num_s = R[0], S[0]
    diff = np.abs(num_s[:, None, :] - num_r[None, :, :])
    diff = np.where(np.isnan(num_s)[:, None, :] ^ np.isnan(num_r)[None, :, :], 1.0, np.nan_to_num(diff))
    full = diff.sum(-1) + (S[1][:, None, :] != R[1][None, :, :]).sum(-1)
    np.testing.assert_allclose(one, np.sort(full, axis=1)[:, :3], atol=1e-9)


def test_correlation_heatmap_shows_the_quality_correlations(penguins, penguins_metadata):
    from simulacra.errors import InvalidDataError
    from simulacra.evaluation import get_correlation_difference_plot

    syn = CARTSynthesizer(penguins_metadata).fit(penguins).sample(len(penguins), seed=1)
    pairs = evaluate_quality(penguins, syn, penguins_metadata, verbose=False).get_details("Column Pair Trends")
    row = pairs[(pairs["Column 1"] == "bill_length_mm") & (pairs["Column 2"] == "body_mass_g")].iloc[0]
    svg = get_correlation_difference_plot(penguins, syn, penguins_metadata).to_svg()
    assert f"bill_length_mm / body_mass_g: {abs(row['Real Correlation'] - row['Synthetic Correlation']):.3f}" in svg
    assert "(Spearman)" in get_correlation_difference_plot(penguins, syn, penguins_metadata, method="spearman").to_svg()
    with pytest.raises(InvalidDataError, match="pearson"):
        get_correlation_difference_plot(penguins, syn, penguins_metadata, method="kendall")


def test_row_keys_are_exact_across_many_wide_columns():
    from simulacra.evaluation.views import row_keys

    rng = np.random.default_rng(11)
    n = 3000  # 12 columns of up to 1,500 values: the mixed radix renumbers several times
    a = pd.DataFrame({f"c{j}": rng.integers(0, 1500, n) for j in range(12)})
    a.iloc[::3] = a.iloc[1::3].to_numpy()[: len(a.iloc[::3])]  # duplicate rows inside a
    b = pd.concat(
        [a.sample(500, random_state=1), pd.DataFrame({f"c{j}": rng.integers(0, 1500, 500) for j in range(12)})],
        ignore_index=True,
    )
    ka, kb = row_keys([a, b], list(a.columns))
    assert (pd.Series(ka).duplicated(keep=False).to_numpy() == a.duplicated(keep=False).to_numpy()).all()
    seen = set(map(tuple, a.to_numpy()))
    assert np.isin(kb, ka).tolist() == [tuple(r) in seen for r in b.to_numpy()]


def test_review_edge_cases_of_the_shared_views():
    from simulacra.errors import MetadataError
    from simulacra.evaluation.report import build_report

    rng = np.random.default_rng(0)
    # a holdout without the id column still works; one without a scored column says so
    real = pd.DataFrame({"id": range(100), "x": rng.normal(size=100), "c": ["a", "b"] * 50})
    meta = {"columns": {"id": {"sdtype": "id"}, "x": {"sdtype": "numerical"}, "c": {"sdtype": "categorical"}}}
    hold = real.drop(columns="id")
    assert evaluate_privacy(real, real.copy(), meta, holdout=hold, verbose=False).results["exact_copy_rate"] == 1.0
    assert "<html" in build_report(real, real.copy(), meta, holdout=hold)
    with pytest.raises(MetadataError, match="holdout lacks"):
        build_report(real, real.copy(), meta, holdout=real.drop(columns="x"))
    # exact copies compare exact values: big integers and nanoseconds are not rounded together
    big = pd.DataFrame({"acct": 10**18 + 2 * np.arange(50)})
    assert (
        evaluate_privacy(big, big + 1, {"columns": {"acct": {"sdtype": "numerical"}}}, verbose=False).results[
            "exact_copy_rate"
        ]
        == 0.0
    )
    t = pd.DataFrame({"t": pd.date_range("2020-01-01", periods=50, freq="s")})
    shifted = t.assign(t=t["t"] + pd.Timedelta(100, "ns"))
    assert (
        evaluate_privacy(t, shifted, {"columns": {"t": {"sdtype": "datetime"}}}, verbose=False).results[
            "exact_copy_rate"
        ]
        == 0.0
    )

    # a test table outside the views with values that cannot be hashed
    def mk(s):
        return pd.DataFrame(
            {
                "x": np.random.default_rng(s).normal(size=120),
                "tags": [[i % 3] for i in range(120)],
                "y": ["a", "b"] * 60,
            }
        )

    umeta = {
        "columns": {"x": {"sdtype": "numerical"}, "tags": {"sdtype": "categorical"}, "y": {"sdtype": "categorical"}}
    }
    assert evaluate_utility(mk(0), mk(1), mk(2), "y", umeta, verbose=False).task == "classification"
    # text that is not a number is invalid, not missing
    miss = run_diagnostic(
        pd.DataFrame({"x": [1, 2, 3, 4]}),
        pd.DataFrame({"x": ["1", "2", "?", "4"]}),
        {"columns": {"x": {"sdtype": "numerical"}}},
        verbose=False,
    )
    assert miss.get_details("Missing Values")["Score"].iloc[0] == 1.0
    # views made with other metadata are not reused
    a = pd.DataFrame({"d": pd.date_range("2021-01-01", periods=30).astype(str), "v": np.arange(30.0)})
    views = Views([a, a.copy()], {"d": {"sdtype": "categorical"}, "v": {"sdtype": "numerical"}})
    dmeta = {"columns": {"d": {"sdtype": "datetime"}, "v": {"sdtype": "numerical"}}}
    q = QualityReport()
    q.generate(views.frames[0], views.frames[1], dmeta, verbose=False, views=views)
    assert q.get_details("Column Shapes")["Score"].tolist() == [1.0, 1.0]
