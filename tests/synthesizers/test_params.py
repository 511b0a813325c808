"""Constructor parameters are checked at construction (type and range), with the ranges a model
file may hold: booleans are real booleans, integers and layer sizes within the load-time caps,
locales known, cuda a device; a synthesizer that can be built can be saved and loaded."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.errors import ParameterError
from simulacra.synthesizers import get_synthesizer_class
from simulacra.synthesizers._model_checks import INT_RANGES, MAX_LAYER_SIZE, MAX_LAYERS, check_parameters
from simulacra.synthesizers.base import BaseSynthesizer

DF = pd.DataFrame({"x": [1.0, 2.5, 3.0, 4.0, 5.5, 6.0, 7.0, 8.5], "c": list("abababab")})
MD = Metadata.detect_from_dataframe(DF, table_name="t")
CLASSIC = ["gaussian_copula", "cart", "bayesian_network"]
NEURAL = ["ctgan", "tvae", "copulagan"]


def _names():
    try:
        import torch  # noqa: F401
    except ImportError:
        return CLASSIC
    return CLASSIC + NEURAL


def _defaults(klass) -> dict:
    out = {}
    for k in reversed(klass.__mro__):
        if "__init__" in k.__dict__ and k is not object:
            for n, p in inspect.signature(k.__dict__["__init__"]).parameters.items():
                if p.default is not inspect.Parameter.empty:
                    out[n] = p.default
    return out


@pytest.mark.parametrize("name", _names())
def test_text_for_a_boolean_is_refused_naming_the_parameter(name):
    klass = get_synthesizer_class(name)
    booleans = [n for n, v in _defaults(klass).items() if isinstance(v, bool) and n != "cuda"]
    assert "enforce_min_max_values" in booleans and "pseudonymize" in booleans
    for n in booleans:
        for bad in ("False", "no", 0, 1.0, None):
            with pytest.raises(ParameterError, match=rf"{n} must be True or False, got {bad!r}"):
                klass(MD, **{n: bad})
        assert getattr(klass(MD, **{n: np.False_}), n) is False  # numpy's booleans are booleans


def test_the_audit_case_no_longer_turns_no_into_true():
    from simulacra import GaussianCopulaSynthesizer

    with pytest.raises(ParameterError, match="enforce_min_max_values"):
        GaussianCopulaSynthesizer(MD, enforce_min_max_values="no")
    assert GaussianCopulaSynthesizer(MD, enforce_min_max_values=False).enforce_min_max_values is False


@pytest.mark.parametrize("name", _names())
def test_integer_ranges_are_the_model_files(name):
    klass = get_synthesizer_class(name)
    defaults = _defaults(klass)
    for n in [n for n in INT_RANGES if n in defaults]:
        lo, hi = INT_RANGES[n]
        for bad in (lo - 1, hi + 1, True, 2.0, "5"):
            with pytest.raises(ParameterError, match=n):
                klass(MD, **{n: bad})
        extra = (
            {"batch_size": 500} if n == "pac" else {"pac": 1} if n == "batch_size" and "pac" in defaults else {}
        )  # batch_size: a multiple of pac
        assert klass(MD, **{n: np.int64(lo if n != "pac" else 10), **extra}).get_parameters()[n] == (
            lo if n != "pac" else 10
        )


@pytest.mark.parametrize("name", _names())
def test_every_built_synthesizer_passes_the_load_time_checks(name):
    """What the API accepts is what a model file may hold: the parameters pass check_parameters."""
    klass = get_synthesizer_class(name)
    params = klass(MD, locales=["en-US", "fr_FR"]).get_parameters()
    assert params["locales"] == ["en_US", "fr_FR"]
    check_parameters(params, "test")
    klass(MD, **params)  # and build the same synthesizer again


@pytest.mark.parametrize("name", _names())
def test_unknown_locales_are_refused(name):
    klass = get_synthesizer_class(name)
    for bad in ("xx_YY", ["en_US", "xx_YY"], [], [3], {"en_US": 1}):
        with pytest.raises(ParameterError, match="locale"):
            klass(MD, locales=bad)
    assert klass(MD).locales == ["en_US"]


def test_classic_numbers():
    bn = get_synthesizer_class("bayesian_network")
    for bad in (0, -1.0, float("nan"), float("inf"), "1", True):
        with pytest.raises(ParameterError, match="epsilon"):
            bn(MD, epsilon=bad)
    assert bn(MD, epsilon=np.float32(0.5)).epsilon == 0.5
    gc = get_synthesizer_class("gaussian_copula")
    with pytest.raises(ParameterError, match="numerical_distributions must be a dict"):
        gc(MD, numerical_distributions=["x", "norm"])


@pytest.fixture()
def torch():
    return pytest.importorskip("torch")


def test_absurd_embedding_dim_is_refused_at_construction_not_by_the_allocator(torch):
    from simulacra.synthesizers import CTGANSynthesizer, TVAESynthesizer

    for klass in (CTGANSynthesizer, TVAESynthesizer):
        with pytest.raises(ParameterError, match=r"embedding_dim must be an integer from 1 to 65,536, got 100000000"):
            klass(MD, embedding_dim=10**8, epochs=1)


def test_layer_sizes_within_the_model_file_caps(torch):
    ctgan = get_synthesizer_class("ctgan")
    tvae = get_synthesizer_class("tvae")
    for bad in ([], [0], [MAX_LAYER_SIZE + 1], [64] * (MAX_LAYERS + 1), [256.0], ["256"], [True], "256", None):
        with pytest.raises(ParameterError, match="generator_dim"):
            ctgan(MD, generator_dim=bad)
        with pytest.raises(ParameterError, match="compress_dims"):
            tvae(MD, compress_dims=bad)
    assert ctgan(MD, generator_dim=64, discriminator_dim=[np.int32(32)]).get_parameters()["generator_dim"] == [64]


def test_layers_too_big_to_allocate_are_refused_before_fit(torch):
    ctgan = get_synthesizer_class("ctgan")
    tvae = get_synthesizer_class("tvae")
    with pytest.raises(ParameterError, match=r"at least [\d,]+ weights .*GiB.*lower embedding_dim or the layer sizes"):
        ctgan(
            MD, generator_dim=(MAX_LAYER_SIZE, MAX_LAYER_SIZE)
        )  # each size is allowed, their product is 4 billion weights
    with pytest.raises(ParameterError, match="weights"):
        tvae(MD, decompress_dims=(40_000, 40_000))
    ctgan(MD, generator_dim=(1024, 1024), discriminator_dim=(1024, 1024))  # large but sane


def test_neural_numbers_and_cuda(torch):
    ctgan = get_synthesizer_class("ctgan")
    for n in ("generator_lr", "discriminator_lr"):
        for bad in (0, -1e-3, float("nan"), "2e-4", None):
            with pytest.raises(ParameterError, match=n):
                ctgan(MD, **{n: bad})
    with pytest.raises(ParameterError, match="generator_decay"):
        ctgan(MD, generator_decay=-1)
    with pytest.raises(ParameterError, match="l2scale"):
        get_synthesizer_class("tvae")(MD, l2scale=float("inf"))
    for bad in ("banana", "cuda:x", 1, ["cpu"]):
        with pytest.raises(ParameterError, match="cuda must be True, False or a device name"):
            ctgan(MD, cuda=bad)
    assert ctgan(MD, cuda="cpu")._device == "cpu" and ctgan(MD, cuda=np.False_)._device == "cpu"
    if not torch.cuda.is_available():
        assert ctgan(MD, cuda=True)._device == "cpu"  # as SDV: the CPU when there is no GPU


def test_sample_refuses_an_impossible_count_before_drawing_a_progress_bar(monkeypatch):
    from simulacra.synthesizers import sampler

    s = get_synthesizer_class("gaussian_copula")(MD).fit(DF)
    drawn = []
    monkeypatch.setattr(sampler, "progress", lambda *a, **k: drawn.append(a) or pytest.fail("progress bar drawn"))
    for bad in (2**63, -1, 2.5, True):
        with pytest.raises(ParameterError, match="num_rows"):
            s.sample(bad, show_progress=True)
    with pytest.raises(ParameterError, match="batch_size"):
        s.sample(10, batch_size=0, show_progress=True)
    assert drawn == []
    assert isinstance(s, BaseSynthesizer)


def test_audit2_absurd_batch_size_is_refused_not_an_allocator_traceback(torch):
    """Audit 2 #2: batch_size=10**8 passed and CTGAN/CopulaGAN died in torch's allocator."""
    from simulacra.synthesizers import CopulaGANSynthesizer, CTGANSynthesizer, TVAESynthesizer

    for klass in (CTGANSynthesizer, CopulaGANSynthesizer, TVAESynthesizer):
        with pytest.raises(ParameterError, match=r"batch_size must be an integer from 1 to 1,000,000, got 100000000"):
            klass(MD, batch_size=10**8, epochs=1)
    # the load-time check holds the same cap: a model file with a larger batch_size is refused
    with pytest.raises(Exception, match="batch_size"):
        check_parameters({"batch_size": 10**8}, "test")


