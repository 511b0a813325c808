"""CopulaGAN: CTGAN on normal scores (PyTorch, optional extra ``simulacra[torch]``).

:class:`CopulaGANSynthesizer` maps the continuous outputs through learned marginals (the Gaussian
copula's distributions, :mod:`~simulacra.synthesizers.univariate`) to normal scores, and learns
those with CTGAN. Same constructor names as SDV.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..errors import ParameterError
from ..transforms.spec import OutputKind
from . import univariate
from .ctgan import CTGANSynthesizer


class CopulaGANSynthesizer(CTGANSynthesizer):
    """CTGAN on normal scores: numerical columns first pass through learned marginals
    (``numerical_distributions`` / ``default_distribution``, as in the Gaussian copula)."""

    name = "copulagan"

    def __init__(
        self,
        metadata,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=None,
        numerical_distributions=None,
        default_distribution=None,
        epochs=300,
        batch_size=500,
        embedding_dim=128,
        generator_dim=(256, 256),
        discriminator_dim=(256, 256),
        generator_lr=2e-4,
        generator_decay=1e-6,
        discriminator_lr=2e-4,
        discriminator_decay=1e-6,
        discriminator_steps=1,
        pac=10,
        log_frequency=True,
        verbose=False,
        cuda=True,
        *,
        pseudonymize=False,
        pseudonymize_key=None,
        privacy_check=True,
    ):
        super().__init__(
            metadata,
            enforce_min_max_values,
            enforce_rounding,
            locales,
            epochs,
            batch_size,
            embedding_dim,
            generator_dim,
            discriminator_dim,
            generator_lr,
            generator_decay,
            discriminator_lr,
            discriminator_decay,
            discriminator_steps,
            pac,
            log_frequency,
            verbose,
            cuda,
            pseudonymize=pseudonymize,
            pseudonymize_key=pseudonymize_key,
            privacy_check=privacy_check,
        )
        self.default_distribution = univariate.canonical(default_distribution or "beta")
        if numerical_distributions is not None and not isinstance(numerical_distributions, dict):
            raise ParameterError(
                f"numerical_distributions must be a dict {{column: distribution}}, got {numerical_distributions!r}"
            )
        cols = self.metadata.get_columns()
        nd = {}
        for col, dist in (numerical_distributions or {}).items():
            if col not in cols:
                raise ParameterError(f"numerical_distributions names column {col!r}, which is not in the metadata")
            nd[col] = univariate.canonical(dist)
        self.numerical_distributions = nd

    def get_parameters(self):
        p = super().get_parameters()
        p.update(
            numerical_distributions=dict(self.numerical_distributions), default_distribution=self.default_distribution
        )
        return p

    def _fit_marginals(self, M, discrete, kinds):
        names = self._transformer.output_names
        self._marginals = []
        for j in range(M.shape[1]):
            if discrete[j] or kinds[j] != OutputKind.CONTINUOUS:
                self._marginals.append(None)
                continue
            vals = M[~np.isnan(M[:, j]), j]
            dist = univariate.fit_distribution(
                self.numerical_distributions.get(names[j], self.default_distribution), vals
            )
            self._marginals.append(dist)

    def _marginal_forward(self, M):
        M = M.copy()
        for j, d in enumerate(self._marginals):
            if d is not None:
                ok = ~np.isnan(M[:, j])
                M[ok, j] = special.ndtri(np.clip(d.cdf(M[ok, j]), 1e-6, 1 - 1e-6))
        return M

    def _marginal_inverse(self, M):
        M = M.copy()
        for j, d in enumerate(self._marginals):
            if d is not None:
                M[:, j] = d.ppf(special.ndtr(M[:, j]))
        return M

    def _extra_state(self):
        return {"marginals": [None if d is None else d.get_state() for d in self._marginals]}

    def _set_extra_state(self, st):
        self._marginals = [None if d is None else univariate.from_state(d) for d in st.get("marginals", [])]
