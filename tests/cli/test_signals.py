"""SIGTERM unwinds a run (its temporary file is removed, exit 143, one line); the part a
SIGKILLed run leaves is removed by the next run into the same folder; streaming starts at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulacra.cli.app import Terminated, signals_as_exceptions

from .conftest import invoke, listing

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _start_long_sample(folder: Path, model: Path, command=None):
    """A run that lasts (many small batches); returns it once its part file has data."""
    command = command or ["sample", str(model), "-n", "5000000", "--batch-size", "500", "--seed", "0"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulacra", *command, "-o", str(folder / "out.csv")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    deadline = time.monotonic() + 120  # a guard against a hung test, not a timing assertion
    while time.monotonic() < deadline:
        parts = [p for p in folder.iterdir() if p.name.startswith(".out.csv.") and p.name.endswith(".part")]
        if parts and parts[0].stat().st_size > 0:
            return proc, parts[0]
        if proc.poll() is not None:
            pytest.fail(f"the run ended before writing: {proc.stderr.read()}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail("no part file appeared")


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def test_sigterm_removes_the_part_and_exits_143(tmp_path, model_dir):
    proc, part = _start_long_sample(tmp_path, model_dir / "model.zip")
    from simulacra.io.writers import host_tag

    assert part.name.startswith(f".out.csv.{host_tag()}.{proc.pid}.")  # the host and the process id are in the name
    rss = _rss_mb(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: terminated by SIGTERM"), err
    assert listing(tmp_path) == []
    if rss is not None:  # streaming in batches of 500 rows: memory does not follow the 5M rows asked for
        assert rss < 600, rss


def test_sigterm_during_fake(tmp_path):
    schema = tmp_path.parent / f"{tmp_path.name}-schema.json"
    schema.write_text('{"columns": {"id": {"provider": "sequence"}, "name": "first_name"}}')
    proc, _ = _start_long_sample(tmp_path, None, ["fake", str(schema), "-n", "5000000", "--chunk-size", "500"])
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and err.startswith("error: terminated by SIGTERM") and err.count("\n") == 1, err
    assert listing(tmp_path) == []


def test_sigkill_part_is_removed_by_the_next_run(tmp_path, model_dir):
    proc, part = _start_long_sample(tmp_path, model_dir / "model.zip")
    proc.kill()
    proc.communicate(timeout=60)
    assert part.exists()  # SIGKILL cannot be handled: the part stays...
    r = invoke("sample", model_dir / "model.zip", "-n", "10", "-o", tmp_path / "other.csv")
    assert r.exit_code == 0, r.output
    assert part.exists()  # ...a run into another name leaves it (only its own name's parts are its business)...
    r = invoke("sample", model_dir / "model.zip", "-n", "10", "-o", tmp_path / "out.csv")
    assert r.exit_code == 0, r.output
    assert listing(tmp_path) == ["other.csv", "out.csv"]  # ...until the next run into the same file


def test_signal_handlers_are_restored_and_a_second_signal_does_not_break_clean_up():
    before = signal.getsignal(signal.SIGTERM)
    cleaned = []
    with signals_as_exceptions():
        with pytest.raises(Terminated) as e:
            try:
                signal.raise_signal(signal.SIGTERM)
            finally:
                signal.raise_signal(signal.SIGTERM)  # impatient user: sent twice
                cleaned.append(True)
        assert e.value.signum == signal.SIGTERM and cleaned == [True]
    assert signal.getsignal(signal.SIGTERM) is before
    with signals_as_exceptions(), pytest.raises(Terminated):  # armed again for the next command
        signal.raise_signal(signal.SIGHUP)


def test_python_warnings_are_one_line_each():
    import warnings

    import click
    from click.testing import CliRunner

    from simulacra.cli.app import Group

    @click.group(cls=Group)
    def g():
        pass

    @g.command()
    def noisy():
        warnings.warn("column 'x' is odd\nreally", UserWarning, stacklevel=1)
        raise click.UsageError("then it fails")

    r = CliRunner().invoke(g, ["noisy"])
    assert r.exit_code == 2
    assert r.stderr.splitlines() == ["warning: column 'x' is odd really", "error: then it fails (see 'g noisy --help')"]
