"""Machine-learning utility: train on synthetic, test on real (TSTR) against train on real (TRTR).

The same scikit-learn model (histogram gradient boosting, which handles missing values; at most
50 rounds at learning rate 0.2, with early stopping from 1,000 rows) is fitted once on the real training table and once on the synthetic table, and both are scored on a real
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
from ..utils.validation import check_int
from ._options import check_bool
from .views import Views, lookup, numeric_view, prepare, text_columns, top_categories, views_for


# at most 50 boosting rounds at learning rate 0.2 (scikit-learn's defaults: 100 at 0.1): on
# flights (10,000 training rows) R² 0.890 instead of 0.893 for the real table, in half the time
BOOSTING = {"learning_rate": 0.2, "max_iter": 50}


class _Features:
    """The model's input columns, the same for every table, as one float matrix: numbers, and category codes.

    A categorical column keeps the 250 most frequent real values (the gradient-boosting model
    takes at most 255 categories; missing is a value), the rest become one "other" category.
    Tables of the report's views are read from their codes; other tables by value.
    """

    def __init__(self, views: Views, meta: dict, target: str, max_categories: int = 250):
        self.views, self.meta, self.target = views, meta, target
        self.cols = [
            c
            for c, m in meta.items()
            if c != target and m["sdtype"] in ("numerical", "datetime", "categorical", "boolean")
        ]
        self.cats = {}
        for c in self.cols:
            if meta[c]["sdtype"] in ("categorical", "boolean"):
                self.cats[c] = top_categories(views, c, max_categories)
        self.is_category = np.array([c in self.cats for c in self.cols], bool)

    def __call__(self, df: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
        """Features of the rows at positions ``rows`` of ``df``, shape (len(rows), len(self.cols))."""
        table = next((i for i, f in enumerate(self.views.frames) if f is df), None)
        X = np.empty((len(rows), len(self.cols)))
        for j, c in enumerate(self.cols):
            if c in self.cats:  # codes 0..249, then one code for every other value
                lut, values = self.cats[c]
                X[:, j] = (
                    lut[self.views.codes(c)[0][table][rows]] if table is not None else lookup(values, df[c].iloc[rows])
                )
            elif table is not None:
                X[:, j] = self.views.num(c)[table][rows]
            else:
                X[:, j] = numeric_view(df[c].iloc[rows], self.meta[c])
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


def evaluate_utility(
    real_train,
    synthetic,
    real_test,
    target: str,
    metadata=None,
    task: str | None = None,
    seed: int = 0,
    verbose: bool = True,
    max_train_rows: int | None = 10_000,
    views: Views | None = None,
) -> UtilityReport:
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
    views : Views, optional
        A report's shared column views of the tables.

    Returns
    -------
    UtilityReport
    """
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, r2_score

    from .._threads import limit_threads_for

    if metadata is None:
        from ..metadata import Metadata

        metadata = Metadata.detect_from_dataframe(real_train)
    real_train, synthetic, meta = prepare(real_train, synthetic, metadata)
    verbose = check_bool("verbose", verbose)
    real_test = text_columns(real_test)
    target = str(target)
    if target not in meta:
        raise ParameterError(f"target {target!r} is not a column of the metadata")
    sd = meta[target]["sdtype"]
    task = task or ("regression" if sd in ("numerical", "datetime") else "classification")
    if task not in ("classification", "regression"):
        raise ParameterError(f"task must be 'classification' or 'regression', got {task!r}")
    views = views_for([real_train, synthetic], meta, views)
    features = _Features(views, meta, target)
    check_int("max_train_rows", max_train_rows, minimum=2, allow_none=True)
    rng = np.random.default_rng(seed)
    results = {}
    test_rows = np.flatnonzero(real_test[target].notna().to_numpy())
    test = real_test.iloc[test_rows]
    test_features = features(real_test, test_rows)
    for name, train in (("real", real_train), ("synthetic", synthetic)):
        rows = np.flatnonzero(train[target].notna().to_numpy())
        if max_train_rows is not None and len(rows) > max_train_rows:
            rows = rows[np.sort(rng.choice(len(rows), max_train_rows, replace=False))]
        X = features(train, rows)
        train = train.iloc[rows]
        keep = ~np.isnan(X).all(axis=0)  # a feature with no value teaches nothing
        X, Xt, is_category = X[:, keep], test_features[:, keep], features.is_category[keep]
        categorical = is_category if is_category.any() else None
        if task == "classification":
            y, yt = train[target].astype(str), test[target].astype(str)
            if y.nunique() < 2 or X.shape[1] == 0:
                guess = y.mode().iloc[0] if len(y) else ""
                p = pd.Series([guess] * len(yt), index=yt.index)
                results[name] = {
                    "accuracy": float(accuracy_score(yt, p)),
                    "f1_macro": float(f1_score(yt, p, average="macro")),
                }
                continue
            model = HistGradientBoostingClassifier(
                random_state=seed, categorical_features=categorical, early_stopping=len(X) >= 1000, **BOOSTING
            )
            with limit_threads_for(X.size):  # small problems: one OpenMP thread
                model.fit(X, y)
                p = model.predict(Xt)
            results[name] = {
                "accuracy": float(accuracy_score(yt, p)),
                "f1_macro": float(f1_score(yt, p, average="macro")),
            }
        else:
            # numbers, or datetimes as seconds (text, time zones and mixed offsets included)
            y = pd.Series(numeric_view(train[target], meta[target]), index=train.index)
            yt = pd.Series(numeric_view(test[target], meta[target]), index=test.index)
            if X.shape[1] == 0:
                p = np.full(len(yt), float(y.mean()))
                results[name] = {"r2": float(r2_score(yt, p)), "mae": float(mean_absolute_error(yt, p))}
                continue
            model = HistGradientBoostingRegressor(
                random_state=seed, categorical_features=categorical, early_stopping=len(X) >= 1000, **BOOSTING
            )
            with limit_threads_for(X.size):  # small problems: one OpenMP thread
                model.fit(X, y)
                p = model.predict(Xt)
            results[name] = {"r2": float(r2_score(yt, p)), "mae": float(mean_absolute_error(yt, p))}
    main = "f1_macro" if task == "classification" else "r2"
    report = UtilityReport(task, results["real"], results["synthetic"], main)
    if verbose:
        print(repr(report))
    return report
