"""Diagnostic report: is the synthetic table valid and structurally sound, and does it cover the
real data? Unlike a report that only checks validity (which scores 1.0 for almost anything),
coverage makes a collapsed or barely trained synthesizer visible.

Properties (each in [0, 1], the score is their mean):

- **Data Validity**: per column, the share of synthetic values inside the real range
  (numerical, datetime) or the real category set (categorical, boolean); key uniqueness for the
  primary key. Synthetic values that cannot be read as the column's sdtype (text in a numerical
  column, a date that does not parse, +/-inf) are invalid: they count in the share's denominator,
  and the details' Note column (and :attr:`DiagnosticReport.warnings`) says how many.
- **Data Structure**: the share of real columns present in the synthetic table with the same
  dtype kind.
- **Coverage**: per column, the share of the real range (numerical, datetime: between the real
  1st and 99th percentiles, in 20 bins) or of the real categories that the synthetic data reaches.
- **Missing Values**: per column, 1 - |real missing share - synthetic missing share|.
- **Rule Validity**: 1 - the share of synthetic rows breaking any rule that holds on every real
  row (rules mined by :func:`simulacra.evaluation.rule_validity.rule_validity`); details list each
  rule with its breaking %. n/a where rule mining is unavailable. It is reported beside the
  score, not averaged into it (the score stays comparable with SDV's and with earlier runs).

Categories are compared by value, as pandas compares them and as the quality report does:
1 equals 1.0, but the text "1" does not equal the number 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._options import check_bool
from .primitives import PropertyReport, category_counts
from .views import CONTINUOUS, DISCRETE, Views, prepare, unreadable_note, views_for


class DiagnosticReport(PropertyReport):
    PROPERTIES = ("Data Validity", "Data Structure", "Coverage", "Missing Values", "Rule Validity")
    TITLE = "Diagnostic Score"

    def __init__(self):
        self._details: dict[str, pd.DataFrame] = {}
        self._scores: dict[str, float] = {}
        self.warnings: list[str] = []  # columns with synthetic values that cannot be read as their sdtype
        self._generated = False

    def generate(self, real_data, synthetic_data, metadata, verbose: bool = True, views: Views | None = None) -> None:
        """Diagnose ``synthetic_data`` against ``real_data``; ``views`` (optional) are a report's shared column views of the two."""
        verbose = check_bool("verbose", verbose)
        real, syn, meta = prepare(real_data, synthetic_data, metadata)
        views = views_for([real, syn], meta, views)
        validity, coverage, missing = [], [], []
        pk = _primary_key(metadata)
        # missing shares of every column at once (not two pandas calls a column: wide tables)
        miss_r, miss_s = real.isna().mean(), syn.isna().mean()
        for c, m in meta.items():
            sd = m["sdtype"]
            if c not in syn.columns:
                validity.append((c, "Missing column", 0.0))
                continue
            if sd in CONTINUOUS:
                r, s = views.present_sorted(c)[:2]
                bad = views.unreadable(c)[1]
                n_bad = int(bad.sum()) if bad is not None else 0
                if len(r) and len(s) + n_bad:  # values that cannot be read as the sdtype (text, +/-inf) are invalid
                    lo, hi = r[0], r[-1]
                    inside = int(np.searchsorted(s, hi, side="right") - np.searchsorted(s, lo)) if len(s) else 0
                    note = unreadable_note(views, c)
                    validity.append(
                        (c, "BoundaryAdherence", inside / (len(s) + n_bad))
                        + ((f"{note}: they are invalid",) if note else ())
                    )
                if len(r):
                    coverage.append((c, "RangeCoverage", _range_coverage(r, s) if len(s) else 0.0))
            elif sd in DISCRETE:
                codes, n_codes, na = views.codes(c)
                cr, cs = category_counts(codes[:2], n_codes, na)
                if cs.sum():
                    validity.append((c, "CategoryAdherence", float(cs[cr > 0].sum() / cs.sum())))
                coverage.append((c, "CategoryCoverage", float(((cr > 0) & (cs > 0)).sum() / max(1, (cr > 0).sum()))))
            if c == pk:
                validity.append((c, "KeyUniqueness", float(syn[c].dropna().nunique() / max(1, len(syn)))))
            # missing values as they are (text that is not a number is invalid, not missing)
            missing.append((c, "MissingValueSimilarity", 1.0 - abs(float(miss_r[c]) - float(miss_s[c]))))
        structure = []
        for c in meta:
            if c not in syn.columns:
                structure.append((c, "TableStructure", 0.0))
            else:
                same = _kind(real[c]) == _kind(syn[c])
                structure.append((c, "TableStructure", 1.0 if same else 0.5))
        extra = [c for c in syn.columns if c not in meta]
        for c in extra:
            structure.append((c, "TableStructure (extra column)", 0.0))
        if any(len(row) > 3 for row in validity):  # a Note column only where some column has unreadable values
            validity = [row if len(row) > 3 else row + ("",) for row in validity]
        for name, rows in zip(self.PROPERTIES, (validity, structure, coverage, missing)):
            df = pd.DataFrame(
                rows, columns=["Column", "Metric", "Score"] + (["Note"] if rows and len(rows[0]) > 3 else [])
            )
            self._details[name] = df
            self._scores[name] = float(df["Score"].mean()) if len(df) else np.nan
        vals = [v for v in self._scores.values() if v == v]
        self._overall = float(np.mean(vals)) if vals else np.nan
        self._details["Rule Validity"], self._scores["Rule Validity"], rule_note = _rule_validity(real, syn, metadata)
        self.warnings = [n for n in self._details["Data Validity"].get("Note", []) if n]
        if rule_note:
            self.warnings.append(rule_note)
        self._generated = True
        if verbose:
            print(self.summary())


