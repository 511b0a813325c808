"""Noise and perturbation, for augmentation and for privacy.

- ``add_noise``: Gaussian, uniform or Laplace noise on numerical columns, with a scale that is
  absolute or relative to each column's standard deviation;
- ``swap_categories``: each value replaced, with probability ``p``, by another category drawn
  with the column's frequencies;
- ``shuffle_columns``: values shuffled within columns (breaks the link between columns);
- ``generalize``: binning into ``bins`` equal-frequency intervals (or given edges) and top- or
  bottom-coding at quantiles;
- ``laplace_mechanism`` / ``gaussian_mechanism``: differentially private counts and means with an
  explicit epsilon (and delta), returning the released value and the privacy budget spent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._random import as_generator
from ..errors import InvalidDataError, ParameterError
from ..utils.validation import check_bool, check_number


def _numeric_columns(df, columns):
    cols = (
        columns
        if columns is not None
        else [
            c
            for c in df.columns
            if pd.api.types.is_numeric_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype)
        ]
    )
    for c in cols:
        if c not in df.columns:
            raise ParameterError(f"no column named {c!r}")
        if not pd.api.types.is_numeric_dtype(df[c].dtype):
            raise InvalidDataError(f"column {c!r} is not numeric; use swap_categories for categories")
    return list(cols)


def add_noise(
    df: pd.DataFrame,
    columns=None,
    kind: str = "gaussian",
    scale: float = 0.1,
    relative: bool = True,
    seed=None,
    clip: bool = False,
) -> pd.DataFrame:
    """Copy of ``df`` with noise added to numerical ``columns`` (integers stay integers)."""
    if kind not in ("gaussian", "uniform", "laplace"):
        raise ParameterError("kind must be 'gaussian', 'uniform' or 'laplace'")
    scale = check_number("scale", scale, minimum=0)
    relative, clip = check_bool("relative", relative), check_bool("clip", clip)
    rng = as_generator(seed)
    out = df.copy()
    for c in _numeric_columns(df, columns):
        v = df[c].astype(float).to_numpy()
        s = scale * (np.nanstd(v) if relative else 1.0)
        draw = {
            "gaussian": lambda: rng.normal(0, s, len(v)),
            "uniform": lambda: rng.uniform(-s, s, len(v)),
            "laplace": lambda: rng.laplace(0, s, len(v)),
        }[kind]()
        new = v + draw
        if clip:
            new = np.clip(new, np.nanmin(v), np.nanmax(v))
        if pd.api.types.is_integer_dtype(df[c].dtype):
            out[c] = pd.Series(np.round(new), index=df.index).astype(df[c].dtype if not df[c].isna().any() else "Int64")
        else:
            out[c] = new
    return out


def swap_categories(df: pd.DataFrame, columns, p: float = 0.1, seed=None) -> pd.DataFrame:
    """Each value of ``columns`` replaced with probability ``p`` by a category drawn by frequency."""
    p = check_number("p", p, minimum=0, maximum=1)
    rng = as_generator(seed)
    out = df.copy()
    for c in [columns] if isinstance(columns, str) else columns:
        counts = df[c].value_counts(normalize=True)
        mask = rng.random(len(df)) < p
        repl = rng.choice(len(counts), size=int(mask.sum()), p=counts.to_numpy())
        vals = out[c].to_numpy(copy=True).astype(object)
        vals[mask] = counts.index.to_numpy(dtype=object)[repl]
        out[c] = pd.Series(vals, index=df.index).astype(df[c].dtype, errors="ignore") if df[c].dtype != object else vals
    return out


def shuffle_columns(df: pd.DataFrame, columns=None, seed=None) -> pd.DataFrame:
    """Values of each column shuffled independently (marginals kept, relations between columns broken)."""
    rng = as_generator(seed)
    out = df.copy()
    for c in columns if columns is not None else df.columns:
        out[c] = df[c].to_numpy()[rng.permutation(len(df))]
    return out


def generalize(
    df: pd.DataFrame, column: str, bins=None, top: float | None = None, bottom: float | None = None
) -> pd.DataFrame:
    """Binning (``bins`` equal-frequency intervals, or a list of edges) and/or top/bottom coding
    at quantiles (``top=0.99`` caps values above the 99th percentile)."""
    out = df.copy()
    s = pd.to_numeric(df[column], errors="coerce")
    if top is not None:
        s = s.clip(upper=s.quantile(top))
    if bottom is not None:
        s = s.clip(lower=s.quantile(bottom))
    if bins is not None:
        out[column] = (
            pd.qcut(s, bins, duplicates="drop").astype(str) if isinstance(bins, int) else pd.cut(s, bins).astype(str)
        )
    else:
        out[column] = s
    return out


@dataclass
class Release:
    value: float
    epsilon: float
    delta: float
    mechanism: str
    sensitivity: float

    def __repr__(self):
        return f"Release(value={self.value:.6g}, mechanism={self.mechanism}, epsilon={self.epsilon}, delta={self.delta}, sensitivity={self.sensitivity:.6g})"


def laplace_mechanism(data, query: str = "count", epsilon: float = 1.0, bounds=None, seed=None) -> Release:
    """Epsilon-DP count or mean (a mean needs ``bounds=(low, high)``) with Laplace noise."""
    return _mechanism(data, query, epsilon, 0.0, bounds, seed, "laplace")


def gaussian_mechanism(
    data, query: str = "count", epsilon: float = 1.0, delta: float = 1e-5, bounds=None, seed=None
) -> Release:
    """(epsilon, delta)-DP count or mean with Gaussian noise (epsilon < 1 for the classic bound)."""
    delta = check_number("delta", delta, minimum=0, maximum=1, strict=True)
    return _mechanism(data, query, epsilon, delta, bounds, seed, "gaussian")


def _mechanism(data, query, epsilon, delta, bounds, seed, kind) -> Release:
    epsilon = check_number("epsilon", epsilon, minimum=0, strict=True)
    v = pd.to_numeric(pd.Series(np.asarray(data).ravel()), errors="coerce").dropna().to_numpy(dtype=float)
    rng = as_generator(seed)
    if query == "count":
        true, sens = float(len(v)), 1.0
    elif query == "mean":
        if bounds is None:
            raise ParameterError("a private mean needs bounds=(low, high) of the values (they are clipped to them)")
        lo, hi = bounds
        if len(v) == 0:
            raise InvalidDataError("no values to average")
        v = np.clip(v, lo, hi)
        true, sens = float(v.mean()), (hi - lo) / len(v)
    else:
        raise ParameterError("query must be 'count' or 'mean'")
    if kind == "laplace":
        noise = rng.laplace(0, sens / epsilon)
    else:
        sigma = sens * np.sqrt(2 * np.log(1.25 / delta)) / epsilon
        noise = rng.normal(0, sigma)
    return Release(true + float(noise), float(epsilon), float(delta), kind, float(sens))
