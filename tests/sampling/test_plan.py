"""Batch plans: the same rows as one spawn of all seeds, nothing proportional to num_rows,
and runs to a file refused up front when they cannot fit the disk."""

from __future__ import annotations

import shutil
import tracemalloc
from collections import namedtuple

import numpy as np
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.errors import ParameterError
from simulacra.io.files import estimate_bytes_per_row
from simulacra.sampling import MAX_ROWS, BatchPlan, check_num_rows
from simulacra.sampling import plan as plan_module


@pytest.fixture(scope="module")
def fitted(penguins):
    return GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(penguins)).fit(penguins)


def test_plan_children_equal_one_spawn():
    plan = BatchPlan(2500, 1000, 7)
    items = list(plan)
    ref = np.random.SeedSequence(7).spawn(4)
    assert [(s, n) for s, n, _ in items] == [(-1, 0), (0, 1000), (1000, 1000), (2000, 500)]
    for (_, _, got), want in zip(items, ref):
        assert (got.generate_state(4) == want.generate_state(4)).all()
    start, n, ss = plan.batch(2)  # any batch alone equals that batch of the run
    assert (start, n) == (2000, 500) and (ss.generate_state(4) == ref[3].generate_state(4)).all()
    with pytest.raises(ParameterError):
        plan.batch(3)


def test_a_callers_seed_sequence_advances_as_with_spawn():
    a, b = np.random.SeedSequence(3), np.random.SeedSequence(3)
    list(BatchPlan(5000, 1000, a))
    b.spawn(6)
    assert a.n_children_spawned == b.n_children_spawned == 6


def test_zero_rows_is_one_empty_batch():
    assert [(s, n) for s, n, _ in BatchPlan(0, 10, 0)] == [(-1, 0), (0, 0)]


def test_plan_memory_does_not_grow_with_num_rows():
    tracemalloc.start()
    try:
        it = iter(BatchPlan(10**18, 1000, 0))
        for _ in range(5):
            next(it)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, peak


def test_first_batch_of_a_huge_run_comes_at_once_in_bounded_memory(fitted):
    tracemalloc.start()
    try:
        batch = next(fitted.iter_batches(10**15, seed=0, batch_size=100))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(batch) == 100
    assert peak < 50_000_000, peak


def test_same_rows_as_before_the_lazy_plan(fitted):
    """Batches drawn from a plan equal batches drawn from ``spawn(n_batches + 1)`` children."""
    from simulacra.sampling import SamplingContext
    from simulacra.synthesizers.sampler import sample_rows

    got = fitted.sample(2500, seed=11, batch_size=1000)
    ss = np.random.SeedSequence(11)
    root, *children = ss.spawn(4)
    ctx = SamplingContext.from_seed(fitted._transformer, root, 2500)
    parts = [
        sample_rows(
            fitted,
            min(1000, 2500 - b * 1000),
            np.random.default_rng(c),
            np.arange(b * 1000, min(2500, (b + 1) * 1000)),
            ctx,
        )
        for b, c in enumerate(children[:3])
    ]
    import pandas as pd

    pd.testing.assert_frame_equal(got, pd.concat(parts, ignore_index=True))


def test_num_rows_limits():
    assert check_num_rows(MAX_ROWS) == MAX_ROWS
    for bad in (-1, MAX_ROWS + 1, 2**70, 1.5, "10", True):
        with pytest.raises(ParameterError):
            check_num_rows(bad)


def test_run_to_a_file_refused_when_it_cannot_fit(fitted, tmp_path, monkeypatch):
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(plan_module.shutil, "disk_usage", lambda p: Usage(10**9, 10**9 - 5_000_000, 5_000_000))
    out = tmp_path / "big.csv"
    with pytest.raises(ParameterError) as e:
        fitted.sample(1_000_000, seed=0, output_file_path=out)
    msg = str(e.value)
    assert "1,000,000 rows" in msg and "MB" in msg and "5.0 MB free" in msg and "bytes per row" in msg
    assert list(tmp_path.iterdir()) == []
    fitted.sample(50_000, seed=0, output_file_path=out)  # small runs are not measured
    assert out.exists()


def test_absurd_rows_to_a_file_refused_before_any_work(fitted, tmp_path):
    for n in (10**15, 2**70):
        with pytest.raises(ParameterError, match="free"):
            fitted.sample(n, output_file_path=tmp_path / "o.parquet")
    assert list(tmp_path.iterdir()) == []
    assert shutil.disk_usage(tmp_path).free < 10**15 * 5


@pytest.mark.parametrize("name", ["o.csv", "o.tsv", "o.jsonl", "o.parquet", "o.csv.gz"])
def test_bytes_per_row_estimate_is_close(fitted, tmp_path, name):
    probe = fitted.sample(512, seed=1)
    est = estimate_bytes_per_row(probe, tmp_path / name)
    out = fitted.sample(20_000, seed=2, output_file_path=tmp_path / name)
    real = out.stat().st_size / 20_000
    assert 0.5 * real < est < 2.0 * real, (est, real)


def test_iter_spawn_equals_spawn_and_fake_chunks_are_lazy():
    from simulacra._random import iter_spawn
    from simulacra.fake.schema import Schema

    a, b = np.random.SeedSequence(5), np.random.SeedSequence(5)
    got = list(iter_spawn(a, 2500, block=1000))
    want = b.spawn(2500)
    assert all((g.generate_state(2) == w.generate_state(2)).all() for g, w in zip(got, want))
    assert a.n_children_spawned == b.n_children_spawned
    sch = Schema.from_dict({"columns": {"id": {"provider": "sequence"}, "x": "first_name"}})
    tracemalloc.start()
    try:
        ((_, chunks),) = list(sch.iter_tables(seed=0, n=10**15, chunk_size=10))
        first = next(chunks)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(first) == 10 and peak < 50_000_000, peak


def test_fake_cli_refuses_a_run_that_cannot_fit(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from simulacra.cli import cli

    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(plan_module.shutil, "disk_usage", lambda p: Usage(10**9, 10**9 - 1_000_000, 1_000_000))
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"columns": {"id": {"provider": "sequence"}, "name": "full_name"}}))
    r = CliRunner().invoke(cli, ["fake", str(schema), "-n", "1000000", "-o", str(tmp_path / "o.csv")])
    assert r.exit_code == 1 and "1.0 MB free" in r.stderr and "bytes per row" in r.stderr, r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_the_space_check_does_not_change_the_rows(tmp_path):
    import pandas as pd

    from simulacra.io import read_table

    df = pd.DataFrame({"key": [f"K{i:04d}" for i in range(200)], "x": np.linspace(0, 1, 200), "c": list("abcd") * 50})
    md = Metadata.detect_from_dataframe(df)
    md.update_column("key", sdtype="id", regex_format="K[0-9]{4}")
    md.set_primary_key("key")
    s = GaussianCopulaSynthesizer(md).fit(df)
    n = plan_module.SPACE_CHECK_ROWS + 1  # measured first
    s.sample(n, seed=5, batch_size=50_000, output_file_path=tmp_path / "o.csv")
    got = read_table(tmp_path / "o.csv")
    want = s.sample(n, seed=5, batch_size=50_000)
    assert (
        got["key"].is_unique and got["key"].tolist() == want["key"].tolist() and got["c"].tolist() == want["c"].tolist()
    )
