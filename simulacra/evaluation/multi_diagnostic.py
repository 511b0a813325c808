"""Multi-table diagnostic report: each table's single-table diagnostic, plus Relationship Validity.

Properties (each in [0, 1]):

- **Data Validity**, **Data Structure**, **Coverage**, **Missing Values**: the single-table
  properties of :mod:`simulacra.evaluation.diagnostic` of every table; the property score is the
  mean over the rows (columns) of all tables.
- **Relationship Validity**: per relationship, SDMetrics' two metrics:
  ``ReferentialIntegrity``, the share of synthetic foreign keys found among the synthetic parent
  keys (missing foreign keys are left out when the real foreign key has missing values, else they
  count as not found), and ``CardinalityBoundaryAdherence``, the share of synthetic parent rows
  whose number of children lies between the real minimum and maximum. The Note column says how
  many synthetic keys name no parent row, with a few of them.
- **Rule Validity**: the mean of the tables' Rule Validity scores; reported beside the score, not
  averaged into it (as in the single-table report).

The overall score is the mean of the other five properties (NaN ones skipped).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from ._options import check_bool
from .diagnostic import DiagnosticReport
from .multi_quality import stack_details
from .multi_table_common import (
    as_list,
    cardinality,
    check_table_name,
    check_tables,
    key_codes,
    metadata_dict,
    rel_label,
    table_meta,
)
from .plots import scores_svg
from .primitives import PropertyReport

TABLE_PROPERTIES = ("Data Validity", "Data Structure", "Coverage", "Missing Values")
PROPERTIES = TABLE_PROPERTIES + ("Relationship Validity", "Rule Validity")


def referential_integrity(real: dict, syn: dict, rel: dict) -> tuple[float, str]:
    """(share of synthetic foreign keys that name a synthetic parent row, a note naming the broken ones)."""
    pk, fk = as_list(rel["parent_primary_key"]), as_list(rel["child_foreign_key"])
    p, c = rel["parent_table_name"], rel["child_table_name"]
    pcodes, ccodes = key_codes(syn[p], pk, syn[c], fk)
    missing = ccodes < 0
    if len(fk) == 1 and real[c][fk[0]].isna().any():  # the real key may be missing: so may the synthetic one
        keep = ~missing
    else:
        keep = np.ones(len(ccodes), dtype=bool)
    found = np.isin(ccodes, pcodes[pcodes >= 0]) & ~missing
    n = int(keep.sum())
    score = float(found[keep].sum() / n) if n else np.nan
    bad = keep & ~found
    note = ""
    if bad.any():
        values = syn[c].loc[bad & ~missing, fk[0] if len(fk) == 1 else fk].head(10_000)
        shown = pd.unique(values.astype(str).to_numpy() if len(fk) == 1 else values.astype(str).agg("|".join, axis=1))[
            :5
        ]
        n_missing = int((bad & missing).sum())
        note = (
            f"{int(bad.sum()):,} of {n:,} synthetic foreign keys name no {p!r} row"
            + (f" ({n_missing:,} of them missing, which the real foreign key never is)" if n_missing else "")
            + (f", e.g. {', '.join(map(repr, shown))}" if len(shown) else "")
        )
    return score, note


def boundary_adherence(real: dict, syn: dict, rel: dict) -> tuple[float, str]:
    """(share of synthetic parent rows whose number of children is within the real min..max, a note)."""
    pk, fk = as_list(rel["parent_primary_key"]), as_list(rel["child_foreign_key"])
    p, c = rel["parent_table_name"], rel["child_table_name"]
    cr = cardinality(real[p], pk, real[c], fk)
    cs = cardinality(syn[p], pk, syn[c], fk)
    lo, hi = cr.min(), cr.max()
    inside = (cs >= lo) & (cs <= hi)
    score = float(inside.mean())
    note = (
        ""
        if inside.all()
        else f"{int((~inside).sum()):,} of {len(cs):,} synthetic {p!r} rows have a number of {c!r} rows outside the real {lo:g}..{hi:g}"
    )
    return score, note


class MultiTableDiagnosticReport(PropertyReport):
    """Validity, structure, coverage and referential integrity of a synthetic database (see the module docstring)."""

    PROPERTIES = PROPERTIES
    TITLE = "Diagnostic Score"

    GENERATE_CALL = "generate(real_tables, synthetic_tables, metadata)"

    def __init__(self):
        self.table_names: list[str] = []
        self.table_reports: dict[str, DiagnosticReport] = {}
        self._details: dict[str, pd.DataFrame] = {}
        self._scores: dict[str, float] = {}
        self._overall = np.nan
        self._meta: dict = {}
        self._notes: list[str] = []
        self._generated = False

    def generate(self, real_data: dict, synthetic_data: dict, metadata, verbose: bool = True) -> None:
        """Diagnose the synthetic tables against the real ones (dicts of table name -> DataFrame)."""
        verbose = check_bool("verbose", verbose)
        meta = metadata_dict(metadata)
        real, syn = check_tables(real_data, synthetic_data, meta)
        self._meta, self.table_names, self._notes = meta, list(meta["tables"]), []
        self.table_reports = {}
        for name in self.table_names:
            rep = DiagnosticReport()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rep.generate(real[name], syn[name], table_meta(meta, name), verbose=False)
            self.table_reports[name] = rep
            self._notes += [f"table {name!r}: {w}" for w in rep.warnings]
        for prop in TABLE_PROPERTIES + ("Rule Validity",):
            frames = {n: r.get_details(prop).assign(Table=n) for n, r in self.table_reports.items()}
            self._details[prop] = stack_details(frames, ["Table"])
            if prop == "Rule Validity":  # one score a table (its rules' details have no Score column)
                per_table = [
                    r.get_properties().set_index("Property")["Score"][prop] for r in self.table_reports.values()
                ]
                per_table = [v for v in per_table if v == v]
                self._scores[prop] = float(np.mean(per_table)) if per_table else np.nan
            else:
                d = self._details[prop]
                self._scores[prop] = (
                    float(d["Score"].astype(float).mean()) if len(d) and d["Score"].notna().any() else np.nan
                )
        rows = []
        for rel in meta["relationships"]:
            for metric, fn in (
                ("ReferentialIntegrity", referential_integrity),
                ("CardinalityBoundaryAdherence", boundary_adherence),
            ):
                error = None
                try:
                    score, note = fn(real, syn, rel)
                except (TypeError, ValueError) as e:
                    score, note, error = np.nan, "", f"{type(e).__name__}: {e}"
                if note:
                    self._notes.append(f"Relationship Validity: {rel_label(rel)}: {note}")
                rows.append(
                    (
                        rel["parent_table_name"],
                        rel["child_table_name"],
                        rel["parent_primary_key"],
                        rel["child_foreign_key"],
                        metric,
                        score,
                        note,
                        error,
                    )
                )
        df = pd.DataFrame(
            rows,
            columns=["Parent Table", "Child Table", "Primary Key", "Foreign Key", "Metric", "Score", "Note", "Error"],
        )
        if df["Error"].isna().all():
            df = df.drop(columns="Error")
        if not (df["Note"] != "").any():
            df = df.drop(columns="Note")
        self._details["Relationship Validity"] = df
        self._scores["Relationship Validity"] = float(df["Score"].mean()) if df["Score"].notna().any() else np.nan
        rule = self._scores.pop("Rule Validity")
        vals = [v for v in self._scores.values() if v == v]
        self._overall = float(np.mean(vals)) if vals else np.nan
        self._scores["Rule Validity"] = rule
        self._generated = True
        if verbose:
            print(self.summary())

    @property
    def warnings(self) -> list[str]:
        """Tables with unreadable values, broken foreign keys, cardinalities out of the real range."""
        return list(self._notes)

    def get_details(self, property_name: str, table_name: str | None = None) -> pd.DataFrame:
        """One property's details: every table, or the rows of ``table_name`` (Relationship Validity: where it is parent or child)."""
        self._check()
        if property_name not in self._details:
            raise InvalidDataError(f"unknown property {property_name!r}; choose one of {', '.join(PROPERTIES)}")
        check_table_name(self._meta, table_name)
        df = self._details[property_name]
        if table_name is None:
            return df.copy()
        if "Table" in df:
            return df[df["Table"] == table_name].copy()
        return df[(df["Parent Table"] == table_name) | (df["Child Table"] == table_name)].copy()

    def get_visualization(self, property_name: str, table_name: str | None = None):
        """An SVG figure of a property's scores (per column of ``table_name``, or per relationship)."""
        d = self.get_details(property_name, table_name)
        if property_name == "Relationship Validity":
            names = (
                d["Child Table"]
                + " ("
                + d["Foreign Key"].astype(str)
                + ") -> "
                + d["Parent Table"]
                + ": "
                + d["Metric"]
            ).tolist()
        elif "Table" in d:
            names = (
                (d["Table"] + "." + d["Column"]).tolist()
                if "Column" in d
                else (d["Table"] + ": " + d.iloc[:, 1].astype(str)).tolist()
            )
        else:
            names = d.iloc[:, 0].astype(str).tolist()
        score = self._scores[property_name]
        title = f"{property_name} (average {score:.2f})" if score == score else f"{property_name} (average n/a)"
        return scores_svg(names, d["Score"].tolist() if "Score" in d else [], title)

    def summary(self) -> str:
        self._check()
        fmt = lambda v: "n/a" if v != v else f"{v * 100:.2f}%"  # noqa: E731
        lines = [f"{self.TITLE}: {fmt(self._overall)}", "", "Properties:"]
        lines += [f"- {k}: {fmt(v)}" for k, v in self._scores.items()]
        return "\n".join(lines + self._notes[:10])


def run_multi_table_diagnostic(
    real_data: dict, synthetic_data: dict, metadata, verbose: bool = True
) -> MultiTableDiagnosticReport:
    """Generate a :class:`MultiTableDiagnosticReport` of the synthetic tables against the real ones.

    Parameters
    ----------
    real_data, synthetic_data : dict of str -> pandas.DataFrame
    metadata : Metadata or dict
        Multi-table metadata.
    verbose : bool, default True

    Returns
    -------
    MultiTableDiagnosticReport
    """
    report = MultiTableDiagnosticReport()
    report.generate(real_data, synthetic_data, metadata, verbose=verbose)
    return report
