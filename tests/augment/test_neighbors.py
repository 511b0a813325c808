import numpy as np
import pytest

from simulacra.augment import _neighbors
from simulacra.augment._neighbors import kneighbors


def _reference(data, k, queries):
    d = ((data[queries][:, None, :] - data[None, :, :]) ** 2).sum(axis=-1)
    d[np.arange(len(queries)), queries] = np.inf
    return np.sort(d, axis=1)[:, :k]


def _dist(data, idx, queries):
    return ((data[idx] - data[queries][:, None, :]) ** 2).sum(axis=-1)


@pytest.mark.parametrize("shape", [(300, 85), (50, 2), (7, 3)])
def test_blocked_distances_give_the_exact_neighbours(shape, monkeypatch):
    rng = np.random.default_rng(1)
    data = rng.normal(size=shape) * 10.0 ** rng.integers(-2, 3, shape[1])
    monkeypatch.setattr(_neighbors, "_BLOCK_CELLS", 64)  # many small blocks
    for k in (1, 5, shape[0] - 1):
        q = np.arange(shape[0])
        idx = kneighbors(data, k)
        assert idx.shape == (shape[0], k) and (idx != q[:, None]).all()
        np.testing.assert_allclose(_dist(data, idx, q), _reference(data, k, q), rtol=1e-12, atol=1e-12)
        assert (np.diff(_dist(data, idx, q), axis=1) >= 0).all()  # nearest first


def test_queries_duplicates_and_offsets():
    rng = np.random.default_rng(2)
    # a large common offset must not swamp small differences
    data = 1e9 + rng.normal(size=(200, 12))
    data[10] = data[11]  # a duplicate is a neighbour at distance 0, the row itself is not
    q = np.array([10, 11, 50, 199])
    idx = kneighbors(data, 4, q)
    assert idx[0, 0] == 11 and idx[1, 0] == 10
    assert (idx != q[:, None]).all()
    np.testing.assert_allclose(_dist(data, idx, q), _reference(data, 4, q), rtol=1e-9)


@pytest.mark.parametrize("d", [3, 20])
def test_scikit_learn_path_for_many_pairs(d):
    rng = np.random.default_rng(3)
    data = rng.normal(size=(2100, d))
    data[5] = data[6]
    assert 2100 * 2100 > _neighbors._BRUTE_MAX_PAIRS
    q = np.arange(2100)
    idx = kneighbors(data, 5, q)
    assert (idx != q[:, None]).all()
    np.testing.assert_allclose(_dist(data, idx, q), _reference(data, 5, q), rtol=1e-9, atol=1e-12)
    assert idx[5, 0] == 6 and idx[6, 0] == 5  # a duplicate is the nearest, never the row itself
    np.testing.assert_allclose(
        _dist(data, idx, q), _dist(data, _neighbors._brute(data, 5, q), q), rtol=1e-9, atol=1e-12
    )
