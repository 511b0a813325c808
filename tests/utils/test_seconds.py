"""Float seconds with missing values as datetimes and timedeltas (pandas 2.x's unit path reads unset memory for NaN)."""

import numpy as np
import pandas as pd

from simulacra.utils.values import seconds_to_datetime, seconds_to_timedelta


def test_seconds_with_missing_values_become_datetimes_and_nat():
    secs = np.array([0.0, np.nan, 1_600_000_000.25, -1.5, np.inf] * 1000)
    out = pd.Series(seconds_to_datetime(secs))
    assert out.dtype == "datetime64[ns]"
    assert out.isna().tolist() == [False, True, False, False, True] * 1000
    assert out[0] == pd.Timestamp("1970-01-01")
    assert out[2] == pd.Timestamp("2020-09-13 12:26:40.250")
    assert out[3] == pd.Timestamp("1969-12-31 23:59:58.500")


def test_seconds_become_timedeltas_to_the_nanosecond():
    out = pd.Series(seconds_to_timedelta([1.000000001, np.nan, -2.25, 86_400.0]))
    assert out.dtype == "timedelta64[ns]"
    assert out[0] == pd.Timedelta(1, "s") + pd.Timedelta(1, "ns")
    assert pd.isna(out[1])
    assert out[2] == pd.Timedelta(-2.25, "s")
    assert out[3] == pd.Timedelta(1, "D")
