"""An in-memory run that cannot fit in memory is refused up front, naming output_file_path (audit-a2 F11)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.errors import ParameterError
from simulacra.sampling import plan as plan_module


@pytest.fixture(scope="module")
def synth():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=200), "c": rng.choice(["a", "b"], 200)})
    return GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(df)).fit(df)


def test_a_huge_in_memory_run_is_refused_up_front(synth):
    t = time.perf_counter()
    with pytest.raises(ParameterError, match=r"rows would take about .* of memory .*pass output_file_path"):
        synth.sample(2**62, seed=0)
    assert time.perf_counter() - t < 5  # refused at once, not after filling the memory


def test_the_check_uses_the_available_memory(synth, monkeypatch):
    monkeypatch.setattr(plan_module, "available_memory", lambda: 1_000_000)
    with pytest.raises(ParameterError, match=r"1,000,001 rows .* but 1.0 MB is available; pass output_file_path"):
        synth.sample(plan_module.MEMORY_CHECK_ROWS + 1, seed=0)
    monkeypatch.setattr(plan_module, "available_memory", lambda: None)  # unknown memory: no refusal
    plan_module.check_memory_rows(synth, 10**15)


def test_small_runs_are_not_measured():
    class NoDraws:
        def iter_batches(self, *args, **kwargs):  # pragma: no cover - must not be called
            raise AssertionError("probed a small run")

    plan_module.check_memory_rows(NoDraws(), plan_module.MEMORY_CHECK_ROWS)
    plan_module.check_memory_rows(NoDraws(), 0)
