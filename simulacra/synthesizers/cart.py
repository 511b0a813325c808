"""CART synthesizer: each column sampled from a decision tree on the columns before it.

This is the CART method of R's synthpop. Columns are put in an order (categorical and
low-cardinality columns first); the first is sampled from its marginal, every later one from a
decision tree fitted on the real data with the earlier columns as predictors. A synthetic row
walks down the tree of each column with its already-sampled values and takes the value of a
random real *donor* in the leaf it lands in; numerical values are smoothed with a Gaussian kernel
of the leaf's bandwidth. Leaves hold at least ``min_samples_leaf`` donors (default 5) so no leaf
hands back one real record, and the smoothing keeps continuous values from being copied exactly.

Trees are stored as plain arrays (children, feature, threshold, missing-value direction) and
walked with numpy at sampling time, so model files hold no pickled estimator.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import ModelFileError
from ..transforms.spec import OutputKind
from ._encoding import category_specs, code_of, from_codes, to_codes
from .base import BaseSynthesizer
from .given import context_outputs

_SMOOTH_MIN_UNIQUE = 20
PARTICLES = 4


def _walk(tree: dict, S: np.ndarray) -> np.ndarray:
    """Leaf node of every row of ``S`` (features already sampled)."""
    n = S.shape[0]
    node = np.zeros(n, dtype=np.int64)
    cl, cr, feat, thr, mgl = tree["cl"], tree["cr"], tree["feature"], tree["threshold"], tree["mgl"]
    rows = np.arange(n)
    for _ in range(len(cl)):
        left = cl[node]
        inner = left >= 0
        if not inner.any():
            break
        f = np.where(inner, feat[node], 0)
        x = S[rows, tree["predictors"][f]] if len(tree["predictors"]) else np.zeros(n)
        go_left = np.where(np.isnan(x), mgl[node] == 1, x <= thr[node])
        node = np.where(inner, np.where(go_left, left, cr[node]), node)
    return node


class CARTSynthesizer(BaseSynthesizer):
    """Sequential decision trees with leaf donors (synthpop's CART).

    Parameters
    ----------
    metadata : Metadata
    enforce_min_max_values, enforce_rounding, locales : as in every synthesizer
    min_samples_leaf : int, default 5
        Smallest number of real donors in a leaf.
    smoothing : bool, default True
        Add Gaussian noise of the leaf's bandwidth to continuous values drawn from donors.
    max_depth : int, optional
        Depth limit of the trees.
    privacy_check : bool, default True
        Fit-time privacy check (``simulacra.synthesizers.privacy_check``): the DCR share is
        measured on rows kept out of a trial fit, and leaves grow (x2 ... x16), then smoothing
        widens (x2 ... x4) until it is at most 0.52 (and the membership attack's AUC at most 0.54); ``get_info()["privacy_check"]`` says what was done.
        Then (each fit) while more sampled rows copy a real row than the real table duplicates
        itself, the leaf size doubles (up to three times). The leaf size used is
        ``effective_min_samples_leaf``.
    """

    name = "cart"

    def __init__(
        self,
        metadata,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales=None,
        min_samples_leaf: int = 5,
        smoothing: bool = True,
        max_depth: int | None = None,
        privacy_check: bool = True,
        *,
        pseudonymize: bool = False,
        pseudonymize_key=None,
    ):
        super().__init__(
            metadata,
            enforce_min_max_values,
            enforce_rounding,
            locales,
            pseudonymize=pseudonymize,
            pseudonymize_key=pseudonymize_key,
        )
        from ._params import check_bool, check_int

        self.min_samples_leaf = check_int("min_samples_leaf", min_samples_leaf)
        self.smoothing = check_bool("smoothing", smoothing)
        self.max_depth = check_int("max_depth", max_depth, allow_none=True)
        self.privacy_check = check_bool("privacy_check", privacy_check)

    def get_parameters(self) -> dict:
        p = super().get_parameters()
        p.update(
            min_samples_leaf=self.min_samples_leaf,
            smoothing=self.smoothing,
            max_depth=self.max_depth,
            privacy_check=self.privacy_check,
        )
        return p

    # ------------------------------------------------------------------ fit
    #: privacy-check levels (leaf size x, smoothing bandwidth x): bigger leaves first, as they cost the least
    #: quality (measured on the shared tables), then wider smoothing
    PRIVACY_LEVELS = ((1, 1.0), (2, 1.0), (4, 1.0), (8, 1.0), (16, 1.0), (8, 2.0), (8, 3.0), (16, 4.0))

    def _privacy_levels(self):
        return [{"_leaf_scale": a, "_bandwidth_scale": b} for a, b in self.PRIVACY_LEVELS]

    def _fit(self, X, names, kinds):
        leaf = self.min_samples_leaf * getattr(self, "_leaf_scale", 1)
        self._effective_leaf = leaf
        self._fit_trees(X, kinds, leaf)

    def _adapt_after_fit(self, df: pd.DataFrame, X: np.ndarray, kinds) -> None:
        """Privacy check: sample as many rows as the real table and count exact copies of real
        rows (on the learned columns). While there are more copies than the real table has
        duplicates of its own, double the leaf size and fit again (at most three times)."""
        if not self.privacy_check or len(df) < 20:
            return
        generated = set(self._transformer.generated_columns)
        cols = [c for c in df.columns if c not in generated]
        if not cols:
            return
        real = pd.util.hash_pandas_object(df[cols].astype(str), index=False)
        allowed = float(real.duplicated(keep=False).mean())
        known = set(real.tolist())
        leaf = self._effective_leaf
        for _ in range(3):
            rng = np.random.default_rng(12345)
            run = self._transformer.new_run_state(rng, len(df))
            syn = self._transformer.inverse(self._sample(len(df), rng), rng, np.arange(len(df)), run)
            copies = pd.util.hash_pandas_object(syn[cols].astype(str), index=False).isin(known).mean()
            self.copy_rate_ = float(copies)
            if copies <= allowed:
                return
            leaf *= 2
            self._effective_leaf = leaf
            self._fit_trees(X, kinds, leaf)

    def _fit_trees(self, X, kinds, min_samples_leaf):
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        specs = category_specs(self._transformer.output_specs)
        M = to_codes(X, specs)
        d = M.shape[1]
        card = np.array([len(np.unique(M[~np.isnan(M[:, j]), j][:200_000])) for j in range(d)])
        rank = np.array(
            [
                0 if c is not None else (1 if k in (OutputKind.DISCRETE, OutputKind.NULL) else 2)
                for c, k in zip(specs, kinds)
            ]
        )
        order = [int(j) for j in np.lexsort((np.arange(d), card, rank))]
        if self.context_columns:  # the context's outputs first, in the given order: every other tree can split on them
            first = context_outputs(self._transformer, self.context_columns)
            # a column's missing flag before its value: the value's tree then splits on it, so missing
            # context values are drawn at their rate (value first, the flag only echoed the value's NaN)
            col = {j: self.context_columns.index(self._transformer.output_specs[j].column) for j in first}
            first = sorted(first, key=lambda j: (col[j], kinds[j] != OutputKind.NULL))
            order = first + [j for j in order if j not in first]
        trees = []
        for pos, j in enumerate(order):
            y = M[:, j]
            ok = ~np.isnan(y)
            preds = np.array(order[:pos], dtype=np.int64)
            is_cat = specs[j] is not None
            smooth = (
                self.smoothing and not is_cat and kinds[j] == OutputKind.CONTINUOUS and card[j] >= _SMOOTH_MIN_UNIQUE
            )
            if len(preds) == 0 or ok.sum() < 2 * min_samples_leaf:
                tree = _single_leaf()
            else:
                Xp = M[ok][:, preds]
                est = (DecisionTreeClassifier if is_cat else DecisionTreeRegressor)(
                    min_samples_leaf=min_samples_leaf, max_depth=self.max_depth, random_state=0
                )
                with warnings.catch_warnings():  # a many-valued category is still a category: no advice wanted
                    warnings.filterwarnings("ignore", message="The number of unique classes", category=UserWarning)
                    est.fit(Xp, y[ok].astype(np.int64) if is_cat else y[ok])
                tr = est.tree_
                tree = {
                    "cl": tr.children_left.astype(np.int64),
                    "cr": tr.children_right.astype(np.int64),
                    "feature": np.maximum(tr.feature, 0).astype(np.int64),
                    "threshold": tr.threshold.astype(float),
                    "mgl": np.asarray(tr.missing_go_to_left, dtype=np.int64),
                }
            tree["predictors"] = preds
            leaves = _walk(tree, M[ok]) if len(preds) else np.zeros(int(ok.sum()), dtype=np.int64)
            tree.update(_donors(leaves, y[ok], len(tree["cl"]), smooth, getattr(self, "_bandwidth_scale", 1.0)))
            tree["column"] = int(j)
            trees.append(tree)
        self._order = order
        self._trees = trees
        self._set_categories(specs)

    def _set_categories(self, specs) -> None:
        """The category outputs' specs (codes <-> encoded values) and their midpoints (stored in the file)."""
        self._cat_specs = specs
        self._cats = [None if c is None else c.midpoints() for c in specs]

    # ------------------------------------------------------------------ sample
    def _sample(self, num_rows, rng):
        d = len(self._order)
        S = np.full((num_rows, d), np.nan)
        for tree in self._trees:
            j = tree["column"]
            leaf = _walk(tree, S) if len(tree["predictors"]) else np.zeros(num_rows, dtype=np.int64)
            S[:, j] = _draw(tree, leaf, rng)
        return from_codes(S, self._cat_specs)

    # ------------------------------------------------------------------ conditioning
    def _sample_context(self, C, outputs, rng):
        """Rows given per-row context: the context outputs set from ``C`` (codes for categories), then
        every other tree walked as in ``_sample`` (exact when the context comes first in ``_order``)."""
        S = np.full((len(C), len(self._order)), np.nan)
        S[:, outputs] = to_codes(C, [self._cat_specs[j] for j in outputs])
        given = set(outputs)
        for tree in self._trees:
            j = tree["column"]
            if j in given:
                continue
            leaf = _walk(tree, S) if len(tree["predictors"]) else np.zeros(len(C), dtype=np.int64)
            S[:, j] = _draw(tree, leaf, rng)
        return from_codes(S, self._cat_specs)

    def _condition_spec(self, known):
        values = self._known_outputs(known)
        spec = {}
        for j, x in values.items():
            cat = self._cat_specs[j]
            if cat is not None:
                spec[j] = float(code_of(cat, x))
            else:
                spec[j] = float(x)
        return spec

    def _sample_given(self, num_rows, rng, given):
        """Sequential importance resampling: rows are drawn column by column; at a conditioned
        column each row is weighted by how likely its leaf makes the given value, the rows are
        resampled by weight, and the value is set."""
        from ..errors import ConstraintError

        for particles in (PARTICLES, PARTICLES * 16):
            try:
                return self._sample_given_once(num_rows, rng, given, particles)
            except ConstraintError:
                if particles != PARTICLES:
                    raise
        raise AssertionError("unreachable")

    def _sample_given_once(self, num_rows, rng, given, particles):
        from ..errors import ConstraintError

        d = len(self._order)
        m = num_rows * particles
        S = np.full((m, d), np.nan)
        for tree in self._trees:
            j = tree["column"]
            leaf = _walk(tree, S) if len(tree["predictors"]) else np.zeros(len(S), dtype=np.int64)
            if j in given:
                w = _leaf_weights(tree, leaf, given[j])
                if not (w > 0).any():
                    raise ConstraintError(
                        f"impossible condition on {self._names_for(j)}: the model never produces it together with the other conditions"
                    )
                size = num_rows
                idx = rng.choice(len(S), size=size, p=w / w.sum())
                S = S[idx]
                S[:, j] = given[j]
            else:
                S[:, j] = _draw(tree, leaf, rng)
        if len(S) != num_rows:  # no conditioned column met (cannot happen when given is not empty)
            S = S[:num_rows]
        return from_codes(S, self._cat_specs)

    def _names_for(self, j):
        return self._transformer.output_names[j]

    # ------------------------------------------------------------------ state
    @property
    def effective_min_samples_leaf(self) -> int:
        return getattr(self, "_effective_leaf", self.min_samples_leaf)

    def _get_model_state(self):
        return {
            "effective_leaf": int(self.effective_min_samples_leaf),
            "order": self._order,
            "trees": self._trees,
            "cats": [None if c is None else c for c in self._cats],
        }

    def _set_model_state(self, st):
        self._effective_leaf = int(st.get("effective_leaf", self.min_samples_leaf))
        self._order = [int(j) for j in st["order"]]
        d = len(self._order)
        if sorted(self._order) != list(range(d)):
            raise ModelFileError("model file: CART column order is not a permutation")
        self._cats = [None if c is None else np.asarray(c, dtype=float) for c in st["cats"]]
        # the transformer is restored before the model; sizes are checked against it after the restore
        self._cat_specs = category_specs(self._transformer.output_specs)
        trees = []
        for t in st["trees"]:
            tree = {
                k: np.asarray(t[k])
                for k in (
                    "cl",
                    "cr",
                    "feature",
                    "threshold",
                    "mgl",
                    "predictors",
                    "offsets",
                    "counts",
                    "donors",
                    "bandwidth",
                )
            }
            n_nodes = len(tree["cl"])
            for k in ("cr", "feature", "threshold", "mgl", "offsets", "counts", "bandwidth"):
                if len(tree[k]) != n_nodes:
                    raise ModelFileError("model file: CART tree arrays differ in length")
            if tree["cl"].max(initial=-1) >= n_nodes or tree["cr"].max(initial=-1) >= n_nodes:
                raise ModelFileError("model file: CART tree refers to a missing node")
            if len(tree["predictors"]) and (tree["predictors"].min() < 0 or tree["predictors"].max() >= d):
                raise ModelFileError("model file: CART predictors out of range")
            if (tree["offsets"] + tree["counts"] > len(tree["donors"])).any():
                raise ModelFileError("model file: CART donors out of range")
            tree["column"] = int(t["column"])
            trees.append(tree)
        if [t["column"] for t in trees] != self._order or len(self._cats) != d:
            raise ModelFileError("model file: CART trees do not match the column order")
        if self._effective_leaf < 1:
            raise ModelFileError(f"model file: CART leaf size {self._effective_leaf} is not positive")
        for tree in trees:
            problem = _tree_problem(tree, self._cats[tree["column"]])
            if problem:
                raise ModelFileError(f"model file: the CART tree of output {tree['column']} {problem}")
        self._trees = trees


def _single_leaf() -> dict:
    return {
        "cl": np.array([-1], dtype=np.int64),
        "cr": np.array([-1], dtype=np.int64),
        "feature": np.array([0], dtype=np.int64),
        "threshold": np.array([0.0]),
        "mgl": np.array([0], dtype=np.int64),
    }


def _donors(leaves: np.ndarray, y: np.ndarray, n_nodes: int, smooth: bool, scale: float = 1.0) -> dict:
    order = np.argsort(leaves, kind="stable")
    donors = y[order].astype(float)
    counts = np.bincount(leaves, minlength=n_nodes).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    bandwidth = np.zeros(n_nodes)
    if smooth and len(y):
        df = pd.DataFrame({"leaf": leaves[order], "v": donors})
        g = df.groupby("leaf")["v"]
        sd = g.std(ddof=1).fillna(0.0)
        iqr = (g.quantile(0.75) - g.quantile(0.25)) / 1.34
        spread = np.where(iqr > 0, np.minimum(sd, iqr), sd)
        cnt = g.size().to_numpy()
        bandwidth[sd.index.to_numpy()] = scale * 0.9 * spread * cnt ** (-0.2)
    return {"offsets": offsets, "counts": counts, "donors": donors, "bandwidth": bandwidth}


def _draw(tree: dict, leaf: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    counts = tree["counts"][leaf]
    empty = counts == 0
    if empty.any():  # cannot happen for trees fitted here; keep the walk total anyway
        counts = np.where(empty, 1, counts)
    pick = tree["offsets"][leaf] + (rng.random(len(leaf)) * counts).astype(np.int64)
    vals = tree["donors"][np.minimum(pick, len(tree["donors"]) - 1)]
    h = tree["bandwidth"][leaf]
    if h.any():
        vals = vals + rng.standard_normal(len(leaf)) * h
    return vals


def _leaf_weights(tree: dict, leaf: np.ndarray, value: float) -> np.ndarray:
    """Probability (or density) of ``value`` in each row's leaf, scaled so the largest is 1.

    Densities are combined in log space, so a value far in a leaf's tail gets a small weight
    rather than an underflow to zero.
    """
    donors, counts, bw = tree["donors"], tree["counts"], tree["bandwidth"]
    n_nodes = len(counts)
    node_of_donor = np.repeat(np.arange(n_nodes), counts)
    if bw.any():
        h = np.maximum(bw[node_of_donor], 1e-12)
        logk = np.where(
            bw[node_of_donor] > 0,
            -0.5 * ((value - donors) / h) ** 2 - np.log(h),
            np.where(donors == value, 0.0, -np.inf),
        )
    else:
        logk = np.where(np.isclose(donors, value), 0.0, -np.inf)
    top = np.full(n_nodes, -np.inf)
    np.maximum.at(top, node_of_donor, logk)
    safe_top = np.where(np.isfinite(top), top, 0.0)
    sums = np.bincount(node_of_donor, weights=np.exp(logk - safe_top[node_of_donor]), minlength=n_nodes)
    with np.errstate(divide="ignore"):
        log_node = np.where(sums > 0, safe_top + np.log(sums) - np.log(np.maximum(counts, 1)), -np.inf)
    lw = log_node[leaf]
    if not np.isfinite(lw).any():
        return np.zeros(len(leaf))
    return np.exp(lw - lw[np.isfinite(lw)].max())


def _tree_problem(tree: dict, mids) -> str | None:
    """What is wrong with a restored tree (None when it is a valid tree with valid donors)."""
    for k in ("cl", "cr", "feature", "mgl", "predictors", "offsets", "counts"):
        if tree[k].ndim != 1 or tree[k].dtype.kind not in "iu":
            return f"has a non-integer {k} array"
    for k in ("threshold", "donors", "bandwidth"):
        if tree[k].ndim != 1 or tree[k].dtype.kind not in "iuf":
            return f"has non-finite {k}"
        # scikit-learn splits missing from present values with an infinite threshold: only NaN is invalid there
        if not np.all(np.isfinite(tree[k]) if k != "threshold" else ~np.isnan(tree[k])):
            return f"has non-finite {k}"
    cl, cr = tree["cl"], tree["cr"]
    nodes = np.arange(len(cl))
    inner = cl >= 0
    if len(cl) == 0 or ((cl < 0) != (cr < 0)).any() or (cl < -1).any() or (cr < -1).any():
        return "has malformed children"
    if (cl[inner] <= nodes[inner]).any() or (cr[inner] <= nodes[inner]).any():
        return "has a cycle (a child before its parent)"
    if inner.any() and (tree["feature"][inner].min() < 0 or tree["feature"][inner].max() >= len(tree["predictors"])):
        return "splits on a missing predictor"
    if not np.isin(tree["mgl"], (0, 1)).all():
        return "has invalid missing-value directions"
    if (tree["counts"] < 0).any() or (tree["offsets"] < 0).any() or (tree["bandwidth"] < 0).any():
        return "has negative donor counts or bandwidths"
    if (tree["counts"][~inner] == 0).all() and len(tree["donors"]):
        return "has donors in no leaf"
    if mids is not None:
        d = tree["donors"]
        if len(d) and (d.min() < 0 or d.max() > len(mids) - 1 or (d != np.round(d)).any()):
            return "has donors that are not category codes"
    return None
