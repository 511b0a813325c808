"""The LLM synthesizer's training loop: permuted column orders, a held-out split, early stopping.

Each epoch lays every training row out in a fresh order (half the rows in the table's own order,
the others in a random permutation, so any subset of columns can come first when sampling), and
takes AdamW steps with a warm-up and a cosine decay. After each epoch the loss on the held-out
real rows is measured; the weights with the lowest held-out loss are kept, and training stops when
it has not improved for ``patience`` epochs. Every few epochs a privacy check (``check(model)``,
see :func:`dcr_check`) samples rows and compares their distance to the training rows with their
distance to the held-out rows (distance to closest record, as REaLTabFormer's check); when the
synthetic rows sit closer to the training rows than a held-out split does at two checks in a row (one
may be the noise of small splits), training stops and the weights of the last check that passed are kept.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..utils.progress import LossProgress
from .codec import RowCodec
from .gpt import loss_of, targets


def orders(codec: RowCodec, n: int, rng: np.random.Generator, shuffled_share: float = 0.5) -> np.ndarray:
    """``(n, C)`` column orders: the table's order, or (for ``shuffled_share`` of the rows) a random one."""
    C = len(codec.columns)
    base = np.tile(np.arange(C), (n, 1))
    shuffle = rng.random(n) < shuffled_share
    if shuffle.any():
        keys = rng.random((int(shuffle.sum()), C))
        base[shuffle] = np.argsort(keys, axis=1)
    return base


def run(model, codec: RowCodec, train_tokens: list, hold_tokens: list | None, opts: dict, rng, check=None) -> dict:
    """Train ``model`` in place; returns the fit report (epochs run, why it stopped, losses)."""
    import torch

    n = len(train_tokens[0]) if train_tokens else 0
    allowed = torch.from_numpy(codec.allowed).to(model.device)
    bs = max(1, min(opts["batch_size"], n))
    steps_per_epoch = math.ceil(n / bs)
    epochs = opts["epochs"]
    total = max(1, epochs * steps_per_epoch)
    warm = max(1, total // 20)
    opt = torch.optim.AdamW(model.parameters(), lr=opts["learning_rate"], weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
    )
    hold = None
    if hold_tokens is not None and len(hold_tokens[0]):
        m = len(hold_tokens[0])
        ho = np.tile(np.arange(len(codec.columns)), (m, 1))
        ht, hs = codec.layout(hold_tokens, ho, m)
        hold = (ht, hs, targets(codec, ht, hs))
    history, best, best_state, safe_state = [], math.inf, None, None
    report = {"epochs": epochs, "epochs_run": 0, "best_epoch": None, "stop_reason": "all epochs ran"}
    patience, check_every = opts["patience"], opts["check_every"]
    started = time.perf_counter()
    since_best = 0
    failed_before, first_fail = False, None
    with LossProgress(epochs, opts["verbose"], "LLM") as bar:
        for epoch in range(epochs):
            model.train()
            order = orders(codec, n, rng)
            tok, slots = codec.layout(train_tokens, order, n)
            lab = targets(codec, tok, slots)
            perm = rng.permutation(n)
            total_loss = 0.0
            for start in range(0, n, bs):
                idx = perm[start : start + bs]
                loss = loss_of(model, allowed, tok[idx], slots[idx], lab[idx], torch, codec)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
                total_loss += float(loss.detach()) * len(idx)
            row = {"epoch": epoch + 1, "loss": total_loss / max(n, 1)}
            report["epochs_run"] = epoch + 1
            if hold is not None:
                model.eval()
                with torch.no_grad():
                    row["holdout_loss"] = float(
                        sum(
                            float(
                                loss_of(
                                    model,
                                    allowed,
                                    hold[0][i : i + 512],
                                    hold[1][i : i + 512],
                                    hold[2][i : i + 512],
                                    torch,
                                    codec,
                                )
                            )
                            * len(hold[0][i : i + 512])
                            for i in range(0, len(hold[0]), 512)
                        )
                        / len(hold[0])
                    )
                if row["holdout_loss"] < best - 1e-4:
                    best, since_best = row["holdout_loss"], 0
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                    report["best_epoch"] = epoch + 1
                else:
                    since_best += 1
            history.append(row)
            bar.update(loss=row["loss"])
            if check is not None and ((epoch + 1) % check_every == 0 or epoch + 1 == epochs):
                model.eval()
                share, limit = check(model)
                row["dcr_share"] = share
                # one check over the limit may be the noise of small splits (clustered samples of an early model):
                # training stops on two in a row, or one at the last epoch
                if share > limit and not failed_before and epoch + 1 < epochs:
                    failed_before, first_fail = True, epoch + 1
                    report["dcr_share"] = share
                elif share > limit:
                    first_fail = first_fail if failed_before else epoch + 1
                    kept = (
                        "kept the weights of the last check that passed"
                        if safe_state is not None
                        else "no earlier check had passed, so these weights are kept (fewer epochs or a smaller "
                        "model memorizes less)"
                    )
                    at = f"epochs {first_fail} and {epoch + 1}" if first_fail != epoch + 1 else f"epoch {epoch + 1}"
                    report["stop_reason"] = (
                        f"privacy: {share:.0%} of sampled rows sat closer to the training rows than to held-out rows "
                        f"(limit {limit:.0%}) at {at}; {kept}"
                    )
                    report["dcr_share"] = share
                    if safe_state is not None:
                        model.load_state_dict(safe_state)
                        best_state = None
                    break
                else:
                    failed_before = False
                    safe_state = {k: v.detach().clone() for k, v in (best_state or model.state_dict()).items()}
                    report["dcr_share"] = share
            if hold is not None and patience and since_best >= patience:
                report["stop_reason"] = f"the held-out loss did not improve for {patience} epochs"
                break
            if opts.get("max_seconds") and time.perf_counter() - started > opts["max_seconds"]:
                report["stop_reason"] = f"the time limit of {opts['max_seconds']} s was reached"
                break
    if best_state is not None and not report["stop_reason"].startswith("privacy"):
        model.load_state_dict(best_state)
    model.eval()
    report["history"] = history
    report["holdout_loss"] = None if not math.isfinite(best) else best
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report


def dcr_check(real_train, real_hold, meta: dict, sample, rng, max_rows: int = 1_000):
    """A check for :func:`run`: ``check(model) -> (share, limit)``.

    ``share`` is the share of sampled rows closer (Gower distance) to a training row than to any
    held-out row, against as many training rows as held-out rows, averaged exactly over every such
    sample (``utils.gower.equal_size_dcr_share``; 0.5 expected when the model does not favour its
    training rows); ``limit`` allows for the noise of small splits.
    """
    from ..evaluation.distances import MixedEncoder
    from ..utils.gower import equal_size_dcr_share

    m = min(len(real_hold), len(real_train), max_rows)
    H = real_hold.iloc[np.sort(rng.choice(len(real_hold), m, replace=False))].reset_index(drop=True)
    cap = max(m, 10_000)  # the training rows compared with: the share is the mean over every equal-size sample of them
    R = (
        real_train
        if len(real_train) <= cap
        else real_train.iloc[np.sort(rng.choice(len(real_train), cap, replace=False))]
    )
    enc = MixedEncoder(real_train, meta)
    Re, He = enc.encode(R.reset_index(drop=True)), enc.encode(H)
    limit = 0.5 + max(0.03, math.sqrt(0.25 / m))
    n_syn = max(200, min(max_rows, m))

    def check(model):
        S = enc.encode(sample(model, n_syn))
        return equal_size_dcr_share(Re, He, S), limit

    return check
