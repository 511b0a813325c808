"""Checks a loaded model file must pass before anything is allocated or sampled from it.

A model file's checksum proves nothing about its author (anyone can recompute a SHA-256), so
the parameters are checked for type and range before a synthesizer is built from them (an
absurd ``embedding_dim`` must not reach ``torch.nn.Linear``), and the restored state is checked
for meaning (see each synthesizer's ``_set_model_state`` and each transform's ``set_state``),
and for consistency with the metadata stored beside it. Every failure is a ModelFileError that
says what is wrong.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ModelFileError
from ..utils.validation import is_int

#: integer parameters: (smallest, largest) a model file may hold
INT_RANGES = {
    "epochs": (1, 1_000_000),
    "batch_size": (1, 1_000_000),  # rows per step: more than a million rows per batch is a mistake, not a setting
    "embedding_dim": (1, 65_536),
    "pac": (1, 4_096),
    "discriminator_steps": (1, 10_000),
    "degree": (0, 64),
    "max_bins": (2, 1_000_000),
    "min_samples_leaf": (1, 2**31),
    "max_depth": (1, 100_000),
}
#: layer-size parameters of the neural synthesizers
DIM_PARAMS = ("generator_dim", "discriminator_dim", "compress_dims", "decompress_dims")
MAX_LAYERS = 64
MAX_LAYER_SIZE = 65_536
MAX_TEXT = 10_000


def _bad(where, name, value, expected) -> ModelFileError:
    return ModelFileError(
        f"{where}: parameter {name}={str(value)[:60]} is invalid ({expected}); the file was edited or crafted"
    )


def check_parameters(params: dict, where: str) -> None:
    """Type and range of every parameter in a model file, before the synthesizer is built."""
    for name, v in params.items():
        if name in INT_RANGES:
            lo, hi = INT_RANGES[name]
            if v is None and name in ("max_depth", "epochs"):  # None: no limit / the default (LLM)
                continue
            if not is_int(v) or not lo <= v <= hi:
                raise _bad(where, name, v, f"an integer from {lo:,} to {hi:,}")
        elif name in DIM_PARAMS:
            if not isinstance(v, list) or not 1 <= len(v) <= MAX_LAYERS:
                raise _bad(where, name, v, f"a list of 1 to {MAX_LAYERS} layer sizes")
            for d in v:
                if not is_int(d) or not 1 <= d <= MAX_LAYER_SIZE:
                    raise _bad(where, name, v, f"layer sizes from 1 to {MAX_LAYER_SIZE:,}")
        else:
            _check_plain(name, v, where)


def _check_plain(name, v, where, depth=0) -> None:
    if v is None or isinstance(v, bool):
        return
    if isinstance(v, int):
        if abs(v) > 2**53:
            raise _bad(where, name, v, "an integer of at most 2**53")
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise _bad(where, name, v, "a finite number")
    elif isinstance(v, str):
        if len(v) > MAX_TEXT:
            raise _bad(where, name, v[:20] + "...", f"text of at most {MAX_TEXT:,} characters")
    elif isinstance(v, (list, dict)) and depth < 2:
        items = v.values() if isinstance(v, dict) else v
        if len(v) > 100_000:
            raise _bad(where, name, f"<{len(v)} items>", "at most 100,000 items")
        for x in items:
            _check_plain(name, x, where, depth + 1)
    else:
        raise _bad(where, name, v, "a plain value")


def check_correlation(corr: np.ndarray, what: str = "correlation matrix", psd: bool = True) -> None:
    """Finite, symmetric, unit diagonal, entries in [-1, 1], positive semi-definite."""
    if corr.size == 0:
        return
    if not np.all(np.isfinite(corr)):
        raise ValueError(f"the {what} holds non-finite values")
    if not np.allclose(corr, corr.T, atol=1e-10):
        raise ValueError(f"the {what} is not symmetric")
    if not np.allclose(np.diag(corr), 1.0, atol=1e-8):
        raise ValueError(f"the {what} does not have a unit diagonal")
    if (np.abs(corr) > 1 + 1e-10).any():
        raise ValueError(f"the {what} has entries outside [-1, 1]")
    if psd and np.linalg.eigvalsh((corr + corr.T) / 2).min() < -1e-8:
        raise ValueError(f"the {what} is not positive semi-definite")


def check_restored(obj, where: str) -> None:
    """The restored synthesizer agrees with its own metadata: columns, transforms and sizes."""
    from ..constraints import MissingCustom

    meta = obj.metadata.get_columns(obj._table_name())
    if obj._columns != list(meta):
        raise ModelFileError(
            f"{where}: the model's columns do not match its metadata ({_column_difference(obj, meta)})"
        )
    if not is_int(obj.fitted_rows) or obj.fitted_rows < 0:
        raise ModelFileError(f"{where}: invalid fitted_rows {obj.fitted_rows!r}")
    for c in obj._constraints:
        read = (c.saved_columns or []) if isinstance(c, MissingCustom) else c.columns
        unknown = [x for x in read if x not in meta]
        if unknown:
            raise ModelFileError(
                f"{where}: constraint {str(c)[:120]} reads column(s) {', '.join(map(repr, unknown[:5]))} "
                "that are not in the model's columns"
            )
    if any(isinstance(c, MissingCustom) for c in obj._constraints):
        return  # a custom constraint may reshape the columns in ways only its code knows
    cols = dict(meta)
    try:
        for c in obj._constraints if obj.model_input == "matrix" else ():  # the values path learns real columns
            cols = c.transform_columns(cols)
    except Exception as e:  # noqa: BLE001 - a constraint that cannot apply to these columns
        raise ModelFileError(f"{where}: the model's constraints do not fit its metadata ({e})") from None
    problem = obj._transformer.metadata_mismatch(cols)
    if problem:
        raise ModelFileError(f"{where}: {problem}")
    _check_model_sizes(obj, where)


def _column_difference(obj, meta) -> str:
    """What differs between the model's columns and its metadata's: the names on one side only, or the order."""
    ours, theirs = list(obj._columns), list(meta)
    only_model = [c for c in ours if c not in meta][:5]
    only_meta = [c for c in theirs if c not in set(ours)][:5]
    parts = []
    if only_model:
        parts.append(f"only in the model: {only_model}")
    if only_meta:
        parts.append(f"only in the metadata: {only_meta}")
    if not parts:
        twice = sorted({c for c in ours if ours.count(c) > 1})[:5] if len(ours) != len(set(ours)) else []
        parts.append(f"repeated in the model: {twice}" if twice else f"in another order, from {ours[0]!r}")
    return "; ".join(parts)


def _check_model_sizes(obj, where: str) -> None:
    """Each family's learned state has one entry per transformed output, in agreement with the transforms."""
    from ..transforms.base import OUTPUT_KINDS
    from ._encoding import category_midpoints

    tr = obj._transformer
    names, kinds = tr.output_names, tr.output_kinds
    d = len(names)
    sizes = {
        "cart": lambda: len(obj._order),
        "bayesian_network": lambda: len(obj._cards),
        "gaussian_copula": lambda: len(obj._names),
    }
    if obj.name in sizes and sizes[obj.name]() != d:
        raise ModelFileError(f"{where}: the model learned {sizes[obj.name]()} outputs but its transforms make {d}")
    if obj.name == "gaussian_copula":
        if obj._kinds != kinds or not set(kinds) <= OUTPUT_KINDS:
            raise ModelFileError(f"{where}: the copula's output kinds do not match its transforms")
        for name, kind, m in zip(obj._names, obj._kinds, obj._marginals):
            if (m is None) != (kind == "uniform01"):
                raise ModelFileError(
                    f"{where}: output {name!r} ({kind}) {'lacks' if m is None else 'has'} a marginal distribution"
                )
        corr = getattr(obj, "_correlation", None)
        if isinstance(corr, np.ndarray) and corr.ndim == 2:
            try:
                check_correlation(corr, psd=False)  # positive definiteness: the Cholesky factor on restore
            except ValueError as e:
                raise ModelFileError(f"{where}: {e}") from None
    cats = getattr(obj, "_cats", None)
    if cats is not None and not getattr(obj, "_empty", False):
        expected = category_midpoints(tr)
        if len(cats) != d or any(
            (a is None) != (b is None) or (a is not None and (a.shape != b.shape or not np.allclose(a, b)))
            for a, b in zip(cats, expected)
        ):
            raise ModelFileError(f"{where}: the model's category codes do not match its categorical transforms")
    marginals = getattr(obj, "_marginals", None)
    if obj.name == "copulagan" and not getattr(obj, "_empty", False) and (marginals is None or len(marginals) != d):
        raise ModelFileError(f"{where}: the CopulaGAN marginals do not match its {d} outputs")
