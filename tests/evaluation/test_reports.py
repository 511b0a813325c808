"""Diagnostics, privacy, utility and statistical tests: known answers."""

import numpy as np
import pandas as pd
import pytest

from simulacra import CARTSynthesizer, Metadata, evaluate_privacy, evaluate_utility, run_diagnostic, statistical_tests
from simulacra.errors import ParameterError


@pytest.fixture(scope="module")
def split(penguins):
    train = penguins.sample(frac=0.5, random_state=0)
    hold = penguins.drop(train.index)
    return train.reset_index(drop=True), hold.reset_index(drop=True)


@pytest.fixture(scope="module")
def good(split, penguins_metadata):
    train, _ = split
    # a faithful model of 172 rows, as the metrics' "good" side: the privacy check would trade its
    # structure away (leaves of 80 rows; tested in tests/synthesizers/test_privacy_check.py)
    return CARTSynthesizer(penguins_metadata, privacy_check=False).fit(train).sample(len(train), seed=0)


def shuffled(df, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: df[c].to_numpy()[rng.permutation(len(df))] for c in df.columns})


def test_diagnostic_tells_bad_from_good(split, good, penguins_metadata):
    train, _ = split
    ok = run_diagnostic(train, good, penguins_metadata, verbose=False)
    assert ok.get_score() > 0.97
    collapsed = train.copy()
    collapsed["species"] = "Adelie"
    collapsed["body_mass_g"] = 4000
    collapsed["bill_length_mm"] = collapsed["bill_length_mm"].max() + 10  # outside the real range
    bad = run_diagnostic(train, collapsed, penguins_metadata, verbose=False)
    assert bad.get_score() < ok.get_score() - 0.1
    cov = bad.get_details("Coverage").set_index("Column")["Score"]
    assert cov["species"] == pytest.approx(1 / 3)
    val = bad.get_details("Data Validity").set_index("Column")["Score"]
    assert val["bill_length_mm"] == 0.0


def test_privacy_catches_a_copying_synthesizer(split, good, penguins_metadata):
    train, hold = split
    copy = evaluate_privacy(train, train.copy(), penguins_metadata, holdout=hold, verbose=False).results
    assert copy["exact_copy_rate"] == 1.0
    assert copy["dcr_synthetic_median"] == 0.0
    assert copy["membership_auc"] > 0.9
    fine = evaluate_privacy(train, good, penguins_metadata, holdout=hold, sensitive_columns=["sex"], verbose=False)
    r = fine.results
    assert r["exact_copy_rate"] == 0.0
    assert r["membership_auc"] < 0.75
    assert 0 <= r["dcr_share"] <= 1
    assert "sex" in r["attribute_inference"]
    assert (
        fine.get_score()
        > evaluate_privacy(train, train.copy(), penguins_metadata, holdout=hold, verbose=False).get_score()
    )
    assert "Meaning" in fine.get_details().columns


def test_utility_ratio(split, good, penguins_metadata):
    train, hold = split
    useful = evaluate_utility(train, good, hold, "species", penguins_metadata, verbose=False)
    useless = evaluate_utility(train, shuffled(train), hold, "species", penguins_metadata, verbose=False)
    assert useful.get_score() > 0.85
    assert useless.get_score() < 0.7
    reg = evaluate_utility(train, good, hold, "body_mass_g", penguins_metadata, verbose=False)
    assert reg.task == "regression" and reg.get_score() > 0.5
    with pytest.raises(ParameterError, match="target"):
        evaluate_utility(train, good, hold, "nope", penguins_metadata, verbose=False)


def test_statistical_tests_and_corrections(split, good, penguins_metadata):
    train, _ = split
    res = statistical_tests(train, good, penguins_metadata)
    assert set(res["Test"]) == {"Kolmogorov-Smirnov", "Welch t-test", "Chi-square"}
    assert (res["adjusted p-value"] >= res["p-value"]).all()
    assert (res["Verdict"] == "similar").mean() > 0.8
    shifted = train.copy()
    shifted["body_mass_g"] = shifted["body_mass_g"] + 500
    verdict = statistical_tests(train, shifted, penguins_metadata).set_index("Column")["Verdict"]
    assert verdict["body_mass_g"].iloc[0].startswith("differs")
    from simulacra.evaluation.stats import _adjust

    p = np.array([0.01, 0.04, 0.03])
    assert _adjust(p, "holm").tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert _adjust(p, "bonferroni").tolist() == pytest.approx([0.03, 0.12, 0.09])


