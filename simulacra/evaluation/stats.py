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
from ._common import CONTINUOUS, DISCRETE, prepare
from .quality import _numeric_view


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


def statistical_tests(real_data, synthetic_data, metadata, alpha: float = 0.05, correction: str = "holm") -> pd.DataFrame:
    """One row per test: Column, Test, Statistic, p-value, adjusted p-value, Reject, and a Verdict column."""
    import warnings

    from scipy import stats

    real, syn, meta = prepare(real_data, synthetic_data, metadata)
    warnings.filterwarnings("ignore", message="Precision loss occurred", category=RuntimeWarning)
    rows = []
    for c, m in meta.items():
        if c not in syn.columns:
            continue
        if m["sdtype"] in CONTINUOUS:
            r, s = _numeric_view(real[c], m), _numeric_view(syn[c], m)
            r, s = r[~np.isnan(r)], s[~np.isnan(s)]
            if len(r) < 2 or len(s) < 2:
                continue
            ks = stats.ks_2samp(r, s)
            rows.append((c, "Kolmogorov-Smirnov", float(ks.statistic), float(ks.pvalue)))
            if np.std(r) > 0 or np.std(s) > 0:
                t = stats.ttest_ind(r, s, equal_var=False)
                rows.append((c, "Welch t-test", float(t.statistic), float(t.pvalue)))
        elif m["sdtype"] in DISCRETE:
            r, s = real[c].dropna().astype(str), syn[c].dropna().astype(str)
            counts = pd.concat([r.value_counts().rename("r"), s.value_counts().rename("s")], axis=1).fillna(0)
            if len(counts) < 2 or not len(r) or not len(s):
                continue
            table = counts.to_numpy().T
            chi = stats.chi2_contingency(table, correction=False)
            rows.append((c, "Chi-square", float(chi.statistic), float(chi.pvalue)))
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
