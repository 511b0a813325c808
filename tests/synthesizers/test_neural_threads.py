"""Sampling a fitted CTGAN, CopulaGAN or TVAE is a pure function of its weights and the seed: runs in
several threads at once give the rows of sequential runs, and nothing on the fitted object changes
(module weights and buffers, training flags, batch-norm momentum, the saved model file)."""

import copy
import threading
import zipfile

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from simulacra import CopulaGANSynthesizer, CTGANSynthesizer, Metadata, TVAESynthesizer  # noqa: E402

GAN = dict(epochs=2, batch_size=50, generator_dim=(32, 32), discriminator_dim=(32, 32), embedding_dim=16, cuda=False)
KINDS = [
    (CTGANSynthesizer, GAN),
    (CopulaGANSynthesizer, GAN),
    (TVAESynthesizer, dict(epochs=2, batch_size=50, compress_dims=(32,), decompress_dims=(32,), embedding_dim=16)),
]
SEEDS = (0, 1, 2)
THREADS = 4
ROWS = 600  # 12 generator batches per run: the threads' runs overlap


def small_table(n=200):
    rng = np.random.default_rng(0)
    a = rng.normal(10, 3, n).round(2)
    return pd.DataFrame(
        {
            "a": a,
            "b": a + rng.uniform(0.5, 5, n).round(2),
            "city": rng.choice(["Paris", "Lyon", "Rome", "Milan"], n),
            "k": rng.integers(0, 25, n) * 2,
            "flag": rng.random(n) < 0.3,
        }
    )


@pytest.fixture(scope="module")
def table():
    return small_table()


def fitted(klass, kw, table):
    md = Metadata.detect_from_dataframe(table, table_name="t")
    md.update_column("city", sdtype="categorical")
    return klass(md, **kw).fit(table, seed=4)


def module_snapshot(synth):
    """Every torch module and tensor on the synthesizer: each state_dict entry's dtype, shape and
    bytes, and each module's plain attributes (``training``, ``momentum``, ``eps`` ...)."""
    snap = {}
    for name, value in vars(synth).items():
        if isinstance(value, torch.nn.Module):
            for k, v in value.state_dict().items():
                snap[f"{name}/{k}"] = (v.dtype, tuple(v.shape), v.detach().cpu().numpy().tobytes())
            for mname, m in value.named_modules():
                plain = {k: v for k, v in vars(m).items() if isinstance(v, (bool, int, float, str, type(None)))}
                snap[f"{name}/{mname}/attributes"] = plain
        elif isinstance(value, torch.Tensor):
            snap[name] = (value.dtype, tuple(value.shape), value.detach().cpu().numpy().tobytes(), value.requires_grad)
    assert snap  # the synthesizer holds its modules as attributes
    return snap


def model_file_members(synth, path):
    """The saved model file's members (their bytes; a zip entry's time stamp is the clock's)."""
    synth.save(path)
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


@pytest.mark.parametrize("klass, kw", KINDS, ids=[k.__name__ for k, _ in KINDS])
def test_threads_give_the_rows_of_sequential_runs_and_change_nothing(klass, kw, table, tmp_path):
    s = fitted(klass, kw, table)
    before = module_snapshot(s)
    file_before = model_file_members(s, tmp_path / "before.zip")

    expected = {seed: s.sample(ROWS, seed=seed, batch_size=200) for seed in SEEDS}
    assert not expected[0].equals(expected[1])  # the seed matters, so equal rows below are not a coincidence

    start = threading.Barrier(THREADS)
    results, errors = {}, []

    def run(t):
        try:
            start.wait()
            for i in range(len(SEEDS)):  # each thread its own order of the seeds
                seed = SEEDS[(t + i) % len(SEEDS)]
                results[(t, seed)] = s.sample(ROWS, seed=seed, batch_size=200)
        except BaseException as e:  # re-raised in the main thread below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert len(results) == THREADS * len(SEEDS)
    for (t, seed), rows in results.items():
        pd.testing.assert_frame_equal(rows, expected[seed], obj=f"thread {t}, seed {seed}")

    after = module_snapshot(s)
    assert after.keys() == before.keys()
    for k in before:
        assert after[k] == before[k], f"sampling changed {k}"
    assert model_file_members(s, tmp_path / "after.zip") == file_before
    # and the sequential runs after the threads are still the first ones
    for seed in SEEDS:
        pd.testing.assert_frame_equal(s.sample(ROWS, seed=seed, batch_size=200), expected[seed])


@pytest.mark.parametrize("klass", [CTGANSynthesizer, CopulaGANSynthesizer], ids=lambda k: k.__name__)
def test_generator_samples_on_batch_statistics_as_in_training_mode(klass, table):
    """The sampling pass (batch-norm on the batch's statistics, nothing written) gives exactly what
    the generator module computes in training mode with momentum 0, as the reference CTGAN samples."""
    from simulacra.synthesizers.ctgan import _generator_batch_stats

    s = fitted(klass, GAN, table)
    assert not s._generator.training  # set once when fitting ends
    reference = copy.deepcopy(s._generator).train()
    for m in reference.modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            m.momentum = 0.0
    x = torch.randn(50, reference[0].fc.in_features, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        got = _generator_batch_stats(s._generator, x)
        want = reference(x)
        eval_mode = s._generator(x)  # running statistics: a different pass, so the check can fail
    assert torch.equal(got, want)
    assert not torch.equal(got, eval_mode)