def test_reports_scale_to_large_tables():
    """Not a timed test: 100,000 rows go through the nearest-neighbour privacy metrics."""
    rng = np.random.default_rng(0)
    n = 100_000
    real = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(list("xyz"), n), "c": rng.integers(0, 100, n)})
    syn = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(list("xyz"), n), "c": rng.integers(0, 100, n)})
    md = Metadata.detect_from_dataframe(real)
    r = evaluate_privacy(real, syn, md, verbose=False).results
    assert 0 <= r["dcr_synthetic_median"] < 0.1


def test_validity_agrees_with_sdmetrics(split, good, penguins_metadata):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sdm = pytest.importorskip("sdmetrics.reports.single_table")
    train, _ = split
    broken = good.dropna().reset_index(drop=True).copy()
    broken.loc[::7, "body_mass_g"] = 9999
    broken.loc[::5, "island"] = "Atlantis"
    real = train.dropna().reset_index(drop=True)
    ours = (
        run_diagnostic(real, broken, penguins_metadata, verbose=False)
        .get_details("Data Validity")
        .set_index("Column")["Score"]
    )
    theirs = sdm.DiagnosticReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.generate(real, broken, next(iter(penguins_metadata.to_dict()["tables"].values())), verbose=False)
    t = theirs.get_details("Data Validity").set_index("Column")["Score"]
    for col in ["body_mass_g", "island", "species", "bill_length_mm"]:
        assert ours[col] == pytest.approx(t[col], abs=0.01), col


def test_gower_nearest_matches_the_definition():
    from simulacra.evaluation.distances import MixedEncoder, nearest
    from simulacra.evaluation.views import row_keys

    rng = np.random.default_rng(0)
    n = 60
    real = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "c": rng.choice(list("abcd"), n),
            "t": pd.date_range("2020-01-01", periods=n, freq="D"),
        }
    )
    real.loc[rng.random(n) < 0.2, "x"] = np.nan
    real.loc[rng.random(n) < 0.2, "c"] = None
    syn = real.sample(frac=1.0, random_state=1).reset_index(drop=True)
    syn["x"] = syn["x"] * 1.3 + 0.1
    meta = {"columns": {"x": {"sdtype": "numerical"}, "c": {"sdtype": "categorical"}, "t": {"sdtype": "datetime"}}}
    enc = MixedEncoder(real, meta["columns"])
    got = nearest(enc.encode(real), enc.encode(syn), k=2, block_cells=500)  # several blocks
    lo, span = real["x"].min(), real["x"].max() - real["x"].min()
    tspan = (real["t"].max() - real["t"].min()).total_seconds()

    def gower(a, b):
        if pd.isna(a["x"]) and pd.isna(b["x"]):
            dx = 0.0
        elif pd.isna(a["x"]) or pd.isna(b["x"]):
            dx = 1.0
        else:
            dx = abs(np.clip((a["x"] - lo) / span, 0, 1) - np.clip((b["x"] - lo) / span, 0, 1))
        dc = 0.0 if (pd.isna(a["c"]) and pd.isna(b["c"])) or a["c"] == b["c"] else 1.0
        dt = abs((a["t"] - b["t"]).total_seconds()) / tspan
        return dx + dc + dt

    for i in range(n):
        d = sorted(gower(syn.iloc[i], real.iloc[j]) for j in range(n))[:2]
        np.testing.assert_allclose(got[i], d, atol=1e-9)
    # exact copies: a shuffled copy matches every row, and 1 equals 1.0
    ka, kb = row_keys([pd.DataFrame({"v": [1, 2, 3]}), pd.DataFrame({"v": [3.0, 1.0, 5.0]})], ["v"])
    assert np.isin(kb, ka).tolist() == [True, True, False]


# --- rare categories copied into the sample (issue 11) ---


