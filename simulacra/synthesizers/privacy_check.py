"""The fit-time privacy check: a synthesizer measures its DCR share on rows it did not learn and regularizes until it is near 0.5.

The *DCR share* is the share of synthetic rows whose closest real row (Gower distance) is a
training row rather than a holdout row, against equal-size samples of both: 0.5 when the model
learned the population, not the people (as mostlyai-qa reports it over all columns;
``evaluate_privacy`` measures it the same way, with :mod:`simulacra.utils.gower`). The check also
runs the membership attack (ROC AUC, 0.5 = chance).

:func:`fit` runs it, after ``protect_rare``'s protection of PII-adjacent columns
(:mod:`.protection`), for two kinds of synthesizer:

- a class that lists regularization *levels* (``_privacy_levels()``: attribute settings, the least
  regularized first; CART: bigger leaves, then wider smoothing; the Bayesian network: one parent,
  fewer bins, smoothed tables). Each level in turn is fitted on folds of the rows (1 to 5 folds of
  ``CHECK_SHARE``, until ``MIN_CHECK_ROWS`` rows are checked), each fold left out of its trial fit
  and sampled against; the first level within both limits is kept (else, of the levels within
  ``STALL_MARGIN`` of the smallest share, the most faithful), and
  the model is fitted at that level on every row;
- a neural synthesizer (``privacy_early_stopping``): one seeded ``CHECK_SHARE`` of the rows is kept
  out of the network's training (the transforms see every row) and checked every ``epochs / 5``
  epochs; a check fails when both measures pass their limits, and two failing checks in a row stop training with the weights of the last check that passed
  (:class:`EarlyStop`), as REaLTabFormer's check does.

The Gaussian copula learns only marginals and one correlation matrix and has no check (measured at
0.47-0.52 on every shared table); the LLM synthesizer runs its own check during training
(``simulacra.generative.train``). A user's ``fit(holdout=)`` rows are kept out of everything,
the check included. ``privacy_info_`` (saved with the model, shown by ``get_info()``) lists each
level tried or check run, its DCR share, membership AUC and column-shape fidelity (1 - the mean
total-variation distance of the columns' binned distributions, synthetic vs training rows), so the
quality a level cost is on record.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConstraintError, ModelFileError, ParameterError
from .._random import as_seed_sequence, tagged_generator
from .protection import adjacent_columns, protect

#: a level is kept when its DCR share is at most this (0.5 is ideal; the margin allows for noise), or at most
#: 0.5 + the share's standard error on few check rows (sqrt(0.25 / rows); 5-fold checks keep it below 0.02
#: from 625 rows on)
DCR_LIMIT = 0.52
#: and its membership-attack AUC at most this (0.5 is chance), or 0.5 + the AUC's standard error on few rows
AUC_LIMIT = 0.54
#: the summary of a check whose trial model could not sample
UNMEASURED = "not measured: a trial model could not sample its rows (see its constraints); fitted as given"
#: share of the rows in a check fold
CHECK_SHARE = 0.2
#: check rows wanted in all: small tables are checked on several folds (up to 5) to get them
MIN_CHECK_ROWS = 2_000
#: tables smaller than this are not checked (too few rows to measure a share)
MIN_ROWS = 50
#: synthetic rows sampled for one check: 4 per check row, at least MIN_SYNTHETIC_ROWS over all its folds, at most
#: MAX_SYNTHETIC_ROWS a fold
MIN_SYNTHETIC_ROWS = 2_000
MAX_SYNTHETIC_ROWS = 8_000
#: check rows measured per fold (and as many training rows, in the equal-size share)
MAX_CHECK_ROWS = 2_000
#: failing checks in a row that stop a neural synthesizer's training
FAILS_TO_STOP = 2
#: a neural synthesizer is checked from this many rows on (fewer: under 200 check rows, too noisy to stop on: an
#: early, collapsed generator lands near a few real rows by chance)
MIN_EARLY_STOP_ROWS = 1_000
#: checks during a neural synthesizer's training (every epochs / this epochs)
CHECKS_PER_FIT = 5
#: training rows the share compares with (it is the mean over every equal-size sample of them)
MAX_REFERENCE_ROWS = 10_000


def split_rows(n: int, holdout, seed) -> np.ndarray | None:
    """Sorted positions of the holdout rows (``holdout``: a share in (0, 1) or a row count), or None."""
    if holdout is None:
        return None
    if isinstance(holdout, bool) or not isinstance(holdout, (int, float, np.integer, np.floating)):
        raise ParameterError(
            f"holdout must be a share of the rows in (0, 1) (e.g. 0.2) or a number of rows, got {holdout!r}"
        )
    if isinstance(holdout, (float, np.floating)):  # a share
        k = int(round(holdout * n)) if 0 < holdout < 1 else -1
    else:  # a row count
        k = int(holdout)
    if not 1 <= k < n:
        raise ParameterError(
            f"holdout={holdout!r} keeps {k} of the {n:,} rows aside; keep at least 1 and leave some to fit "
            "(a share in (0, 1) such as 0.2, or a row count below the table's)"
        )
    rng = tagged_generator(seed, 0x484F4C44)  # "HOLD"
    return np.sort(rng.choice(n, k, replace=False))


def apart(df: pd.DataFrame, positions: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rows of ``df`` not at ``positions``, the rows at ``positions``), both in table order."""
    keep = np.ones(len(df), bool)
    keep[positions] = False
    return df.iloc[np.flatnonzero(keep)], df.iloc[positions]


