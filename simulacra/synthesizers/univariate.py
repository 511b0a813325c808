"""One-dimensional distributions for copula marginals: fit, cdf, ppf, state as plain data.

Parametric: ``norm``, ``uniform``, ``truncnorm``, ``beta``, ``gamma`` (fitted by moments on the
learned support, fast and deterministic). Non-parametric: ``gaussian_kde`` (a Gaussian kernel
density, tabulated on a grid) and ``empirical`` (the learned quantile function: exact
frequencies for discrete columns, linear interpolation between quantiles for continuous ones).
``auto`` picks, per column, the parametric family closest to the data (Kolmogorov-Smirnov
distance) when that distance is under half the 5% critical value, and ``empirical`` otherwise
(and always for discrete columns).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..errors import ModelFileError, ParameterError

_EPS = 1e-9
MAX_KNOTS = 2048
DISCRETE_MAX_UNIQUE = 256

ALIASES = {
    "gaussian": "norm",
    "normal": "norm",
    "kde": "gaussian_kde",
    "quantile": "empirical",
    "nonparametric": "empirical",
    "truncated_gaussian": "truncnorm",
}
PARAMETRIC = ("norm", "truncnorm", "beta", "gamma", "uniform")
NAMES = PARAMETRIC + ("gaussian_kde", "empirical", "auto")


def canonical(name: str) -> str:
    if not isinstance(name, str):
        raise ParameterError(f"distribution must be a name, got {name!r}")
    key = ALIASES.get(name.lower(), name.lower())
    if key not in NAMES:
        raise ParameterError(f"unknown distribution {name!r}; choose one of {', '.join(NAMES)}")
    return key


def _ndtr(x):
    return special.ndtr(x)


class Distribution:
    name = "base"

    def fit(self, x: np.ndarray) -> "Distribution":
        raise NotImplementedError

    def cdf(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def params(self) -> dict:
        return {}

    def get_state(self) -> dict:
        return {"name": self.name, **self.params()}

    def ppf_from_z(self, z: np.ndarray) -> np.ndarray:
        """Quantiles at normal scores ``z`` (``ppf(ndtr(z))``); tabulated for costly families."""
        return self.ppf(special.ndtr(z))


class _TabulatedPPF:
    """Mixin: ``ppf_from_z`` interpolates the exact quantile function on 2,049 normal scores in
    [-8.5, 8.5] (beta, gamma and truncated normal inverses cost ~1 microsecond a value)."""

    _grid = None

    def ppf_from_z(self, z):
        if self._grid is None:
            zs = np.linspace(-8.5, 8.5, 2049)
            with np.errstate(all="ignore"):
                xs = self.ppf(np.clip(special.ndtr(zs), 1e-15, 1 - 1e-15))
            ok = np.isfinite(xs)
            if not ok.any():
                return self.ppf(special.ndtr(z))
            xs = np.interp(zs, zs[ok], xs[ok])  # fill the rare failed points from their neighbours
            self._grid = (zs, np.maximum.accumulate(xs))
        zs, xs = self._grid
        return np.interp(z, zs, xs)


class Norm(Distribution):
    name = "norm"

    def fit(self, x):
        self.loc = float(np.mean(x))
        self.scale = float(max(np.std(x), 1e-12 * max(1.0, abs(self.loc))))
        return self

    def cdf(self, x):
        return _ndtr((x - self.loc) / self.scale)

    def ppf(self, u):
        return self.loc + self.scale * special.ndtri(u)

    def params(self):
        return {"loc": self.loc, "scale": self.scale}


class Uniform(Distribution):
    name = "uniform"

    def fit(self, x):
        self.loc = float(np.min(x))
        self.scale = float(max(np.max(x) - self.loc, 1e-12))
        return self

    def cdf(self, x):
        return np.clip((x - self.loc) / self.scale, 0.0, 1.0)

    def ppf(self, u):
        return self.loc + self.scale * u

    def params(self):
        return {"loc": self.loc, "scale": self.scale}


class TruncNorm(_TabulatedPPF, Distribution):
    """Normal with the data's mean and spread, truncated to the observed [min, max]."""

    name = "truncnorm"

    def fit(self, x):
        self.loc = float(np.mean(x))
        self.scale = float(max(np.std(x), 1e-12))
        self.low = float(np.min(x))
        self.high = float(np.max(x))
        return self

    def _bounds(self):
        a = _ndtr((self.low - self.loc) / self.scale)
        b = _ndtr((self.high - self.loc) / self.scale)
        return a, max(b, a + 1e-12)

    def cdf(self, x):
        a, b = self._bounds()
        return np.clip((_ndtr((x - self.loc) / self.scale) - a) / (b - a), 0.0, 1.0)

    def ppf(self, u):
        a, b = self._bounds()
        q = np.clip(a + u * (b - a), 1e-300, 1 - 1e-16)
        return np.clip(self.loc + self.scale * special.ndtri(q), self.low, self.high)

    def params(self):
        return {"loc": self.loc, "scale": self.scale, "low": self.low, "high": self.high}