def _rule_validity(real, syn, metadata):
    from ..errors import InvalidDataError
    from .rule_validity import rule_validity

    empty = pd.DataFrame(columns=["Rule", "Family", "Breaking %", "Real breaking %"])
    try:
        res = rule_validity(real, syn, metadata)
    except InvalidDataError:  # no rule mining in this install
        return empty, np.nan, None
    except Exception as e:  # noqa: BLE001 - a rule family that fails on this table must not sink the report
        return empty, np.nan, f"Rule Validity: rule mining failed on this table ({type(e).__name__}: {e})"
    return res.details, res.score, None


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s.dtype):
        return "b"
    if pd.api.types.is_numeric_dtype(s.dtype):
        return "n"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "M"
    return "O"


def _primary_key(metadata):
    from ..metadata import Metadata

    if isinstance(metadata, Metadata):
        return metadata.primary_key
    if isinstance(metadata, dict):
        if metadata.get("tables"):
            return next(iter(metadata["tables"].values())).get("primary_key")
        return metadata.get("primary_key")
    return None


def run_diagnostic(real_data, synthetic_data, metadata, verbose: bool = True) -> DiagnosticReport:
    """Generate a :class:`DiagnosticReport` (validity, structure, coverage, missing values).

    When ``real_data`` and ``synthetic_data`` are dicts of table name -> DataFrame with multi-table
    metadata: a :class:`~simulacra.evaluation.multi_diagnostic.MultiTableDiagnosticReport`.
    """
    if isinstance(real_data, dict) or isinstance(synthetic_data, dict):
        from .multi_diagnostic import run_multi_table_diagnostic

        return run_multi_table_diagnostic(real_data, synthetic_data, metadata, verbose=verbose)
    report = DiagnosticReport()
    report.generate(real_data, synthetic_data, metadata, verbose=verbose)
    return report


def _range_coverage(r: np.ndarray, s: np.ndarray) -> float:
    """Share of the 20 bins between the real 1st and 99th percentiles (of sorted ``r``) that hold a real value and a synthetic one (sorted ``s``)."""
    q1, q99 = np.quantile(r, [0.01, 0.99])
    edges = np.linspace(q1, q99, 21) if q99 > q1 else np.array([q1 - 0.5, q1 + 0.5])

    def filled(v):
        v = v[np.searchsorted(v, q1) : np.searchsorted(v, q99, side="right")]  # values in [q1, q99]
        # bin i holds edges[i] <= x < edges[i + 1]; the last bin also holds its upper edge
        counts = np.diff(np.searchsorted(v, edges[1:-1], side="left"), prepend=0, append=len(v))
        return counts > 0

    return float((filled(r) & filled(s)).sum() / max(1, filled(r).sum()))
