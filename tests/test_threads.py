import sys
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from simulacra import _threads
from simulacra._threads import SMALL_CELLS, limit_threads_for, single_threaded


def _blas_threads():
    return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}


@pytest.fixture
def two_threads():
    np.ones((4, 4)) @ np.ones((4, 4))  # BLAS loaded
    with threadpool_limits(2):
        yield


def test_small_problems_run_on_one_thread_and_pools_come_back(two_threads):
    assert _blas_threads() == {2}
    with limit_threads_for(SMALL_CELLS - 1):
        assert single_threaded() and _blas_threads() == {1}
        with limit_threads_for(10):  # nested: still one thread, and the outer block restores
            assert _blas_threads() == {1}
        assert _blas_threads() == {1}
    assert not single_threaded() and _blas_threads() == {2}
    with limit_threads_for(SMALL_CELLS):  # large problems keep their pools
        assert not single_threaded() and _blas_threads() == {2}


def test_pools_come_back_after_an_error_and_across_threads(two_threads):
    with pytest.raises(ZeroDivisionError):
        with limit_threads_for(5):
            1 / 0
    assert _blas_threads() == {2}
    # blocks on several threads overlap: the pools stay limited until the last one closes
    opened, release = threading.Barrier(3, timeout=30), threading.Event()

    def work():
        with limit_threads_for(5):
            opened.wait()
            release.wait(30)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        opened.wait()
        assert single_threaded() and _threads._depth == 2
    finally:
        release.set()
        for t in threads:
            t.join(30)
    assert not single_threaded() and _blas_threads() == {2}


def test_torch_threads_are_restored():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with limit_threads_for(5):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert "torch" in sys.modules


def test_synthesizer_fit_runs_small_tables_on_one_thread(penguins, penguins_metadata, monkeypatch):
    from simulacra import GaussianCopulaSynthesizer

    seen = []
    original = GaussianCopulaSynthesizer._fit

    def spy(self, X, names, kinds):
        seen.append(single_threaded())
        return original(self, X, names, kinds)

    monkeypatch.setattr(GaussianCopulaSynthesizer, "_fit", spy)
    GaussianCopulaSynthesizer(penguins_metadata).fit(penguins)
    assert seen == [True] and not single_threaded()