def _rare_tables():
    """A real table whose 'surname' has 40 values seen once, 10 seen twice and a common one; the synthetic
    table copies 20 of the once-seen and all the twice-seen values."""
    once = [f"Once{i}" for i in range(40)]
    twice = [f"Twice{i}" for i in range(10)]
    real = pd.DataFrame({"surname": ["Common"] * 160 + once + twice * 2, "group": ["a", "b"] * 110})
    syn = pd.DataFrame({"surname": ["Common"] * 170 + once[:20] + twice * 3, "group": ["a", "b"] * 110})
    md = Metadata.load_from_dict(
        {"columns": {"surname": {"sdtype": "categorical"}, "group": {"sdtype": "categorical"}}}
    )
    return real, syn, md


def test_privacy_flags_copied_rare_categories():
    real, syn, md = _rare_tables()
    rep = evaluate_privacy(real, syn, md, verbose=False)
    r = rep.results["rare_categories"]["surname"]
    assert (r["rare_real_values"], r["rare_values_copied"]) == (50, 30)
    assert r["copied_share"] == pytest.approx(0.6)
    assert r["synthetic_rows_share"] == pytest.approx(50 / 220)
    assert r["flagged"] and "group" not in rep.results["rare_categories"]  # 'group' has no rare value
    [msg] = rep.warnings
    assert "'surname'" in msg and "30 of its 50" in msg and "sdtype" in msg and "pool" in msg
    assert "rare_values_copied[surname]" in set(rep.get_details()["Metric"])
    table = rep.get_rare_categories()
    assert table.set_index("Column").loc["surname", "Flagged"]
    # below the threshold: counted, not flagged; a stricter threshold flags it
    few = syn.copy()
    few["surname"] = ["Common"] * 215 + [f"Once{i}" for i in range(5)]
    r = evaluate_privacy(real, few, md, verbose=False).results["rare_categories"]["surname"]
    assert r["rare_values_copied"] == 5 and not r["flagged"]
    assert evaluate_privacy(real, few, md, verbose=False, rare_threshold=0.01).warnings
    # fewer than 5 rare values copied (a rare level or two of a small table): not flagged at any share
    four = syn.assign(surname=["Common"] * 216 + [f"Once{i}" for i in range(4)])
    assert not evaluate_privacy(real, four, md, verbose=False, rare_threshold=0.0).warnings
    # rare_count=1: only values seen once are rare
    r = evaluate_privacy(real, syn, md, verbose=False, rare_count=1).results["rare_categories"]["surname"]
    assert (r["rare_real_values"], r["rare_values_copied"]) == (40, 20)
    with pytest.raises(ParameterError, match="rare_count"):
        evaluate_privacy(real, syn, md, verbose=False, rare_count=0)
    with pytest.raises(ParameterError, match="rare_threshold"):
        evaluate_privacy(real, syn, md, verbose=False, rare_threshold=2)


def test_privacy_names_person_columns_in_the_advice():
    """A learned column of real surnames is flagged with the PII sdtype to declare; PII columns are not checked."""
    from faker import Faker

    f = Faker("de_DE")
    f.seed_instance(0)
    names = pd.Series([f.last_name() for _ in range(300)])
    real = pd.DataFrame({"nameLast": names})
    md = Metadata.load_from_dict({"columns": {"nameLast": {"sdtype": "categorical"}}})
    [msg] = evaluate_privacy(real, real.sample(frac=1, random_state=0), md, verbose=False).warnings
    assert "sdtype='last_name'" in msg
    faked = Metadata.load_from_dict({"columns": {"nameLast": {"sdtype": "last_name"}}})
    assert "rare_categories" not in evaluate_privacy(real, real, faked, verbose=False).results
    learned = Metadata.load_from_dict(
        {"columns": {"nameLast": {"sdtype": "last_name", "pii": False}}}
    )  # learned as categories
    assert evaluate_privacy(real, real, learned, verbose=False).results["rare_categories"]["nameLast"]["flagged"]


def test_report_shows_rare_categories():
    from simulacra.evaluation.report import build_report

    real, syn, md = _rare_tables()
    real["x"], syn["x"] = np.arange(220.0), np.arange(220.0)[::-1]
    md = Metadata.load_from_dict({"columns": {**md.columns, "x": {"sdtype": "numerical"}}})
    page = build_report(real, syn, md)
    assert "id='rare-categories'" in page and "copies rare real values" in page and "30 of its 50" in page
    clean = build_report(real, syn.assign(surname="Common"), md)
    assert "id='rare-categories'" in clean and "copies rare real values" not in clean


