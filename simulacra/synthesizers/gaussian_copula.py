"""Gaussian copula synthesizer: per-column marginals joined by a Gaussian dependence structure."""

from __future__ import annotations

import numpy as np
from scipy import special

from ..errors import ModelFileError, ParameterError
from ..transforms.spec import OutputKind
from ..utils.stats import pairwise_pearson
from . import univariate
from ._encoding import code_of
from .base import BaseSynthesizer

_CLIP = 1e-10
GIBBS_SWEEPS = 30
# a table with more columns than rows (and at least this many columns) is learned as a low-rank
# factor model: its correlation has rank < rows, and a columns x columns matrix is not needed
WIDE_MIN_COLUMNS = 256
_FLOOR = 1e-6  # the eigenvalue floor of nearest_correlation: every column keeps this much noise of its own


def normal_score_correlation(Z: np.ndarray) -> np.ndarray:
    """Pearson correlation of normal scores over pairwise-complete rows (NaN = missing).

    The shared pairwise-complete Pearson (:func:`simulacra.utils.stats.pairwise_pearson`); a pair
    with too few rows or no spread gets 0, and every column correlates 1 with itself.
    """
    corr = pairwise_pearson(Z)
    corr[~np.isfinite(corr)] = 0.0
    corr = np.clip(corr, -1.0, 1.0)
    np.fill_diagonal(corr, 1.0)
    return corr


def nearest_correlation(corr: np.ndarray, floor: float = 1e-6) -> np.ndarray:
    """Symmetric positive-definite correlation matrix closest (by eigenvalue clipping) to ``corr``."""
    corr = (corr + corr.T) / 2
    w, V = np.linalg.eigh(corr)
    if w.min() >= floor:
        return corr
    w = np.maximum(w, floor)
    out = (V * w) @ V.T
    d = np.sqrt(np.diag(out))
    out = out / np.outer(d, d)
    np.fill_diagonal(out, 1.0)
    return out


def is_wide(n_rows: int, n_columns: int) -> bool:
    """Whether a table of this shape is learned as a factor model (more columns than rows, and many columns)."""
    return n_columns >= WIDE_MIN_COLUMNS and n_columns > n_rows


