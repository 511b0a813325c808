"""evaluate_privacy's holdout measures: the equal-size DCR share, the distance distributions, the attack."""

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.evaluation import evaluate_privacy

from ..conftest import DATASETS

if not (DATASETS / "nycflights13_flights.csv").exists():
    pytest.skip("../shared/datasets is not present", allow_module_level=True)
FLIGHTS = pd.read_csv(DATASETS / "nycflights13_flights.csv", nrows=9000)


@pytest.fixture(scope="module")
def parts():
    rng = np.random.default_rng(0)
    p = rng.permutation(len(FLIGHTS))
    a, b, c = (FLIGHTS.iloc[p[i::3]].reset_index(drop=True) for i in range(3))
    return a, b, c, Metadata.detect_from_dataframe(FLIGHTS)


def test_rows_of_the_same_population_score_one_half(parts):
    train, hold, other, md = parts
    r = evaluate_privacy(train, other, md, holdout=hold, max_rows=2000, verbose=False).results
    assert abs(r["dcr_share"] - 0.5) < 0.03 and abs(r["membership_auc"] - 0.5) < 0.03
    assert r["dcr_share_expected"] == 0.5
    assert r["distance_sample_holdout_rows"] == r["dcr_share_training_rows"] == 2000
    assert r["membership_rows"] == "3,000 training members, 2,000 holdout non-members"


def test_copies_of_training_rows_are_exposed(parts):
    train, hold, _, md = parts
    r = evaluate_privacy(train, train.iloc[:1500], md, holdout=hold, max_rows=1500, verbose=False).results
    assert r["dcr_share"] > 0.7 and r["membership_auc"] > 0.7 and r["exact_copy_rate"] == 1.0


def test_distance_distributions_side_by_side(parts):
    train, hold, other, md = parts
    rep = evaluate_privacy(train, other, md, holdout=hold, verbose=False)
    d = rep.get_distances()
    assert list(d.columns) == ["Distance", "Rows", "p5", "p25", "median", "p75", "p95"]
    assert set(zip(d["Distance"], d["Rows"])) == {
        ("dcr", "synthetic to training"),
        ("dcr", "holdout to training"),
        ("nndr", "synthetic to training"),
        ("nndr", "holdout to training"),
    }
    q = d.set_index(["Distance", "Rows"])[["p5", "p25", "median", "p75", "p95"]]
    assert (q.diff(axis=1).iloc[:, 1:] >= 0).all().all()  # quantiles in order
    # same population: the two DCR distributions are close
    assert (
        abs(q.loc[("dcr", "synthetic to training"), "median"] - q.loc[("dcr", "holdout to training"), "median"]) < 0.02
    )
    without = evaluate_privacy(train, other, md, verbose=False)
    assert set(without.get_distances()["Rows"]) == {"synthetic to training"}
    assert "dcr_share" not in without.results
