"""The shared machinery of the neural synthesizers (CTGAN, TVAE, CopulaGAN): fit, sample and save.

A neural synthesizer learns on CTGAN's mode-specific representation (``_neural.ModeTransformer``)
of the encoded matrix, with encoded categories first turned into class codes by their output
specs (``_encoding``). Subclasses build their modules, train and generate; the weights are saved
as arrays in the model file (no pickled modules) and rebuilt on load.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import as_generator
from ..errors import ModelFileError, ParameterError
from ..transforms.spec import OutputKind
from ._neural import (
    ModeTransformer,
    check_weights_fit,
    device_for,
    require_torch,
    torch_seed,
)
from ._params import (
    check_batch_memory,
    check_bool,
    check_int,
    is_out_of_memory,
)
from ._encoding import category_specs, from_codes, to_codes
from .base import BaseSynthesizer


class NeuralSynthesizer(BaseSynthesizer):
    """Shared fit/sample/save machinery of the neural synthesizers.

    With ``privacy_check`` (default True) training is checked every ``epochs // 5`` epochs on a
    seeded 20% of the rows kept out of it (from 1,000 rows on): when the DCR share and the
    membership attack's AUC both pass their limits at two checks in a row, training stops and the weights of the last check
    that passed are kept (``simulacra.synthesizers.privacy_check``; ``get_info()["privacy_check"]``).
    """

    #: the privacy check stops training early (see ``privacy_check.EarlyStop``)
    privacy_early_stopping = True
    #: called after each epoch with its number while the privacy check runs; True stops training
    _epoch_hook = None

    def __init__(
        self,
        metadata,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=None,
        epochs=300,
        batch_size=500,
        embedding_dim=128,
        verbose=False,
        cuda=True,
        *,
        pseudonymize=False,
        pseudonymize_key=None,
        privacy_check=True,
    ):
        require_torch(type(self).__name__)
        super().__init__(
            metadata,
            enforce_min_max_values,
            enforce_rounding,
            locales,
            pseudonymize=pseudonymize,
            pseudonymize_key=pseudonymize_key,
        )
        self.epochs = check_int("epochs", epochs)
        self.batch_size = check_int("batch_size", batch_size)
        self.embedding_dim = check_int("embedding_dim", embedding_dim)
        self.verbose = check_bool("verbose", verbose)
        self.privacy_check = check_bool("privacy_check", privacy_check)
        self.cuda = cuda
        self._device = device_for(cuda)
        self._losses = []

    def get_parameters(self):
        p = super().get_parameters()
        p.update(
            epochs=self.epochs,
            batch_size=self.batch_size,
            embedding_dim=self.embedding_dim,
            verbose=self.verbose,
            privacy_check=self.privacy_check,
            cuda=self.cuda if isinstance(self.cuda, (bool, str)) else True,
        )
        return p

    def get_loss_values(self) -> pd.DataFrame:
        """Losses per epoch (columns: Epoch and one per loss)."""
        self._check_fitted()
        return pd.DataFrame(self._losses)

    # ------------------------------------------------------------------ representation
    def _matrix(self, X, kinds):
        """Encoded categories as class codes (by their output specs), and which outputs are discrete."""
        self._set_categories(category_specs(self._transformer.output_specs))
        discrete = [
            c is not None or k in (OutputKind.DISCRETE, OutputKind.NULL) for c, k in zip(self._cat_specs, kinds)
        ]
        return to_codes(X, self._cat_specs), discrete

    def _set_categories(self, specs) -> None:
        """The category outputs' specs (codes <-> encoded values) and their midpoints (stored in the file)."""
        self._cat_specs = specs
        self._cats = [None if c is None else c.midpoints() for c in specs]

    def _from_matrix(self, M):
        return from_codes(M, self._cat_specs)

    def _marginal_forward(self, M):  # CopulaGAN overrides
        return M

    def _marginal_inverse(self, M):
        return M

    # ------------------------------------------------------------------ fit / sample
    def _fit(self, X, names, kinds):
        torch = require_torch(type(self).__name__)
        rng = as_generator(getattr(self, "_fit_seed", 0))
        self._empty = X.shape[1] == 0  # only ids, text or PII: nothing to train
        if self._empty:
            self._losses, self._mode = [], ModeTransformer.from_state({"columns": []})
            self._set_categories([])
            return
        rows = getattr(self._epoch_hook, "fit_rows", None)
        if rows is not None and len(X) == self._epoch_hook.n_rows:  # the check's rows are kept out of training
            X = X[rows]  # (the transforms saw them)
        elif rows is not None:  # a constraint reshaped the rows: they no longer line up, so no check
            self._epoch_hook.disabled = True
        M, discrete = self._matrix(X, kinds)
        self._fit_marginals(M, discrete, kinds)
        M = self._marginal_forward(M)
        self._mode = ModeTransformer().fit(M, discrete, rng)
        data = self._mode.transform(M, rng)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(torch_seed(rng))
            from .._threads import limit_threads_for

            check_batch_memory(
                type(self).__name__,
                self._batch_rows(len(data)),
                self._activation_floats(data.shape[1]),
                getattr(self, "pac", 1),
            )
            with limit_threads_for(data.size):  # torch threads too, restored afterwards
                try:
                    self._train(data, rng)
                except RuntimeError as e:
                    if not is_out_of_memory(e):
                        raise
                    raise ParameterError(
                        f"{type(self).__name__}: training ran out of memory (batch_size={self.batch_size:,}, {data.shape[1]:,} encoded "
                        f"columns); lower batch_size or the layer sizes{self._dims_hint()}"
                    ) from None

    def _fit_marginals(self, M, discrete, kinds):
        pass

    def _batch_rows(self, n):
        """Rows in one training step (TVAE: at most the table's; CTGAN draws ``batch_size`` with replacement)."""
        return self.batch_size

    def _activation_floats(self, width):  # per row of a batch; the subclasses know their layers
        return width

    def _dims_hint(self):
        return ""

    def _sample(self, num_rows, rng):
        torch = require_torch(type(self).__name__)
        if num_rows == 0 or getattr(self, "_empty", False):
            return np.empty((num_rows, len(self._cats)))
        gen = torch.Generator(device="cpu")
        gen.manual_seed(torch_seed(rng))
        with torch.no_grad():
            D = self._generate(num_rows, gen, rng)
        M = self._mode.inverse(D)
        M = self._marginal_inverse(M)
        return self._from_matrix(M)

    # ------------------------------------------------------------------ state
    def _get_model_state(self):
        if getattr(self, "_empty", False):
            return {"empty": True}
        return {
            "mode": self._mode.get_state(),
            "cats": [None if c is None else c for c in self._cats],
            "weights": self._weights_state(),
            "losses": [{k: float(v) for k, v in row.items()} for row in self._losses],
            "extra": self._extra_state(),
        }

    def _set_model_state(self, st):
        self._empty = bool(st.get("empty", False))
        if self._empty:
            self._losses, self._mode = [], ModeTransformer.from_state({"columns": []})
            self._set_categories([])
            return
        self._mode = ModeTransformer.from_state(st["mode"])
        self._cats = [None if c is None else np.asarray(c, dtype=float) for c in st["cats"]]
        # the transformer is restored before the model; sizes are checked against it after the restore
        self._cat_specs = category_specs(self._transformer.output_specs)
        if len(self._cats) != len(self._mode.columns):
            raise ModelFileError("model file: neural model columns do not match")
        self._losses = list(st.get("losses", []))
        self._set_extra_state(st.get("extra") or {})
        check_weights_fit(self, st["weights"])
        self._build_modules()
        self._load_weights(st["weights"])

    def _extra_state(self):
        return {}

    def _set_extra_state(self, st):
        pass


def adam(torch, params, **kw):
    """Adam with the fused kernel where this torch has it (CPU and CUDA since torch 2.4): the same
    update rule, about 7x faster per step on the discriminator's wide first layer than the default
    per-tensor loop."""
    params = list(params)
    try:
        return torch.optim.Adam(params, fused=True, **kw)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(params, **kw)