def normal_score_factor(Z: np.ndarray, floor: float = _FLOOR) -> np.ndarray:
    """A factor ``F`` (columns x k, k < rows) with ``F @ F.T + diag(1 - rowsums(F**2))`` the correlation of the normal scores ``Z``.

    For tables with far more columns than rows. Each column is standardized over its present
    rows and a missing score is put at the mean (0); column ``j`` is then divided by
    ``sqrt(present_j)``, so that ``A.T @ A`` has a unit diagonal and, for every pair, the sum of
    products over the rows where both are present divided by ``sqrt(present_i * present_j)``:
    without missing values exactly the Pearson correlation of :func:`normal_score_correlation`,
    and positive semi-definite by construction. ``F`` spans its non-null eigen-directions (from the
    rows x rows Gram matrix, never a columns x columns one); each column keeps at least ``floor`` of
    variance of its own, as :func:`nearest_correlation`'s eigenvalue floor does. Constant and empty
    columns get a zero row: they are independent of the others.
    """
    n, d = Z.shape
    mask = ~np.isnan(Z)
    count = mask.sum(axis=0)
    Zc = np.where(mask, Z, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = Zc.sum(axis=0) / count
        A = np.where(mask, Z - mean, 0.0)
        sd = np.sqrt((A * A).sum(axis=0) / count)
        scale = 1.0 / (sd * np.sqrt(count))
    scale[~np.isfinite(scale) | (sd <= 1e-12)] = 0.0
    A *= scale
    G = A @ A.T  # rows x rows
    w, U = np.linalg.eigh((G + G.T) / 2)
    keep = w > max(floor, 1e-10 * max(float(w.max(initial=0.0)), 1.0))
    F = A.T @ U[:, keep]  # = V * sqrt(w): the eigen-directions of A.T @ A scaled by their root eigenvalues
    F = F[:, ::-1].copy()  # largest first
    norm = (F * F).sum(axis=1)
    over = norm > 1 - floor
    F[over] *= np.sqrt((1 - floor) / norm[over])[:, None]
    return np.ascontiguousarray(F)


def factor_correlation(F: np.ndarray) -> np.ndarray:
    """The correlation matrix of the factor model ``F``: ``F @ F.T`` with a unit diagonal (columns x columns of ``F``'s rows)."""
    corr = F @ F.T
    corr[np.diag_indices_from(corr)] = 1.0
    return corr


def factor_residual(F: np.ndarray) -> np.ndarray:
    """Each column's own variance in the factor model: ``1 - rowsums(F**2)`` (at least the floor)."""
    return np.maximum(1.0 - (F * F).sum(axis=1), 0.0)


class GaussianCopulaSynthesizer(BaseSynthesizer):
    """Learn each column's distribution and the correlations between columns, then sample.

    Parameters
    ----------
    metadata : Metadata
    enforce_min_max_values : bool, default True
    enforce_rounding : bool, default True
    locales : list of str, optional
    numerical_distributions : dict, optional
        ``{column: distribution}`` for numerical and datetime columns. Distributions: ``norm``,
        ``beta``, ``truncnorm``, ``gamma``, ``uniform``, ``gaussian_kde``, ``empirical`` or
        ``auto``.
    default_distribution : str, default 'auto'
        Distribution of the other columns. ``auto`` picks the simplest parametric family that a
        KS test does not reject, else the empirical quantile function.
    """

    name = "gaussian_copula"

    def __init__(
        self,
        metadata,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales=None,
        numerical_distributions: dict | None = None,
        default_distribution: str | None = None,
        *,
        pseudonymize: bool = False,
        pseudonymize_key=None,
    ):
        super().__init__(
            metadata,
            enforce_min_max_values,
            enforce_rounding,
            locales,
            pseudonymize=pseudonymize,
            pseudonymize_key=pseudonymize_key,
        )
        self.default_distribution = univariate.canonical(default_distribution or "auto")
        if numerical_distributions is not None and not isinstance(numerical_distributions, dict):
            raise ParameterError(
                f"numerical_distributions must be a dict {{column: distribution}}, got {numerical_distributions!r}"
            )
        numerical_distributions = dict(numerical_distributions or {})
        cols = self.metadata.get_columns()
        for col, dist in numerical_distributions.items():
            if col not in cols:
                raise ParameterError(f"numerical_distributions names column {col!r}, which is not in the metadata")
            if cols[col]["sdtype"] not in ("numerical", "datetime"):
                raise ParameterError(
                    f"numerical_distributions: column {col!r} is {cols[col]['sdtype']}; only numerical and datetime columns take a distribution"
                )
            numerical_distributions[col] = univariate.canonical(dist)
        self.numerical_distributions = numerical_distributions

    def get_parameters(self) -> dict:
        p = super().get_parameters()
        p.update(
            numerical_distributions=dict(self.numerical_distributions), default_distribution=self.default_distribution
        )
        return p

    # ------------------------------------------------------------------ fit
    def _adapt_transforms(self, df, transformer):
        """Order each categorical column's categories along the main axis of the numerical columns.

        A Gaussian copula can only express monotone relations. Encoding categories in order of
        their mean score on the first principal component of the (normal-scored) numerical
        columns turns, e.g., species vs flipper length into a monotone relation the copula can
        learn, instead of an arbitrary frequency order.
        """
        numeric = (OutputKind.CONTINUOUS, OutputKind.DISCRETE)
        specs = [c for c in transformer.column_specs if c.learned]
        cont = [c for c in specs if c.outputs[0].kind in numeric]
        cats = [c for c in specs if c.outputs[0].is_category and c.outputs[0].n_categories > 2]
        if not cont or not cats:
            return
        first = np.cumsum([0] + [len(c.outputs) for c in cont])[:-1]
        V = transformer.transform(df, [c.column for c in cont])[:, first]  # each numerical column's value output
        scores = []
        for v in V.T:
            ok = ~np.isnan(v)
            z = np.zeros(len(v))
            if ok.sum() > 1:
                ranks = np.argsort(np.argsort(v[ok], kind="stable"), kind="stable")
                z[ok] = special.ndtri((ranks + 0.5) / ok.sum())
            scores.append(z)
        S = np.column_stack(scores)
        if S.shape[1] == 1:
            pc = S[:, 0]
        else:
            S = S - S.mean(axis=0)
            if is_wide(len(df), len(transformer.output_names)):
                # the main axis from the rows x rows Gram matrix: no SVD of a rows x thousands matrix
                w, U = np.linalg.eigh(S @ S.T)
                top = S.T @ U[:, -1]
                top /= max(float(np.linalg.norm(top)), 1e-300)
                axis = top * (1 if top.sum() >= 0 else -1)
            else:
                _, _, vt = np.linalg.svd(S, full_matrices=False)
                axis = vt[0] * (1 if vt[0].sum() >= 0 else -1)
            pc = S @ axis
        for c in cats:
            k = c.outputs[0].n_categories
            codes = transformer.category_codes(df, c.column)
            sums = np.bincount(codes, weights=pc, minlength=k)
            counts = np.bincount(codes, minlength=k)
            means = sums / np.maximum(counts, 1)
            transformer.reorder_categories(c.column, np.argsort(means, kind="stable"))

    def _fit(self, X, names, kinds):
        self._names = list(names)
        self._kinds = list(kinds)
        self._marginals = []
        n, d = X.shape
        Z = np.empty_like(X)
        for j, (name, kind) in enumerate(zip(names, kinds)):
            col = X[:, j]
            if kind == OutputKind.CATEGORY:
                self._marginals.append(None)
                u = col
            else:
                finite = col[~np.isnan(col)]
                if kind == OutputKind.NULL:
                    dist_name = "empirical"
                else:
                    dist_name = self.numerical_distributions.get(name, self.default_distribution)
                dist = univariate.fit_distribution(
                    dist_name, finite, discrete=(kind in (OutputKind.DISCRETE, OutputKind.NULL))
                )
                self._marginals.append(dist)
                with np.errstate(all="ignore"):
                    u = dist.cdf(col)
            Z[:, j] = special.ndtri(np.clip(u, _CLIP, 1 - _CLIP))
            Z[np.isnan(col), j] = np.nan
        if is_wide(n, d):
            self._set_factor(normal_score_factor(Z))
        else:
            self._factor = None
            self._correlation = nearest_correlation(normal_score_correlation(Z)) if d else np.zeros((0, 0))
            self._cholesky = _cholesky(self._correlation)

    def _set_factor(self, F: np.ndarray) -> None:
        """Use the factor model ``F @ F.T + diag(residual)`` (wide tables); its correlation matrix is made only on demand."""
        self._factor = F
        self._residual_sd = np.sqrt(factor_residual(F))
        self._correlation = self._cholesky = None

    def _correlation_matrix(self) -> np.ndarray:
        """The learned correlation matrix (made from the factor for wide tables: columns x columns)."""
        if self._correlation is None:
            return factor_correlation(self._factor)
        return self._correlation

    # ------------------------------------------------------------------ sample
    def _sample(self, num_rows, rng):
        d = len(self._names)
        if d == 0:
            return np.empty((num_rows, 0))
        # work in (columns, rows) layout so that each column is contiguous in memory
        if self._factor is not None:  # wide: shared factors plus each column's own noise
            Y = self._factor @ rng.standard_normal((self._factor.shape[1], num_rows))
            Y += self._residual_sd[:, None] * rng.standard_normal((d, num_rows))
        else:
            Y = self._cholesky @ rng.standard_normal((d, num_rows))
        for j, dist in enumerate(self._marginals):
            Y[j] = special.ndtr(Y[j]) if dist is None else dist.ppf_from_z(Y[j])
        return Y.T

    # ------------------------------------------------------------------ conditioning
    def _condition_spec(self, known):
        """Per conditioned output: a point or an interval of its normal score."""
        from ..errors import ConstraintError

        values = self._known_outputs(known)
        outputs = self._transformer.output_specs
        spec = {}
        for j, x in values.items():
            dist = self._marginals[j]
            if dist is None:  # encoded category: its whole interval
                lo, hi = outputs[j].interval(code_of(outputs[j], x))
                spec[j] = ("interval", lo, hi)
            elif isinstance(dist, univariate.Empirical) and dist.discrete:
                idx = int(np.searchsorted(dist.xs, x))
                if idx >= len(dist.xs) or not np.isclose(dist.xs[idx], x):
                    raise ConstraintError(
                        f"impossible condition: {self._names[j]}={x!r} was never seen in the real data"
                    )
                lo = dist.ps[idx - 1] if idx > 0 else 0.0
                spec[j] = ("interval", float(lo), float(dist.ps[idx]))
            else:
                u = float(np.clip(dist.cdf(np.array([x]))[0], _CLIP, 1 - _CLIP))
                spec[j] = ("point", u, u)
        return spec

    def _sample_given(self, num_rows, rng, given):
        d = len(self._names)
        C = sorted(given)
        R = [j for j in range(d) if j not in given]
        if self._factor is not None:  # wide: only the conditioned columns' block, from the factor
            S_CC = factor_correlation(self._factor[C])
        else:
            S = self._correlation_matrix()
            S_CC = S[np.ix_(C, C)]
        zc = np.empty((num_rows, len(C)))
        lo = np.array([special.ndtri(max(given[j][1], 0.0)) for j in C])
        hi = np.array([special.ndtri(min(given[j][2], 1.0)) for j in C])
        is_int = np.array([given[j][0] == "interval" for j in C])
        mid = special.ndtri(np.clip([(given[j][1] + given[j][2]) / 2 for j in C], _CLIP, 1 - _CLIP))
        zc[:] = np.where(is_int, mid, lo)
        P = np.linalg.inv(nearest_correlation(S_CC, floor=1e-6))
        if is_int.any():
            for _ in range(GIBBS_SWEEPS):
                for i in np.flatnonzero(is_int):
                    mu = -(zc @ P[i] - zc[:, i] * P[i, i]) / P[i, i]
                    sd = 1.0 / np.sqrt(P[i, i])
                    a = special.ndtr((lo[i] - mu) / sd)
                    b = special.ndtr((hi[i] - mu) / sd)
                    u = np.clip(a + rng.random(num_rows) * (b - a), _CLIP, 1 - _CLIP)
                    zc[:, i] = np.clip(mu + sd * special.ndtri(u), lo[i], hi[i])
        Z = np.empty((d, num_rows))
        Z[C] = zc.T
        if R and self._factor is not None:
            Z[R] = self._factor_given(C, R, zc, rng)
        elif R:
            A = S[np.ix_(R, C)] @ P  # P: the inverse of the conditioned block, as above
            cov = S[np.ix_(R, R)] - A @ S[np.ix_(C, R)]
            cov = (cov + cov.T) / 2
            w, V = np.linalg.eigh(cov)
            L = V * np.sqrt(np.clip(w, 0, None))
            Z[R] = (zc @ A.T).T + L @ rng.standard_normal((len(R), num_rows))
        special.ndtr(Z, out=Z)
        for j, dist in enumerate(self._marginals):
            if dist is not None:
                Z[j] = dist.ppf(Z[j])
        return Z.T

    def _sample_context(self, C, outputs, rng):
        """Rows given per-row context ``C`` (encoded, on ``outputs``): each given number's normal score
        through its marginal (a missing one at 0), each given category's score drawn inside its
        interval, then the other scores from the conditional normal (one decomposition for all rows)."""
        n, d = len(C), len(self._names)
        specs = self._transformer.output_specs
        zc = np.empty((n, len(outputs)))
        for i, j in enumerate(outputs):
            dist, x = self._marginals[j], C[:, i]
            if dist is None:  # a category: its interval [lo, hi) of the encoded (0, 1) space
                up = specs[j].upper
                code = specs[j].codes(x)
                lo = np.where(code > 0, up[np.maximum(code - 1, 0)], 0.0)
                u = lo + rng.random(n) * (up[code] - lo)
            else:
                with np.errstate(all="ignore"):
                    u = np.where(np.isnan(x), 0.5, dist.cdf(np.nan_to_num(x)))
            zc[:, i] = special.ndtri(np.clip(u, _CLIP, 1 - _CLIP))
        given = set(outputs)
        R = [j for j in range(d) if j not in given]
        Z = np.empty((d, n))
        Z[outputs] = zc.T
        if R and self._factor is not None:
            Z[R] = self._factor_given(outputs, R, zc, rng)
        elif R:
            S = self._correlation_matrix()
            P = np.linalg.inv(nearest_correlation(S[np.ix_(outputs, outputs)], floor=1e-6))
            A = S[np.ix_(R, outputs)] @ P
            cov = S[np.ix_(R, R)] - A @ S[np.ix_(outputs, R)]
            w, V = np.linalg.eigh((cov + cov.T) / 2)
            Z[R] = A @ zc.T + (V * np.sqrt(np.clip(w, 0, None))) @ rng.standard_normal((len(R), n))
        for j in R:
            dist = self._marginals[j]
            Z[j] = special.ndtr(Z[j]) if dist is None else dist.ppf_from_z(Z[j])
        X = Z.T
        X[:, outputs] = C
        return X

    def _factor_given(self, C, R, zc, rng):
        """Scores of the columns ``R`` given those of ``C`` (rows of ``zc``) in the factor model, shape (len(R), rows).

        With ``z = F g + D^(1/2) e``, the factors given ``z_C`` are Gaussian with precision
        ``I + F_C' D_C^-1 F_C`` and mean ``precision^-1 F_C' D_C^-1 z_C``; the other columns are
        then ``F_R g`` plus their own noise: the exact conditional, without a columns x columns matrix.
        """
        F, sd = self._factor, self._residual_sd
        k = F.shape[1]
        FC = F[C] / np.maximum(sd[C], 1e-8)[:, None] ** 2
        precision = np.eye(k) + F[C].T @ FC
        L = np.linalg.cholesky((precision + precision.T) / 2)
        mean = np.linalg.solve(precision, FC.T @ zc.T)  # (k, rows)
        g = mean + np.linalg.solve(L.T, rng.standard_normal((k, zc.shape[0])))
        return F[R] @ g + sd[R][:, None] * rng.standard_normal((len(R), zc.shape[0]))

    # ------------------------------------------------------------------ inspection
    def get_learned_distributions(self) -> dict:
        """``{column: {'distribution': name, 'learned_parameters': {...}}}`` for numerical and datetime columns."""
        self._check_fitted()
        out = {}
        for name, dist, kind in zip(self._names, self._marginals, self._kinds):
            if dist is None or kind == OutputKind.NULL:
                continue
            params = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in dist.params().items()}
            out[name] = {"distribution": dist.name, "learned_parameters": params}
        return out

    def get_correlation(self):
        """The learned correlation matrix of normal scores, as a DataFrame."""
        import pandas as pd

        self._check_fitted()
        return pd.DataFrame(self._correlation_matrix(), index=self._names, columns=self._names)

    # ------------------------------------------------------------------ state
    def _get_model_state(self):
        state = {
            "names": self._names,
            "kinds": self._kinds,
            "marginals": [None if m is None else m.get_state() for m in self._marginals],
        }
        if self._factor is not None:  # wide tables: columns x factors, not columns x columns
            state["factor"] = self._factor
        else:
            state["correlation"] = self._correlation
        return state

    def _set_model_state(self, st):
        self._names = [str(x) for x in st["names"]]
        self._kinds = [str(x) for x in st["kinds"]]
        self._marginals = [None if m is None else univariate.from_state(m) for m in st["marginals"]]
        d = len(self._names)
        if len(self._kinds) != d or len(self._marginals) != d:
            raise ModelFileError("model file: copula sizes do not match")
        if self._transformer is not None and self._transformer.output_names != self._names:
            raise ModelFileError("model file: copula columns do not match the transforms")
        if "factor" in st:
            F = np.asarray(st["factor"], dtype=float)
            if F.ndim != 2 or F.shape[0] != d or F.shape[1] > d:
                raise ModelFileError("model file: copula factor sizes do not match")
            if not np.all(np.isfinite(F)) or np.any((F * F).sum(axis=1) > 1 + 1e-9):
                raise ModelFileError("model file: copula factor is not finite with rows of length at most 1")
            self._set_factor(F)
            return
        self._factor = None
        corr = np.asarray(st["correlation"], dtype=float)
        if corr.shape != (d, d):
            raise ModelFileError("model file: copula sizes do not match")
        if not np.all(np.isfinite(corr)) or not np.allclose(corr, corr.T):
            raise ModelFileError("model file: correlation matrix is not finite and symmetric")
        self._correlation = corr
        try:
            self._cholesky = _cholesky(corr, strict=True)
        except np.linalg.LinAlgError:
            raise ModelFileError("model file: correlation matrix is not positive definite") from None


def _cholesky(corr: np.ndarray, strict: bool = False) -> np.ndarray:
    if corr.size == 0:
        return corr
    try:
        return np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        if strict:
            raise
        return np.linalg.cholesky(nearest_correlation(corr, floor=1e-4))