def within(check: dict, limit: float, auc_limit: float) -> bool:
    """Whether a check's DCR share and membership AUC are both within their limits."""
    return check["dcr_share"] <= limit and check["membership_auc"] <= auc_limit


def fit(synth, data, seed, context_columns, holdout) -> None:
    """Fit ``synth`` on ``data`` (keeping ``holdout`` aside), with the privacy check when it has levels."""

    if seed is None or isinstance(seed, np.random.Generator):  # one SeedSequence for the whole fit: the
        seed = as_seed_sequence(seed)  # trial fits, folds and draws then share it (fresh for None)
    as_seed_sequence(seed)  # a bad seed fails here, before any work
    df = synth._coerce_data(data)
    hold_pos = split_rows(len(df), holdout, seed)
    train, hold = (df, None) if hold_pos is None else apart(df, hold_pos)
    synth.holdout_data_, synth.training_data_ = hold, (None if hold is None else train)
    protection = {}
    if getattr(synth, "protect_rare", False):
        cols = synth.metadata.get_columns(synth._table_name())
        ruled = {str(c) for x in getattr(synth, "_constraints", []) for c in getattr(x, "columns", [])}
        learned = [c for c in cols if c in train.columns and c not in (context_columns or []) and c not in ruled]
        train, protection = protect(train, adjacent_columns(cols, learned), seed)
    synth.privacy_info_ = None
    _fit_checked(synth, train, seed, context_columns)
    if protection:
        synth.privacy_info_ = {**(synth.privacy_info_ or {"levels_tried": []}), "protection": protection}