class Beta(_TabulatedPPF, Distribution):
    """Beta on [min - margin, max + margin], shape fitted by the method of moments."""

    name = "beta"

    def fit(self, x):
        lo, hi = float(np.min(x)), float(np.max(x))
        margin = max((hi - lo) * 1e-3, 1e-9)
        self.loc, self.scale = lo - margin, (hi - lo) + 2 * margin
        y = (x - self.loc) / self.scale
        m, v = float(np.mean(y)), float(np.var(y))
        common = m * (1 - m) / max(v, 1e-12) - 1
        self.a = float(max(m * common, 1e-3))
        self.b = float(max((1 - m) * common, 1e-3))
        return self

    def cdf(self, x):
        return special.betainc(self.a, self.b, np.clip((x - self.loc) / self.scale, 0.0, 1.0))

    def ppf(self, u):
        return self.loc + self.scale * special.betaincinv(self.a, self.b, np.clip(u, 0.0, 1.0))

    def params(self):
        return {"a": self.a, "b": self.b, "loc": self.loc, "scale": self.scale}


class Gamma(_TabulatedPPF, Distribution):
    """Gamma shifted to start just below the minimum, fitted by the method of moments."""

    name = "gamma"

    def fit(self, x):
        lo, hi = float(np.min(x)), float(np.max(x))
        self.loc = lo - max((hi - lo) * 1e-3, 1e-9)
        y = x - self.loc
        m, v = float(np.mean(y)), float(np.var(y))
        v = max(v, 1e-12)
        self.a = float(max(m * m / v, 1e-3))
        self.scale = float(max(v / m, 1e-12))
        return self

    def cdf(self, x):
        return special.gammainc(self.a, np.clip((x - self.loc) / self.scale, 0.0, None))

    def ppf(self, u):
        return self.loc + self.scale * special.gammaincinv(self.a, np.clip(u, 0.0, 1.0))

    def params(self):
        return {"a": self.a, "loc": self.loc, "scale": self.scale}


class Tabulated(Distribution):
    """A continuous distribution given by its cdf on a grid (``xs`` increasing, ``ps`` non-decreasing)."""

    def cdf(self, x):
        return np.interp(x, self.xs, self.ps)

    def ppf(self, u):
        return np.interp(u, self.ps, self.xs)

    def params(self):
        return {"xs": self.xs, "ps": self.ps}


class GaussianKDE(Tabulated):
    """Gaussian kernel density (Scott's bandwidth), its cdf tabulated on 1,024 points."""

    name = "gaussian_kde"

    def fit(self, x):
        n = len(x)
        centers = np.quantile(x, np.linspace(0, 1, min(n, 1000)))
        sd = float(np.std(x))
        iqr = float(np.subtract(*np.quantile(x, [0.75, 0.25])))
        spread = min(sd, iqr / 1.349) if iqr > 0 else sd
        h = max(0.9 * spread * n ** (-0.2), 1e-9 * max(1.0, abs(float(np.mean(x)))), 1e-12)
        lo, hi = float(np.min(x)) - 4 * h, float(np.max(x)) + 4 * h
        xs = np.linspace(lo, hi, 1024)
        ps = np.zeros_like(xs)
        for start in range(0, len(centers), 256):
            c = centers[start : start + 256]
            ps += _ndtr((xs[:, None] - c[None, :]) / h).sum(axis=1)
        ps /= len(centers)
        ps = np.maximum.accumulate(ps)
        ps[0], ps[-1] = 0.0, 1.0
        self.xs, self.ps = xs, ps
        return self


