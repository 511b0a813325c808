"""Bayesian-network synthesizer in the style of PrivBayes (Zhang et al., 2017).

Every column is discretized (categories as they are, numbers into up to ``max_bins`` quantile
bins). A network is built greedily: each new column gets, among the columns already placed, the
``degree`` parents with which it shares the most mutual information. The learned marginals are
the conditional tables P(column | parents); with ``epsilon`` they are made differentially
private with Laplace noise (the budget split evenly over the tables; the structure search itself
is not private). Sampling walks the network; numbers are drawn within their bin from the real
values' quantiles.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ModelFileError
from .base import BaseSynthesizer

_WITHIN = 33  # quantiles kept inside each numeric bin


def _entropy_joint(codes: np.ndarray, cards: list[int]) -> float:
    key = np.zeros(len(codes), dtype=np.int64)
    for j, c in enumerate(cards):
        key = key * c + codes[:, j]
    _, counts = np.unique(key, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def _mutual_information(child: np.ndarray, parents: np.ndarray, cc: int, pcards: list[int]) -> float:
    if parents.shape[1] == 0:
        return 0.0
    h_c = _entropy_joint(child[:, None], [cc])
    h_p = _entropy_joint(parents, pcards)
    h_cp = _entropy_joint(np.column_stack([parents, child]), pcards + [cc])
    return h_c + h_p - h_cp


class BayesianNetworkSynthesizer(BaseSynthesizer):
    """PrivBayes-style Bayesian network over discretized columns.

    Parameters
    ----------
    metadata : Metadata
    degree : int, default 2
        Maximum number of parents per column.
    max_bins : int, default 20
        Bins of numerical columns.
    epsilon : float, optional
        Differential-privacy budget (PrivBayes): half of it chooses the network with the
        exponential mechanism, half makes the conditional tables noisy with the Laplace
        mechanism. The noise comes from fresh operating-system entropy, never from a seed, so
        with ``epsilon`` two fits differ (as they must for privacy). None (default) learns the
        exact network and tables, deterministically.
    privacy_check : bool, default True
        Fit-time privacy check (``simulacra.synthesizers.privacy_check``; not with ``epsilon``):
        the DCR share is measured on rows kept out of a trial fit, and parents are cut to 1, then
        numbers get fewer bins (10, 5) and the tables are smoothed toward the columns' marginals, until it is at most 0.52 (and the membership attack's AUC at most 0.54);
        ``get_info()["privacy_check"]`` says what was done.
    """

    name = "bayesian_network"

    def __init__(
        self,
        metadata,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=None,
        degree: int = 2,
        max_bins: int = 20,
        epsilon: float | None = None,
        privacy_check: bool = True,
        *,
        pseudonymize=False,
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
        from ._params import check_bool, check_int, check_number

        self.degree, self.max_bins = check_int("degree", degree), check_int("max_bins", max_bins)
        self.epsilon = check_number("epsilon", epsilon, strict=True, allow_none=True)
        self.privacy_check = check_bool("privacy_check", privacy_check)

    def get_parameters(self):
        p = super().get_parameters()
        p.update(degree=self.degree, max_bins=self.max_bins, epsilon=self.epsilon, privacy_check=self.privacy_check)
        return p

    # ------------------------------------------------------------------ discretization
    def _discretize(self, X, kinds):
        from ._encoding import category_specs, to_codes

        specs = category_specs(self._transformer.output_specs)
        M = to_codes(X, specs)
        cols, codes = [], np.zeros(X.shape, dtype=np.int64)
        for j, spec in enumerate(specs):
            x = X[:, j]
            if spec is not None:
                codes[:, j] = M[:, j].astype(np.int64)
                cols.append({"type": "category", "values": spec.midpoints()})
            else:
                ok = ~np.isnan(x)
                vals = x[ok] if ok.any() else np.zeros(1)
                uniq = np.unique(vals)
                bins = self.max_bins if getattr(self, "_bins_cap", None) is None else min(self.max_bins, self._bins_cap)
                if len(uniq) <= bins:
                    c = np.searchsorted(uniq, np.where(ok, x, uniq[0])).clip(0, len(uniq) - 1)
                    codes[:, j] = c
                    cols.append({"type": "values", "values": uniq.astype(float)})
                else:
                    edges = np.unique(np.quantile(vals, np.linspace(0, 1, bins + 1)))
                    c = np.searchsorted(edges[1:-1], np.where(ok, x, edges[0]), side="right")
                    codes[:, j] = c
                    n_within = int(getattr(self, "_within_points", None) or _WITHIN)
                    within = np.empty((len(edges) - 1, n_within))
                    for b in range(len(edges) - 1):
                        vb = vals[(c[ok] == b)]
                        within[b] = (
                            np.quantile(vb, np.linspace(0, 1, n_within))
                            if len(vb)
                            else np.linspace(edges[b], edges[b + 1], n_within)
                        )
                    cols.append({"type": "bins", "within": within})
        return codes, cols

    @staticmethod
    def _card(col) -> int:
        return len(col["values"]) if col["type"] in ("category", "values") else len(col["within"])

    # ------------------------------------------------------------------ fit
    #: privacy-check levels (parents at most, bins at most, pseudo-rows of the column's marginal added to each
    #: table row): one parent first, as it cost the least quality on the shared tables
    PRIVACY_LEVELS = ((None, None, 0.0), (1, None, 0.0), (1, 10, 0.0), (1, 10, 1.0), (1, 5, 4.0))

    def _privacy_levels(self):
        if self.epsilon is not None:  # differentially private already: its noise is the protection
            return []
        return [{"_degree_cap": d, "_bins_cap": b, "_table_smoothing": a} for d, b, a in self.PRIVACY_LEVELS]

    def _fit(self, X, names, kinds):
        codes, cols = self._discretize(X, kinds)
        d = codes.shape[1]
        if d == 0:  # nothing to learn (only ids, text, PII)
            self._order, self._parents, self._tables, self._cols, self._cards = [], [], [], [], []
            return
        cards = [self._card(c) for c in cols]
        private = self.epsilon is not None
        cap = getattr(self, "_degree_cap", None)
        degree = self.degree if cap is None else min(self.degree, cap)
        order, parents, rng = learn_structure(codes, cards, degree, self.epsilon)
        alpha = float(getattr(self, "_table_smoothing", 0.0))
        tables = []
        for a in order:
            par = parents[a]
            pc = [cards[p] for p in par]
            n_conf = int(np.prod(pc)) if par else 1
            idx = np.zeros(len(codes), dtype=np.int64)
            for p in par:
                idx = idx * cards[p] + codes[:, p]
            counts = np.zeros((n_conf, cards[a]))
            np.add.at(counts, (idx, codes[:, a]), 1.0)
            if private:
                # Laplace mechanism: the tables share epsilon / 2; one record changes two counts
                scale = 2.0 * d / (self.epsilon / 2)
                counts = np.clip(counts + rng.laplace(0.0, scale, counts.shape), 0.0, None)
            # configurations never seen fall back to the column's marginal
            marginal = counts.sum(axis=0) + 1e-9
            if alpha:  # the privacy check's smoothing: alpha rows of the marginal in every configuration
                counts = counts + alpha * marginal / marginal.sum()
            empty = counts.sum(axis=1) == 0
            counts[empty] = marginal
            tables.append(counts / counts.sum(axis=1, keepdims=True))
        self._order, self._parents = order, [parents[a] for a in order]
        self._tables, self._cols, self._cards = tables, cols, cards

    # ------------------------------------------------------------------ sample
    def _sample(self, num_rows, rng):
        d = len(self._cols)
        codes = np.zeros((num_rows, d), dtype=np.int64)
        for a, par, table in zip(self._order, self._parents, self._tables):
            idx = np.zeros(num_rows, dtype=np.int64)
            for p in par:
                idx = idx * self._cards[p] + codes[:, p]
            # one searchsorted over all configurations: row r of the cumulative table spans [r, r + 1]
            k = table.shape[1]
            cum = np.cumsum(table, axis=1)
            cum = cum / cum[:, -1:]
            flat = (cum + np.arange(table.shape[0])[:, None]).ravel()
            target = idx + rng.random(num_rows) * (1 - 1e-12)
            pos = np.searchsorted(flat, target, side="right")
            codes[:, a] = (pos - idx * k).clip(0, k - 1)
        return self._decode(codes, rng)

    def _decode(self, codes, rng):
        num_rows, d = codes.shape
        X = np.empty((num_rows, d))
        for j, col in enumerate(self._cols):
            if col["type"] in ("category", "values"):
                X[:, j] = col["values"][codes[:, j]]
            else:
                w = col["within"]
                pos = rng.random(num_rows) * (w.shape[1] - 1)
                lo = np.floor(pos).astype(np.int64)
                frac = pos - lo
                row = w[codes[:, j]]
                X[:, j] = (
                    row[np.arange(num_rows), lo] * (1 - frac)
                    + row[np.arange(num_rows), np.minimum(lo + 1, w.shape[1] - 1)] * frac
                )
        return X

    # ------------------------------------------------------------------ conditioning
    def _condition_spec(self, known):
        """Known values as codes of their bins or categories (likelihood weighting in _sample_given)."""
        from ..errors import ConstraintError

        from ._encoding import code_of

        values = self._known_outputs(known)
        outputs = self._transformer.output_specs
        spec = {}
        for j, x in values.items():
            col = self._cols[j]
            if col["type"] == "category":
                spec[j] = code_of(outputs[j], x)
            elif col["type"] == "values":
                k = int(np.searchsorted(col["values"], x))
                if k >= len(col["values"]) or not np.isclose(col["values"][k], x):
                    raise ConstraintError(
                        f"impossible condition: {self._transformer.output_names[j]}={x!r} was never seen in the real data"
                    )
                spec[j] = k
            else:
                w = col["within"]
                edges = np.concatenate([w[:, 0], [w[-1, -1]]])
                if not edges[0] - 1e-9 <= x <= edges[-1] + 1e-9:
                    raise ConstraintError(
                        f"impossible condition: {self._transformer.output_names[j]}={x!r} is outside the learned range"
                    )
                spec[j] = int(np.clip(np.searchsorted(edges[1:-1], x, side="right"), 0, len(w) - 1))
        return spec

    def _sample_given(self, num_rows, rng, given):
        """Likelihood weighting: conditioned columns take their code, every row is weighted by the
        probability of those codes given its parents, and rows are resampled by weight."""
        from ..errors import ConstraintError

        d = len(self._cols)
        m = num_rows * 8
        codes = np.zeros((m, d), dtype=np.int64)
        logw = np.zeros(m)
        for a, par, table in zip(self._order, self._parents, self._tables):
            idx = np.zeros(m, dtype=np.int64)
            for p in par:
                idx = idx * self._cards[p] + codes[:, p]
            if a in given:
                codes[:, a] = given[a]
                with np.errstate(divide="ignore"):
                    logw += np.log(table[idx, given[a]])
                continue
            k = table.shape[1]
            cum = np.cumsum(table, axis=1)
            cum = cum / cum[:, -1:]
            flat = (cum + np.arange(table.shape[0])[:, None]).ravel()
            pos = np.searchsorted(flat, idx + rng.random(m) * (1 - 1e-12), side="right")
            codes[:, a] = (pos - idx * k).clip(0, k - 1)
        if not np.isfinite(logw).any():
            raise ConstraintError(
                "impossible condition: the model gives the conditioned values zero probability together"
            )
        w = np.exp(logw - logw[np.isfinite(logw)].max())
        keep = rng.choice(m, size=num_rows, p=w / w.sum())
        return self._decode(codes[keep], rng)

    # ------------------------------------------------------------------ state
    def _get_model_state(self):
        return {
            "order": self._order,
            "parents": self._parents,
            "tables": self._tables,
            "cols": self._cols,
            "cards": self._cards,
        }

    def _set_model_state(self, st):
        self._order = [int(a) for a in st["order"]]
        self._parents = [[int(p) for p in ps] for ps in st["parents"]]
        self._cards = [int(c) for c in st["cards"]]
        d = len(self._cards)
        if sorted(self._order) != list(range(d)) or len(self._parents) != d:
            raise ModelFileError("model file: Bayesian network order is not a permutation")
        if any(c < 1 for c in self._cards) or len(st["cols"]) != d or len(st["tables"]) != d:
            raise ModelFileError("model file: Bayesian network sizes are inconsistent")
        self._cols = []
        for j, c in enumerate(st["cols"]):
            if c["type"] in ("category", "values"):
                v = np.asarray(c["values"], dtype=float)
                if v.ndim != 1 or not np.all(np.isfinite(v)) or (np.diff(v) <= 0).any():
                    raise ModelFileError(
                        f"model file: Bayesian network values of output {j} are not finite and increasing"
                    )
                self._cols.append({"type": c["type"], "values": v})
            elif c["type"] == "bins":
                w = np.asarray(c["within"], dtype=float)
                if w.ndim != 2 or w.shape[1] < 2 or not np.all(np.isfinite(w)) or (np.diff(w, axis=1) < 0).any():
                    raise ModelFileError(
                        f"model file: Bayesian network bins of output {j} are not finite and increasing"
                    )
                self._cols.append({"type": "bins", "within": w})
            else:
                raise ModelFileError(f"model file: unknown column type {c['type']!r}")
        self._tables = []
        placed = set()
        for a, par, t in zip(self._order, self._parents, st["tables"]):
            t = np.asarray(t, dtype=float)
            n_conf = math.prod(self._cards[p] for p in par) if par else 1
            if (
                any(p not in placed for p in par)
                or t.shape != (n_conf, self._cards[a])
                or not np.all(np.isfinite(t))
                or (t < 0).any()
            ):
                raise ModelFileError("model file: Bayesian network tables are inconsistent")
            if (np.abs(t.sum(axis=1) - 1.0) > 1e-6).any():
                raise ModelFileError(
                    f"model file: the Bayesian network table of output {a} has rows that do not sum to 1"
                )
            if self._card(self._cols[a]) != self._cards[a]:
                raise ModelFileError("model file: Bayesian network column sizes are inconsistent")
            placed.add(a)
            self._tables.append(t)
        outputs = self._transformer.output_specs  # restored before the model
        if len(outputs) == d and any(
            (c["type"] == "category") != o.is_category or (o.is_category and len(c["values"]) != o.n_categories)
            for c, o in zip(self._cols, outputs)
        ):
            raise ModelFileError(
                "model file: the Bayesian network's categories do not match its categorical transforms"
            )


def learn_structure(codes: np.ndarray, cards: list, degree: int, epsilon=None):
    """The greedy PrivBayes order and parents of the columns of ``codes`` (on up to 50,000 rows).

    Returns ``(order, parents, rng)``; with ``epsilon`` (a privacy budget) the choice is the
    exponential mechanism over fresh entropy, and ``rng`` goes on to noise the tables.
    """
    d = codes.shape[1]
    sample = (
        codes if len(codes) <= 50_000 else codes[np.random.default_rng(0).choice(len(codes), 50_000, replace=False)]
    )
    # pairwise mutual information guides the greedy parent choice
    mi = np.zeros((d, d))
    for a in range(d):
        for b in range(a + 1, d):
            mi[a, b] = mi[b, a] = _mutual_information(sample[:, a], sample[:, b : b + 1], cards[a], [cards[b]])
    private = epsilon is not None
    # with a budget the randomness must be secret: fresh entropy, never a fixed seed
    rng = np.random.default_rng() if private else np.random.default_rng(0)
    n = len(sample)
    # sensitivity of mutual information to one record (PrivBayes, Lemma 4.1)
    mi_sensitivity = 2.0 / n * np.log((n + 1) / 2.0) + (n - 1.0) / n * np.log((n + 1.0) / max(n - 1.0, 1.0))
    eps_structure = epsilon / 2 / max(d - 1, 1) if private else None
    first = int(rng.integers(0, d)) if private else (int(np.argmax(mi.sum(axis=1))) if d > 1 else 0)
    order, parents = [first], {first: []}
    rest = [j for j in range(d) if j != first]
    while rest:
        cands, scores = [], []
        for a in rest:
            cand = sorted(order, key=lambda p: -mi[a, p])[:degree]
            # keep the parent table small: at most ~10,000 parent configurations
            while cand and np.prod([cards[p] for p in cand]) > 10_000:
                cand = cand[:-1]
            score = (
                _mutual_information(sample[:, a], sample[:, cand], cards[a], [cards[p] for p in cand]) if cand else 0.0
            )
            cands.append((a, cand))
            scores.append(score)
        scores = np.asarray(scores)
        if private:  # exponential mechanism over the candidate (column, parents) pairs
            logits = eps_structure * scores / (2 * mi_sensitivity)
            p = np.exp(logits - logits.max())
            pick = int(rng.choice(len(cands), p=p / p.sum()))
        else:
            pick = int(np.argmax(scores))
        best, best_par = cands[pick]
        order.append(best)
        parents[best] = best_par
        rest.remove(best)
    return order, parents, rng
