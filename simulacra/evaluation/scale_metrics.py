"""The metrics of the quality report at scale, from the merged summaries of :mod:`simulacra.evaluation.scale_sums`.

The same definitions, notes and detail tables as :mod:`simulacra.evaluation.quality` (see
:mod:`simulacra.evaluation.scale` for where the numbers come from and how exact they are).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..utils.sketch import BottomKSample, EdgeCounts, PairMoments
from .primitives import tv_counts
from .quality import ASSOCIATION_THRESHOLD, CORRELATION_THRESHOLD, constant_errors
from .scale_sums import codes_of, pair_counts
from .views import CONTINUOUS


def edge_ks(a, b) -> tuple[float, float]:
    """(KS statistic at the edges, its error bound) of two :class:`~simulacra.utils.sketch.EdgeCounts` with the same edges.

    The counts give both empirical CDFs exactly at every edge ``e`` and just below it: ``F(e)`` and
    ``F(e-)``. ``D`` is the largest gap ``|F_a - F_b|`` over these points. Between two consecutive
    edges (and below the first, above the last) each CDF rises by that gap's share of its rows
    (``g_a``, ``g_b``), so for ``x`` in the gap, ``F_a(x) - F_b(x) <= F_a(e_hi-) - F_b(e_lo)``,
    which is at most ``D + g_b`` and also at most ``D + g_a``; the same holds for the other sign.
    Hence ``D <= KS <= D + max over the gaps of min(g_a, g_b)`` (the bound returned; at most the
    largest gap share of either table). With every value an edge the gaps are empty and ``D`` is
    the KS statistic itself, computed as in memory (counts over row counts): bit-for-bit equal.
    NaN when either is empty.
    """
    na, nb = a.n, b.n
    if not na or not nb:
        return np.nan, np.nan
    ca, cb = np.cumsum(a.counts), np.cumsum(b.counts)  # at 2j: rows below edge j; at 2j + 1: at or below it
    ks = float(np.abs(ca / na - cb / nb).max())
    bound = float(np.minimum(a.counts[0::2] / na, b.counts[0::2] / nb).max())
    return ks, bound


def _example(value) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _unreadable_note(c, n, sdtype, label) -> str | None:
    if not n["bad"]:
        return None
    return (
        f"column {c!r}: {n['bad']:,} of {n['bad'] + n['count']:,} {label} values cannot be read as {sdtype} "
        f"(e.g. {_example(n['example'])})"
    )


def aligned_counts(r, s) -> tuple[np.ndarray, np.ndarray, float]:
    """Two :class:`~simulacra.utils.sketch.CategoryCounts` as count arrays over their shared values (missing values left out).

    Values lumped by the category cap are one more value, shared by both; the bound is the
    lumped share of each (0 when neither is capped).
    """
    book = r.counts.index.append(s.counts.index[~s.counts.index.isin(r.counts.index)])
    cr = np.r_[r.counts.reindex(book, fill_value=0).to_numpy(dtype=np.int64), r.other]
    cs = np.r_[s.counts.reindex(book, fill_value=0).to_numpy(dtype=np.int64), s.other]
    bound = sum(x.other / max(x.counts.sum() + x.other, 1) for x in (r, s))
    return cr, cs, float(bound)


def column_shapes(cols, meta, first, second, notes: list):
    """((details, score) of Column Shapes, the KS error bounds, the capped columns); notes are appended to ``notes``.

    A numerical or datetime column's score is ``1 - D`` (:func:`edge_ks`) times its readable share:
    the exact score lies in ``[Score - Error Bound, Score]``.
    """
    rows, bounds, lumped = [], [], []
    for c in cols:
        sdtype = meta[c]["sdtype"]
        if sdtype in CONTINUOUS:
            nr, ns = first[0]["numbers"][c], first[1]["numbers"][c]
            note = _unreadable_note(c, ns, sdtype, "synthetic")
            if nr["count"] and not ns["count"]:
                score, bound = 0.0, 0.0
                note = (
                    f"{note}; it scores 0"
                    if note
                    else f"column {c!r}: the synthetic data has no values (the real data has {nr['count']:,}); it scores 0"
                )
            else:
                ks, bound = edge_ks(*(EdgeCounts.from_state(second[t]["edges"][c]) for t in (0, 1)))
                share = ns["count"] / (ns["count"] + ns["bad"]) if ns["bad"] else 1.0
                score, bound = (1 - ks) * share, bound * share
                note = f"{note}; they count as not matching" if note else None
                if bound == bound:
                    bounds.append(bound)
            if (rn := _unreadable_note(c, nr, sdtype, "real")) is not None:
                note = "; ".join(x for x in (note, f"{rn}; they are left out") if x)
            rows.append((c, "KSComplement", score, bound, note))
        else:
            r, s = first[0]["counts"][c], first[1]["counts"][c]
            cr, cs, bound = aligned_counts(r, s)
            if r.overflow or s.overflow:
                lumped.append(c)
            score, note = tv_counts(cr, cs), None
            if cr.sum() and not cs.sum():
                score = 0.0
                note = (
                    f"column {c!r}: the synthetic data has no values (the real data has {int(cr.sum()):,}); it scores 0"
                )
            rows.append((c, "TVComplement", score, bound, note))
    df = pd.DataFrame(rows, columns=["Column", "Metric", "Score", "Error Bound", "Note"])
    notes += [n for n in df["Note"] if isinstance(n, str)]
    df = df.drop(columns="Note") if df["Note"].isna().all() else df.assign(Note=df["Note"].fillna(""))
    score = float(df["Score"].mean()) if df["Score"].notna().any() else np.nan
    return (df, score), bounds, lumped


def _pearson_sums(sums: np.ndarray, ss: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson's r of each pair from its sums (as :func:`simulacra.utils.stats.pearson_pairs`)."""
    n, sa, sb, saa, sbb, sab = sums[:6]
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sab - sa * sb / n
        va, vb = saa - sa * sa / n, sbb - sb * sb / n
        r = cov / np.sqrt(va * vb)
    ss = np.maximum(ss, 1e-300)
    r[(n < 2) | (va <= 1e-12 * ss[a]) | (vb <= 1e-12 * ss[b]) | ~np.isfinite(r)] = np.nan
    return np.clip(r, -1.0, 1.0)