class Empirical(Distribution):
    """The learned quantile function.

    Discrete data (at most 256 distinct values) keeps each value with its exact frequency; the
    cdf of a value is the middle of its step, so tied values share one normal score. Continuous
    data keeps up to 2,048 quantiles and interpolates linearly between them.
    """

    name = "empirical"

    def fit(self, x):
        values, counts = np.unique(x, return_counts=True)
        if len(values) <= DISCRETE_MAX_UNIQUE:
            self.discrete = True
            self.xs = values.astype(float)
            self.ps = np.cumsum(counts) / counts.sum()
        else:
            self.discrete = False
            k = min(len(x), MAX_KNOTS)
            qs = np.linspace(0, 1, k)
            self.xs = quantiles_of_sorted(np.sort(x), qs)
            self.ps = qs
        return self

    def cdf(self, x):
        if self.discrete:
            idx = np.searchsorted(self.xs, x, side="left").clip(0, len(self.xs) - 1)
            upper = self.ps[idx]
            lower = np.where(idx > 0, self.ps[idx - 1], 0.0)
            exact = self.xs[idx] == x
            mid = (upper + lower) / 2
            # values between learned points (not in fitting data) get the lower step
            return np.where(exact, mid, lower)
        return np.interp(x, self.xs, self.ps)

    def ppf(self, u):
        if self.discrete:
            idx = np.searchsorted(self.ps, u, side="left").clip(0, len(self.xs) - 1)
            return self.xs[idx]
        return np.interp(u, self.ps, self.xs)

    def params(self):
        return {"discrete": bool(self.discrete), "xs": self.xs, "ps": self.ps}


