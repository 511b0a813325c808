"""Per-column statistical tests of synthetic against real data, with a multiple-testing correction.

- numerical and datetime columns: two-sample Kolmogorov-Smirnov test (same distribution?) and
  Welch's t-test (same mean?);
- categorical and boolean columns: chi-square test of homogeneity on the category counts.

P-values are adjusted with Holm's method (or Bonferroni / Benjamini-Hochberg), and each column
gets a plain verdict: "similar" when no test rejects at ``alpha``, else what differs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ._options import check_share
from .primitives import category_counts, ks_statistic, shared_ks
from .views import CONTINUOUS, DISCRETE, Views, prepare, views_for


def _adjust(p: np.ndarray, method: str) -> np.ndarray:
    n = len(p)
    if n == 0:
        return p
    if method == "bonferroni":
        return np.minimum(1.0, p * n)
    order = np.argsort(p)
    ranked = p[order]
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, ranked * (n - np.arange(n))))
    elif method in ("bh", "fdr_bh", "benjamini-hochberg"):
        adj = np.minimum.accumulate((ranked * n / np.arange(1, n + 1))[::-1])[::-1]
        adj = np.minimum(1.0, adj)
    else:
        raise ParameterError(f"unknown correction {method!r}; use holm, bonferroni or bh")
    out = np.empty(n)
    out[order] = adj
    return out


def ks_test(r: np.ndarray, s: np.ndarray, d: float | None = None) -> tuple[float, float]:
    """(statistic, two-sided p-value) of the two-sample KS test on sorted arrays without missing values.

    As SciPy's ``ks_2samp``: the exact p-value up to 10,000 values a side (by ``ks_2samp``
    itself), Smirnov's asymptotic distribution above. ``d``: the statistic, when known.
    """
    from scipy import stats

    if max(len(r), len(s)) <= 10_000:
        res = stats.ks_2samp(r, s)
        return float(res.statistic), float(res.pvalue)
    d = ks_statistic(r, s) if d is None else d
    m, n = sorted([float(len(r)), float(len(s))], reverse=True)
    return d, float(np.clip(stats.kstwo.sf(d, np.round(m * n / (m + n))), 0, 1))


def welch_test(r: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """(t statistic, two-sided p-value) of Welch's unequal-variance t-test, from the two samples' moments."""
    from scipy import stats

    n1, n2 = len(r), len(s)
    v1, v2 = r.var(ddof=1) / n1, s.var(ddof=1) / n2
    se2 = v1 + v2
    t = (r.mean() - s.mean()) / np.sqrt(se2)
    df = se2**2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    return float(t), float(2 * stats.t.sf(abs(t), df))


def chi_square_test(cr: np.ndarray, cs: np.ndarray) -> tuple[float, float]:
    """(statistic, p-value) of the chi-square test of homogeneity of two rows of category counts (no continuity correction)."""
    from scipy import stats

    keep = (cr + cs) > 0
    table = np.vstack([cr[keep], cs[keep]]).astype(float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return chi2, float(stats.chi2.sf(chi2, table.shape[1] - 1))


def statistical_tests(
    real_data, synthetic_data, metadata, alpha: float = 0.05, correction: str = "holm", views: Views | None = None
) -> pd.DataFrame:
    """One row per test: Column, Test, Statistic, p-value, adjusted p-value, Reject, and a Verdict column.

    ``views`` (optional) are a report's shared column views of the two tables.
    """
    real, syn, meta = prepare(real_data, synthetic_data, metadata)
    alpha = check_share("alpha", alpha, open_interval=True)
    if not isinstance(correction, str):
        raise ParameterError(f"correction must be 'holm', 'bonferroni' or 'bh', got {correction!r}")
    views = views_for([real, syn], meta, views)
    rows = []
    for c, m in meta.items():
        if c not in syn.columns:
            continue
        if m["sdtype"] in CONTINUOUS:
            r, s = views.present_sorted(c)[:2]
            if len(r) < 2 or len(s) < 2:
                continue
            rows.append((c, "Kolmogorov-Smirnov", *ks_test(r, s, shared_ks(views, c))))
            if r[0] != r[-1] or s[0] != s[-1]:
                rows.append((c, "Welch t-test", *welch_test(r, s)))
        elif m["sdtype"] in DISCRETE:
            codes, n_codes, na = views.codes(c)
            cr, cs = category_counts(codes[:2], n_codes, na)
            if ((cr + cs) > 0).sum() < 2 or not cr.sum() or not cs.sum():
                continue
            rows.append((c, "Chi-square", *chi_square_test(cr, cs)))
    df = pd.DataFrame(rows, columns=["Column", "Test", "Statistic", "p-value"])
    df["adjusted p-value"] = _adjust(df["p-value"].to_numpy(), correction) if len(df) else []
    df["Reject"] = df["adjusted p-value"] < alpha
    verdicts = {}
    for c, g in df.groupby("Column", sort=False):
        bad = g.loc[g["Reject"], "Test"].tolist()
        if not bad:
            verdicts[c] = "similar"
        else:
            what = {"Kolmogorov-Smirnov": "distribution", "Welch t-test": "mean", "Chi-square": "category frequencies"}
            verdicts[c] = "differs: " + ", ".join(what[t] for t in bad)
    df["Verdict"] = df["Column"].map(verdicts)
    return df