def contingency_counts(real, syn, kx: int, ky: int) -> tuple[float, float]:
    """(ContingencySimilarity, real Cramér's V) from two tables' joint counts (dense arrays, or (cells, counts)),
    as :func:`~simulacra.evaluation.pair_metrics.contingency_codes` computes them from codes."""
    if isinstance(real, np.ndarray):
        cells_r, cr = np.flatnonzero(real), real[real > 0]
        nr, ns = real.sum(), syn.sum()
        tvd = 0.5 * np.abs(real / max(nr, 1) - syn / max(ns, 1)).sum()
    else:
        (cells_r, cr), (cells_s, cs) = real, syn
        nr, ns = cr.sum(), cs.sum()
        cells, inv = np.unique(np.concatenate([cells_r, cells_s]), return_inverse=True)
        pr = np.bincount(inv[: len(cells_r)], weights=cr / max(nr, 1), minlength=len(cells))
        ps = np.bincount(inv[len(cells_r) :], weights=cs / max(ns, 1), minlength=len(cells))
        tvd = 0.5 * np.abs(pr - ps).sum()
    rows = np.bincount(cells_r // ky, weights=cr, minlength=kx)
    cols = np.bincount(cells_r % ky, weights=cr, minlength=ky)
    if (rows > 0).sum() < 2 or (cols > 0).sum() < 2:
        return np.nan, np.nan
    expected = rows[cells_r // ky] * cols[cells_r % ky] / nr
    chi2 = float(((cr - expected) ** 2 / expected - expected).sum() + nr)
    k = min((rows > 0).sum(), (cols > 0).sum()) - 1
    return float(1 - tvd), float(np.sqrt(max(chi2, 0.0) / nr / k))


def _correlations(cols, meta, first, second, plan, a, b):
    """(r real, r synthetic, error text, share of readable synthetic rows) of the continuous pairs (a[k], b[k])."""
    names = plan.cont
    if plan.corr == "all":
        rr, rs = (PairMoments.from_state(second[t]["moments"]).correlation()[a, b] for t in (0, 1))
        n_ok = PairMoments.from_state(second[1]["moments"]).n[a, b]
        n_present = second[1]["present"][a, b] if "present" in second[1] else n_ok
    else:
        rr, rs = (_pearson_sums(second[t]["pairs"], second[t]["ss"], a, b) for t in (0, 1))
        n_ok = second[1]["pairs"][0]
        n_present = second[1]["pairs"][6] if second[1]["pairs"].shape[0] > 6 else n_ok
    const_r, const_s = (
        np.array([bool(n["count"] and n["low"] == n["high"]) for n in (first[t]["numbers"][c] for c in names)], bool)
        for t in (0, 1)
    )
    err = constant_errors(const_r, const_s, a, b, names)
    bad = const_r[a] | const_r[b] | const_s[a] | const_s[b]
    rr, rs = np.where(bad, np.nan, rr), np.where(bad, np.nan, rs)
    sc = 1 - np.abs(rr - rs) / 2
    weak = np.array([bool(first[1]["numbers"][c]["bad"] or not first[1]["numbers"][c]["count"]) for c in names], bool)
    hit = np.flatnonzero((weak[a] | weak[b]) & ~bad)
    if len(hit):  # unreadable synthetic values count as not matching, as in memory
        share = np.where(n_present[hit] > 0, n_ok[hit] / np.maximum(n_present[hit], 1), 0.0)
        sc[hit] = np.where(np.isnan(rr[hit]), np.nan, np.where(np.isnan(rs[hit]), 0.0, sc[hit] * share))
    return rr, rs, err, sc


def column_pair_trends(cols, meta, first, second, pairs, plan, pair_threshold: bool, notes: list):
    """(details, score) of Column Pair Trends (the in-memory table, plus a Note on pairs scored on the sample)."""
    first_i, second_i, _ = pairs
    n_pairs = len(first_i)
    pos = {c: i for i, c in enumerate(plan.cont)}
    posarr = np.array([pos.get(c, -1) for c in cols], dtype=np.int64)
    cont = (posarr[first_i] >= 0) & (posarr[second_i] >= 0) if n_pairs else np.zeros(0, bool)
    score, r_real, r_syn, assoc = (np.full(n_pairs, np.nan) for _ in range(4))
    meets = np.zeros(n_pairs, dtype=bool)
    error = np.full(n_pairs, None, dtype=object)
    note = np.full(n_pairs, "", dtype=object)
    if cont.any():
        a, b = posarr[first_i[cont]], posarr[second_i[cont]]
        rr, rs, err, sc = _correlations(cols, meta, first, second, plan, a, b)
        r_real[cont], r_syn[cont], error[cont], score[cont] = rr, rs, err, sc
        with np.errstate(invalid="ignore"):
            meets[cont] = ~np.isnan(rr) & (np.abs(rr) > CORRELATION_THRESHOLD)
    samples = [BottomKSample.from_state(second[t]["sample"]).frame() if "sample" in second[t] else None for t in (0, 1)]
    codes: dict = {}
    for p in np.flatnonzero(~cont):
        c1, c2 = cols[first_i[p]], cols[second_i[p]]
        kx, ky = plan.n_codes[c1], plan.n_codes[c2]
        if (c1, c2) in second[0]["counts"]:
            counts = [second[t]["counts"][(c1, c2)] for t in (0, 1)]
        else:  # too many cells to count: the seeded sample of rows
            for c in (c1, c2):
                if c not in codes:
                    codes[c] = [codes_of(samples[t], plan, t, c) for t in (0, 1)]
            counts = [pair_counts(codes[c1][t], codes[c2][t], kx, ky) for t in (0, 1)]
            note[p] = (
                f"scored on a seeded sample of {len(samples[0]):,} real and {len(samples[1]):,} synthetic rows "
                f"({kx * ky:,} possible cells: too many to count)"
            )
        score[p], assoc[p] = contingency_counts(counts[0], counts[1], kx, ky)
        meets[p] = bool(not np.isnan(assoc[p]) and assoc[p] > ASSOCIATION_THRESHOLD)
    col_names = np.array(cols, dtype=object)
    df = pd.DataFrame(
        {
            "Column 1": col_names[first_i],
            "Column 2": col_names[second_i],
            "Metric": np.where(cont, "CorrelationSimilarity", "ContingencySimilarity").astype(object),
            "Score": score,
            "Real Correlation": r_real,
            "Synthetic Correlation": r_syn,
            "Real Association": assoc,
            "Meets Threshold?": meets,
            "Error": error,
            "Note": note,
        }
    )
    if df["Error"].isna().all():
        df = df.drop(columns="Error")
    if not (df["Note"] != "").any():
        df = df.drop(columns="Note")
    if pair_threshold:
        used = df.loc[df["Meets Threshold?"].astype(bool), "Score"] if len(df) else df["Score"]
    else:
        used = df["Score"]
    return df, float(used.mean()) if used.notna().any() else np.nan