def quantiles_of_sorted(s: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """``np.quantile(s, qs)`` (linear method, the same numbers bit for bit) of sorted values ``s`` without missing values.

    NumPy partitions the data around every requested quantile (milliseconds for 2,048 knots);
    on sorted values each quantile is two look-ups and NumPy's own interpolation formula.
    """
    n = len(s)
    virtual = (n - 1) * qs
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = -1
    nxt[above] = -1
    gamma = virtual - prev
    a, b = s[prev.astype(np.intp)], s[nxt.astype(np.intp)]
    diff = b - a
    out = a + diff * gamma
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return out


CLASSES = {c.name: c for c in (Norm, Uniform, TruncNorm, Beta, Gamma, GaussianKDE, Empirical)}


def fit_distribution(name: str, x: np.ndarray, discrete: bool = False) -> Distribution:
    """Fit ``name`` (after alias resolution) to the finite values ``x``."""
    name = canonical(name)
    x = np.asarray(x, dtype=float)
    if len(np.unique(x[:10_000])) <= 1 or (discrete and name == "auto"):
        return Empirical().fit(x)
    if name == "auto":
        return _auto(x)
    return CLASSES[name]().fit(x)


def _ks_stat(dist: Distribution, xs_sorted: np.ndarray) -> float:
    n = len(xs_sorted)
    with np.errstate(all="ignore"):
        c = dist.cdf(xs_sorted)
    if not np.all(np.isfinite(c)):
        return 1.0
    hi = np.arange(1, n + 1) / n - c
    lo = c - np.arange(0, n) / n
    return float(max(hi.max(), lo.max()))


def _ks_lower_bound(dist: Distribution, xs_sorted: np.ndarray, at: np.ndarray) -> float:
    """A lower bound of :func:`_ks_stat`: the same gaps, at the sorted positions ``at`` only."""
    n = len(xs_sorted)
    with np.errstate(all="ignore"):
        c = dist.cdf(xs_sorted[at])
    if not np.all(np.isfinite(c)):
        return 1.0
    return float(max(((at + 1) / n - c).max(), (c - at / n).max()))


def _auto(x: np.ndarray) -> Distribution:
    if len(np.unique(x[:100_000])) <= DISCRETE_MAX_UNIQUE // 8:
        return Empirical().fit(x)
    xs = np.sort(x)
    if len(xs) > 20_000:
        xs = xs[:: len(xs) // 20_000]
    n = len(xs)
    # a parametric family is kept only when it is clearly consistent with the data: its KS
    # distance must be under half the 5% critical value; otherwise the empirical quantile
    # function is more faithful
    critical = 0.5 * 1.358 / np.sqrt(n)
    # shortcuts that never change the choice (margins cover rounding): a run of k tied values is a
    # step of k / n that no continuous cdf comes closer to than k / (2n), so when the longest run
    # is too long no family can pass; and a family whose KS distance over every 8th value already
    # exceeds the critical value (or the best so far) is not the one kept, so its full KS is skipped
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    if np.diff(np.r_[starts, n]).max() / (2 * n) > critical * (1 + 1e-9):
        return Empirical().fit(x)
    screen = np.arange(0, n, 8) if n > 64 else None
    best, best_stat = None, np.inf
    for name in PARAMETRIC:
        try:
            with np.errstate(all="ignore"):
                d = CLASSES[name]().fit(x)
        except (ValueError, FloatingPointError, ZeroDivisionError):
            continue
        if screen is not None and _ks_lower_bound(d, xs, screen) > min(critical * (1 + 1e-9), best_stat) + 1e-12:
            continue
        stat = _ks_stat(d, xs)
        if stat < best_stat:
            best, best_stat = d, stat
    if best is not None and best_stat <= critical:
        return best
    return Empirical().fit(x)


def from_state(state: dict) -> Distribution:
    try:
        cls = CLASSES[state["name"]]
    except (KeyError, TypeError):
        raise ModelFileError(
            f"unknown distribution in model file: {state.get('name') if isinstance(state, dict) else state!r}"
        ) from None
    d = cls.__new__(cls)
    try:
        for k, v in state.items():
            if k == "name":
                continue
            if k in ("xs", "ps"):
                v = np.asarray(v, dtype=float)
                if v.ndim != 1 or len(v) == 0:
                    raise ValueError(f"{k} must be a non-empty 1-D array")
            elif k == "discrete":
                v = bool(v)
            else:
                v = float(v)
                if not np.isfinite(v):
                    raise ValueError(f"{k} is not finite")
            setattr(d, k, v)
        d._grid = None
        d.get_state()
        _check_distribution(d)
    except (ValueError, TypeError, AttributeError) as e:
        raise ModelFileError(f"invalid {cls.name} distribution in model file: {e}") from None
    return d


def _check_distribution(d: Distribution) -> None:
    """Learned parameters that mean something: positive scales and shapes, ordered bounds, a
    valid tabulated cdf (finite increasing points, probabilities rising to 1)."""
    for k in ("scale", "a", "b"):
        if hasattr(d, k) and not getattr(d, k) > 0:
            raise ValueError(f"{k} must be positive, got {getattr(d, k)}")
    if isinstance(d, TruncNorm) and d.low > d.high:
        raise ValueError(f"low ({d.low}) is greater than high ({d.high})")
    if hasattr(d, "xs"):
        xs, ps = d.xs, d.ps
        if len(xs) != len(ps):
            raise ValueError("xs and ps differ in length")
        if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ps))):
            raise ValueError("xs and ps must be finite")
        dx = np.diff(xs)
        if (dx < 0).any() or (getattr(d, "discrete", False) and (dx == 0).any()):
            raise ValueError("xs must be increasing")
        if (np.diff(ps) < 0).any() or ps[0] < 0 or abs(ps[-1] - 1.0) > 1e-6:
            raise ValueError("ps must be a cumulative distribution (increasing from >= 0 to 1)")
