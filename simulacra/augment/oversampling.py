"""Oversampling for imbalanced classes with imbalanced-learn's API: ``fit_resample(X, y)``.

``RandomOverSampler``, ``SMOTE``, ``SMOTENC`` (numerical + categorical), ``BorderlineSMOTE`` and
``ADASYN``; names ``sampling_strategy``, ``k_neighbors``, ``random_state`` as in imbalanced-learn.
DataFrames keep their column names and dtypes; new rows are appended after the original ones.
Every new row is made at once: neighbours come from one exact nearest-neighbour query per class
(a blocked distance matrix on small or wide tables, see ``_neighbors``), and interpolation is a
vectorized ``x + u * (neighbour - x)``. Integer columns are rounded back to integers, booleans to
the nearer of False/True; a table of plain numpy columns is put back together in one block.

Missing values: imbalanced-learn rejects them. Here ``missing="keep"`` (the default) finds
neighbours with missing numbers replaced by the class median and, when interpolating, keeps a
value missing where the base row has it missing; ``missing="error"`` refuses them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import as_generator
from .._threads import limit_threads_for
from ..errors import InvalidDataError, ParameterError
from ..utils.validation import check_int, is_number
from ._neighbors import kneighbors


def _targets(y: np.ndarray, strategy) -> dict:
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise InvalidDataError(f"y has a single class ({classes[0]!r}); oversampling needs at least two")
    cnt = dict(zip(classes.tolist(), counts.tolist()))
    major = max(cnt, key=cnt.get)
    n_major = cnt[major]
    if isinstance(strategy, dict):
        out = {}
        for k, v in strategy.items():
            if k not in cnt:
                raise ParameterError(f"sampling_strategy names class {k!r}, which y does not have")
            if v < cnt[k]:
                raise ParameterError(f"sampling_strategy asks for {v} samples of class {k!r}, fewer than its {cnt[k]}")
            out[k] = int(v - cnt[k])
        return out
    if is_number(strategy):  # a ratio
        if len(cnt) != 2:
            raise ParameterError("a float sampling_strategy only works for two classes; use a dict")
        minor = min(cnt, key=cnt.get)
        want = int(np.floor(strategy * n_major))
        if not 0 < strategy <= 1 or want < cnt[minor]:
            raise ParameterError(
                f"sampling_strategy {strategy} would shrink the minority class; use a ratio in ({cnt[minor] / n_major:.3f}, 1]"
            )
        return {minor: want - cnt[minor]}
    if strategy in ("auto", "not majority"):
        return {k: n_major - v for k, v in cnt.items() if k != major}
    if strategy == "minority":
        minor = min(cnt, key=cnt.get)
        return {minor: n_major - cnt[minor]}
    if strategy == "not minority":
        minor = min(cnt, key=cnt.get)
        return {k: n_major - v for k, v in cnt.items() if k != minor and k != major}
    if strategy == "all":
        return {k: n_major - v for k, v in cnt.items()}
    raise ParameterError(
        f"unknown sampling_strategy {strategy!r}; use 'auto', 'minority', 'not minority', 'not majority', 'all', a float or a dict"
    )


class _Base:
    def __init__(self, sampling_strategy="auto", random_state=None):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    def _inputs(self, X, y):
        self._frame = isinstance(X, pd.DataFrame)
        X_df = X if self._frame else pd.DataFrame(np.asarray(X))
        y_arr = np.asarray(y)
        if y_arr.ndim != 1 or len(y_arr) != len(X_df):
            raise InvalidDataError(f"y must be one label per row of X ({len(X_df)} rows), got shape {y_arr.shape}")
        if len(X_df) == 0:
            raise InvalidDataError("X has no rows")
        return X_df, y_arr

    def _output(self, X_df, y, new_rows, new_y, y_in):
        if isinstance(new_rows, np.ndarray):
            out = _stack_numeric(X_df, new_rows)
        else:
            out = pd.concat([X_df, new_rows], ignore_index=True) if len(new_rows) else X_df.reset_index(drop=True)
            for c in X_df.columns:
                dt = X_df[c].dtype
                if out[c].dtype != dt:
                    try:
                        out[c] = out[c].round().astype(dt) if pd.api.types.is_integer_dtype(dt) else out[c].astype(dt)
                    except (TypeError, ValueError):
                        pass
        y_out = np.concatenate([y, np.asarray(new_y, dtype=y.dtype)]) if len(new_y) else y
        if isinstance(y_in, pd.Series):
            y_out = pd.Series(y_out, name=y_in.name).astype(y_in.dtype)
        return (out if self._frame else out.to_numpy()), y_out

    def fit_resample(self, X, y):
        X_df, y_arr = self._inputs(X, y)
        need = _targets(y_arr, self.sampling_strategy)
        rng = as_generator(self.random_state)
        parts, labels = [], []
        with limit_threads_for(X_df.shape[0] * max(X_df.shape[1], 1)):
            for cls in sorted(need, key=str):
                k = need[cls]
                if k <= 0:
                    continue
                rows = self._generate(X_df, y_arr, cls, k, rng)
                parts.append(rows)
                labels.append(
                    np.full(len(rows), cls, dtype=y_arr.dtype)
                    if y_arr.dtype != object
                    else np.array([cls] * len(rows), dtype=object)
                )
        labels = np.concatenate(labels) if labels else np.empty(0, dtype=y_arr.dtype)
        if parts and all(isinstance(p, np.ndarray) for p in parts) and _plain_numeric(X_df):
            new = np.concatenate(parts)
        else:
            parts = [pd.DataFrame(p, columns=X_df.columns) if isinstance(p, np.ndarray) else p for p in parts]
            new = pd.concat(parts, ignore_index=True) if parts else X_df.iloc[:0]
        self.sampling_strategy_ = need
        return self._output(X_df, y_arr, new, labels, y)

    fit_sample = fit_resample


def _plain_numeric(X: pd.DataFrame) -> bool:
    return all(isinstance(dt, np.dtype) and dt.kind in "biuf" for dt in X.dtypes)


def _cast(new: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Interpolated floats back in a column's dtype: integers rounded, booleans to the nearer value."""
    if dt.kind in "iu":
        return np.rint(new).astype(dt)
    if dt.kind == "b":
        return np.rint(new) != 0
    return new.astype(dt, copy=False)


