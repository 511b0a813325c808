"""Shared pieces of the neural synthesizers (CTGAN, TVAE, CopulaGAN): PyTorch loading, the
mode-specific data transformer, weights as plain arrays, seeding, progress."""

from __future__ import annotations

import numpy as np

from ..errors import ModelFileError, ParameterError

MAX_MODES = 10
MODE_WEIGHT_MIN = 0.005
DISCRETE_MAX_VALUES = 20


def require_torch(who: str):
    try:
        import torch
    except ImportError:
        raise ParameterError(
            f"{who} needs PyTorch. Install the CPU build first: pip install torch==2.13.0, "
            "then pip install 'simulacra[torch]'"
        ) from None
    return torch


def device_for(cuda) -> str:
    """The torch device: ``True``/``None`` take the GPU when there is one, else the CPU (as SDV does)."""
    import re

    torch = require_torch("this synthesizer")
    if isinstance(cuda, np.bool_):
        cuda = bool(cuda)
    if cuda is True or cuda is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if cuda is False:
        return "cpu"
    if isinstance(cuda, str) and re.fullmatch(r"cpu|mps|cuda(:[0-9]{1,4})?", cuda):
        if cuda.startswith("cuda") and not torch.cuda.is_available():
            raise ParameterError(f"cuda={cuda!r} was asked for but no CUDA device is available; pass cuda=False")
        return cuda
    raise ParameterError(f"cuda must be True, False or a device name like 'cuda:0' or 'cpu', got {cuda!r}")


