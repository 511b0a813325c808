"""utils.gower: the DCR share against an equal-size holdout, the membership AUC, the frame encoder."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from simulacra.utils.gower import (
    FrameEncoder,
    dcr_share,
    equal_size_dcr_share,
    membership_auc,
    nearest,
)


def _pairs(rng, n):
    return rng.random((n, 3)), rng.integers(0, 3, (n, 2)).astype(np.int32)


def test_equal_size_share_is_the_mean_over_equal_size_training_samples():
    rng = np.random.default_rng(0)
    T, H, S = _pairs(rng, 300), _pairs(rng, 60), _pairs(rng, 400)
    exact = equal_size_dcr_share(T, H, S)
    to_hold = nearest(H, S)[:, 0]
    draws = [np.sort(rng.choice(300, 60, replace=False)) for _ in range(600)]
    mc = np.mean([dcr_share(nearest((T[0][i], T[1][i]), S)[:, 0], to_hold) for i in draws])
    assert abs(exact - mc) < 0.005
    # the same population on both sides: about one half
    assert 0.4 < exact < 0.6


def test_share_is_one_for_copies_of_training_rows_and_zero_for_copies_of_the_holdout():
    rng = np.random.default_rng(1)
    T, H = _pairs(rng, 50), _pairs(rng, 50)
    assert equal_size_dcr_share(T, H, (T[0][:30], T[1][:30])) == 1.0
    # against 4x as many training rows, a copied row is in the equal-size sample a quarter of the
    # time; otherwise its closest row is a training or a holdout row alike: 1/4 + 3/4 x 1/2
    big = _pairs(rng, 200)
    assert equal_size_dcr_share(big, H, (big[0][:100], big[1][:100])) == pytest.approx(0.625, abs=0.05)
    assert equal_size_dcr_share(T, H, H) == 0.0
    with pytest.raises(ValueError):  # fewer training rows than holdout rows
        equal_size_dcr_share(H, big, H)


def test_membership_auc_is_the_roc_auc_of_the_distance_attack():
    rng = np.random.default_rng(2)
    members, non = rng.random(70), rng.random(40) + 0.2
    y = np.r_[np.ones(70), np.zeros(40)]
    assert membership_auc(members, non) == pytest.approx(roc_auc_score(y, -np.r_[members, non]))
    assert np.isnan(membership_auc(members, non[:0]))


def test_frame_encoder_matches_categories_as_the_evaluation_does():
    ref = pd.DataFrame(
        {"x": [0.0, 5.0, 10.0, np.nan], "c": ["a", "a", "b", None], "d": pd.to_datetime(["2020-01-01"] * 4)}
    )
    enc = FrameEncoder(ref, {"x": "num", "c": "cat", "d": "num"}, max_categories=1)
    num, cat = enc.encode(pd.DataFrame({"x": [20.0, 2.5], "c": ["b", None], "d": ref["d"][:2]}))
    assert num[:, 0].tolist() == [1.0, 0.25]  # scaled by the reference range, clipped to it
    assert cat[:, 0].tolist() == [2, 1]  # "b" is past the top 1: the shared "other" code; missing has its own
    assert enc.encode(ref)[1][:, 0].tolist() == [0, 0, 2, 1]