# --- time zones (issue 11): mixed offsets and zones are compared as instants in UTC ---


def _zoned(n=120, seed=0):
    rng = np.random.default_rng(seed)
    wall = pd.Timestamp("2024-01-01 10:00") + pd.to_timedelta(rng.integers(0, 24 * 300, n), unit="h")
    paris = pd.Series(wall).dt.tz_localize("UTC").dt.tz_convert("Europe/Paris")  # no DST gap
    text = paris.map(lambda t: t.isoformat())  # "+01:00" in winter, "+02:00" in summer
    objects = pd.Series([t.tz_convert("America/New_York") if i % 2 else t for i, t in enumerate(paris)], dtype=object)
    return paris, text, objects, rng.normal(size=n)


@pytest.mark.parametrize("kind", ["text", "objects"])
def test_mixed_time_zone_offsets_evaluate_and_report(kind):
    """Regression: text with mixed UTC offsets, and Timestamps in several zones, crashed with a TypeError."""
    from simulacra import evaluate_quality
    from simulacra.evaluation.report import build_report

    paris, text, objects, x = _zoned()
    col = text if kind == "text" else objects
    assert col.map(lambda v: str(v)[-6:]).nunique() >= 2  # several offsets
    real = pd.DataFrame({"ts": col, "x": x})
    md = Metadata.load_from_dict({"columns": {"ts": {"sdtype": "datetime"}, "x": {"sdtype": "numerical"}}})
    if kind == "text":
        md = Metadata.detect_from_dataframe(real)
        assert md.columns["ts"] == {"sdtype": "datetime", "datetime_format": "%Y-%m-%dT%H:%M:%S%z"}
    # the same instants written in another zone are the same values
    tokyo = paris.dt.tz_convert("Asia/Tokyo")
    syn = pd.DataFrame(
        {"ts": tokyo.map(lambda t: t.isoformat()) if kind == "text" else pd.Series(list(tokyo), dtype=object), "x": x}
    )
    q = evaluate_quality(real, syn, md, verbose=False)
    assert q.get_details("Column Shapes").set_index("Column").loc["ts", "Score"] == pytest.approx(1.0)
    assert run_diagnostic(real, syn, md, verbose=False).get_score() == pytest.approx(1.0)
    assert evaluate_privacy(real, syn, md, verbose=False).results["exact_copy_rate"] == 1.0
    assert "<h2>Privacy</h2>" in build_report(real, syn, md)
    # a datetime target is regressed on as seconds (the text target gave NaN labels)
    real["x"] = (paris - paris.min()).dt.total_seconds().to_numpy() + x * 3600
    u = evaluate_utility(real, real, real, "ts", md, verbose=False).get_details().set_index("Metric")
    assert u.loc["r2", "Train real, test real"] > 0.9


# ------------------------------------------------------------------ save_report is atomic (#11)
def test_save_report_failure_leaves_nothing(tmp_path, monkeypatch):
    import simulacra.evaluation.report as report_module
    import simulacra.io.writers as writers
    from simulacra.errors import FileFormatError

    monkeypatch.setattr(report_module, "build_report", lambda *a, **k: "<html>" + "x" * 100_000 + "</html>")
    real_open = open

    class HalfWritten:
        def __init__(self, f):
            self.f = f

        def write(self, text):
            self.f.write(text[:1000])
            raise OSError(28, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()

    out = tmp_path / "report.html"
    with monkeypatch.context() as m:
        m.setattr(writers, "open", lambda *a, **k: HalfWritten(real_open(*a, **k)), raising=False)
        with pytest.raises(FileFormatError, match="report.html.*No space left"):
            report_module.save_report(None, None, None, out)
        assert list(tmp_path.iterdir()) == []  # no page, no hidden part file
        out.write_text("old page")
        with pytest.raises(FileFormatError):
            report_module.save_report(None, None, None, out)
        assert [p.name for p in tmp_path.iterdir()] == ["report.html"] and out.read_text() == "old page"
    with monkeypatch.context() as m:
        m.setattr(writers.os, "replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            report_module.save_report(None, None, None, out)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"] and out.read_text() == "old page"
    assert report_module.save_report(None, None, None, out) == out and out.read_text().startswith("<html>x")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
