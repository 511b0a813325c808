"""Privacy risk of a synthetic table.

Distances are Gower's (numerical columns scaled by the real range, categories match or not,
averaged over the columns; see ``distances.MixedEncoder``), found by exact brute force in blocks
(``distances.nearest``) between seeded random samples of the rows.

- **Exact copies**: share of synthetic rows equal to a real row, beside the real table's own
  duplicate share.
- **DCR** (distance to closest record): how close synthetic rows come to real rows. With a
  holdout (real rows not used for fitting) the baseline is how close the holdout comes to the
  training rows (both distributions: :meth:`PrivacyReport.get_distances`); the *DCR share* is the
  share of synthetic rows nearer to a training row than to any holdout row, against as many
  training rows as holdout rows (as mostlyai-qa reports it over all columns), computed as the
  exact mean over every equal-size sample of the measured training rows
  (``utils.gower.equal_size_dcr_share``): 0.5 when the synthesizer does not favour its training rows.
- **NNDR** (nearest-neighbour distance ratio): distance to the closest real row over the
  distance to the second closest; values near 0 mean a synthetic row sits on one real row. Its
  quantiles for synthetic and holdout rows are side by side, as are the DCR's.
- **Membership inference**: an attacker calls a real row a training member when a synthetic row
  lies close to it; the ROC AUC of that guess on the measured training rows vs the holdout rows
  (0.5 = no better than chance). Needs a holdout. The sizes used are in the results.
- **Rare categories copied**: for each learned categorical column, the real values that are rare
  (in at most ``rare_count`` real rows, so each points at one or two real people), how many of
  them the synthetic data holds and the share of synthetic rows that carry one. A column is flagged
  when that share reaches ``rare_threshold`` and at least 5 rare values are copied: its values
  are being copied, not generalised (surnames, rare job titles, small towns...). Such a column
  should be PII (faked, never learned), or its rare categories pooled before fitting.
- **Attribute inference**: for each sensitive column, a nearest-neighbour attacker fitted on the
  synthetic data predicts it from the other (known) columns of real rows; its accuracy (or R²)
  beside the same attacker fitted on the holdout (or a majority-class guess).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..metadata.names import person_name_sdtype
from ..metadata.sdtypes import PII_SDTYPES, is_pii
from ._options import check_bool, check_count, check_share
from ..utils.gower import equal_size_dcr_share, membership_auc, quantiles
from .distances import MixedEncoder, nearest
from .views import Views, check_holdout, prepare, row_keys, views_for


class PrivacyReport:
    def __init__(self, results: dict):
        self.results = results

    def get_score(self) -> float:
        """1 - the worst risk found (copies above baseline, membership advantage), in [0, 1]."""
        risks = [max(0.0, self.results["exact_copy_rate"] - self.results["real_duplicate_rate"])]
        if self.results.get("membership_auc") is not None:
            risks.append(max(0.0, 2 * (self.results["membership_auc"] - 0.5)))
        if self.results.get("dcr_share") is not None:
            risks.append(max(0.0, 2 * (self.results["dcr_share"] - self.results.get("dcr_share_expected", 0.5))))
        return float(1 - min(1.0, max(risks)))

    @property
    def warnings(self) -> list[str]:
        """One message per flagged column whose rare real values are copied into the synthetic data."""
        return [r["message"] for r in self.results.get("rare_categories", {}).values() if r["flagged"]]

    def get_rare_categories(self) -> pd.DataFrame:
        """Per learned categorical column with rare real values: how many, how many copied, the share of synthetic rows holding one, flagged or not."""
        rows = [
            (
                c,
                r["rare_real_values"],
                r["rare_values_copied"],
                r["copied_share"],
                r["synthetic_rows_share"],
                r["flagged"],
            )
            for c, r in self.results.get("rare_categories", {}).items()
        ]
        return pd.DataFrame(
            rows,
            columns=["Column", "Rare real values", "Copied", "Share copied", "Synthetic rows holding one", "Flagged"],
        )

    def get_distances(self) -> pd.DataFrame:
        """Quantiles of the DCR and NNDR distributions: synthetic rows to the training rows, beside holdout rows to the training rows (the baseline, with a holdout)."""
        rows = [
            (metric, who, *q.values())
            for metric, sides in self.results.get("distance_distributions", {}).items()
            for who, q in sides.items()
        ]
        return pd.DataFrame(rows, columns=["Distance", "Rows", "p5", "p25", "median", "p75", "p95"])

    def get_details(self) -> pd.DataFrame:
        rows = [(k, v, EXPLAIN.get(k, "")) for k, v in self.results.items() if not isinstance(v, dict)]
        for col, r in self.results.get("rare_categories", {}).items():
            if r["flagged"]:
                rows.append((f"rare_values_copied[{col}]", r["synthetic_rows_share"], r["message"]))
        for col, r in self.results.get("attribute_inference", {}).items():
            rows.append(
                (
                    f"attribute_inference[{col}]",
                    r["synthetic"],
                    r.get("note")
                    or f"{r['metric']} of an attacker fitted on the synthetic data (baseline {r['baseline']:.3f})",
                )
            )
        return pd.DataFrame(
            {
                "Metric": [r[0] for r in rows],
                "Value": pd.Series([r[1] for r in rows], dtype=object),
                "Meaning": [r[2] for r in rows],
            }
        )

    def summary(self) -> str:
        def fmt(v):
            return v if isinstance(v, str) else f"{v:,}" if isinstance(v, int) else f"{v:.4f}"

        return "\n".join(
            f"- {m}: {fmt(v)} — {e}" for m, v, e in self.get_details().itertuples(index=False) if v is not None
        )

    def __repr__(self):
        return "PrivacyReport\n" + self.summary()


EXPLAIN = {
    "exact_copy_rate": "share of synthetic rows that copy a real row exactly",
    "real_duplicate_rate": "share of real rows that equal another real row (the baseline for copies)",
    "distance_sample_synthetic_rows": "synthetic rows whose distances were measured (a seeded random sample; max_rows)",
    "distance_sample_real_rows": "real training rows they were compared with (a seeded random sample; max_reference_rows)",
    "dcr_synthetic_median": "median Gower distance from a synthetic row to its closest real row",
    "dcr_synthetic_5pct": "5th percentile of that distance (small = some rows sit very close to real ones)",
    "dcr_holdout_median": "median distance from a holdout row to its closest training row (the baseline)",
    "distance_sample_holdout_rows": "holdout rows measured (a seeded random sample, at most max_rows and no more than the training rows)",
    "dcr_share_training_rows": "training rows the DCR share compares with: as many as the holdout rows (the share is the exact mean over every such sample of the real rows measured)",
    "dcr_share": "share of synthetic rows closer to a training row than to any holdout row, against equal-size samples of both (0.5 = the training rows are not favoured)",
    "dcr_share_expected": "what dcr_share would be if training rows were not favoured",
    "nndr_median": "median ratio of the distances to the closest and second-closest real rows (near 0 = sitting on one row)",
    "membership_auc": "ROC AUC of a distance-based membership attack (0.5 = chance, 1 = every training row exposed)",
    "membership_rows": "rows the membership attack was scored on (each row's distance to its closest synthetic row)",
}


def evaluate_privacy(
    real_data,
    synthetic_data,
    metadata,
    holdout=None,
    sensitive_columns=None,
    known_columns=None,
    max_rows: int = 1_000,
    max_reference_rows: int = 10_000,
    seed=0,
    verbose: bool = True,
    views: Views | None = None,
    rare_count: int = 2,
    rare_threshold: float = 0.05,
) -> PrivacyReport:
    """Privacy metrics of ``synthetic_data`` against the real (training) data; see the module docstring.

    Exact copies and rare categories are counted on all rows: a categorical column is flagged
    when at least ``rare_threshold`` of its synthetic rows hold a value found in at most
    ``rare_count`` real rows (see :attr:`PrivacyReport.warnings`). Distances are measured for a random sample of
    ``max_rows`` synthetic (and holdout, at most as many as the real rows measured) rows against up to ``max_reference_rows`` real rows
    (deterministic by ``seed``), which keeps 100,000-row tables to seconds. ``views`` (optional)
    are a report's shared column views of the real, synthetic (and holdout) tables.
    """
    real, syn, meta = prepare(real_data, synthetic_data, metadata)
    verbose = check_bool("verbose", verbose)
    max_rows, max_reference_rows = (
        check_count("max_rows", max_rows),
        check_count("max_reference_rows", max_reference_rows),
    )
    rare_count, rare_threshold = check_count("rare_count", rare_count), check_share("rare_threshold", rare_threshold)
    hold = check_holdout(holdout, meta) if holdout is not None else None
    views = views_for([real, syn] + ([hold] if hold is not None else []), meta, views)
    rng = np.random.default_rng(seed)
    cols = [c for c in meta if c in syn.columns]
    res: dict = {}
    kr, ks = row_keys([real, syn], cols, views)
    res["exact_copy_rate"] = float(np.isin(ks, kr).mean())
    res["real_duplicate_rate"] = float(pd.Series(kr).duplicated(keep=False).mean())
    rare = rare_categories(views, meta, [c for c in cols if c in real.columns], rare_count, rare_threshold)
    if rare:
        res["rare_categories"] = rare
    enc = MixedEncoder(real, meta, views=views)

    def pick(n, cap):
        """Sorted positions of a seeded sample of ``cap`` rows out of ``n`` (all when ``n <= cap``)."""
        return np.arange(n) if n <= cap else np.sort(rng.choice(n, cap, replace=False))

    R = enc.encode_rows(0, pick(len(real), max_reference_rows))
    S = enc.encode_rows(1, pick(len(syn), max_rows))
    n_hold = min(len(hold), len(R[0]), max_rows) if hold is not None else 0
    H = enc.encode_rows(2, pick(len(hold), n_hold)) if hold is not None else None
    # synthetic and holdout rows against the real sample in one pass (raw Gower sums)
    queries = S if H is None else (np.vstack([S[0], H[0]]), np.vstack([S[1], H[1]]))
    both = nearest(R, queries, k=2)
    raw = both[: len(S[0])]
    d = raw / enc.n_columns
    res["distance_sample_synthetic_rows"] = len(S[0])
    res["distance_sample_real_rows"] = len(R[0])
    res["dcr_synthetic_median"] = float(np.median(d[:, 0]))
    res["dcr_synthetic_5pct"] = float(np.quantile(d[:, 0], 0.05))
    dist = {"dcr": {"synthetic to training": quantiles(d[:, 0])}}
    if d.shape[1] > 1:
        ratio = nndr(d)
        res["nndr_median"] = float(np.median(ratio))
        dist["nndr"] = {"synthetic to training": quantiles(ratio)}
    if H is not None:
        dh_both = both[len(S[0]) :] / enc.n_columns
        res["dcr_holdout_median"] = float(np.median(dh_both[:, 0]))
        dist["dcr"]["holdout to training"] = quantiles(dh_both[:, 0])
        if dh_both.shape[1] > 1:
            dist["nndr"]["holdout to training"] = quantiles(nndr(dh_both))
        # the DCR share against an equal-size holdout, averaged over every equal-size sample of the training rows
        res["distance_sample_holdout_rows"] = n_hold
        res["dcr_share_training_rows"] = n_hold
        res["dcr_share"] = equal_size_dcr_share(R, H, S)
        res["dcr_share_expected"] = 0.5
        # membership attack: training rows (members) lie closer to the synthetic data than holdout rows
        res["membership_auc"] = membership_auc(nearest(S, R, k=1)[:, 0], nearest(S, H, k=1)[:, 0])
        res["membership_rows"] = f"{len(R[0]):,} training members, {n_hold:,} holdout non-members"
    res["distance_distributions"] = dist
    if sensitive_columns:
        res["attribute_inference"] = _attribute_inference(real, syn, holdout, meta, sensitive_columns, known_columns)
    report = PrivacyReport(res)
    if verbose:
        print(report.summary())
    return report


#: a column is flagged only when at least this many distinct rare values are copied (not 1 or 2 rare levels of a small table)
MIN_RARE_COPIED = 5


def rare_categories(views: Views, meta: dict, columns, rare_count: int = 2, rare_threshold: float = 0.05) -> dict:
    """``{column: counts}`` for each learned categorical column with rare real values (see the module docstring).

    Reads the views' joint codes (tables 0: real, 1: synthetic), so values compare exactly as in
    the exact-copy count; missing values are never rare.
    """
    out = {}
    for c in columns:
        m = meta[c]
        sd = m["sdtype"]
        learned = sd in ("categorical", "ordinal") or (sd in PII_SDTYPES and not is_pii(sd, m))
        if not learned:
            continue
        codes, n_codes, missing = views.codes(c)
        counts = np.bincount(codes[0], minlength=n_codes)
        rare = (counts >= 1) & (counts <= rare_count)
        if missing >= 0:
            rare[missing] = False
        n_rare = int(rare.sum())
        if not n_rare:
            continue
        syn = codes[1][codes[1] != missing] if missing >= 0 else codes[1]
        copied = rare & (np.bincount(syn, minlength=n_codes) > 0)
        n_copied = int(copied.sum())
        share = float(rare[syn].mean()) if len(syn) else 0.0
        flagged = n_copied >= MIN_RARE_COPIED and share >= rare_threshold
        r = {
            "rare_real_values": n_rare,
            "rare_values_copied": n_copied,
            "copied_share": n_copied / n_rare,
            "synthetic_rows_share": share,
            "flagged": bool(flagged),
        }
        if flagged:
            real = views.frames[0][c]
            person = (
                person_name_sdtype(c, real[real.notna()].iloc[:2000].astype(str))
                if real.dtype == object or isinstance(real.dtype, pd.StringDtype)
                else None
            )
            fix = (
                f"it holds person names: declare it metadata.update_column({c!r}, sdtype={person!r}) so it is faked, not learned"
                if person
                else f"if it holds names or other identifying text, declare it a PII sdtype (e.g. "
                f"metadata.update_column({c!r}, sdtype='name')) so it is faked, not learned; otherwise pool its rare "
                "categories (e.g. into 'other') before fitting"
            )
            r["message"] = (
                f"column {c!r} copies rare real values: {n_copied:,} of its {n_rare:,} values found in at most "
                f"{rare_count} real row(s) appear in the synthetic data, in {share:.1%} of its synthetic rows, and such "
                f"values can point at real people; {fix}"
            )
        out[c] = r
    return out


def nndr(d: np.ndarray) -> np.ndarray:
    """Distance to the closest over the distance to the second-closest row (0 where both are 0)."""
    return np.where(d[:, 1] > 0, d[:, 0] / np.where(d[:, 1] > 0, d[:, 1], 1), 0.0)


def _attribute_inference(real, syn, holdout, meta, sensitive, known):
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    out = {}
    for col in [sensitive] if isinstance(sensitive, str) else list(sensitive):
        if col not in meta:
            raise ParameterError(f"sensitive column {col!r} is not in the metadata")
        keys = [
            c
            for c in (known or meta)
            if c != col and c in meta and meta[c]["sdtype"] in ("numerical", "datetime", "categorical", "boolean")
        ]
        if not keys:
            raise ParameterError(f"no known columns to infer {col!r} from")
        enc = MixedEncoder(real, meta, columns=keys)
        numeric = meta[col]["sdtype"] in ("numerical",)
        target_real = real[col]
        ok_s = syn[col].notna().to_numpy()
        ok_r = target_real.notna().to_numpy()
        if ok_s.sum() < 5 or ok_r.sum() < 1:
            out[col] = {
                "metric": "R2" if numeric else "accuracy",
                "synthetic": float("nan"),
                "baseline": float("nan"),
                "note": "too few values to fit an attacker",
            }
            continue
        Xs, Xr = enc.transform(syn[ok_s]), enc.transform(real[ok_r])
        model = (KNeighborsRegressor if numeric else KNeighborsClassifier)(n_neighbors=5, metric="manhattan")
        ys = syn[col][ok_s].to_numpy(dtype=float) if numeric else syn[col][ok_s].astype(str).to_numpy()
        yr = target_real[ok_r].to_numpy(dtype=float) if numeric else target_real[ok_r].astype(str).to_numpy()
        model.fit(Xs, ys)
        pred = model.predict(Xr)
        score = r2_score(yr, pred) if numeric else accuracy_score(yr, pred)
        if holdout is not None and holdout[col].notna().sum() >= 5:
            h = holdout.rename(columns=str)
            ok_h = h[col].notna().to_numpy()
            base = (KNeighborsRegressor if numeric else KNeighborsClassifier)(n_neighbors=5, metric="manhattan")
            base.fit(
                enc.transform(h[ok_h]),
                h[col][ok_h].to_numpy(dtype=float) if numeric else h[col][ok_h].astype(str).to_numpy(),
            )
            bp = base.predict(Xr)
            baseline = r2_score(yr, bp) if numeric else accuracy_score(yr, bp)
        else:
            baseline = 0.0 if numeric else float(pd.Series(yr).value_counts(normalize=True).iloc[0])
        out[col] = {"metric": "R2" if numeric else "accuracy", "synthetic": float(score), "baseline": float(baseline)}
    return out
