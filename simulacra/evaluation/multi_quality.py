"""Multi-table quality report: SDMetrics' multi-table ``QualityReport`` (0.32) on a dict of tables.

Properties (each in [0, 1]; the overall score is their mean, NaN ones skipped):

- **Column Shapes**: the single-table Column Shapes of every table (:mod:`simulacra.evaluation.quality`);
  the property score is the mean over the columns of all tables (not the mean of table means).
- **Column Pair Trends**: the single-table Column Pair Trends of every table; the mean over the
  pairs of all tables that meet the real correlation (0.5) / association (0.3) threshold.
- **Cardinality**: per relationship, ``CardinalityShapeSimilarity``: 1 - the two-sample KS statistic
  of the number of child rows per parent row (parents without children count 0; child rows
  whose key is missing or names no parent are not counted), real vs synthetic; the property
  score is the mean over relationships. Two foreign keys from one child to one parent (flights
  origin and dest -> airports) are two relationships.
- **Intertable Trends**: per relationship, the child rows inner-joined to their parent rows
  (columns ``table.column``); every (parent column, child column) pair is scored as in Column
  Pair Trends on the joined table; the mean over the pairs of all relationships that meet the
  threshold.

As in the single-table report, rows are not subsampled and unreadable synthetic values count as
not matching (see :mod:`simulacra.evaluation.quality`); on tables without them the scores are
SDMetrics' own.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from ._options import check_bool
from .multi_table_common import (
    as_list,
    cardinality,
    check_table_name,
    check_tables,
    denormalize,
    fk_text,
    metadata_dict,
    prefixes,
    rel_label,
    scored_columns,
    table_meta,
)
from .pair_metrics import check_max_pairs
from .plots import scores_svg
from .primitives import PropertyReport, ks_statistic
from .quality import MAX_PAIRS, QualityReport
from .views import capped_notes

PROPERTIES = ("Column Shapes", "Column Pair Trends", "Cardinality", "Intertable Trends")
PAIR_COLUMNS = [
    "Column 1",
    "Column 2",
    "Metric",
    "Score",
    "Real Correlation",
    "Synthetic Correlation",
    "Real Association",
    "Meets Threshold?",
    "Error",
]


def mean_score(df: pd.DataFrame, threshold: bool = False) -> float:
    """The mean of a details table's Score (only the rows meeting the threshold when ``threshold``); NaN when none."""
    if not len(df) or "Score" not in df:
        return np.nan
    score = df["Score"]
    if threshold and "Meets Threshold?" in df:
        score = score[df["Meets Threshold?"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    score = score.astype(float)
    return float(score.mean()) if score.notna().any() else np.nan


def stack_details(frames: dict, first: list[str]) -> pd.DataFrame:
    """Per-table details stacked with their table name(s) in front (Note and Error columns only where some row has one)."""
    frames = {k: v for k, v in frames.items() if len(v)}
    if not frames:
        return pd.DataFrame(columns=first)
    df = pd.concat(list(frames.values()), ignore_index=True)
    cols = first + [c for c in df.columns if c not in first]
    df = df[cols]
    if "Note" in df:
        df["Note"] = df["Note"].fillna("")
    if "Error" in df:
        df["Error"] = df["Error"].astype(object).where(df["Error"].notna(), None)
        if df["Error"].isna().all():
            df = df.drop(columns="Error")
    return df


def cardinality_details(real: dict, synthetic: dict, meta: dict) -> pd.DataFrame:
    """SDMetrics' Cardinality details: one row per relationship (Child Table, Parent Table, Foreign Key, Metric, Score, Error)."""
    rows = []
    for rel in meta["relationships"]:
        pk, fk = as_list(rel["parent_primary_key"]), as_list(rel["child_foreign_key"])
        p, c = rel["parent_table_name"], rel["child_table_name"]
        error = None
        try:
            cr = np.sort(cardinality(real[p], pk, real[c], fk))
            cs = np.sort(cardinality(synthetic[p], pk, synthetic[c], fk))
            score = 1 - ks_statistic(cr, cs)
        except (TypeError, ValueError) as e:  # keys that cannot be compared (text against numbers)
            score, error = np.nan, f"{type(e).__name__}: {e}"
        rows.append((c, p, rel["child_foreign_key"], "CardinalityShapeSimilarity", score, error))
    df = pd.DataFrame(rows, columns=["Child Table", "Parent Table", "Foreign Key", "Metric", "Score", "Error"])
    return df.drop(columns="Error") if df["Error"].isna().all() else df


class MultiTableQualityReport(PropertyReport):
    """Quality of a synthetic database against the real one (see the module docstring).

    Parameters
    ----------
    pair_threshold : bool, default True
        Average the pair properties only over pairs meeting the real correlation/association
        threshold (SDMetrics 0.32); ``False`` averages all pairs.
    max_pairs : int or None, default 50,000
        Per table, at most this many column pairs are scored (a seeded sample above).
    seed : int, default 0
        Seed of the pair sample of wide tables.
    """

    PROPERTIES = PROPERTIES

    GENERATE_CALL = "generate(real_tables, synthetic_tables, metadata)"

    def __init__(self, pair_threshold: bool = True, max_pairs: int | None = MAX_PAIRS, seed=0):
        self.pair_threshold = check_bool("pair_threshold", pair_threshold)
        self.max_pairs = check_max_pairs(max_pairs)
        self.seed = seed
        self.table_names: list[str] = []
        self.table_reports: dict[str, QualityReport] = {}
        self._details: dict[str, pd.DataFrame] = {}
        self._scores: dict[str, float] = {}
        self._overall = np.nan
        self._notes: list[str] = []
        self._meta: dict = {}
        self._generated = False

    # ------------------------------------------------------------------ generate
    def generate(self, real_data: dict, synthetic_data: dict, metadata, verbose: bool = True) -> None:
        """Score the synthetic tables against the real ones.

        Parameters
        ----------
        real_data, synthetic_data : dict of str -> pandas.DataFrame
            Every table of the metadata.
        metadata : Metadata or dict
            Multi-table metadata (tables and relationships).
        verbose : bool, default True
            Print the overall and property scores.
        """
        verbose = check_bool("verbose", verbose)
        meta = metadata_dict(metadata)
        real, syn = check_tables(real_data, synthetic_data, meta)
        self._meta, self.table_names, self._notes = meta, list(meta["tables"]), []
        self.table_reports = {}
        for name in self.table_names:
            tmeta = table_meta(meta, name)
            if not scored_columns(tmeta):  # only keys, text or PII: nothing to score
                continue
            rep = QualityReport(pair_threshold=self.pair_threshold, max_pairs=self.max_pairs, seed=self.seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rep.generate(real[name], syn[name], tmeta, verbose=False)
            self._notes += [f"table {name!r}: {w}" for w in rep.warnings]
            self.table_reports[name] = rep
        for prop in PROPERTIES[:2]:
            frames = {}
            for name, rep in self.table_reports.items():
                d = rep.get_details(prop)
                frames[name] = d.assign(Table=name)
            self._details[prop] = stack_details(frames, ["Table"])
        self._details["Cardinality"] = cardinality_details(real, syn, meta)
        self._details["Intertable Trends"] = self._intertable(real, syn, meta)
        self._scores = {
            "Column Shapes": mean_score(self._details["Column Shapes"]),
            "Column Pair Trends": mean_score(self._details["Column Pair Trends"], self.pair_threshold),
            "Cardinality": mean_score(self._details["Cardinality"]),
            "Intertable Trends": mean_score(self._details["Intertable Trends"], self.pair_threshold),
        }
        vals = [v for v in self._scores.values() if v == v]
        self._overall = float(np.mean(vals)) if vals else np.nan
        self._generated = True
        for note in self.warnings:
            warnings.warn(note, UserWarning, stacklevel=3)
        if verbose:
            print(self.summary())

    def _intertable(self, real: dict, syn: dict, meta: dict) -> pd.DataFrame:
        frames = {}
        for k, rel in enumerate(meta["relationships"]):
            parent, child = rel["parent_table_name"], rel["child_table_name"]
            pcols = scored_columns(table_meta(meta, parent))
            ccols = scored_columns(table_meta(meta, child))
            if not pcols or not ccols:
                continue
            cp, pp = prefixes(rel)
            pm, cm = meta["tables"][parent]["columns"], meta["tables"][child]["columns"]
            merged_meta = {"columns": {**{cp + c: cm[c] for c in ccols}, **{pp + c: pm[c] for c in pcols}}}
            try:
                joined = [denormalize(t, rel, (ccols, pcols)) for t in (real, syn)]
            except (TypeError, ValueError) as e:  # keys of types that cannot be joined
                self._notes.append(f"Intertable Trends: relationship {rel_label(rel)} cannot be joined ({e})")
                continue
            empty = [label for label, j in zip(("real", "synthetic"), joined) if not len(j)]
            if empty:
                self._notes.append(
                    f"Intertable Trends: relationship {rel_label(rel)}: no {' or '.join(empty)} child row has a parent; its pairs are not scored"
                )
                continue
            rep = QualityReport(pair_threshold=self.pair_threshold, max_pairs=None)
            with warnings.catch_warnings():  # the tables' own warnings are already in the per-table reports
                warnings.simplefilter("ignore")
                rep.generate(joined[0], joined[1], merged_meta, verbose=False)
            d = rep.get_details("Column Pair Trends")
            p_pos = {pp + c: i for i, c in enumerate(pcols)}
            c_pos = {cp + c: i for i, c in enumerate(ccols)}
            one, two = d["Column 1"], d["Column 2"]
            swap = one.isin(c_pos) & two.isin(p_pos)  # the joined table lists child columns first
            keep = swap | (one.isin(p_pos) & two.isin(c_pos))
            d = d[keep.to_numpy()].copy()
            swap = swap[keep].to_numpy()
            first = np.where(swap, d["Column 2"], d["Column 1"])
            second = np.where(swap, d["Column 1"], d["Column 2"])
            d["Column 1"] = [s[len(pp) :] for s in first]
            d["Column 2"] = [s[len(cp) :] for s in second]
            # SDMetrics' order: itertools.product(parent columns, child columns)
            order = np.argsort(
                np.array([p_pos[s] * len(ccols) + c_pos[t] for s, t in zip(first, second)], dtype=np.int64),
                kind="stable",
            )
            d = d.iloc[order].reset_index(drop=True)
            d = d[[c for c in PAIR_COLUMNS if c in d]]
            d.insert(0, "Foreign Key", fk_text(rel))
            d.insert(0, "Child Table", child)
            d.insert(0, "Parent Table", parent)
            frames[k] = d
        return stack_details(frames, ["Parent Table", "Child Table", "Foreign Key"])

    # ------------------------------------------------------------------ results
    @property
    def warnings(self) -> list[str]:
        """What made scores lower or missing, per table (at most 10 lines and a count); also issued as ``UserWarning``."""
        return capped_notes(self._notes)

    def _property(self, property_name: str) -> str:
        if property_name not in PROPERTIES:
            raise InvalidDataError(f"unknown property {property_name!r}; choose one of {', '.join(PROPERTIES)}")
        return property_name

    def get_details(self, property_name: str, table_name: str | None = None) -> pd.DataFrame:
        """The details of one property: all tables, or the rows of ``table_name`` (for Cardinality and
        Intertable Trends: the relationships where it is the parent or the child)."""
        self._check()
        df = self._details[self._property(property_name)]
        check_table_name(self._meta, table_name)
        if table_name is None:
            return df.copy()
        if "Table" in df:
            return df[df["Table"] == table_name].copy()
        return df[(df["Parent Table"] == table_name) | (df["Child Table"] == table_name)].copy()

    def get_table_report(self, table_name: str) -> QualityReport | None:
        """The single-table :class:`QualityReport` of one table (None for a table with no scored column)."""
        self._check()
        check_table_name(self._meta, table_name)
        return self.table_reports.get(table_name)

    def get_visualization(self, property_name: str, table_name: str | None = None, max_items: int | None = None):
        """An SVG figure of a property's scores.

        Column Shapes and Column Pair Trends need ``table_name`` (as in SDMetrics): the table's
        per-column / per-pair scores. Cardinality and Intertable Trends: per relationship / per
        pair, of every relationship or of those of ``table_name``.
        """
        self._check()
        prop = self._property(property_name)
        check_table_name(self._meta, table_name)
        if prop in PROPERTIES[:2]:
            if table_name is None:
                raise InvalidDataError(
                    f"pass table_name to draw {prop} (one of {', '.join(map(repr, self.table_names))})"
                )
            rep = self.table_reports.get(table_name)
            if rep is None:
                return scores_svg([], [], f"{prop}: table {table_name!r} has no scored column")
            return rep.get_visualization(prop, max_items=max_items)
        d = self.get_details(prop, table_name)
        d = d[d["Score"].notna()] if len(d) else d
        if prop == "Cardinality":
            names = (d["Child Table"] + " (" + d["Foreign Key"].astype(str) + ") -> " + d["Parent Table"]).tolist()
        else:
            names = (d["Parent Table"] + "." + d["Column 1"] + " / " + d["Child Table"] + "." + d["Column 2"]).tolist()
            # the same pair through two foreign keys (flights origin and dest -> airports): the key first
            dup = pd.Series(names).duplicated(keep=False).to_numpy()
            names = [f"{fk}: {n}" if u else n for n, u, fk in zip(names, dup, d["Foreign Key"])]
        scores = d["Score"].tolist()
        shown = mean_score(d, threshold=prop == "Intertable Trends" and self.pair_threshold)
        title = f"{prop} (average {shown:.2f})" if shown == shown else f"{prop} (average n/a)"
        if max_items is not None and len(names) > max_items:
            keep = np.sort(np.argsort(np.asarray(scores, dtype=float), kind="stable")[:max_items])
            names, scores = [names[k] for k in keep], [scores[k] for k in keep]
            title += f"; the {max_items} lowest of {len(d):,}"
        return scores_svg(names, scores, title)

    def summary(self) -> str:
        """The overall and property scores as text, then the warnings."""
        self._check()
        fmt = lambda v: "n/a" if v != v else f"{v * 100:.2f}%"  # noqa: E731
        lines = [f"Overall Score (Average): {fmt(self._overall)}", "", "Properties:"]
        lines += [f"- {k}: {fmt(v)}" for k, v in self._scores.items()]
        return "\n".join(lines + self.warnings)


def evaluate_multi_table_quality(
    real_data: dict,
    synthetic_data: dict,
    metadata,
    verbose: bool = True,
    pair_threshold: bool = True,
    max_pairs: int | None = MAX_PAIRS,
    seed=0,
) -> MultiTableQualityReport:
    """Generate a :class:`MultiTableQualityReport` of the synthetic tables against the real ones.

    Parameters
    ----------
    real_data, synthetic_data : dict of str -> pandas.DataFrame
    metadata : Metadata or dict
        Multi-table metadata.
    verbose : bool, default True
    pair_threshold : bool, default True
    max_pairs : int or None, default 50,000
    seed : int, default 0

    Returns
    -------
    MultiTableQualityReport
    """
    report = MultiTableQualityReport(pair_threshold=pair_threshold, max_pairs=max_pairs, seed=seed)
    report.generate(real_data, synthetic_data, metadata, verbose=verbose)
    return report