def test_audit2_batch_too_big_for_memory_is_refused_before_training(torch):
    from simulacra.synthesizers import CTGANSynthesizer

    s = CTGANSynthesizer(MD, batch_size=1_000_000, epochs=1, generator_dim=(4096, 4096), cuda=False)
    with pytest.raises(
        ParameterError,
        match=r"batch_size=1,000,000 needs about .* GiB.*use batch_size at most [\d,]+ \(a multiple of pac=10\)",
    ) as e:
        s.fit(DF)
    fits = int(str(e.value).split("at most ")[1].split(" ")[0].replace(",", ""))
    assert fits % 10 == 0 and 0 < fits < 1_000_000


def test_audit2_torch_allocation_error_becomes_a_parameter_error(torch, monkeypatch):
    from simulacra.synthesizers import CTGANSynthesizer, TVAESynthesizer

    def boom(self, data, rng):
        raise RuntimeError(
            "[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: not enough memory: you tried to allocate 51200000000 bytes."
        )

    for klass, dims in ((CTGANSynthesizer, "generator_dim"), (TVAESynthesizer, "compress_dims")):
        monkeypatch.setattr(klass, "_train", boom)
        with pytest.raises(
            ParameterError, match=rf"ran out of memory \(batch_size=100, .*lower batch_size or the layer sizes \({dims}"
        ):
            klass(MD, batch_size=100, epochs=1, cuda=False).fit(DF)

    def other(self, data, rng):
        raise RuntimeError("some other torch failure")

    monkeypatch.setattr(CTGANSynthesizer, "_train", other)
    with pytest.raises(RuntimeError, match="some other"):  # not every RuntimeError is memory
        CTGANSynthesizer(MD, batch_size=100, epochs=1, cuda=False).fit(DF)