def _stack_numeric(X: pd.DataFrame, new: np.ndarray) -> pd.DataFrame:
    """``X`` with the rows ``new`` (floats, in ``X``'s column order) appended, each column in its dtype."""
    dtypes = list(X.dtypes)
    if len(set(dtypes)) == 1:  # one block: no per-column work
        dt = dtypes[0]
        return pd.DataFrame(np.concatenate([X.to_numpy(), _cast(new, dt)]), columns=X.columns)
    data = {j: np.concatenate([X.iloc[:, j].to_numpy(), _cast(new[:, j], dt)]) for j, dt in enumerate(dtypes)}
    out = pd.DataFrame(data)
    out.columns = X.columns
    return out


class RandomOverSampler(_Base):
    """Duplicate random rows of the smaller classes."""

    def _generate(self, X, y, cls, k, rng):
        idx = np.flatnonzero(y == cls)
        return X.iloc[idx[rng.integers(0, len(idx), k)]].reset_index(drop=True)


class SMOTE(_Base):
    """Synthetic Minority Over-sampling TEchnique: new rows on segments between a minority row and
    one of its ``k_neighbors`` nearest minority neighbours (numerical columns only; see SMOTENC)."""

    def __init__(self, sampling_strategy="auto", random_state=None, k_neighbors=5, missing="keep"):
        super().__init__(sampling_strategy, random_state)
        check_int("k_neighbors", k_neighbors, minimum=1)
        if missing not in ("keep", "error"):
            raise ParameterError("missing must be 'keep' or 'error'")
        self.k_neighbors = int(k_neighbors)
        self.missing = missing

    def _numeric(self, X: pd.DataFrame, cols) -> np.ndarray:
        if not len(cols):
            raise InvalidDataError(f"X has no columns; {type(self).__name__} needs at least one numeric column")
        sub = X if len(cols) == X.shape[1] and list(X.columns) == list(cols) else X[cols]
        dtypes = sub.dtypes
        bad = [
            c
            for c, dt in zip(cols, dtypes)
            if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt))
        ]
        if bad:
            raise InvalidDataError(
                f"{type(self).__name__} works on numbers; column(s) {', '.join(map(repr, bad))} are not numeric: use SMOTENC(categorical_features=[...])"
            )
        if all(isinstance(dt, np.dtype) for dt in dtypes):
            M = sub.to_numpy(dtype=float)
        else:
            M = sub.astype(float).to_numpy()
        if np.isinf(M).any():
            raise InvalidDataError("X has infinite values; replace them first")
        if np.isnan(M).any() and self.missing == "error":
            raise InvalidDataError("X has missing values; fill them, or pass missing='keep'")
        return M

    def _neighbours(self, Z: np.ndarray, k: int, cls_name) -> np.ndarray:
        if len(Z) < 2:
            raise InvalidDataError(f"class {cls_name!r} has {len(Z)} row; SMOTE needs at least 2")
        if len(Z) - 1 < k:
            raise InvalidDataError(
                f"class {cls_name!r} has {len(Z)} rows, fewer than k_neighbors + 1 = {k + 1}; lower k_neighbors"
            )
        return kneighbors(Z, k)

    @staticmethod
    def _filled(M: np.ndarray) -> np.ndarray:
        med = np.nanmedian(M, axis=0) if np.isnan(M).any() else None
        return np.where(np.isnan(M), med, M) if med is not None else M

    def _interpolate(self, M, base, nb, rng):
        u = rng.random(len(base))[:, None]
        a, b = M[base], M[nb]
        new = a + u * (b - a)
        # keep the base row's value where the neighbour's is missing, and keep it missing where the base's is
        return np.where(np.isnan(b) & ~np.isnan(a), a, new)

    def _bases(self, n_cls, k, rng, weights=None):
        if weights is None:
            return rng.integers(0, n_cls, k)
        p = weights / weights.sum()
        return rng.choice(n_cls, size=k, p=p)

    def _generate(self, X, y, cls, k, rng, bases_weights=None, allowed=None):
        """The new rows of class ``cls``: a float matrix in the order of ``X``'s columns."""
        cols = list(X.columns)
        idx = np.flatnonzero(y == cls)
        M = self._numeric(X.iloc[idx], cols)
        nbrs = self._neighbours(self._filled(M), self.k_neighbors, cls)
        pool = np.arange(len(idx)) if allowed is None else allowed
        if len(pool) == 0:
            return np.empty((0, len(cols)))
        base = pool[self._bases(len(pool), k, rng, None if bases_weights is None else bases_weights[pool])]
        nb = nbrs[base, rng.integers(0, nbrs.shape[1], k)]
        return self._interpolate(M, base, nb, rng)


