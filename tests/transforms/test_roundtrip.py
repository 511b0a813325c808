"""Reversible transforms: forward then inverse gives back the column, dtype included."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulacra.transforms import (
    BooleanTransform,
    CategoricalTransform,
    DatetimeTransform,
    IdTransform,
    NumericalTransform,
    PIITransform,
)
from simulacra.utils.regex import infer_regex, parse_regex

RNG = np.random.default_rng(0)


def roundtrip(t, s):
    t.fit(s)
    X = t.forward(s)
    return t.inverse(X, np.random.default_rng(0), np.arange(len(s)))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.integers(-(10**9), 10**9), st.none()), min_size=2, max_size=50).filter(
        lambda v: any(x is not None for x in v)
    )
)
def test_nullable_int_roundtrip(values):
    s = pd.Series(values, dtype="Int64")
    out = roundtrip(NumericalTransform("x"), s)
    assert str(out.dtype) == "Int64"
    pd.testing.assert_series_equal(out, s.rename("x"), check_names=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)), min_size=2, max_size=50))
def test_float_roundtrip_keeps_decimals(values):
    s = pd.Series(values, dtype="float64")
    out = roundtrip(NumericalTransform("x"), s)
    np.testing.assert_allclose(out.to_numpy(), s.to_numpy(), rtol=0, atol=1e-9)


@pytest.mark.parametrize("dtype", ["UInt8", "Int8", "int16", "uint32", "int64", "float32", "UInt16"])
def test_integer_dtypes_survive(dtype):
    s = pd.Series([0, 5, 7, 200 if "8" not in dtype or dtype.startswith("U") else 100, 3], dtype=dtype)
    out = roundtrip(NumericalTransform("x"), s)
    assert str(out.dtype) == str(s.dtype)
    assert (out.to_numpy() == s.to_numpy()).all()


def test_min_max_and_rounding_enforced():
    s = pd.Series([1.25, 2.5, 3.75, np.nan])
    t = NumericalTransform("x").fit(s)
    X = np.array([[-100.0, 0.0], [100.0, 0.0], [2.123456, 0.0], [2.0, 1.0]])
    out = t.inverse(X, RNG, np.arange(4))
    assert out.iloc[0] == 1.25 and out.iloc[1] == 3.75
    assert out.iloc[2] == 2.12
    assert np.isnan(out.iloc[3])
    t2 = NumericalTransform("x", enforce_min_max_values=False, enforce_rounding=False).fit(s)
    out2 = t2.inverse(X, RNG, np.arange(4))
    assert out2.iloc[0] == -100.0 and out2.iloc[2] == 2.123456


def test_unsigned_never_wraps():
    s = pd.Series([1, 2, 3], dtype="UInt8")
    t = NumericalTransform("x", enforce_min_max_values=False).fit(s)
    out = t.inverse(np.array([[-5.0], [300.0]]), RNG, np.arange(2))
    assert out.tolist() == [0, 255]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "ç", "日本", None, "z z"]), min_size=2, max_size=60).filter(
        lambda v: any(x is not None for x in v)
    )
)
def test_categorical_roundtrip(values):
    s = pd.Series(values, dtype=object)
    out = roundtrip(CategoricalTransform("c"), s)
    assert out.isna().tolist() == s.isna().tolist()
    assert out.dropna().tolist() == s.dropna().tolist()


def test_categorical_only_learned_values_with_learned_frequencies():
    s = pd.Series(["a"] * 700 + ["b"] * 200 + ["c"] * 100 + [None] * 0)
    t = CategoricalTransform("c").fit(s)
    u = np.random.default_rng(1).random((100_000, 1))
    out = t.inverse(u, RNG, np.arange(100_000))
    assert set(out.unique()) == {"a", "b", "c"}
    freq = out.value_counts(normalize=True)
    assert abs(freq["a"] - 0.7) < 0.01 and abs(freq["c"] - 0.1) < 0.01


def test_categorical_high_cardinality_has_no_blowup():
    n = 200_000
    vals = pd.Series(np.char.add("k", (np.arange(n) % 50_000).astype(str)))
    t = CategoricalTransform("c").fit(vals)
    X = t.forward(vals)
    assert X.shape == (n, 1)
    assert len(t.categories) == 50_000


def test_boolean_dtypes():
    for s in [
        pd.Series([True, False, True]),
        pd.Series([0, 1, 1]),
        pd.Series(["yes", "no", "yes"]),
        pd.Series([True, None, False], dtype="boolean"),
    ]:
        out = roundtrip(BooleanTransform("b"), s)
        assert out.astype(object).where(out.notna(), None).tolist() == s.astype(object).where(s.notna(), None).tolist()
        assert str(out.dtype) == str(s.dtype)


@pytest.mark.parametrize(
    "s",
    [
        pd.Series(pd.date_range("2020-01-01", periods=30, freq="D")),
        pd.Series(pd.date_range("2020-03-01", periods=30, freq="7h", tz="Europe/Paris")),
        pd.Series(pd.date_range("2020-01-01", periods=30, freq="D").strftime("%d/%m/%Y")),
        pd.Series(pd.date_range("2020-01-01", periods=30, freq="37min").strftime("%Y-%m-%d %H:%M:%S")),
        pd.Series(["2021-01-02T10:00:00+02:00", "2021-01-03T11:30:00+02:00", "2021-02-03T00:00:00+02:00"]),
        pd.Series(pd.to_datetime(["2020-01-01", None, "2020-05-03"]).astype("datetime64[s]")),
    ],
    ids=["naive", "tz", "text-dmy", "text-seconds", "text-offset", "unit-s-with-nat"],
)
def test_datetime_roundtrip(s):
    out = roundtrip(DatetimeTransform("d"), s)
    assert str(out.dtype) == str(s.dtype)
    assert out.astype(str).tolist() == s.astype(str).tolist()


def test_datetime_mixed_formats_come_back_mixed():
    s = pd.Series(["2021-01-05", "03/04/2021", "2021-02-07", "12/25/2021"] * 50)
    t = DatetimeTransform("d").fit(s)
    assert set(t.formats) == {"%Y-%m-%d", "%m/%d/%Y"}
    X = t.forward(s)
    out = t.inverse(X, np.random.default_rng(3), np.arange(len(s)))
    iso = out.str.match(r"^\d{4}-\d{2}-\d{2}$").mean()
    assert 0.35 < iso < 0.65
    assert pd.to_datetime(out, format="mixed").notna().all()


def test_ids_unique_in_shape_across_batches():
    s = pd.Series([f"AB-{i:04d}" for i in range(50)])
    t = IdTransform("id").fit(s)
    assert t.regex_format == "AB\\-[0-9]{4}"
    run = t.new_run_state(np.random.default_rng(0))
    a = t.inverse(np.empty((5000, 0)), RNG, np.arange(0, 5000), run)
    b = t.inverse(np.empty((5000, 0)), RNG, np.arange(5000, 10000), run)
    both = pd.concat([a, b])
    assert both.is_unique
    assert both.str.match(r"^AB-\d{4}$").all()
    with pytest.raises(Exception, match="allows only 10,000"):
        t.inverse(np.empty((2, 0)), RNG, np.arange(10_000, 10_002), run)


def test_integer_ids_consecutive():
    t = IdTransform("id").fit(pd.Series([10, 11, 15]))
    out = t.inverse(np.empty((4, 0)), RNG, np.arange(4))
    assert out.tolist() == [10, 11, 12, 13]


def test_regex_inference_and_parsing():
    assert infer_regex(["N101UW", "N102AA", "N3345B"]) is not None
    assert infer_regex(["550e8400-e29b-41d4-a716-446655440000"]).startswith("[0-9a-f]{8}")
    assert len(parse_regex("[A-Z]{2}-\\d{3}")) == 6
    with pytest.raises(Exception, match="not supported"):
        parse_regex("a+")


def test_pii_is_fake_and_keeps_missing_rate():
    real = pd.Series([f"person{i}@corp.example" for i in range(100)] + [None] * 100)
    t = PIITransform("email", "email").fit(real)
    out = t.inverse(np.empty((4000, 0)), np.random.default_rng(0), np.arange(4000))
    assert abs(out.isna().mean() - 0.5) < 0.05
    assert not set(out.dropna()) & set(real.dropna())
    assert out.dropna().str.contains("@").all()


# --- issue #11: values that used to come back wrong -------------------------------------------


def _fit_sample(df, n=400, seed=0):
    from simulacra import GaussianCopulaSynthesizer, Metadata

    md = Metadata.detect_from_dataframe(df)
    return md, GaussianCopulaSynthesizer(md).fit(df).sample(n, seed=seed)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(
        [
            ("uint64", 2**63),
            ("uint64", 2**64 - 2000),
            ("uint64", 2**53 + 1),
            ("int64", -(2**63)),
            ("int64", 2**63 - 2000),
            ("Int64", 2**62),
        ]
    ),
    st.lists(st.integers(0, 1999), min_size=2, max_size=40, unique=True),
)
def test_wide_integers_roundtrip_exactly(case, offsets):
    dtype, base = case
    values = [base + k for k in offsets]
    s = pd.Series(np.array(values, dtype=dtype.lower()), dtype=dtype)
    out = roundtrip(
        NumericalTransform("x", computer_representation=dtype.capitalize() if dtype[0] != "u" else "UInt64"), s
    )
    assert out.dtype == s.dtype
    assert out.tolist() == s.tolist()  # every distinct value back, exactly (no float64 on the way)


def test_wide_integers_sample_distinct_values_in_range():
    rng = np.random.default_rng(0)
    u = np.uint64(2**63) + rng.integers(0, 1000, 300).astype(np.uint64)
    nul = pd.array(u, dtype="UInt64")
    nul[::7] = pd.NA
    df = pd.DataFrame(
        {"u": u, "nul": nul, "big": np.uint64(2**53) + np.arange(300, dtype=np.uint64), "x": rng.normal(size=300)}
    )
    _, out = _fit_sample(df, 1000)
    assert out["u"].dtype == np.uint64 and str(out["nul"].dtype) == "UInt64"
    for c in ("u", "nul", "big"):
        o = out[c].dropna().astype(object)
        assert o.nunique() > 100  # not collapsed onto one or a few float64 values
        assert min(o) >= int(df[c].min()) and max(o) <= int(df[c].max())
    assert 0.05 < out["nul"].isna().mean() < 0.25


def test_decimals_come_back_as_decimals_at_their_scale():
    import decimal

    rng = np.random.default_rng(1)
    vals = [decimal.Decimal(f"{x:.2f}") for x in rng.normal(100, 10, 200)]
    vals[3] = None
    df = pd.DataFrame({"price": vals, "x": rng.normal(size=200)})
    md, out = _fit_sample(df)
    assert md.columns["price"]["sdtype"] == "numerical"
    got = out["price"].dropna()
    assert got.map(lambda v: isinstance(v, decimal.Decimal)).all()
    assert got.map(lambda v: v.as_tuple().exponent == -2).all()
    lo, hi = min(v for v in vals if v is not None), max(v for v in vals if v is not None)
    assert got.min() >= lo and got.max() <= hi


def test_times_of_day_come_back_as_times():
    import datetime

    rng = np.random.default_rng(2)
    secs = rng.integers(6 * 3600, 20 * 3600, 200)
    times = [datetime.time(int(s) // 3600, int(s) % 3600 // 60, int(s) % 60) for s in secs]
    times[5] = None
    df = pd.DataFrame({"opens": times, "x": rng.normal(size=200)})
    md, out = _fit_sample(df)
    assert md.columns["opens"] == {"sdtype": "datetime", "datetime_format": "%H:%M:%S"}
    got = out["opens"].dropna()
    assert got.map(lambda v: isinstance(v, datetime.time)).all()
    assert min(got) >= min(t for t in times if t) and max(got) <= max(t for t in times if t)
    assert all(t.microsecond == 0 for t in got)


def test_binary_and_nested_values_are_clear_errors():
    from simulacra import GaussianCopulaSynthesizer, Metadata
    from simulacra.errors import InvalidDataError

    df = pd.DataFrame({"blob": [b"]]]", b"ab"] * 10, "x": np.arange(20)})
    with pytest.raises(InvalidDataError, match="'blob' holds binary values"):
        Metadata.detect_from_dataframe(df)
    md = Metadata.load_from_dict({"columns": {"blob": {"sdtype": "categorical"}, "x": {"sdtype": "numerical"}}})
    with pytest.raises(InvalidDataError, match="'blob' holds binary values"):
        GaussianCopulaSynthesizer(md).fit(df)
    df = pd.DataFrame({"tags": [np.array([1, 2]), np.array([3])] * 10, "x": np.arange(20)})
    with pytest.raises(InvalidDataError, match="'tags' holds nested values"):
        Metadata.detect_from_dataframe(df)
    md = Metadata.load_from_dict({"columns": {"tags": {"sdtype": "categorical"}, "x": {"sdtype": "numerical"}}})
    with pytest.raises(InvalidDataError, match="'tags' holds nested values"):
        GaussianCopulaSynthesizer(md).fit(df)


def _strftime(value, fmt):
    return pd.Series(np.array([value], dtype="datetime64[s]")).dt.strftime(fmt)[0]


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%d %b %Y"])
def test_dates_outside_the_nanosecond_range_come_back_as_dates(fmt):
    rng = np.random.default_rng(3)
    days = rng.integers(0, 60 * 365, 200)
    old = (np.datetime64("1500-01-01") + days.astype("timedelta64[D]")).astype("datetime64[s]")
    if "%H" in fmt:
        old = old + rng.integers(0, 86400, 200).astype("timedelta64[s]")
    far = np.where(
        rng.random(200) < 0.3,
        np.datetime64("2999-12-31", "s"),
        np.datetime64("2020-01-01", "s") + (days % 900).astype("timedelta64[D]"),
    )
    df = pd.DataFrame(
        {"born": pd.Series(old).dt.strftime(fmt), "expires": pd.Series(far).dt.strftime(fmt), "x": rng.normal(size=200)}
    )
    df.loc[7, "born"] = None
    md, out = _fit_sample(df, 500)
    assert md.columns["born"] == {"sdtype": "datetime", "datetime_format": fmt}
    assert md.columns["expires"] == {"sdtype": "datetime", "datetime_format": fmt}
    for c, lo, hi in (("born", old.min(), old.max()), ("expires", far.min(), far.max())):
        got = out[c].dropna()
        assert got.str.len().eq(len(_strftime(hi, fmt))).all() or "%b" in fmt
        import pyarrow as pa
        import pyarrow.compute as pc

        parsed = pc.strptime(pa.array(got.tolist()), format=fmt, unit="s", error_is_null=True).to_numpy(
            zero_copy_only=False
        )
        assert not np.isnat(parsed).any()  # every value a valid date in the input's format
        assert parsed.min() >= lo and parsed.max() <= hi
    if "%H" not in fmt:  # day resolution kept
        assert (out["expires"] == _strftime(far.max(), fmt)).mean() > 0.15


def test_datetime64_seconds_outside_the_nanosecond_range():
    s = pd.Series(np.array(["1500-01-01", "2999-01-01", "1800-05-05", "2500-01-01"] * 10, dtype="datetime64[s]"))
    out = roundtrip(DatetimeTransform("t"), s)
    assert out.dtype == s.dtype
    pd.testing.assert_series_equal(out, s.rename("t"), check_names=False)


def test_full_range_uint64_model_reloads(tmp_path):
    from simulacra import GaussianCopulaSynthesizer, Metadata

    df = pd.DataFrame({"u": np.array([0, 2**64 - 1, 5, 2**63] * 5, dtype=np.uint64), "x": np.arange(20.0)})
    s = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(df)).fit(df)
    s.save(tmp_path / "m.zip")
    out = GaussianCopulaSynthesizer.load(tmp_path / "m.zip").sample(50, seed=0)
    assert out["u"].dtype == np.uint64 and out["u"].equals(s.sample(50, seed=0)["u"])


@pytest.mark.parametrize(
    "values, fmt",
    [
        (["0577-06-15", "0012-01-01", "1999-03-04", "0800-12-31"], "%Y-%m-%d"),  # came back as 577-06-15, 12-01-01
        (["15/06/0577 10:00", "01/01/2000 11:00"], "%d/%m/%Y %H:%M"),
    ],
)
def test_text_years_below_1000_keep_four_digits(values, fmt):
    s = pd.Series(values * 5, name="d")
    out = roundtrip(DatetimeTransform("d", datetime_format=fmt), s)
    assert out.tolist() == s.tolist()


def test_nanosecond_fractions_come_back_with_nine_digits():
    s = pd.Series(
        ["2020-01-01 00:00:00.123456789", "2020-01-03 00:00:00.500000001", "2020-01-02 10:00:00.25"] * 5, name="d"
    )
    out = roundtrip(DatetimeTransform("d", datetime_format="%Y-%m-%d %H:%M:%S.%f"), s)
    assert out.str.fullmatch(r"2020-01-0\d \d\d:00:00\.\d{9}").all()  # pandas wrote six digits
    # values are learned as float seconds: nanoseconds at float precision (about 0.2 us in 2020)
    back = pd.to_datetime(out, format="%Y-%m-%d %H:%M:%S.%f")
    assert (abs(back - pd.to_datetime(s, format="%Y-%m-%d %H:%M:%S.%f")) < pd.Timedelta("1us")).all()
    micro = pd.Series(["2020-01-01 00:00:00.123456", "2020-01-02 10:00:00.000001"] * 5, name="d")
    assert roundtrip(DatetimeTransform("d", datetime_format="%Y-%m-%d %H:%M:%S.%f"), micro).tolist() == micro.tolist()
