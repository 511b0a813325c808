"""Copula marginals: the fast paths give the same distributions as the plain definitions."""

import numpy as np
import pytest

from simulacra.synthesizers import univariate as u


def _columns(count=120, seed=0):
    rng = np.random.default_rng(seed)
    for t in range(count):
        n = int(rng.choice([30, 70, 200, 1000, 4000]))
        kind = t % 6
        if kind == 0:
            x = rng.normal(size=n) * 5 + 3
        elif kind == 1:
            x = rng.gamma(2.0, size=n)
        elif kind == 2:
            x = rng.beta(2, 5, size=n)
        elif kind == 3:
            x = np.floor(rng.normal(size=n) * rng.uniform(1, 30))  # ties
        elif kind == 4:
            x = np.round(rng.lognormal(size=n), int(rng.integers(0, 3)))
        else:
            x = rng.uniform(-1, 1, size=n) ** 3
        yield x


def _auto_by_definition(x):
    """'auto' as documented: the closest parametric family when its KS distance is under half the critical value, else empirical."""
    if len(np.unique(x[:100_000])) <= u.DISCRETE_MAX_UNIQUE // 8:
        return u.Empirical().fit(x)
    xs = np.sort(x)
    if len(xs) > 20_000:
        xs = xs[:: len(xs) // 20_000]
    best, best_stat = None, np.inf
    for name in u.PARAMETRIC:
        with np.errstate(all="ignore"):
            d = u.CLASSES[name]().fit(x)
        stat = u._ks_stat(d, xs)
        if stat < best_stat:
            best, best_stat = d, stat
    return best if best_stat <= 0.5 * 1.358 / np.sqrt(len(xs)) else u.Empirical().fit(x)


def _same(a, b):
    assert a.name == b.name
    for k, v in a.get_state().items():
        w = b.get_state()[k]
        assert np.array_equal(np.asarray(v), np.asarray(w)), k


def test_quantiles_of_sorted_is_numpy_quantile_bit_for_bit():
    for x in _columns(200, seed=3):
        qs = np.linspace(0, 1, min(len(x), u.MAX_KNOTS))
        assert np.array_equal(u.quantiles_of_sorted(np.sort(x), qs), np.quantile(x, qs))


def test_auto_shortcuts_choose_as_the_definition():
    chosen = set()
    for x in _columns():
        got = u.fit_distribution("auto", x)
        _same(got, _auto_by_definition(x))
        chosen.add(got.name)
    assert {"empirical", "norm"} <= chosen and len(chosen) >= 3


@pytest.mark.parametrize("n", [30, 1000])
def test_ks_lower_bound_never_exceeds_the_statistic(n):
    rng = np.random.default_rng(n)
    xs = np.sort(rng.gamma(1.5, size=n))
    at = np.arange(0, n, 8)
    for name in u.PARAMETRIC:
        d = u.CLASSES[name]().fit(xs)
        assert u._ks_lower_bound(d, xs, at) <= u._ks_stat(d, xs) + 1e-15
