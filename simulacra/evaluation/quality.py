"""Quality report: how well synthetic data reproduces the real columns and their relationships.

The definitions follow SDMetrics' single-table ``QualityReport`` (0.32) so the numbers are
comparable:

- **Column Shapes**: per column, ``KSComplement`` (1 - the Kolmogorov-Smirnov statistic) for
  numerical and datetime columns, ``TVComplement`` (1 - total variation distance of the category
  frequencies, missing values dropped) for categorical and boolean ones; the property score is
  the mean over columns.
- **Column Pair Trends**: per pair, ``CorrelationSimilarity`` (1 - |r_real - r_synthetic| / 2,
  Pearson on rows where both are present) for two numerical/datetime columns, else
  ``ContingencySimilarity`` (1 - total variation distance of the joint frequencies; numerical
  columns cut into 10 equal-width bins between each table's own min and max, missing values a
  category). As in SDMetrics 0.32, the property score averages only the pairs whose real
  correlation exceeds 0.5 (|r|) or whose real association (Cramér's V) exceeds 0.3; pass
  ``pair_threshold=False`` to average all pairs (SDMetrics before 0.32).
- The overall score is the mean of the two property scores (NaN ones skipped).

Unreadable values (where this departs from SDMetrics, which skips such columns and so scores them
as if they were not there): a synthetic value that cannot be read as its column's sdtype (text
such as "hello" in a numerical column, a date that does not parse, +/-inf) counts as not
matching. A numerical or datetime column scores the KSComplement of its readable values times
their share of its present values (0 when none is readable); a CorrelationSimilarity pair scores
likewise with the share of the rows where both are present, and in a ContingencySimilarity pair
the unreadable values are a category of their own that no real value has. A synthetic column
with no values at all scores 0 where the real column has values (SDMetrics: NaN), so an empty
synthetic table scores 0, not NaN. Each case is a line of :attr:`QualityReport.warnings` (also
issued as a ``UserWarning``, and shown in the details' Note column); unreadable values in the
real table are left out (also a warning). On tables without such values the scores are
SDMetrics' own.

id, text, unknown and PII columns are not scored. Unlike SDMetrics, rows are not subsampled.

Wide tables: a table with ``k`` scored columns has ``k (k - 1) / 2`` column pairs (12.5 million
for 5,000 columns). Up to ``max_pairs`` pairs (default 50,000, about 316 columns) all are scored;
above, a seeded uniform random sample of ``max_pairs`` distinct pairs is scored (``seed``, default
0: the same tables give the same report), and the Column Pair Trends score is the mean over the
sample, an estimate of the mean over all pairs. :attr:`QualityReport.pair_sampling` and
:meth:`QualityReport.summary` say how many pairs of how many were scored; ``max_pairs=None``
scores every pair.

Sequences: with metadata that has a sequence key (``md.set_sequence_key(...)``), Column Shapes and
Column Pair Trends score the flattened rows (the key is an id, not scored; the sequence index is a
column like any other), and the report adds the five properties of
:mod:`simulacra.evaluation.sequential` (Sequence Length, Context Shapes, Autocorrelation, Gaps,
Trends) to :meth:`~QualityReport.get_properties` and :meth:`~QualityReport.get_details`. The
overall score stays the mean of the two flattened properties, comparable with SDMetrics'
single-table ``QualityReport`` on the flattened rows; :meth:`QualityReport.get_sequence_score` is
the mean of the five sequential ones.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from ..errors import InvalidDataError, MetadataError
from ..utils.stats import pearson_pairs
from ._options import check_bool
from .pair_metrics import bin_codes, check_max_pairs, choose_pairs, contingency_codes, readable_share
from .plots import scores_svg
from .primitives import PropertyReport, category_counts, shared_ks, shared_pearson, tv_counts
from .sequential import PROPERTIES as SEQUENTIAL_PROPERTIES, sequence_roles, sequential_properties
from .views import CONTINUOUS, DISCRETE, Views, capped_notes, columns_meta, unreadable_note, views_for

CORRELATION_THRESHOLD = 0.5
ASSOCIATION_THRESHOLD = 0.3
MAX_PAIRS = 50_000


class QualityReport(PropertyReport):
    """Scores of a synthetic table against the real one (see the module docstring).

    With a sequence key in the metadata, the properties also hold the five sequential ones;
    :meth:`get_score` stays the mean of Column Shapes and Column Pair Trends and
    :meth:`get_sequence_score` is the mean of the sequential properties. ``context_columns``
    (optional) names the columns constant within a sequence (by default those constant within
    every real sequence).
    """

    def __init__(self, pair_threshold: bool = True, max_pairs: int | None = MAX_PAIRS, seed=0, context_columns=None):
        self.pair_threshold = check_bool("pair_threshold", pair_threshold)
        self.max_pairs = check_max_pairs(max_pairs)
        self.seed = seed
        self.context_columns = context_columns
        self._sequence_score: float | None = None
        self.pair_sampling: dict | None = None
        #: tables read in partitions: rows read, sketch error, samples (see simulacra.evaluation.scale)
        self.sample_sizes: dict | None = None
        self._details: dict[str, pd.DataFrame] = {}
        self._scores: dict[str, float] = {}
        self._overall = np.nan
        self._notes: list[str] = []
        self._generated = False

    @property
    def warnings(self) -> list[str]:
        """What made scores lower or missing: columns with unreadable values (text in a numerical column, +/-inf, dates that do not parse), synthetic columns with no values, no comparable column (at most 10 lines and a count).

        :meth:`generate` also issues each one as a Python ``UserWarning``.
        """
        return capped_notes(self._notes)

    def pair_threshold_text(self, option: str = "pair_threshold=False") -> str | None:
        """One sentence when Column Pair Trends is n/a only because no pair meets the real correlation/association threshold (None otherwise); ``option`` names the setting that averages every pair (the CLI's ``--all-pairs``)."""
        if (
            not self._generated
            or not self.pair_threshold
            or self._scores.get("Column Pair Trends") == self._scores.get("Column Pair Trends")
        ):
            return None
        df = self._details.get("Column Pair Trends")
        if df is None or not df["Score"].notna().any():
            return None
        return (
            f"Column Pair Trends is n/a: no column pair has a real correlation above {CORRELATION_THRESHOLD} or a real association above "
            f"{ASSOCIATION_THRESHOLD}, and only those pairs are averaged (as in SDMetrics 0.32); the {int(df['Score'].notna().sum()):,} scored pair(s) "
            f"average {float(df['Score'].mean()):.1%} (pass {option} to average them all)"
        )

    def pair_sampling_text(self, option: str = "max_pairs=", every: str = "None") -> str | None:
        """One sentence saying that Column Pair Trends scored a sample of the pairs (None when it scored all); ``option`` and ``every`` name the setting (the CLI's ``--max-pairs `` and ``0``)."""
        ps = self.pair_sampling
        if not ps or not ps["sampled"]:
            return None
        return (
            f"Column Pair Trends scored a random sample of {ps['scored']:,} of the {ps['total']:,} column pairs "
            f"(seed {ps['seed']}; at most {option}{ps['max_pairs']:,} pairs are scored, pass {option}{every} for all)"
        )

    def get_sequence_score(self) -> float | None:
        """Mean of the five sequential properties (NaN ones skipped) in [0, 1]; None when the metadata has no sequence key.

        Not part of :meth:`get_score`, which stays the flattened rows' score (as SDMetrics'
        single-table report would give).
        """
        self._check()
        return self._sequence_score

    def summary(self) -> str:
        notes = [self.pair_sampling_text(), self.pair_threshold_text(), (self.sample_sizes or {}).get("statement")]
        notes = notes + self.warnings if self._generated else []
        text = super().summary()
        if self._generated and self._sequence_score is not None:
            v = self._sequence_score
            text = f"{text}\nSequence Score (average of the sequential properties): {'n/a' if v != v else f'{v * 100:.2f}%'}"
        return "\n".join([text] + [n for n in notes if n])

    def generate(self, real_data, synthetic_data, metadata, verbose: bool = True, views: Views | None = None) -> None:
        """Score ``synthetic_data`` against ``real_data``; ``views`` (optional) are a report's shared column views of the two."""
        verbose = check_bool("verbose", verbose)
        from .scale import is_scale_input

        if is_scale_input(real_data) or is_scale_input(synthetic_data):  # read in partitions
            from .scale import generate_at_scale

            return generate_at_scale(self, real_data, synthetic_data, metadata, verbose=verbose)
        self.sample_sizes = None
        for name, df in (("real_data", real_data), ("synthetic_data", synthetic_data)):
            if not isinstance(df, pd.DataFrame):
                raise InvalidDataError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
            if len(df) == 0:
                raise InvalidDataError(f"{name} has no rows")
        meta = columns_meta(metadata)
        # column names as text, as synthesizers give them back
        real_data = (
            real_data.rename(columns=str) if not all(isinstance(c, str) for c in real_data.columns) else real_data
        )
        synthetic_data = (
            synthetic_data.rename(columns=str)
            if not all(isinstance(c, str) for c in synthetic_data.columns)
            else synthetic_data
        )
        for name, df in (("real data", real_data), ("synthetic data", synthetic_data)):
            missing = [c for c in meta if c not in df.columns]
            if missing:
                raise MetadataError(
                    f"the metadata names column(s) {', '.join(map(repr, missing))} that the {name} does not have"
                )
        key = sequence_roles(metadata)[0]
        # the sequence key names entities: never scored as a column (it is an id or PII column anyway)
        cols = [c for c, m in meta.items() if m["sdtype"] in CONTINUOUS + DISCRETE and c != key]
        # numbers and codes of each column, computed once for both properties (and shared with
        # the other metrics of a report)
        views = views_for([real_data, synthetic_data], meta, views)
        nums = {c: tuple(views.num(c)[:2]) for c in cols if meta[c]["sdtype"] in CONTINUOUS}
        self._notes = []
        with np.errstate(
            invalid="ignore", divide="ignore", over="ignore"
        ):  # NaN and inf are handled explicitly in the metrics
            self._column_shapes(views, cols, meta)
            self._column_pair_trends(views, cols, meta, nums)
            self._sequence_score = None
            if key is not None:
                seq = sequential_properties(
                    real_data, synthetic_data, metadata, context_columns=self.context_columns, views=views
                )
                for name, (score, details) in seq.items():
                    self._scores[name], self._details[name] = score, details
                scores = [seq[name][0] for name in SEQUENTIAL_PROPERTIES]
                self._sequence_score = float(np.nanmean(scores)) if not np.isnan(scores).all() else np.nan
        self._overall = (
            float(np.nanmean([self._scores["Column Shapes"], self._scores["Column Pair Trends"]]))
            if not all(np.isnan([self._scores["Column Shapes"], self._scores["Column Pair Trends"]]))
            else np.nan
        )
        shapes = self._details["Column Shapes"]
        if len(shapes) and (shapes["Score"] == 0).all() and "Note" in shapes and (shapes["Note"] != "").all():
            self._notes.insert(
                0, "the synthetic data has no readable values in any scored column: every column scores 0"
            )
        elif self._overall != self._overall:
            self._notes.insert(
                0,
                "no column could be scored: the tables have no numerical, datetime, categorical or boolean column with values in the real data",
            )
        self._generated = True
        import warnings

        for note in self.warnings:
            warnings.warn(note, UserWarning, stacklevel=3)
        if verbose:
            print(self.summary())

    def _column_shapes(self, views, cols, meta):
        rows = []
        for c in cols:
            note = None
            if meta[c]["sdtype"] in CONTINUOUS:
                r, s = views.present_sorted(c)[:2]
                bad = views.unreadable(c)[1]
                n_bad = int(bad.sum()) if bad is not None else 0
                note = unreadable_note(views, c)
                if len(r) and not len(s):  # nothing the synthetic column holds can match the real one
                    score = 0.0
                    note = (
                        f"{note}; it scores 0"
                        if note
                        else f"column {c!r}: the synthetic data has no values (the real data has {len(r):,}); it scores 0"
                    )
                else:  # unreadable values count as not matching: the KSComplement of the readable ones times their share
                    score = (1 - shared_ks(views, c)) * (len(s) / (len(s) + n_bad) if n_bad else 1.0)
                    note = f"{note}; they count as not matching" if note else None
                if (rn := unreadable_note(views, c, 0, "real")) is not None:
                    note = "; ".join(x for x in (note, f"{rn}; they are left out") if x)
                rows.append((c, "KSComplement", score, note))
            else:
                codes, n_codes, na = views.codes(c)
                cr, cs = category_counts(codes[:2], n_codes, na)
                score = tv_counts(cr, cs)
                if cr.sum() and not cs.sum():
                    score, note = (
                        0.0,
                        f"column {c!r}: the synthetic data has no values (the real data has {int(cr.sum()):,}); it scores 0",
                    )
                rows.append((c, "TVComplement", score, note))
        df = pd.DataFrame(rows, columns=["Column", "Metric", "Score", "Note"])
        self._notes += [n for n in df["Note"] if isinstance(n, str)]  # pandas 3: a missing note in a str column is NaN
        if df["Note"].isna().all():
            df = df.drop(columns="Note")
        else:
            df["Note"] = df["Note"].fillna("")
        self._details["Column Shapes"] = df
        self._scores["Column Shapes"] = float(df["Score"].mean()) if df["Score"].notna().any() else np.nan

    def _column_pair_trends(self, views, cols, meta, nums):
        num_r = {c: v[0] for c, v in nums.items()}
        num_s = {c: v[1] for c, v in nums.items()}
        order = {c: i for i, c in enumerate(num_r)}
        # which pairs: all of them, or a seeded sample when there are more than max_pairs
        first, second, total = choose_pairs(len(cols), self.max_pairs, self.seed)
        sampled = len(first) < total
        self.pair_sampling = {
            "scored": int(len(first)),
            "total": int(total),
            "sampled": bool(sampled),
            "seed": self.seed if sampled else None,
            "max_pairs": self.max_pairs,
        }
        n_pairs = len(first)
        pos = np.array([order.get(c, -1) for c in cols], dtype=np.int64)
        cont = (pos[first] >= 0) & (pos[second] >= 0)
        score, r_real, r_syn, assoc = (np.full(n_pairs, np.nan) for _ in range(4))
        meets = np.zeros(n_pairs, dtype=bool)
        error = np.full(n_pairs, None, dtype=object)
        if cont.any():
            a, b = pos[first[cont]], pos[second[cont]]
            if not sampled:  # all correlations of continuous pairs at once (pairwise-complete rows, as per pair)
                rr, rs = (shared_pearson(views, t, list(num_r))[a, b] for t in (0, 1))
            else:  # only the sampled pairs' correlations, not a columns x columns matrix
                rr, rs = (pearson_pairs(np.column_stack(list(nums_.values())), a, b) for nums_ in (num_r, num_s))
            # a constant column has no correlation: SDMetrics' error names the first one (real before synthetic)
            names = list(num_r)
            # which columns are constant, per table: checked once, not once per pair
            const_r, const_s = (
                np.array([bool(len(v := x[~np.isnan(x)]) and np.all(v == v[0])) for x in nums_.values()], dtype=bool)
                for nums_ in (num_r, num_s)
            )
            err = constant_errors(const_r, const_s, a, b, names)
            bad = const_r[a] | const_r[b] | const_s[a] | const_s[b]  # the pairs given an error above
            rr, rs = np.where(bad, np.nan, rr), np.where(bad, np.nan, rs)
            r_real[cont], r_syn[cont], error[cont] = rr, rs, err
            sc = 1 - np.abs(rr - rs) / 2
            # synthetic values that cannot be read count as not matching: the score of the rows
            # where both are readable times their share of the rows where both are present
            weak = np.array(
                [views.unreadable(c)[1] is not None or not (~np.isnan(x)).any() for c, x in num_s.items()], dtype=bool
            )
            hit = np.flatnonzero((weak[a] | weak[b]) & ~bad)
            if len(hit):
                share = readable_share(list(num_s.items()), views, a[hit], b[hit])
                sc[hit] = np.where(np.isnan(rr[hit]), np.nan, np.where(np.isnan(rs[hit]), 0.0, sc[hit] * share))
            score[cont] = sc
            with np.errstate(invalid="ignore"):
                meets[cont] = ~np.isnan(rr) & (np.abs(rr) > CORRELATION_THRESHOLD)
        # every column as integer codes once (real and synthetic share one code book; missing
        # values are a value), so that each pair's contingency table is one bincount
        codes = {}
        used_cols = np.unique(np.concatenate([first[~cont], second[~cont]])) if n_pairs else []
        for k in used_cols:
            c = cols[k]
            if c in num_r:
                syn_codes, unread = bin_codes(num_s[c]).astype(np.int64), views.unreadable(c)[1]
                if unread is not None:  # unreadable synthetic values: a code of their own, which no real value has
                    syn_codes[unread] = 12
                codes[c] = (bin_codes(num_r[c]).astype(np.int64), syn_codes, 13 if unread is not None else 12)
            else:
                codes_c, n_codes, _ = views.codes(c)
                codes[c] = (codes_c[0], codes_c[1], n_codes)
        for p in np.flatnonzero(~cont):
            c1, c2 = cols[first[p]], cols[second[p]]
            try:
                score[p], assoc[p] = contingency_codes(codes[c1], codes[c2])
                meets[p] = bool(not np.isnan(assoc[p]) and assoc[p] > ASSOCIATION_THRESHOLD)
            except ValueError as e:
                error[p] = f"ValueError: {e}"
        col_names = np.array(cols, dtype=object)
        rows = {
            "Column 1": col_names[first],
            "Column 2": col_names[second],
            "Metric": np.where(cont, "CorrelationSimilarity", "ContingencySimilarity").astype(object),
            "Score": score,
            "Real Correlation": r_real,
            "Synthetic Correlation": r_syn,
            "Real Association": assoc,
            "Meets Threshold?": meets,
            "Error": error,
        }
        df = pd.DataFrame(rows)
        if df["Error"].isna().all():
            df = df.drop(columns="Error")
        self._details["Column Pair Trends"] = df
        if self.pair_threshold:
            used = df.loc[df["Meets Threshold?"].astype(bool), "Score"] if len(df) else df["Score"]
        else:
            used = df["Score"]
        self._scores["Column Pair Trends"] = float(used.mean()) if used.notna().any() else np.nan

    def get_visualization(self, property_name: str, max_items: int | None = None):
        """An SVG figure of the property's scores (per column, or per pair of columns)."""

        details = self.get_details(property_name)
        if "Column" in details:  # Column Shapes, the sequential properties
            names = details["Column"].tolist()
        else:
            details = details[details["Score"].notna()]
            names = (details["Column 1"] + " / " + details["Column 2"]).tolist()
        score = self._scores[property_name]
        title = f"{property_name} (average {score:.2f})"
        scores = details["Score"].tolist()
        if max_items is not None and len(names) > max_items:  # the lowest scores, in their order
            keep = np.sort(
                np.argsort(np.nan_to_num(np.asarray(scores, dtype=float), nan=np.inf), kind="stable")[:max_items]
            )
            names, scores = [names[k] for k in keep], [scores[k] for k in keep]
            title = f"{property_name} (average {score:.2f}; the {max_items} lowest of {len(details):,})"
        return scores_svg(names, scores, title)


def evaluate_quality(
    real_data,
    synthetic_data,
    metadata,
    verbose: bool = True,
    pair_threshold: bool = True,
    max_pairs: int | None = MAX_PAIRS,
    seed=0,
    context_columns=None,
) -> QualityReport:
    """Generate a :class:`QualityReport` of ``synthetic_data`` against ``real_data``.

    Parameters
    ----------
    real_data, synthetic_data : pandas.DataFrame, path or dask.dataframe.DataFrame
        A path (Parquet / CSV file or folder) or a Dask DataFrame is read in partitions, with
        memory bounded whatever the rows (:mod:`simulacra.evaluation.scale`).
    metadata : Metadata or dict
    verbose : bool, default True
        Print the overall and property scores.
    pair_threshold : bool, default True
        Average Column Pair Trends only over pairs with a real correlation above 0.5 or a real
        association above 0.3 (SDMetrics 0.32); ``False`` averages all pairs.
    max_pairs : int or None, default 50,000
        Score every column pair up to this many pairs; above, a random sample of this many
        (see the module docstring). ``None`` or 0: every pair.
    seed : int, default 0
        Seed of the pair sample.
    context_columns : list of str, optional
        Sequential metadata only: the columns constant within a sequence (default: those constant
        within every real sequence).

    Returns
    -------
    QualityReport
        With a sequence key in the metadata, the properties include Sequence Length, Context
        Shapes, Autocorrelation, Gaps and Trends; ``get_score()`` stays the mean of Column Shapes
        and Column Pair Trends and ``get_sequence_score()`` is the mean of the five.
        Or, when ``real_data`` and ``synthetic_data`` are dicts of table name -> DataFrame with
        multi-table metadata, a :class:`~simulacra.evaluation.multi_quality.MultiTableQualityReport`.
    """
    if isinstance(real_data, dict) or isinstance(synthetic_data, dict):
        from .multi_quality import evaluate_multi_table_quality

        return evaluate_multi_table_quality(
            real_data,
            synthetic_data,
            metadata,
            verbose=verbose,
            pair_threshold=pair_threshold,
            max_pairs=max_pairs,
            seed=seed,
        )
    report = QualityReport(
        pair_threshold=pair_threshold, max_pairs=max_pairs, seed=seed, context_columns=context_columns
    )
    report.generate(real_data, synthetic_data, metadata, verbose=verbose)
    return report


def constant_errors(const_r, const_s, a, b, names) -> np.ndarray:
    """Per pair ``(a[i], b[i])`` of column indices, SDMetrics' ConstantInputError text for a pair
    with a constant column (the real side's message wins, then the first column's), else None."""
    err = np.full(len(a), None, dtype=object)
    for label, const, side in (
        ("synthetic", const_s, b),
        ("synthetic", const_s, a),
        ("real", const_r, b),
        ("real", const_r, a),
    ):
        hit = np.flatnonzero(const[side])
        err[hit] = [
            f"ConstantInputError: The {label} data in column '{names[k]}' contains a constant value." for k in side[hit]
        ]
    return err