class BorderlineSMOTE(SMOTE):
    """SMOTE from the minority rows "in danger": among their ``m_neighbors`` nearest rows of all
    classes, at least half but not all belong to other classes (kind='borderline-1')."""

    def __init__(
        self,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        m_neighbors=10,
        kind="borderline-1",
        missing="keep",
    ):
        super().__init__(sampling_strategy, random_state, k_neighbors, missing)
        if kind != "borderline-1":
            raise ParameterError("only kind='borderline-1' is implemented")
        self.m_neighbors = int(m_neighbors)
        self.kind = kind

    def _generate(self, X, y, cls, k, rng):
        cols = list(X.columns)
        allM = self._filled(self._numeric(X, cols))
        idx = np.flatnonzero(y == cls)
        m = min(self.m_neighbors, len(X) - 1)
        neigh = kneighbors(allM, m, idx)
        others = (y[neigh] != cls).sum(axis=1)
        danger = np.flatnonzero((others >= m / 2) & (others < m))
        if len(danger) == 0:
            return np.empty((0, len(cols)))
        return super()._generate(X, y, cls, k, rng, allowed=danger)


class ADASYN(SMOTE):
    """Adaptive synthetic sampling: more new rows around minority rows whose neighbourhood (of all
    classes, ``n_neighbors``) holds more rows of other classes."""

    def __init__(self, sampling_strategy="auto", random_state=None, n_neighbors=5, missing="keep"):
        super().__init__(sampling_strategy, random_state, n_neighbors, missing)
        self.n_neighbors = int(n_neighbors)

    def _generate(self, X, y, cls, k, rng):
        cols = list(X.columns)
        allM = self._filled(self._numeric(X, cols))
        idx = np.flatnonzero(y == cls)
        m = min(self.n_neighbors, len(X) - 1)
        neigh = kneighbors(allM, m, idx)
        ratio = (y[neigh] != cls).sum(axis=1) / m
        if ratio.sum() == 0:
            raise InvalidDataError(
                f"class {cls!r} has no rows near other classes; ADASYN has nothing to adapt to: use SMOTE"
            )
        return super()._generate(X, y, cls, k, rng, bases_weights=ratio)