class ModeTransformer:
    """CTGAN's data representation, on the synthesizer's float matrix.

    Continuous columns: a variational Gaussian mixture (up to 10 modes); each value becomes the
    one-hot of a mode drawn by its posterior plus its offset from the mode's mean in units of
    four standard deviations, in [-1, 1]. Discrete columns (categories, null indicators, columns
    with at most 20 values, and fewer than one per 20 rows): a one-hot over the learned values.
    """

    def fit(self, M: np.ndarray, discrete: list[bool], rng: np.random.Generator):
        from sklearn.mixture import BayesianGaussianMixture

        self.columns = []
        for j in range(M.shape[1]):
            col = M[:, j]
            vals = col[~np.isnan(col)]
            if len(vals) == 0:
                vals = np.zeros(1)
            uniq = np.unique(vals)
            if discrete[j] or len(uniq) <= min(DISCRETE_MAX_VALUES, max(2, len(vals) // 20)):
                self.columns.append(
                    {
                        "type": "discrete",
                        "values": uniq.astype(float),
                        "freq": np.array([(vals == u).sum() for u in uniq], dtype=float)
                        if len(uniq) < 1000
                        else np.ones(len(uniq)),
                    }
                )
                continue
            sample = vals if len(vals) <= 20_000 else vals[rng.choice(len(vals), 20_000, replace=False)]
            k = int(min(MAX_MODES, len(np.unique(sample))))
            gm = BayesianGaussianMixture(
                n_components=k,
                weight_concentration_prior_type="dirichlet_process",
                weight_concentration_prior=1e-3,
                max_iter=100,
                n_init=1,
                random_state=int(rng.integers(0, 2**31)),
            )
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gm.fit(sample.reshape(-1, 1))
            keep = gm.weights_ > MODE_WEIGHT_MIN
            if not keep.any():
                keep = gm.weights_ == gm.weights_.max()
            self.columns.append(
                {
                    "type": "continuous",
                    "means": gm.means_.ravel()[keep].astype(float),
                    "stds": np.sqrt(gm.covariances_.ravel()[keep]).clip(1e-6).astype(float),
                    "weights": (gm.weights_[keep] / gm.weights_[keep].sum()).astype(float),
                    "fill": float(np.mean(vals)),
                }
            )
        self._spans()
        return self

    def _spans(self):
        self.spans = []  # (start, width, activation, column)
        pos = 0
        for j, c in enumerate(self.columns):
            if c["type"] == "continuous":
                self.spans.append((pos, 1, "tanh", j))
                self.spans.append((pos + 1, len(c["means"]), "softmax", j))
                pos += 1 + len(c["means"])
            else:
                self.spans.append((pos, len(c["values"]), "softmax", j))
                pos += len(c["values"])
        self.dim = pos

    @property
    def discrete_spans(self):
        return [(s, w, j) for s, w, a, j in self.spans if a == "softmax" and self.columns[j]["type"] == "discrete"]

    def transform(self, M: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n = M.shape[0]
        out = np.zeros((n, self.dim), dtype=np.float32)
        pos = 0
        for j, c in enumerate(self.columns):
            x = M[:, j]
            if c["type"] == "continuous":
                x = np.where(np.isnan(x), c["fill"], x)
                mu, sd, w = c["means"], c["stds"], c["weights"]
                logp = -0.5 * ((x[:, None] - mu) / sd) ** 2 - np.log(sd) + np.log(w)
                logp -= logp.max(axis=1, keepdims=True)
                p = np.exp(logp)
                p /= p.sum(axis=1, keepdims=True)
                mode = (p.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1).clip(0, len(mu) - 1)
                out[:, pos] = np.clip((x - mu[mode]) / (4 * sd[mode]), -0.99, 0.99)
                out[np.arange(n), pos + 1 + mode] = 1.0
                pos += 1 + len(mu)
            else:
                vals = c["values"]
                x = np.where(np.isnan(x), vals[0], x)
                idx = np.searchsorted(vals, x).clip(0, len(vals) - 1)
                out[np.arange(n), pos + idx] = 1.0
                pos += len(vals)
        return out

    def inverse(self, D: np.ndarray) -> np.ndarray:
        n = D.shape[0]
        M = np.empty((n, len(self.columns)))
        pos = 0
        for j, c in enumerate(self.columns):
            if c["type"] == "continuous":
                k = len(c["means"])
                mode = D[:, pos + 1 : pos + 1 + k].argmax(axis=1)
                alpha = np.clip(D[:, pos], -1, 1)
                M[:, j] = alpha * 4 * c["stds"][mode] + c["means"][mode]
                pos += 1 + k
            else:
                k = len(c["values"])
                M[:, j] = c["values"][D[:, pos : pos + k].argmax(axis=1)]
                pos += k
        return M

    def get_state(self):
        return {"columns": self.columns}

    @classmethod
    def from_state(cls, st):
        obj = cls()
        obj.columns = []
        for c in st["columns"]:
            if c["type"] == "continuous":
                col = {k: np.asarray(c[k], dtype=float) for k in ("means", "stds", "weights")}
                if not (col["means"].ndim == 1 and len(col["means"]) == len(col["stds"]) == len(col["weights"]) >= 1):
                    raise ModelFileError("model file: mixture sizes differ")
                col.update(type="continuous", fill=float(c["fill"]))
                w = col["weights"]
                if not all(np.all(np.isfinite(col[k])) for k in ("means", "stds", "weights")) or not np.isfinite(
                    col["fill"]
                ):
                    raise ModelFileError(
                        f"model file: the mixture of neural column {len(obj.columns)} holds non-finite values"
                    )
                if (col["stds"] <= 0).any() or (w < 0).any() or abs(float(w.sum()) - 1.0) > 1e-5:
                    raise ModelFileError(
                        f"model file: the mixture of neural column {len(obj.columns)} needs positive spreads and weights summing to 1"
                    )
            elif c["type"] == "discrete":
                col = {
                    "type": "discrete",
                    "values": np.asarray(c["values"], dtype=float),
                    "freq": np.asarray(c["freq"], dtype=float),
                }
                if col["values"].ndim != 1 or len(col["values"]) == 0 or len(col["values"]) != len(col["freq"]):
                    raise ModelFileError("model file: discrete values and frequencies differ")
                v, f = col["values"], col["freq"]
                if (
                    not (np.all(np.isfinite(v)) and np.all(np.isfinite(f)))
                    or (np.diff(v) <= 0).any()
                    or (f < 0).any()
                    or not f.sum() > 0
                ):
                    raise ModelFileError(
                        f"model file: discrete neural column {len(obj.columns)} needs finite increasing values and non-negative frequencies"
                    )
            else:
                raise ModelFileError(f"model file: unknown column type {c['type']!r}")
            obj.columns.append(col)
        obj._spans()
        return obj


def module_state(module) -> dict:
    """A torch module's weights as numpy arrays (float32), keyed by parameter name."""
    return {
        k.replace(".", "__"): v.detach().cpu().numpy().astype(np.float32)
        for k, v in module.state_dict().items()
        if v.dtype.is_floating_point
    }


def check_weights_fit(synth, weights: dict) -> None:
    """Before the modules are built for real: build them on torch's ``meta`` device (no memory)
    from the file's parameters and compare their sizes with the weights the file holds, so that
    an absurd ``embedding_dim`` or layer size is refused instead of allocated."""
    torch = require_torch(type(synth).__name__)
    if not isinstance(weights, dict):
        raise ModelFileError("model file: neural weights must be a mapping")
    saved = synth._device
    synth._device = "meta"
    try:
        with torch.device("meta"):
            synth._build_modules()
        for name, arrays in weights.items():
            module = getattr(synth, "_" + name, None) if isinstance(name, str) else None
            if module is None:
                raise ModelFileError(f"model file: unexpected neural weights {str(name)[:40]!r}")
            if isinstance(module, torch.nn.Module):
                need = sum(v.numel() for v in module.state_dict().values() if v.dtype.is_floating_point)
                have = sum(np.asarray(a).size for a in arrays.values()) if isinstance(arrays, dict) else -1
            else:
                need, have = module.numel(), np.asarray(arrays).size
            if need != have:
                raise ModelFileError(
                    f"model file: its parameters describe a {name} of {need:,} weights but it holds {have:,}; "
                    "the file was edited or crafted"
                )
    finally:
        synth._device = saved
        for name in weights:
            if isinstance(name, str) and hasattr(synth, "_" + name):
                delattr(synth, "_" + name)


def load_module_state(module, arrays: dict) -> None:
    torch = require_torch("this synthesizer")
    current = module.state_dict()
    new = {}
    for k, v in current.items():
        key = k.replace(".", "__")
        if not v.dtype.is_floating_point:
            new[k] = v
            continue
        if key not in arrays:
            raise ModelFileError(f"model file lacks the weights {k!r}")
        arr = np.asarray(arrays[key], dtype=np.float32)
        if tuple(arr.shape) != tuple(v.shape):
            raise ModelFileError(f"model file: weights {k!r} have shape {arr.shape}, expected {tuple(v.shape)}")
        if not np.all(np.isfinite(arr)):
            raise ModelFileError(f"model file: weights {k!r} are not finite")
        new[k] = torch.from_numpy(arr.copy())
    module.load_state_dict(new)


def torch_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**62))
