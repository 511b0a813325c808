"""TVAE: a tabular variational autoencoder (PyTorch, optional extra ``simulacra[torch]``).

:class:`TVAESynthesizer` learns on the same mode-specific representation as CTGAN
(:mod:`~simulacra.synthesizers._neural_base`). Same constructor names as SDV.
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelFileError
from ..utils.progress import LossProgress
from ._neural import (
    load_module_state,
    module_state,
    require_torch,
)
from ._params import (
    chain_weights,
    check_dims,
    check_number,
    check_weights,
)
from ._neural_base import NeuralSynthesizer, adam


class TVAESynthesizer(NeuralSynthesizer):
    """Tabular variational autoencoder (SDV's constructor names).

    Parameters
    ----------
    epochs : int, default 300
    batch_size : int, default 500
    embedding_dim : int, default 128
    compress_dims, decompress_dims : tuple of int, default (128, 128)
    l2scale : float, default 1e-5
    loss_factor : float, default 2
    verbose : bool, default False
        Show the training progress with each epoch's loss on stderr (as SDV's ``verbose``): a live
        bar on a terminal or in a notebook, one line per epoch elsewhere (logs, CI).
    """

    name = "tvae"

    def __init__(
        self,
        metadata,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=None,
        epochs=300,
        batch_size=500,
        embedding_dim=128,
        compress_dims=(128, 128),
        decompress_dims=(128, 128),
        l2scale=1e-5,
        loss_factor=2,
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
            verbose,
            cuda,
            pseudonymize=pseudonymize,
            pseudonymize_key=pseudonymize_key,
            privacy_check=privacy_check,
        )
        self.compress_dims = check_dims("compress_dims", compress_dims)
        self.decompress_dims = check_dims("decompress_dims", decompress_dims)
        self.l2scale = check_number("l2scale", l2scale)
        self.loss_factor = check_number("loss_factor", loss_factor)
        check_weights(
            type(self).__name__,
            {
                "encoder": chain_weights(self.compress_dims[0], self.compress_dims[1:])
                + 2 * self.compress_dims[-1] * self.embedding_dim,
                "decoder": chain_weights(self.embedding_dim, self.decompress_dims),
            },
        )

    def get_parameters(self):
        p = super().get_parameters()
        p.update(
            compress_dims=list(self.compress_dims),
            decompress_dims=list(self.decompress_dims),
            l2scale=self.l2scale,
            loss_factor=self.loss_factor,
        )
        return p

    def _batch_rows(self, n):
        return min(self.batch_size, n)

    def _activation_floats(self, width):
        return 3 * width + sum(self.compress_dims) + 3 * self.embedding_dim + sum(self.decompress_dims)

    def _dims_hint(self):
        return " (compress_dims, decompress_dims)"

    def _build_modules(self):
        torch = require_torch("TVAESynthesizer")
        nn = torch.nn
        data_dim = self._mode.dim
        layers, dim = [], data_dim
        for h in self.compress_dims:
            layers += [nn.Linear(dim, h), nn.ReLU()]
            dim = h
        self._encoder = nn.Sequential(*layers).to(self._device)
        self._mu = nn.Linear(dim, self.embedding_dim).to(self._device)
        self._logvar = nn.Linear(dim, self.embedding_dim).to(self._device)
        layers, dim = [], self.embedding_dim
        for h in self.decompress_dims:
            layers += [nn.Linear(dim, h), nn.ReLU()]
            dim = h
        layers.append(nn.Linear(dim, data_dim))
        self._decoder = nn.Sequential(*layers).to(self._device)
        self._sigma = nn.Parameter(torch.ones(data_dim, device=self._device) * 0.1)

    def _train(self, data, rng):
        torch = require_torch("TVAESynthesizer")
        self._build_modules()
        params = (
            list(self._encoder.parameters())
            + list(self._mu.parameters())
            + list(self._logvar.parameters())
            + list(self._decoder.parameters())
            + [self._sigma]
        )
        opt = adam(torch, params, weight_decay=self.l2scale)
        real_all = torch.from_numpy(data).to(self._device)
        n = len(data)
        bs = min(self.batch_size, n)
        self._losses = []
        with LossProgress(self.epochs, self.verbose, "TVAE") as bar:
            for epoch in range(self.epochs):
                perm = rng.permutation(n)
                for start in range(0, n, bs):  # every row once per epoch, the last batch may be smaller
                    x = real_all[perm[start : start + bs]]
                    h = self._encoder(x)
                    mu, logvar = self._mu(h), self._logvar(h)
                    z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
                    rec = self._decoder(z)
                    loss_rec = self._reconstruction(rec, x)
                    kld = -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp()) / x.shape[0]
                    loss = self.loss_factor * loss_rec + kld
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    with torch.no_grad():
                        self._sigma.clamp_(0.01, 1.0)
                row = {"Epoch": epoch, "Loss": float(loss.detach())}
                self._losses.append(row)
                bar.update(loss=row["Loss"])
                if self._epoch_hook is not None and self._epoch_hook(epoch):
                    break

    def _reconstruction(self, rec, x):
        torch = require_torch("TVAESynthesizer")
        total = 0.0
        for s, w, act, _ in self._mode.spans:
            if act == "tanh":
                sd = self._sigma[s]
                total = (
                    total + (((x[:, s] - torch.tanh(rec[:, s])) ** 2) / 2 / sd**2).sum() + torch.log(sd) * x.shape[0]
                )
            else:
                total = total + torch.nn.functional.cross_entropy(
                    rec[:, s : s + w], x[:, s : s + w].argmax(dim=1), reduction="sum"
                )
        return total / x.shape[0]

    def _generate(self, n, gen, rng):
        """Decode normal draws and add the learned noise, in blocks of 10,000 rows. Reads the decoder
        and ``sigma``, writes nothing on them (no batch-norm or dropout, so the modules' mode does not
        matter): runs may share one fitted synthesizer across threads."""
        torch = require_torch("TVAESynthesizer")
        out = []
        for start in range(0, n, 10_000):
            m = min(10_000, n - start)
            z = torch.randn(m, self.embedding_dim, generator=gen).to(self._device)
            rec = self._decoder(z)
            noise = torch.randn(rec.shape, generator=gen).to(self._device) * self._sigma
            parts = []
            for s, w, act, _ in self._mode.spans:
                if act == "tanh":
                    parts.append(torch.tanh(rec[:, s : s + 1] + noise[:, s : s + 1]))
                else:
                    parts.append(torch.nn.functional.one_hot(rec[:, s : s + w].argmax(dim=1), w).float())
            out.append(torch.cat(parts, dim=1).cpu().numpy())
        return np.concatenate(out)

    def _weights_state(self):
        return {
            "encoder": module_state(self._encoder),
            "mu": module_state(self._mu),
            "logvar": module_state(self._logvar),
            "decoder": module_state(self._decoder),
            "sigma": self._sigma.detach().cpu().numpy().astype(np.float32),
        }

    def _load_weights(self, st):
        torch = require_torch("TVAESynthesizer")
        for name in ("encoder", "mu", "logvar", "decoder"):
            load_module_state(getattr(self, "_" + name), st[name])
        sigma = np.asarray(st["sigma"], dtype=np.float32)
        if sigma.shape != tuple(self._sigma.shape) or not np.all(np.isfinite(sigma)):
            raise ModelFileError("model file: TVAE sigma has the wrong shape")
        with torch.no_grad():
            self._sigma.copy_(torch.from_numpy(sigma))
