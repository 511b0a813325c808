"""Text dates outside pandas' nanosecond range are scored, not read as missing (issue #11)."""

import numpy as np
import pandas as pd

from simulacra import Metadata
from simulacra.evaluation import evaluate_quality
from simulacra.evaluation.views import as_datetime


def test_as_datetime_reads_dates_before_1677_and_after_2262():
    s = pd.Series(["1500-03-01", "2999-12-31", None, "2020-01-01"])
    got = as_datetime(s, {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"})
    assert got.isna().tolist() == [False, False, True, False]
    assert got.iloc[0] == pd.Timestamp(np.datetime64("1500-03-01", "us"))
    assert got.iloc[1] == pd.Timestamp(np.datetime64("2999-12-31", "us"))


def test_quality_scores_historical_dates():
    rng = np.random.default_rng(0)
    days = rng.integers(0, 20000, 200).astype("timedelta64[D]")
    real = pd.DataFrame(
        {
            "born": pd.Series((np.datetime64("1500-01-01") + days).astype("datetime64[s]")).dt.strftime("%Y-%m-%d"),
            "x": rng.normal(size=200),
        }
    )
    same = real.sample(frac=1.0, random_state=1).reset_index(drop=True)
    md = Metadata.detect_from_dataframe(real)
    shapes = evaluate_quality(real, same, md).get_details("Column Shapes")
    assert shapes.set_index("Column").loc["born", "Score"] == 1.0
