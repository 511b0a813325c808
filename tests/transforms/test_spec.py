"""What transforms declare about their outputs (OutputSpec / ColumnSpec), and the transformer operations models use."""

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import InvalidDataError
from simulacra.transforms import TableTransformer
from simulacra.transforms.base import OUTPUT_KINDS
from simulacra.transforms.spec import OutputKind, OutputSpec

N = 120


def _table(n=N) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    x = rng.normal(10, 3, n).round(2)
    x[::9] = np.nan
    cat = rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1]).astype(object)
    cat[::13] = None
    return pd.DataFrame(
        {
            "id": [f"K{i:04d}" for i in range(n)],
            "x": x,
            "count": rng.integers(0, 5, n),
            "cat": cat,
            "flag": rng.random(n) < 0.4,
            "when": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "email": [f"p{i}@example.org" for i in range(n)],
            "note": ["a few words of text " * int(k) for k in rng.integers(1, 3, n)],
        }
    )


META = {
    "id": {"sdtype": "id"},
    "x": {"sdtype": "numerical"},
    "count": {"sdtype": "numerical"},
    "cat": {"sdtype": "categorical"},
    "flag": {"sdtype": "boolean"},
    "when": {"sdtype": "datetime"},
    "email": {"sdtype": "email", "pii": True},
    "note": {"sdtype": "text"},
}
DF = _table()


def _fitted(**kw) -> TableTransformer:
    return TableTransformer(META, **kw).fit(DF)


def _spec(tr, name) -> OutputSpec:
    return next(s for s in tr.output_specs if s.name == name)


def test_kinds_are_the_enum_and_equal_the_strings_model_files_store():
    tr = _fitted()
    specs = tr.output_specs
    assert [s.name for s in specs] == tr.output_names
    assert all(isinstance(s.kind, OutputKind) for s in specs)
    assert [s.kind for s in specs] == tr.output_kinds  # str enum: equal to the stored strings
    assert {k.value for k in OutputKind} == OUTPUT_KINDS
    kinds = {s.name: s.kind for s in specs}
    assert kinds["x"] is OutputKind.CONTINUOUS and kinds["x#null"] is OutputKind.NULL
    assert kinds["count"] is OutputKind.DISCRETE
    assert kinds["cat"] is OutputKind.CATEGORY and kinds["flag"] is OutputKind.CATEGORY
    assert OutputKind("uniform01") is OutputKind.CATEGORY and f"{OutputKind.CATEGORY}" == "uniform01"


def test_category_probabilities_sum_to_one_and_intervals_tile_the_unit_interval():
    tr = _fitted()
    for name in ("cat", "flag"):
        s = _spec(tr, name)
        assert s.is_category and s.n_categories == len(s.probabilities)
        assert s.probabilities.sum() == pytest.approx(1.0, abs=1e-12)
        lows, highs = zip(*(s.interval(k) for k in range(s.n_categories)))
        assert lows[0] == 0.0 and highs[-1] == pytest.approx(1.0, abs=1e-12)
        assert np.array_equal(np.array(lows[1:]), np.array(highs[:-1]))  # contiguous, no gaps
        np.testing.assert_allclose(np.array(highs) - np.array(lows), s.probabilities, atol=1e-15)
        np.testing.assert_array_equal(s.upper, np.cumsum(s.probabilities))  # exact: the cumulative probabilities
    cat = _spec(tr, "cat")
    counts = DF["cat"].value_counts(dropna=False)
    assert sorted(cat.probabilities * N) == pytest.approx(sorted(counts.to_numpy()))


def test_encoded_values_sit_inside_their_exact_interval_and_codes_round_trip():
    tr = _fitted()
    X = tr.transform(DF)
    for j, s in enumerate(tr.output_specs):
        if not s.is_category:
            continue
        codes = tr.category_codes(DF, s.column)
        np.testing.assert_array_equal(s.codes(X[:, j]), codes)
        lo = np.array([s.interval(k)[0] for k in codes])
        hi = np.array([s.interval(k)[1] for k in codes])
        assert ((X[:, j] > lo) & (X[:, j] < hi)).all()
        k = np.arange(s.n_categories)
        np.testing.assert_array_equal(s.codes(s.midpoints()), k)  # midpoint -> code -> midpoint
        np.testing.assert_array_equal(s.codes(np.array([-0.5, 1.5])), [0, s.n_categories - 1])  # ends


def test_numeric_bounds_only_when_min_max_are_enforced():
    on, off = _fitted(), _fitted(enforce_min_max_values=False)
    x = _spec(on, "x")
    assert (x.low, x.high) == (float(DF["x"].min()), float(DF["x"].max()))
    when = _spec(on, "when")
    assert when.low < when.high
    for tr in (on, off):
        assert _spec(tr, "x#null").low is None and _spec(tr, "cat").low is None
    assert all(s.low is None and s.high is None for s in off.output_specs)


