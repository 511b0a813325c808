"""Machine-learning utility: train on synthetic, test on real (TSTR) against train on real (TRTR).

The same scikit-learn model (histogram gradient boosting, which handles missing values) is fitted
once on the real training table and once on the synthetic table, and both are scored on a real
test table: accuracy and macro F1 for classification targets, R² and MAE for regression ones.
The utility ratio is TSTR / TRTR of the main score (macro F1 or R²).

Both training tables are capped at ``max_train_rows`` rows (a seeded random sample of each, so
the two models learn from as many rows and the ratio compares like with like); the test table is
used whole.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ._common import prepare


def _features(df: pd.DataFrame, target: str, meta: dict, categories: dict) -> pd.DataFrame:
    X = pd.DataFrame(index=df.index)
    for c, m in meta.items():
        if c == target or c not in df.columns:
            continue
        sd = m["sdtype"]
        if sd == "numerical":
            X[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
        elif sd == "datetime":
            from .quality import _numeric_view

            X[c] = _numeric_view(df[c], m)
        elif sd in ("categorical", "boolean"):
            vals = df[c].astype(object).where(df[c].notna(), None).astype(str)
            vals = vals.where(vals.isin(categories[c]), "__other__")  # the gradient-boosting model takes <= 255 categories
            X[c] = pd.Categorical(vals, categories=categories[c] + ["__other__"])
    return X


class UtilityReport:
    def __init__(self, task: str, real: dict, synthetic: dict, main: str):
        self.task, self.real, self.synthetic, self.main = task, real, synthetic, main

    def get_score(self) -> float:
        """TSTR / TRTR of the main metric (1.0 = as useful as the real data)."""
        r, s = self.real[self.main], self.synthetic[self.main]
        if r <= 0:
            return float("nan")
        return float(max(0.0, s) / r)

    def get_details(self) -> pd.DataFrame:
        rows = [(k, self.real[k], self.synthetic[k]) for k in self.real]
        return pd.DataFrame(rows, columns=["Metric", "Train real, test real", "Train synthetic, test real"])

    def __repr__(self):
        return f"UtilityReport({self.task}, ratio={self.get_score():.3f})\n{self.get_details().to_string(index=False)}"


def evaluate_utility(real_train, synthetic, real_test, target: str, metadata=None, task: str | None = None, seed: int = 0,
                     verbose: bool = True, max_train_rows: int | None = 10_000) -> UtilityReport:
    """TSTR vs TRTR for ``target`` (classification or regression, detected from the metadata).

    Parameters
    ----------
    real_train, synthetic, real_test : pandas.DataFrame
    target : str
    metadata : Metadata or dict, optional (detected from ``real_train`` when missing)
    task : {'classification', 'regression'}, optional (from the target's sdtype)
    seed : int, default 0
    verbose : bool, default True
    max_train_rows : int or None, default 10,000
        Each training table is a random sample of at most this many rows; ``None`` uses all.

    Returns
    -------
    UtilityReport
    """
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, r2_score

    if metadata is None:
        from ..metadata import Metadata

        metadata = Metadata.detect_from_dataframe(real_train)
    real_train, synthetic, meta = prepare(real_train, synthetic, metadata)
    real_test = real_test.rename(columns=str)
    target = str(target)
    if target not in meta:
        raise ParameterError(f"target {target!r} is not a column of the metadata")
    sd = meta[target]["sdtype"]
    task = task or ("regression" if sd in ("numerical", "datetime") else "classification")
    if task not in ("classification", "regression"):
        raise ParameterError(f"task must be 'classification' or 'regression', got {task!r}")
    cats = {}
    for c, m in meta.items():
        if m["sdtype"] in ("categorical", "boolean") and c != target:
            vals = real_train[c].astype(object)
            counts = vals.where(vals.notna(), None).astype(str).value_counts()
            cats[c] = sorted(counts.index[:250])
    if max_train_rows is not None and (isinstance(max_train_rows, bool) or not isinstance(max_train_rows, (int, np.integer)) or max_train_rows < 2):
        raise ParameterError(f"max_train_rows must be an integer of at least 2 or None, got {max_train_rows!r}")
    rng = np.random.default_rng(seed)
    results = {}
    for name, train in (("real", real_train), ("synthetic", synthetic)):
        train = train[train[target].notna()]
        if max_train_rows is not None and len(train) > max_train_rows:
            train = train.iloc[np.sort(rng.choice(len(train), max_train_rows, replace=False))]
        test = real_test[real_test[target].notna()]
        X, Xt = _features(train, target, meta, cats), _features(test, target, meta, cats)
        empty = [c for c in X.columns if X[c].isna().all()]  # a feature with no value teaches nothing
        X, Xt = X.drop(columns=empty), Xt.drop(columns=empty)
        if task == "classification":
            y, yt = train[target].astype(str), test[target].astype(str)
            if y.nunique() < 2 or X.shape[1] == 0:
                guess = y.mode().iloc[0] if len(y) else ""
                p = pd.Series([guess] * len(yt), index=yt.index)
                results[name] = {"accuracy": float(accuracy_score(yt, p)), "f1_macro": float(f1_score(yt, p, average="macro"))}
                continue
            model = HistGradientBoostingClassifier(random_state=seed, categorical_features="from_dtype", early_stopping=len(X) >= 1000)
            model.fit(X, y)
            p = model.predict(Xt)
            results[name] = {"accuracy": float(accuracy_score(yt, p)), "f1_macro": float(f1_score(yt, p, average="macro"))}
        else:
            y = pd.to_numeric(train[target], errors="coerce").astype(float)
            yt = pd.to_numeric(test[target], errors="coerce").astype(float)
            if X.shape[1] == 0:
                p = np.full(len(yt), float(y.mean()))
                results[name] = {"r2": float(r2_score(yt, p)), "mae": float(mean_absolute_error(yt, p))}
                continue
            model = HistGradientBoostingRegressor(random_state=seed, categorical_features="from_dtype", early_stopping=len(X) >= 1000)
            model.fit(X, y)
            p = model.predict(Xt)
            results[name] = {"r2": float(r2_score(yt, p)), "mae": float(mean_absolute_error(yt, p))}
    main = "f1_macro" if task == "classification" else "r2"
    report = UtilityReport(task, results["real"], results["synthetic"], main)
    if verbose:
        print(repr(report))
    return report
