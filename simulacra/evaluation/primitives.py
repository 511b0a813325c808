"""Metric primitives shared by the evaluation reports: KS and total-variation complements, category counts,
the per-report shared KS statistic and Pearson matrix, and the base of the scored reports.

Quality, diagnostic, the statistical tests, the plots and the HTML report all build on these; none
of them imports another report's privates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from ..utils.stats import pairwise_pearson
from .views import Views


def ks_statistic(r: np.ndarray, s: np.ndarray) -> float:
    """Two-sample KS statistic of two sorted arrays without missing values (NaN when either is empty).

    Both empirical CDFs are step functions that only rise at data values, so their largest gap is
    at the last copy of some value of either sample: there one CDF is its position, the other a
    search in the other sample (with sorted keys, so the searches are cheap).
    """
    nr, ns = len(r), len(s)
    if nr == 0 or ns == 0:
        return np.nan
    last_r = np.flatnonzero(np.r_[r[1:] != r[:-1], True])
    last_s = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    gap_r = np.abs((last_r + 1) / nr - np.searchsorted(s, r[last_r], side="right") / ns).max()
    gap_s = np.abs((last_s + 1) / ns - np.searchsorted(r, s[last_s], side="right") / nr).max()
    return float(max(gap_r, gap_s))


def ks_complement(real: np.ndarray, synthetic: np.ndarray) -> float:
    """1 - two-sample KS statistic (NaN dropped). NaN when either side is empty."""
    r = np.sort(np.round(real[~np.isnan(real)], 14))
    s = np.sort(np.round(synthetic[~np.isnan(synthetic)], 14))
    return 1 - ks_statistic(r, s)


def category_counts(codes: list[np.ndarray], n_codes: int, na_code: int) -> list[np.ndarray]:
    """Counts of each code in each table, missing values not counted."""
    out = [np.bincount(k, minlength=n_codes) for k in codes]
    if na_code >= 0:
        for cnt in out:
            cnt[na_code] = 0
    return out


def tv_complement(real: pd.Series, synthetic: pd.Series) -> float:
    """1 - total variation distance between category frequencies (missing values dropped)."""
    frames = [pd.DataFrame({"c": real}), pd.DataFrame({"c": synthetic})]
    return tv_counts(*category_counts(*Views(frames, {}).codes("c")))


def tv_counts(cr: np.ndarray, cs: np.ndarray) -> float:
    """1 - total variation distance between two tables' category counts (NaN when either has none)."""
    nr, ns = cr.sum(), cs.sum()
    if nr == 0 or ns == 0:
        return np.nan
    return float(1 - 0.5 * np.abs(cr / nr - cs / ns).sum())


def shared_ks(views: Views, c: str) -> float:
    """The KS statistic of column ``c`` (real vs synthetic), computed once per report for quality and the statistical tests."""
    return views.memo(("ks", c), lambda: ks_statistic(*views.present_sorted(c)[:2]))


def shared_pearson(views: Views, table: int, cols: list) -> np.ndarray:
    """:func:`pairwise_pearson` of these continuous columns of one table, computed once per report for Column Pair Trends and the heatmap."""
    return views.memo(
        ("pearson", table, tuple(cols)), lambda: pairwise_pearson(np.column_stack([views.num(c)[table] for c in cols]))
    )


class PropertyReport:
    """What every report shares: properties with scores and detail tables, and an overall score."""

    TITLE = "Overall Score (Average)"
    #: how the report's generate is called, for the message when it was not
    GENERATE_CALL = "generate(real, synthetic, metadata)"

    def _check(self):
        if not getattr(self, "_generated", False):
            raise InvalidDataError(f"the report has not been generated yet; call {self.GENERATE_CALL}")

    def get_score(self) -> float:
        """Overall score in [0, 1]."""
        self._check()
        return self._overall

    def get_properties(self) -> pd.DataFrame:
        self._check()
        return pd.DataFrame({"Property": list(self._scores), "Score": list(self._scores.values())})

    def get_details(self, property_name: str) -> pd.DataFrame:
        self._check()
        if property_name not in self._details:
            raise InvalidDataError(f"unknown property {property_name!r}; choose one of {', '.join(self._details)}")
        return self._details[property_name].copy()

    def summary(self) -> str:
        lines = [
            f"{self.TITLE}: {'n/a' if self._overall != self._overall else f'{self._overall * 100:.2f}%'}",
            "",
            "Properties:",
        ]
        lines += [f"- {k}: {'n/a' if v != v else f'{v * 100:.2f}%'}" for k, v in self._scores.items()]
        return "\n".join(lines)
