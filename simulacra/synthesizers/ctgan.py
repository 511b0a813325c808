"""CTGAN: a conditional tabular GAN (PyTorch, optional extra ``simulacra[torch]``).

:class:`CTGANSynthesizer` is a conditional Wasserstein GAN with gradient penalty (Xu et al., 2019):
mode-specific normalization of numerical columns, a conditional vector over the discrete columns
with training-by-sampling, PacGAN discriminator, residual generator. Same constructor names as
SDV. Weights are saved as arrays in the model file (no pickled modules) and rebuilt on load.
Training runs on CPU, or CUDA when available (``cuda=``); the same seed gives the same model and
rows on CPU.

The other neural synthesizers live in :mod:`~simulacra.synthesizers.tvae` and
:mod:`~simulacra.synthesizers.copulagan` (also importable from here, as before).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..utils.progress import LossProgress
from ._neural import (
    load_module_state,
    module_state,
    require_torch,
)
from ._params import (
    chain_weights,
    check_bool,
    check_dims,
    check_int,
    check_number,
    check_weights,
)
from ._neural_base import NeuralSynthesizer, adam


# ---------------------------------------------------------------------- CTGAN
class CTGANSynthesizer(NeuralSynthesizer):
    """Conditional tabular GAN (SDV's constructor names).

    Parameters
    ----------
    epochs : int, default 300
    batch_size : int, default 500 (a multiple of ``pac``)
    embedding_dim : int, default 128
    generator_dim, discriminator_dim : tuple of int, default (256, 256)
    generator_lr, discriminator_lr : float, default 2e-4
    generator_decay, discriminator_decay : float, default 1e-6
    discriminator_steps : int, default 1
    pac : int, default 10
    log_frequency : bool, default True
        Training-by-sampling draws condition categories by log frequency.
    verbose : bool, default False
        Show the training progress with each epoch's losses on stderr (as SDV's ``verbose``): a
        live bar on a terminal or in a notebook, one line per epoch elsewhere (logs, CI).
    cuda : bool or str, default True
        Use CUDA when available.
    """

    name = "ctgan"

    def __init__(
        self,
        metadata,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=None,
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
            verbose,
            cuda,
            pseudonymize=pseudonymize,
            pseudonymize_key=pseudonymize_key,
            privacy_check=privacy_check,
        )
        self.generator_dim = check_dims("generator_dim", generator_dim)
        self.discriminator_dim = check_dims("discriminator_dim", discriminator_dim)
        self.generator_lr, self.generator_decay = (
            check_number("generator_lr", generator_lr, strict=True),
            check_number("generator_decay", generator_decay),
        )
        self.discriminator_lr = check_number("discriminator_lr", discriminator_lr, strict=True)
        self.discriminator_decay = check_number("discriminator_decay", discriminator_decay)
        self.discriminator_steps = check_int("discriminator_steps", discriminator_steps)
        self.pac = check_int("pac", pac)
        if self.batch_size % self.pac:
            raise ParameterError(f"batch_size ({self.batch_size}) must be a multiple of pac ({self.pac})")
        self.log_frequency = check_bool("log_frequency", log_frequency)
        check_weights(
            type(self).__name__,
            {
                "generator": chain_weights(self.embedding_dim, self.generator_dim, residual=True),
                "discriminator": chain_weights(self.discriminator_dim[0], self.discriminator_dim[1:]),
            },
        )

    def get_parameters(self):
        p = super().get_parameters()
        p.update(
            generator_dim=list(self.generator_dim),
            discriminator_dim=list(self.discriminator_dim),
            generator_lr=self.generator_lr,
            generator_decay=self.generator_decay,
            discriminator_lr=self.discriminator_lr,
            discriminator_decay=self.discriminator_decay,
            discriminator_steps=self.discriminator_steps,
            pac=self.pac,
            log_frequency=self.log_frequency,
        )
        return p

    def _activation_floats(self, width):
        """Floats one batch row holds in a step: the generator's residual widths (the conditional
        vector is at most ``width``), the discriminator's layers over ``pac`` rows, and the data."""
        gen, w = 0, self.embedding_dim + width
        for h in self.generator_dim:
            gen += w
            w += h
        return gen + w + 4 * width + sum(self.discriminator_dim) // self.pac

    def _dims_hint(self):
        return " (generator_dim, discriminator_dim)"

    # conditional vector ---------------------------------------------------
    def _cond_setup(self):
        """What training and sampling look up per step, derived from the mode representation once
        (on every fit and load): the conditional spans, their category CDFs (original and
        log-frequency), and per output column its span id, whether it is a tanh column, and where
        each conditional-vector column sits in the generator's output."""
        torch = require_torch("CTGANSynthesizer")
        self._cond_spans = self._mode.discrete_spans
        self._cond_dim = sum(w for _, w, _ in self._cond_spans)
        self._cond_cdf = {
            log: [np.cumsum(self._category_probs(j, log)) for _, _, j in self._cond_spans] for log in (False, True)
        }
        spans = self._mode.spans
        seg = np.empty(self._mode.dim, dtype=np.int64)
        tanh = np.zeros(self._mode.dim, dtype=bool)
        for i, (st, w, act, _) in enumerate(spans):
            seg[st : st + w] = i
            tanh[st : st + w] = act == "tanh"
        cond_to_raw = (
            np.concatenate([np.arange(st, st + w) for st, w, _ in self._cond_spans])
            if self._cond_spans
            else np.zeros(0, np.int64)
        )
        self._seg, self._is_tanh, self._cond_to_raw = (
            torch.from_numpy(a).to(self._device) for a in (seg, tanh, cond_to_raw)
        )

    def _index_rows(self, data):
        """Training-by-sampling's index: per discrete column, row numbers sorted by category, with each category's start and count."""
        self._cond_rows = []
        for s, w, _ in self._cond_spans:
            cat = data[:, s : s + w].argmax(axis=1)
            order = np.argsort(cat, kind="stable")
            counts = np.bincount(cat, minlength=w)
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            self._cond_rows.append((order, starts, counts))

    def _category_probs(self, j, log):
        freq = self._mode.columns[j]["freq"]
        p = np.log(freq + 1) if log else freq
        return p / p.sum()

    def _sample_cond(self, n, rng, for_training):
        if not self._cond_spans:
            return None, None, None
        cond = np.zeros((n, self._cond_dim), dtype=np.float32)
        which = rng.integers(0, len(self._cond_spans), n)
        cats = np.zeros(n, dtype=np.int64)
        cdfs = self._cond_cdf[bool(self.log_frequency and for_training)]
        offset = 0
        for i, (s, w, j) in enumerate(self._cond_spans):
            idx = np.flatnonzero(which == i)
            if idx.size:
                k = np.minimum(np.searchsorted(cdfs[i], rng.random(idx.size), side="right"), w - 1)
                cats[idx] = k
                cond[idx, offset + k] = 1.0
            offset += w
        return cond, which, cats

    def _build_modules(self):
        torch = require_torch("CTGANSynthesizer")
        nn = torch.nn
        self._cond_setup()
        data_dim = self._mode.dim

        class Residual(nn.Module):
            def __init__(self, i, o):
                super().__init__()
                self.fc = nn.Linear(i, o)
                self.bn = nn.BatchNorm1d(o)

            def forward(self, x):
                return torch.cat([torch.relu(self.bn(self.fc(x))), x], dim=1)

            def forward_batch_stats(self, x):
                """The same layer on this batch's statistics, writing nothing on the module: what
                ``forward`` computes in training mode with momentum 0, its running statistics
                passed as copies (the same kernel, so the same numbers)."""
                bn = self.bn
                h = torch.nn.functional.batch_norm(
                    self.fc(x),
                    bn.running_mean.clone(),
                    bn.running_var.clone(),
                    bn.weight,
                    bn.bias,
                    training=True,
                    momentum=0.0,
                    eps=bn.eps,
                )
                return torch.cat([torch.relu(h), x], dim=1)

        layers, dim = [], self.embedding_dim + self._cond_dim
        for h in self.generator_dim:
            layers.append(Residual(dim, h))
            dim += h
        layers.append(nn.Linear(dim, data_dim))
        self._generator = nn.Sequential(*layers).to(self._device)
        layers, dim = [], (data_dim + self._cond_dim) * self.pac
        for h in self.discriminator_dim:
            layers += [nn.Linear(dim, h), nn.LeakyReLU(0.2), nn.Dropout(0.5)]
            dim = h
        layers.append(nn.Linear(dim, 1))
        self._discriminator = nn.Sequential(*layers).to(self._device)

    @staticmethod
    def _segment_logsumexp(torch, x, seg, n_seg):
        """log(sum(exp(x))) over each segment of columns, shape (rows, segments)."""
        idx = seg.expand(x.shape[0], -1)
        m = torch.full((x.shape[0], n_seg), -torch.inf, dtype=x.dtype, device=x.device).scatter_reduce(
            1, idx, x.detach(), reduce="amax"
        )
        e = torch.exp(x - m[:, seg])
        return torch.log(torch.zeros((x.shape[0], n_seg), dtype=x.dtype, device=x.device).index_add(1, seg, e)) + m

    def _activate(self, raw, gen=None):
        """tanh on the scalar columns, a Gumbel softmax (tau 0.2) on each span of mode or category columns."""
        torch = require_torch("CTGANSynthesizer")
        seg, n_seg = self._seg, len(self._mode.spans)
        u = (torch.rand(raw.shape, generator=gen) if gen is not None else torch.rand_like(raw)).to(raw.device)
        z = (raw - torch.log(-torch.log(u.clamp(1e-10, 1 - 1e-10)))) / 0.2
        soft = torch.exp(z - self._segment_logsumexp(torch, z, seg, n_seg)[:, seg])
        return torch.where(self._is_tanh, torch.tanh(raw), soft)

    def _cond_loss(self, raw, cond):
        """Cross-entropy of the generator's logits on the conditioned category (rows with a condition), summed, over the batch size."""
        torch = require_torch("CTGANSynthesizer")
        if cond is None:
            return torch.zeros((), device=raw.device)
        seg, n_seg = self._seg, len(self._mode.spans)
        has = cond.sum(dim=1) > 0
        if not bool(has.any()):
            return torch.zeros((), device=raw.device)
        r = raw[has]
        target = self._cond_to_raw[cond[has].argmax(dim=1)]
        lse = self._segment_logsumexp(torch, r, seg, n_seg)
        rows = torch.arange(r.shape[0], device=raw.device)
        return (lse[rows, seg[target]] - r[rows, target]).sum() / raw.shape[0]

    def _train(self, data, rng):
        torch = require_torch("CTGANSynthesizer")
        self._build_modules()
        self._index_rows(data)
        dev = self._device
        opt_g = adam(
            torch,
            self._generator.parameters(),
            lr=self.generator_lr,
            betas=(0.5, 0.9),
            weight_decay=self.generator_decay,
        )
        opt_d = adam(
            torch,
            self._discriminator.parameters(),
            lr=self.discriminator_lr,
            betas=(0.5, 0.9),
            weight_decay=self.discriminator_decay,
        )
        n = len(data)
        bs = self.batch_size  # rows are drawn with replacement, as in CTGAN
        steps = max(1, n // bs)
        real_all = torch.from_numpy(data).to(dev)
        self._losses = []
        with LossProgress(self.epochs, self.verbose, type(self).__name__.removesuffix("Synthesizer")) as bar:
            for epoch in range(self.epochs):
                for _ in range(steps):
                    for _ in range(self.discriminator_steps):
                        cond, which, cats = self._sample_cond(bs, rng, True)
                        rows = rng.integers(0, n, bs) if cond is None else self._pick_rows(which, cats, rng, n)
                        z = torch.randn(bs, self.embedding_dim, device=dev)
                        c_t = None if cond is None else torch.from_numpy(cond).to(dev)
                        fake = self._activate(self._generator(_cat(torch, z, c_t)))
                        real = real_all[rows]
                        perm = rng.permutation(bs)
                        c_real = None if cond is None else c_t[perm]
                        real = real[perm]
                        y_fake = self._discriminator(_pack(torch, _cat(torch, fake, c_t), self.pac))
                        y_real = self._discriminator(_pack(torch, _cat(torch, real, c_real), self.pac))
                        gp = _gradient_penalty(
                            torch, self._discriminator, _cat(torch, real, c_real), _cat(torch, fake, c_t), self.pac
                        )
                        loss_d = -(y_real.mean() - y_fake.mean())
                        opt_d.zero_grad(set_to_none=True)
                        (loss_d + gp).backward()
                        opt_d.step()
                    cond, _, _ = self._sample_cond(bs, rng, True)
                    c_t = None if cond is None else torch.from_numpy(cond).to(dev)
                    z = torch.randn(bs, self.embedding_dim, device=dev)
                    raw = self._generator(_cat(torch, z, c_t))
                    fake = self._activate(raw)
                    y_fake = self._discriminator(_pack(torch, _cat(torch, fake, c_t), self.pac))
                    loss_g = -y_fake.mean() + self._cond_loss(raw, c_t)
                    opt_g.zero_grad(set_to_none=True)
                    loss_g.backward()
                    opt_g.step()
                row = {
                    "Epoch": epoch,
                    "Generator Loss": float(loss_g.detach()),
                    "Discriminator Loss": float(loss_d.detach()),
                }
                self._losses.append(row)
                bar.update(generator=row["Generator Loss"], discriminator=row["Discriminator Loss"])
                if self._epoch_hook is not None and self._epoch_hook(epoch):
                    break
        self._generator.eval()

    def _pick_rows(self, which, cats, rng, n):
        """Training-by-sampling: for each condition, a real row with that category (vectorized)."""
        rows = rng.integers(0, n, len(which))
        u = rng.random(len(which))
        for i, (order, starts, counts) in enumerate(self._cond_rows):
            sel = np.flatnonzero(which == i)
            if sel.size:
                c = cats[sel]
                cnt = counts[c]
                ok = cnt > 0
                rows[sel[ok]] = order[starts[c[ok]] + (u[sel[ok]] * cnt[ok]).astype(np.int64)]
        return rows

    def _generate(self, n, gen, rng):
        """Generate in batches of ``batch_size`` with batch-norm on batch statistics, as the
        reference CTGAN does (its generator samples in training mode). A pure function of the
        fitted weights and the generators: nothing on the modules changes (mode, momentum,
        running statistics), so runs may share one fitted synthesizer across threads."""
        torch = require_torch("CTGANSynthesizer")
        out = []
        for start in range(0, n, self.batch_size):
            m = self.batch_size  # full batches: the statistics do not depend on n
            cond, _, _ = self._sample_cond(m, rng, False)
            c_t = None if cond is None else torch.from_numpy(cond).to(self._device)
            z = torch.randn(m, self.embedding_dim, generator=gen).to(self._device)
            raw = _generator_batch_stats(self._generator, _cat(torch, z, c_t))
            # Gumbel noise, then the mode: a draw from each softmax, as in training
            out.append(self._activate(raw, gen).cpu().numpy())
        return np.concatenate(out)[:n]

    def _weights_state(self):
        return {"generator": module_state(self._generator), "discriminator": module_state(self._discriminator)}

    def _load_weights(self, st):
        load_module_state(self._generator, st["generator"])
        load_module_state(self._discriminator, st["discriminator"])
        self._generator.eval()


def _generator_batch_stats(generator, x):
    """The generator's forward pass with every batch-norm on the batch's statistics (the residual
    layers' ``forward_batch_stats``, then the output layer); reads the modules, writes nothing."""
    *residuals, out = generator
    for layer in residuals:
        x = layer.forward_batch_stats(x)
    return out(x)


def _cat(torch, a, b):
    return a if b is None else torch.cat([a, b], dim=1)


def _pack(torch, x, pac):
    return x.reshape(-1, x.shape[1] * pac)


def _gradient_penalty(torch, disc, real, fake, pac, lam=10.0):
    alpha = (
        torch.rand(real.shape[0] // pac, 1, 1, device=real.device)
        .repeat(1, pac, real.shape[1])
        .reshape(-1, real.shape[1])
    )
    inter = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = disc(_pack(torch, inter, pac))
    grad = torch.autograd.grad(
        outputs=out, inputs=inter, grad_outputs=torch.ones_like(out), create_graph=True, retain_graph=True
    )[0]
    grad = grad.reshape(-1, pac * real.shape[1])
    return ((grad.norm(2, dim=1) - 1) ** 2).mean() * lam


def __getattr__(name):
    # TVAE and CopulaGAN were defined here before the split: their old import paths keep working
    if name == "TVAESynthesizer":
        from .tvae import TVAESynthesizer

        return TVAESynthesizer
    if name == "CopulaGANSynthesizer":
        from .copulagan import CopulaGANSynthesizer

        return CopulaGANSynthesizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
