"""pandas 3 (text as the ``str`` dtype by default, copy-on-write and read-only arrays, dates in
coarser units): tables come back in the dtypes they had, on pandas 2 and 3 alike (CI runs both)."""

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.utils.dtypes import check_value_dtype, dtype_name, is_text_dtype

try:
    STR = pd.StringDtype(na_value=np.nan)  # pandas 3's default text dtype (pandas >= 2.3 can make it)
except TypeError:  # older pandas 2
    STR = None
needs_str = pytest.mark.skipif(STR is None, reason="this pandas has no StringDtype(na_value=nan)")


@pytest.mark.parametrize("dtype", ["object", "string[python]", "string[pyarrow]", "int64", "Int64", "datetime64[ns]"])
def test_dtype_names_read_back_as_the_same_dtype(dtype):
    dt = pd.api.types.pandas_dtype(dtype)
    assert pd.api.types.pandas_dtype(dtype_name(dt)) == dt


@needs_str
def test_the_str_dtype_is_named_str_and_accepted_from_a_model_file():
    assert dtype_name(STR) == "str" and check_value_dtype("str") == "str"
    assert is_text_dtype(STR) and is_text_dtype(np.dtype(object)) and not is_text_dtype(np.dtype("int64"))
    if pd.__version__ >= "3":
        assert pd.api.types.pandas_dtype("str") == STR


def _table(text_dtype):
    rng = np.random.default_rng(0)
    n = 200
    born = (np.datetime64("1500-01-01") + rng.integers(0, 40 * 365, n).astype("timedelta64[D]")).astype("datetime64[s]")
    df = pd.DataFrame(
        {
            "kind": pd.Series(rng.choice(["a", "b", "c"], n), dtype=text_dtype),
            "email": pd.Series([f"user{i}@example.com" for i in range(n)], dtype=text_dtype),
            "born": pd.Series(pd.Series(born).dt.strftime("%Y-%m-%d"), dtype=text_dtype),
            "x": rng.normal(size=n),
        }
    )
    df.loc[3, "kind"] = None
    return df


@pytest.mark.parametrize("text_dtype", [object, pytest.param(STR, marks=needs_str)], ids=["object", "str"])
def test_text_columns_keep_their_dtype_and_old_text_dates_their_range(text_dtype):
    df = _table(text_dtype)
    md = Metadata.detect_from_dataframe(df)
    md.update_column("email", sdtype="email")
    md.update_column("born", sdtype="datetime", datetime_format="%Y-%m-%d")
    out = GaussianCopulaSynthesizer(md).fit(df).sample(300, seed=0)
    assert out.dtypes.astype(str).tolist() == df.dtypes.astype(str).tolist()
    assert GaussianCopulaSynthesizer(md).fit(df).sample(0).dtypes.astype(str).tolist() == df.dtypes.astype(str).tolist()
    years = out["born"].dropna().str[:4].astype(int)  # were wrapped into 2084..2143 on pandas 3
    assert years.between(1500, 1540).all()
    assert out["kind"].isna().any() or set(out["kind"].dropna()) <= {"a", "b", "c"}


def test_read_only_arrays_fit_and_sample():
    df = _table(object)[["kind", "x"]]
    frozen = pd.DataFrame({c: df[c].to_numpy(copy=True) for c in df.columns})
    for c in frozen.columns:  # what copy-on-write hands out: arrays that cannot be written
        arr = frozen[c].to_numpy()
        arr.flags.writeable = False
    out = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(frozen)).fit(frozen).sample(50, seed=1)
    assert len(out) == 50 and set(out["kind"].dropna()) <= {"a", "b", "c"}
