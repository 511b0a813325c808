"""Datetime columns with several time zones or UTC offsets: fit + sample keep the instants (issue 11)."""

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata


def _paris(n=200, seed=0):
    rng = np.random.default_rng(seed)
    wall = pd.Timestamp("2024-01-01 10:00") + pd.to_timedelta(rng.integers(0, 24 * 300, n), unit="h")
    return pd.Series(wall).dt.tz_localize("UTC").dt.tz_convert("Europe/Paris"), rng.normal(size=n)


def _fit_sample(df, md=None):
    md = md or Metadata.detect_from_dataframe(df)
    return GaussianCopulaSynthesizer(md).fit(df).sample(300, seed=0)


def test_text_with_mixed_offsets_round_trips():
    paris, x = _paris()
    text = paris.map(lambda t: t.isoformat())  # +01:00 and +02:00
    out = _fit_sample(pd.DataFrame({"ts": text, "x": x}))
    back = pd.to_datetime(out["ts"], format="%Y-%m-%dT%H:%M:%S%z", utc=True)
    assert back.notna().all()
    assert back.min() >= paris.min() and back.max() <= paris.max()
    assert (back.dt.minute == 0).all()  # whole hours, as the real instants


def test_timestamps_in_several_zones_round_trip():
    """An object column of tz-aware Timestamps in two zones comes back as Timestamps (in UTC), not text."""
    paris, x = _paris()
    objects = pd.Series([t.tz_convert("America/New_York") if i % 2 else t for i, t in enumerate(paris)], dtype=object)
    md = Metadata.load_from_dict({"columns": {"ts": {"sdtype": "datetime"}, "x": {"sdtype": "numerical"}}})
    out = _fit_sample(pd.DataFrame({"ts": objects, "x": x}), md)
    ts = pd.to_datetime(out["ts"], utc=True)
    assert all(isinstance(v, pd.Timestamp) and v.tzinfo is not None for v in out["ts"])
    assert ts.min() >= paris.min() and ts.max() <= paris.max()
    assert pd.Series(ts.dt.tz_convert("UTC").dt.minute).eq(0).all()


@pytest.mark.parametrize("zone", [None, "UTC"])
def test_timestamp_objects_of_one_kind(zone):
    """Naive (or one-zone) Timestamps held in an object column come back as Timestamps of that kind."""
    wall = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(100) * 7, unit="h")
    vals = wall.tz_localize(zone) if zone else wall
    df = pd.DataFrame({"ts": pd.Series(list(vals), dtype=object), "x": np.arange(100.0)})
    md = Metadata.load_from_dict({"columns": {"ts": {"sdtype": "datetime"}, "x": {"sdtype": "numerical"}}})
    out = _fit_sample(df, md)
    assert all(isinstance(v, pd.Timestamp) and (v.tzinfo is None) == (zone is None) for v in out["ts"])