def _fit_checked(synth, train, seed, context_columns) -> None:
    """Fit ``synth`` on ``train``, checked on folds of it when it has levels or stops early.

    A user's holdout is never the check part: choosing a level (or an epoch) on it would make the
    report's measure on it look better than the model is.
    """
    from . import fitting

    checked = bool(getattr(synth, "privacy_check", False))
    every = synth._privacy_levels()
    _apply(synth, every[0] if every else {})  # as given: no level of an earlier fit stays applied
    levels = every if checked else []
    early = checked and getattr(synth, "privacy_early_stopping", False)
    if (not levels and not early) or len(train) < (MIN_EARLY_STOP_ROWS if early else MIN_ROWS):
        fitting.fit_table(synth, train, seed, context_columns)
        return
    # folds of CHECK_SHARE of the rows: several on small tables, whose one split is noisy
    perm = tagged_generator(seed, 0x464F4C44).permutation(len(train))  # "FOLD"
    k = max(1, int(round(CHECK_SHARE * len(train))))
    n_folds = 1 if early else int(min(round(1 / CHECK_SHARE), max(1, -(-MIN_CHECK_ROWS // k))))
    splits = [apart(train, np.sort(perm[f * k : (f + 1) * k])) for f in range(n_folds)]
    n_check = sum(min(len(c), MAX_CHECK_ROWS) for _, c in splits)
    limit = 0.5 + max(DCR_LIMIT - 0.5, float(np.sqrt(0.25 / n_check)))
    auc_limit = 0.5 + max(AUC_LIMIT - 0.5, float(np.sqrt(1 / (6 * n_check))))  # AUC's null SE, equal sizes
    if early:
        fit_rows = np.sort(perm[k:])  # the rows of splits[0]'s fitting part
        _fit_early_stopping(synth, train, splits[0], fit_rows, seed, context_columns, limit, auc_limit)
        return
    given = synth._learned_given
    if given is None and synth.learn_rules:  # the rules of every row hold on every fold: discovered once
        synth._learned_given = _discovered(synth, train, context_columns)
    try:
        checks = _try_levels(synth, levels, splits, seed, context_columns, limit, auc_limit)
    except BaseException:
        _apply(synth, levels[0])
        raise
    finally:
        synth._learned_given = given
    if checks is None:  # a trial model could not sample (its rules or constraints): no check
        _apply(synth, levels[0])
        fitting.fit_table(synth, train, seed, context_columns)
        synth.privacy_info_ = {"levels_tried": [], "summary": UNMEASURED}
        return
    chosen = checks[-1] if within(checks[-1], limit, auc_limit) else stalled(checks)
    _apply(synth, levels[chosen["level"]])  # the check's level, fitted on every row
    fitting.fit_table(synth, train, seed, context_columns)
    first = checks[0]
    synth.privacy_info_ = {
        "dcr_limit": limit,
        "auc_limit": auc_limit,
        "check_rows": int(n_check),
        "checked_against": f"{len(splits)} seeded fold(s) of {CHECK_SHARE:.0%} of the rows, each left out of a trial fit",
        "levels_tried": checks,
        "level": chosen["level"],
        "settings": chosen["settings"],
        "dcr_share": chosen["dcr_share"],
        "membership_auc": chosen["membership_auc"],
        "passed": within(chosen, limit, auc_limit),
        "fidelity_cost": float(first["fidelity"] - chosen["fidelity"]),
        "summary": _summary(checks, limit, auc_limit, chosen),
    }


def _discovered(synth, train, context_columns):
    """The rules ``fit`` would learn from ``train``, leaving ``context_columns`` alone as fit does (None
    when discovery fails: each fit then reports why)."""
    from ..errors import SimulacraError

    before = synth.context_columns
    synth.context_columns = list(context_columns) if context_columns else None
    try:
        return synth.discover_rules(train)
    except (SimulacraError, TypeError, ValueError):
        return None
    finally:
        synth.context_columns = before


def _try_levels(synth, levels, splits, seed, context_columns, limit, auc_limit) -> list | None:
    """Fit and measure each level on every split until one is within both limits; the checks (None: no sample)."""
    from . import fitting

    checks = []
    for i, level in enumerate(levels):
        _apply(synth, level)
        got = []
        for fit_part, check_part in splits:
            fitting.fit_table(synth, fit_part, seed, context_columns)
            got.append(measure(synth, fit_part, check_part, seed, min_synthetic=MIN_SYNTHETIC_ROWS // len(splits)))
        if any(g is None for g in got):
            return None
        share, auc, fid = (float(v) for v in np.mean(got, axis=0))
        checks.append(
            {"level": i, "settings": _describe(level), "dcr_share": share, "membership_auc": auc, "fidelity": fid}
        )
        if within(checks[-1], limit, auc_limit):
            break
    return checks


class EarlyStop:
    """The epoch hook of a neural synthesizer's training: every ``every`` epochs, the privacy check.

    Called with the epoch number after each epoch; returns True to stop. A failing check stops
    training and restores the weights of the last check that passed (when one did).
    """

    def __init__(self, synth, fit_part, check_part, seed, limit, auc_limit, fit_rows, n_rows):
        self.synth, self.fit_part, self.check_part, self.seed = synth, fit_part, check_part, seed
        self.fit_rows, self.n_rows = fit_rows, n_rows  # the network's rows among the n_rows the transforms see
        self.limit, self.auc_limit = limit, auc_limit
        self.epochs = int(synth.epochs)
        self.every = max(1, self.epochs // CHECKS_PER_FIT)
        self.history: list[dict] = []
        self.snapshot = None
        self.failed = 0
        self.disabled = False
        self.stop_reason = "all epochs ran; no two checks in a row failed"

    def __call__(self, epoch: int) -> bool:
        done = epoch + 1
        if done % self.every and done != self.epochs:
            return False
        got = measure(self.synth, self.fit_part, self.check_part, self.seed) if not self.disabled else None
        if got is None:  # could not sample now (or the rows were reshaped): no check, training goes on
            return False
        share, auc, fid = got
        self.history.append({"epoch": done, "dcr_share": share, "membership_auc": auc, "fidelity": fid})
        # a check fails when both measures do: an early generator's few clumps put the DCR share far
        # from 0.5 either way while the membership attack stays at chance (memorizing moves both)
        if share <= self.limit or auc <= self.auc_limit:
            self.snapshot = (done, _copy_state(self.synth._get_model_state()))
            self.failed = 0
            return False
        self.failed += 1
        if self.failed < FAILS_TO_STOP:  # one noisy check does not stop training
            return False
        if self.snapshot is not None:
            self.synth._set_model_state(self.snapshot[1])
            self.stop_reason = (
                f"the checks up to epoch {done} failed (DCR share {share:.3f}, membership AUC {auc:.3f}); "
                f"kept the weights of epoch {self.snapshot[0]}"
            )
        else:
            self.stop_reason = f"the first {FAILS_TO_STOP} checks (to epoch {done}) failed (DCR share {share:.3f}, membership AUC {auc:.3f})"
        return True


def _copy_state(state):
    if isinstance(state, dict):
        return {k: _copy_state(v) for k, v in state.items()}
    if isinstance(state, list):
        return [_copy_state(v) for v in state]
    return np.array(state, copy=True) if isinstance(state, np.ndarray) else state


def _fit_early_stopping(synth, train, split, fit_rows, seed, context_columns, limit, auc_limit) -> None:
    """Train once, checked every few epochs (:class:`EarlyStop`) on the check part of ``split``.

    The transforms (ranges, categories) learn every row of ``train``; the network learns the rows
    at ``fit_rows``.
    """
    from . import fitting

    fit_part, check_part = split
    hook = EarlyStop(synth, fit_part, check_part, seed, limit, auc_limit, fit_rows, len(train))
    synth._epoch_hook = hook
    try:
        fitting.fit_table(synth, train, seed, context_columns)
    finally:
        synth._epoch_hook = None
    if not hook.history:  # nothing to learn, or no check could sample: nothing to report
        synth.privacy_info_ = None
        return
    last = hook.history[-1]
    kept = hook.snapshot[0] if hook.snapshot and hook.stop_reason.startswith("the checks") else None
    chosen = next((h for h in hook.history if h["epoch"] == kept), last) if kept else last
    synth.privacy_info_ = {
        "dcr_limit": limit,
        "auc_limit": auc_limit,
        "check_rows": int(min(len(check_part), MAX_CHECK_ROWS)),
        "checked_against": f"a seeded {CHECK_SHARE:.0%} of the rows, kept out of training (the model learned the other {len(fit_part):,})",
        "early_stopping": hook.history,
        "levels_tried": [],
        "epochs_run": int(kept or last["epoch"]),
        "dcr_share": chosen["dcr_share"],
        "membership_auc": chosen["membership_auc"],
        "passed": bool(chosen["dcr_share"] <= limit or chosen["membership_auc"] <= auc_limit),
        "summary": f"early stopping on the privacy check: {hook.stop_reason}",
    }


#: when no level meets the limits: levels within this of the smallest DCR share count as equal
STALL_MARGIN = 0.005


def stalled(checks: list) -> dict:
    """The level kept when none met the limits: among those within ``STALL_MARGIN`` of the smallest
    DCR share, the most faithful (more smoothing that no longer lowers the share only costs quality)."""
    low = min(c["dcr_share"] for c in checks)
    return max((c for c in checks if c["dcr_share"] <= low + STALL_MARGIN), key=lambda c: c["fidelity"])


def reset(synth) -> None:
    """Every regularization attribute back to its as-given level (before a fit that is not checked)."""
    every = synth._privacy_levels()
    _apply(synth, every[0] if every else {})


def _apply(synth, level: dict) -> None:
    for k, v in level.items():
        setattr(synth, k, v)


def _describe(level: dict) -> str:
    return ", ".join(f"{k.lstrip('_')}={v}" for k, v in level.items()) or "as given"


def _summary(checks, limit: float, auc_limit: float, c: dict) -> str:
    a = checks[0]
    if len(checks) == 1:
        return (
            f"DCR share {c['dcr_share']:.3f} (at most {limit:.3f}), membership AUC {c['membership_auc']:.3f} "
            f"(at most {auc_limit:.3f}): no regularization needed"
        )
    verdict = (
        "met"
        if within(c, limit, auc_limit)
        else "not met; kept the level with the smallest share (the most faithful of those within 0.005)"
    )
    return (
        f"DCR share {a['dcr_share']:.3f} -> {c['dcr_share']:.3f}, membership AUC {a['membership_auc']:.3f} -> "
        f"{c['membership_auc']:.3f} with {c['settings']} (limits {limit:.3f} and {auc_limit:.3f} {verdict}); "
        f"column-shape fidelity {a['fidelity']:.3f} -> {c['fidelity']:.3f}"
    )


def learned_kinds(synth) -> dict:
    """``{column: "num" | "cat"}`` of the learned columns as sampled (faked PII, ids and generated text left out)."""
    cols = synth.metadata.get_columns(synth._table_name())
    generated = set(synth._transformer.generated_columns)
    out = {}
    for c in synth._columns:
        sd = cols.get(c, {}).get("sdtype")
        if c in generated or sd in ("id", "text") or sd is None:
            continue
        out[c] = "num" if sd in ("numerical", "datetime") else "cat"
    return out


def measure(
    synth, train: pd.DataFrame, check: pd.DataFrame, seed, min_synthetic: int = MIN_SYNTHETIC_ROWS
) -> tuple[float, float, float] | None:
    """(DCR share, membership AUC, column-shape fidelity), or None when the model could not sample, of ``synth``'s samples against ``train`` (learned) and ``check`` (not)."""
    from ..utils.gower import FrameEncoder, equal_size_dcr_share, membership_auc, nearest

    rng = tagged_generator(seed, 0x44435221)
    kinds = learned_kinds(synth)
    if not kinds:
        return 0.5, 0.5, 1.0
    m = min(len(check), len(train), MAX_CHECK_ROWS)
    H = check.iloc[np.sort(rng.choice(len(check), m, replace=False))] if len(check) > m else check
    synth._fitted = True
    fills, synth._text_fills = getattr(synth, "_text_fills", None), {}  # text columns are not measured: not written
    try:
        # many synthetic rows: the share's noise is then the check rows', not the sample's
        syn = synth.sample(
            min(MAX_SYNTHETIC_ROWS, max(4 * m, min_synthetic)), seed=int(rng.integers(2**62)), show_progress=False
        )
    except ConstraintError:
        return None
    finally:
        synth._fitted = False
        synth._text_fills = fills
    enc = FrameEncoder(train, kinds)
    big = len(train) > MAX_REFERENCE_ROWS
    T = enc.encode(train.iloc[np.sort(rng.choice(len(train), MAX_REFERENCE_ROWS, replace=False))] if big else train)
    He, S = enc.encode(H), enc.encode(syn)
    share = equal_size_dcr_share(T, He, S)
    auc = membership_auc(nearest(S, T, k=1)[:, 0], nearest(S, He, k=1)[:, 0])
    return share, auc, fidelity(train, syn, kinds)


def fidelity(real: pd.DataFrame, syn: pd.DataFrame, kinds: dict) -> float:
    """1 - the mean total-variation distance of the columns (numbers in 20 quantile bins of ``real``)."""
    from ..utils.gower import labels_of, numbers_of

    tvs = []
    for c, k in kinds.items():
        if k == "num":
            r, s = numbers_of(real[c]), numbers_of(syn[c])
            edges = np.unique(np.nanquantile(r, np.linspace(0, 1, 21))) if np.isfinite(r).any() else np.array([0.0])

            def hist(v):
                b = np.where(np.isnan(v), -1, np.searchsorted(edges[1:-1], v, side="right"))
                return pd.Series(b).value_counts(normalize=True)
        else:
            r, s = labels_of(real[c]), labels_of(syn[c])

            def hist(v):
                return pd.Series(v).astype(str).value_counts(normalize=True)

        a, b = hist(r), hist(s)
        tvs.append(0.5 * float(a.sub(b, fill_value=0).abs().sum()))
    return float(1 - np.mean(tvs)) if tvs else 1.0


#: limits of a model file's privacy_check entry
MAX_INFO_ITEMS = 200
MAX_INFO_TEXT = 2_000


def check_info(info):
    """A model file's ``privacy_check`` entry, checked: objects and lists of numbers, texts and flags,
    at most two levels deep and of bounded size (None when absent)."""
    if info is None:
        return None

    def ok(v, depth):
        if isinstance(v, bool) or v is None or isinstance(v, (int, float)):
            return True
        if isinstance(v, str):
            return len(v) <= MAX_INFO_TEXT
        if depth >= 3:
            return False
        if isinstance(v, list):
            return len(v) <= MAX_INFO_ITEMS and all(ok(x, depth + 1) for x in v)
        if isinstance(v, dict):
            return len(v) <= MAX_INFO_ITEMS and all(isinstance(k, str) and ok(x, depth + 1) for k, x in v.items())
        return False

    shapes = {"levels_tried": list, "early_stopping": list, "protection": dict, "summary": str, "settings": str}
    bad = not isinstance(info, dict) or not isinstance(info.get("levels_tried"), list) or not ok(info, 0)
    bad = bad or any(k in info and not isinstance(info[k], t) for k, t in shapes.items())
    bad = bad or any(not isinstance(x, dict) for k in ("levels_tried", "early_stopping") for x in info.get(k, []))
    bad = bad or any(not isinstance(x, dict) for x in info.get("protection", {}).values())
    if bad:
        raise ModelFileError(
            "model file: privacy_check must be an object of levels_tried (a list of objects), texts and numbers"
        )
    return info