def test_learned_and_generated_columns_and_positional_ids():
    tr = _fitted()
    cols = {c.column: c for c in tr.column_specs}
    assert list(cols) == list(META)
    assert tr.generated_columns == ["id", "email", "note"]
    assert tr.learned_columns == ["x", "count", "cat", "flag", "when"]
    assert all(cols[c].learned == (c in tr.learned_columns) for c in META)
    assert [c for c, s in cols.items() if s.positional] == ["id"]
    assert [o.name for o in cols["x"].outputs] == ["x", "x#null"] and cols["email"].outputs == ()
    # ids depend on the rows' global positions: the same positions give the same ids within a run
    run = tr.new_run_state(np.random.default_rng(1), 200)
    a = tr.inverse(np.zeros((3, len(tr.output_specs))), np.random.default_rng(2), np.array([5, 6, 7]), run)
    b = tr.regenerate_positional(a.copy(), np.random.default_rng(9), np.array([5, 6, 7]), run)
    assert a["id"].tolist() == b["id"].tolist()
    c = tr.regenerate_positional(a.copy(), np.random.default_rng(9), np.array([7, 8, 9]), run)
    assert c["id"].iloc[0] == a["id"].iloc[2] and c["id"].nunique() == 3


def test_reorder_categories_moves_codes_and_intervals_and_decoding_follows():
    tr = _fitted()
    before = _spec(tr, "cat")
    k = before.n_categories
    order = np.arange(k)[::-1]
    codes = tr.category_codes(DF, "cat")
    tr.reorder_categories("cat", order)
    after = _spec(tr, "cat")
    np.testing.assert_array_equal(after.probabilities, before.probabilities[order])
    np.testing.assert_array_equal(tr.category_codes(DF, "cat"), np.argsort(order)[codes])
    back = tr.inverse(
        tr.transform(DF), np.random.default_rng(0), np.arange(N), tr.new_run_state(np.random.default_rng(0))
    )
    assert back["cat"].isna().tolist() == DF["cat"].isna().tolist()
    assert back["cat"].dropna().tolist() == DF["cat"].dropna().tolist()
    with pytest.raises(ValueError, match="permutation"):
        tr.reorder_categories("cat", [0, 0, 1, 2, 3])
    with pytest.raises(ValueError, match="not encoded as categories"):
        tr.category_codes(DF, "x")
    with pytest.raises(ValueError, match="no categories"):
        tr.reorder_categories("x", [0])
    with pytest.raises(InvalidDataError, match="not seen"):
        tr.category_codes(pd.DataFrame({"cat": ["zzz"]}), "cat")


def test_transform_of_some_columns_is_their_block_of_the_full_matrix():
    tr = _fitted()
    full = tr.transform(DF)
    part = tr.transform(DF, ["count", "x"])  # table order, whatever the order asked
    names = tr.output_names
    np.testing.assert_array_equal(part, full[:, [names.index(n) for n in ("x", "x#null", "count")]])
    assert tr.transform(DF, ["email"]).shape == (N, 0)


def test_state_round_trip_keeps_the_specs_and_the_outputs():
    tr = _fitted()
    tr.reorder_categories("cat", [3, 1, 0, 2, 4])
    back = TableTransformer.from_state(tr.get_state())
    alias = TableTransformer._from_state(tr._to_state())
    for other in (back, alias):
        assert [(s.name, s.column, s.kind, s.low, s.high) for s in other.output_specs] == [
            (s.name, s.column, s.kind, s.low, s.high) for s in tr.output_specs
        ]
        np.testing.assert_array_equal(_spec(other, "cat").probabilities, _spec(tr, "cat").probabilities)
        np.testing.assert_array_equal(other.transform(DF), tr.transform(DF))
        assert [(c.column, c.learned, c.positional) for c in other.column_specs] == [
            (c.column, c.learned, c.positional) for c in tr.column_specs
        ]


def test_fill_generated_decodes_learned_values_and_makes_the_generated_columns():
    tr = _fitted()
    values = DF[tr.learned_columns].iloc[10:30].reset_index(drop=True)
    positions = np.arange(10, 30)
    run = tr.new_run_state(np.random.default_rng(3), N)
    out = tr.fill_generated(values, np.random.default_rng(5), positions, run)
    same = tr.inverse(tr.transform(values), np.random.default_rng(5), positions, run)
    pd.testing.assert_frame_equal(out, same)
    assert list(out.columns) == list(META)
    plain = ["x", "count", "flag", "when"]
    pd.testing.assert_frame_equal(out[plain], values[plain])
    assert out["cat"].isna().tolist() == values["cat"].isna().tolist()
    assert out["cat"].dropna().tolist() == values["cat"].dropna().tolist()
    assert not out["email"].isin(DF["email"]).any() and out["id"].is_unique
    # values of the wrong type come back in the column's dtype (decoded like a model's matrix)
    as_text = values.assign(count=values["count"].astype(str))
    assert tr.fill_generated(as_text, np.random.default_rng(5), positions, run)["count"].dtype == DF["count"].dtype
    kept = tr.fill_generated(as_text, np.random.default_rng(5), positions, run, decode=False)
    assert kept["count"].tolist() == as_text["count"].tolist() and kept["id"].tolist() == out["id"].tolist()
    with pytest.raises(InvalidDataError, match="'cat'"):
        tr.fill_generated(values.drop(columns="cat"), np.random.default_rng(5), positions, run)
    with pytest.raises(InvalidDataError, match="not seen"):
        tr.fill_generated(values.assign(cat="zzz"), np.random.default_rng(5), positions, run)


def test_metadata_mismatch_names_the_column():
    tr = TableTransformer.from_state(_fitted().get_state())
    assert tr.metadata_mismatch(META) is None
    changed = dict(META, count={"sdtype": "categorical"})
    assert "column 'count' is categorical in the metadata but restored as a NumericalTransform" in (
        tr.metadata_mismatch(changed)
    )
    assert "cover" in tr.metadata_mismatch({k: v for k, v in META.items() if k != "note"})