class SMOTENC(SMOTE):
    """SMOTE for numerical and categorical columns: neighbours by Euclidean distance where a
    category mismatch costs the median standard deviation of the numerical columns; new
    categories are the most frequent among the neighbours (imbalanced-learn's rule)."""

    def __init__(
        self, categorical_features, sampling_strategy="auto", random_state=None, k_neighbors=5, missing="keep"
    ):
        super().__init__(sampling_strategy, random_state, k_neighbors, missing)
        self.categorical_features = categorical_features

    def _split(self, X: pd.DataFrame):
        cf = self.categorical_features
        if isinstance(cf, str) and cf == "auto":
            cats = [
                c
                for c in X.columns
                if not pd.api.types.is_numeric_dtype(X[c].dtype) or pd.api.types.is_bool_dtype(X[c].dtype)
            ]
        elif np.asarray(cf).dtype == bool:
            cats = [c for c, b in zip(X.columns, cf) if b]
        else:
            cats = [X.columns[c] if isinstance(c, (int, np.integer)) and c not in X.columns else c for c in cf]
        missing = [c for c in cats if c not in X.columns]
        if missing:
            raise ParameterError(f"categorical_features names column(s) {missing} that X does not have")
        nums = [c for c in X.columns if c not in cats]
        if not cats:
            raise ParameterError("SMOTENC needs at least one categorical feature; use SMOTE")
        return nums, cats

    def _generate(self, X, y, cls, k, rng):
        nums, cats = self._split(X)
        idx = np.flatnonzero(y == cls)
        Xc = X.iloc[idx]
        M = self._numeric(Xc, nums) if nums else np.zeros((len(idx), 0))
        Mf = self._filled(M) if nums else M
        med = float(np.median(np.nanstd(self._numeric(X, nums), axis=0))) if nums else 1.0
        med = med if med > 0 else 1.0
        codes = []
        for c in cats:
            k_, u = pd.factorize(Xc[c].astype(object), use_na_sentinel=False)
            codes.append((k_, np.asarray(u, dtype=object)))
        onehots = [np.eye(len(u))[k_] * (med / np.sqrt(2)) for k_, u in codes]
        Z = np.hstack([Mf, *onehots]) if onehots else Mf
        if len(Z) < 2:
            raise InvalidDataError(f"class {cls!r} has {len(Z)} row; SMOTENC needs at least 2")
        if len(Z) - 1 < self.k_neighbors:
            raise InvalidDataError(
                f"class {cls!r} has {len(Z)} rows, fewer than k_neighbors + 1 = {self.k_neighbors + 1}; lower k_neighbors"
            )
        nbrs = kneighbors(Z, self.k_neighbors)
        base = rng.integers(0, len(idx), k)
        nb = nbrs[base, rng.integers(0, nbrs.shape[1], k)]
        out = pd.DataFrame(index=range(k))
        if nums:
            new = self._interpolate(M, base, nb, rng)
            for j, c in enumerate(nums):
                out[c] = new[:, j]
        for c, (k_, u) in zip(cats, codes):
            # the most frequent category among the base row's k neighbours (ties: the smallest code)
            votes = k_[nbrs[base]]
            counts = np.zeros((k, len(u)), dtype=np.int64)
            np.add.at(counts, (np.repeat(np.arange(k), votes.shape[1]), votes.ravel()), 1)
            out[c] = u[counts.argmax(axis=1)]
        return out[list(X.columns)]
