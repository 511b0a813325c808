"""The Dask engine: a client for a run, and Parquet datasets written one file per partition.

simulacra does not schedule work itself: partitions are Dask tasks, run on this process's threads,
on a ``distributed.LocalCluster`` or on a real cluster given its scheduler address. A partition is
made from its index alone (the caller's ``make(i)``: a batch of a sampling plan, a chunk of a fake
schema), so the bytes of a run do not depend on how many workers made it.

A dataset is written into a staging folder next to the output (``.<name>.<host>.<pid>.<random>.part``),
each partition to a temporary name moved into place when complete; the staging folder becomes the
output in one rename when every partition is written. A failed or interrupted run removes the
staging folder: no partial dataset is ever left at the output path. The workers must see the output
folder (one machine, or a file system shared by the cluster).
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

from ..errors import ParameterError, SimulacraError
from .writers import host_tag

INSTALL = "pip install 'simulacra[dask]'"
#: target size of one partition in memory (the issue's "about 100 MB")
PARTITION_BYTES = 100_000_000
#: partitions are never smaller or larger than this many rows (whatever the row size)
MIN_PARTITION_ROWS = 1_000
MAX_PARTITION_ROWS = 10_000_000
#: the file name of partition i in a dataset folder
PART_NAME = "part-{:05d}.parquet"


def require_dask(who: str = "--engine dask"):
    """``(dask, dask.dataframe, distributed)``, or one ParameterError naming ``who`` and what to install."""
    try:
        import dask
        import dask.dataframe as dd
        import distributed
    except ImportError as e:
        missing = getattr(e, "name", None) or "dask"
        raise ParameterError(f"{who} needs the dask extra ({missing} is not installed): {INSTALL}") from None
    return dask, dd, distributed


def partition_rows_for(bytes_per_row: float, target_bytes: int = PARTITION_BYTES) -> int:
    """Rows per partition for about ``target_bytes`` of memory per partition."""
    rows = int(target_bytes // max(1.0, float(bytes_per_row)))
    return int(min(MAX_PARTITION_ROWS, max(MIN_PARTITION_ROWS, rows)))


#: a run of more partitions than this is refused (the scheduler holds one task per partition)
MAX_PARTITIONS = 200_000


def check_partition_count(n_partitions: int, partition_rows: int) -> None:
    """A ParameterError for a run of over :data:`MAX_PARTITIONS` partitions, saying what to raise."""
    if n_partitions > MAX_PARTITIONS:
        raise ParameterError(
            f"{n_partitions:,} partitions of {partition_rows:,} rows is over {MAX_PARTITIONS:,} (one task each on "
            "the scheduler); ask for fewer rows or raise --partition-rows (partition_rows=)"
        )


#: local clusters larger than this many workers per core are refused (each worker is a process)
MAX_WORKERS_PER_CORE = 4
#: seconds to wait for a running scheduler's first worker
WAIT_FOR_WORKERS_S = 60


def cpu_count() -> int:
    """Cores this process may use (cgroup and affinity limits counted, as Dask counts them)."""
    try:
        from dask.system import CPU_COUNT

        return max(1, int(CPU_COUNT))
    except (ImportError, TypeError, ValueError):  # pragma: no cover
        return max(1, os.cpu_count() or 1)


@contextmanager
def open_client(scheduler: str | None = None, workers: int | None = None, threads_per_worker: int = 1):
    """A ``distributed.Client`` for a run, closed (with its cluster) when the block ends.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``): the run's tasks go to its workers.
    workers : int, optional
        Start a ``LocalCluster`` of this many worker processes (``threads_per_worker`` threads each).
        With neither, a LocalCluster of one single-threaded worker per core.
    """
    _, _, distributed = require_dask()
    if scheduler is not None and workers is not None:
        raise ParameterError(
            "give either --scheduler ADDRESS (a running cluster) or --workers N (a local one), not both"
        )
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout="15s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise ParameterError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({type(e).__name__}: {e}); start it "
                "(dask scheduler) or check the address, or use --workers N for a local cluster"
            ) from None
        try:
            try:
                client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
            except (TimeoutError, OSError) as e:
                raise ParameterError(
                    f"the Dask scheduler at {scheduler!r} has no workers ({type(e).__name__} after "
                    f"{WAIT_FOR_WORKERS_S} s); start some (dask worker {scheduler}) or use --workers N"
                ) from None
            yield client
        finally:
            client.close()
        return
    cores = cpu_count()
    n = workers if workers is not None else cores
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ParameterError(f"--workers must be a positive number of worker processes, got {workers!r}")
    if n > MAX_WORKERS_PER_CORE * cores:
        raise ParameterError(
            f"--workers {n} starts {n} processes on {cores} core(s); use at most {MAX_WORKERS_PER_CORE * cores} "
            "here, or --scheduler ADDRESS for a cluster of several machines"
        )
    try:
        cluster = distributed.LocalCluster(
            n_workers=n, threads_per_worker=threads_per_worker, processes=True, dashboard_address=":0"
        )
    except Exception as e:
        raise SimulacraError(
            f"could not start a local Dask cluster of {n} worker(s) ({type(e).__name__}: {e}); "
            "try fewer --workers, or start one yourself and pass --scheduler ADDRESS"
        ) from None
    try:
        client = distributed.Client(cluster, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _write_part(make, i: int, folder: str, schema=None) -> int:
    """Make partition ``i`` and write it to ``folder`` (temporary name first); its row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    final = os.path.join(folder, PART_NAME.format(i))
    tmp = os.path.join(folder, f".{PART_NAME.format(i)}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        df = make(i)
        table = pa.Table.from_pandas(df, preserve_index=False, schema=schema)
        pq.write_table(table, tmp)
        os.replace(tmp, final)
    except Exception as e:  # the partition's index in the one error the run gives
        raise _failed(e, i) from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return len(df)


def staging_folder(out: Path) -> Path:
    """A new empty staging folder beside ``out`` (hidden, named after it, this host and process)."""
    parent = out.parent if str(out.parent) else Path(".")
    tmp = parent / f".{out.name}.{host_tag()}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part"
    tmp.mkdir()
    return tmp


def is_dataset_folder(path: Path) -> bool:
    """Whether ``path`` holds only what a dataset run writes: ``part-*.parquet`` files, or table folders of them."""
    import re

    part = re.compile(r"part-\d{5,}\.parquet")
    for entry in path.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            if any(not (f.is_file() and part.fullmatch(f.name)) for f in entry.iterdir()):
                return False
        elif not (entry.is_file() and part.fullmatch(entry.name)):
            return False
    return True


def _remove(folder: Path) -> None:
    """Remove ``folder``, again while tasks still running (cancelled ones) write into it."""
    import time

    for _ in range(40):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.25)


@contextmanager
def staged_dataset(out, overwrite: bool = False):
    """A staging folder that becomes ``out`` when the block ends without an error, else is removed.

    ``out`` must not exist, or (with ``overwrite``) be a dataset folder an earlier run wrote
    (only ``part-*.parquet`` files, or table folders of them), which is replaced only once the new
    dataset is complete. Several datasets (one per table) may be written under the staging folder.
    """
    out = Path(out)
    if out.is_symlink():
        raise ParameterError(f"{str(out)!r} is a symbolic link; give the dataset folder itself")
    if out.exists() and not overwrite:
        raise ParameterError(f"{str(out)!r} exists; choose a new output folder, or pass --overwrite to replace it")
    if out.exists() and not out.is_dir():
        raise ParameterError(f"{str(out)!r} is a file; the dask engine writes a folder of Parquet files")
    if out.exists():
        here = Path.cwd().resolve()
        if out.resolve() == here or out.resolve() in here.parents:
            raise ParameterError(f"{str(out)!r} holds the current folder; --overwrite never replaces it")
        if not is_dataset_folder(out):
            raise ParameterError(
                f"{str(out)!r} holds files other than a dataset's part-*.parquet files; --overwrite replaces only "
                "a dataset folder simulacra wrote: choose a new folder, or empty it yourself"
            )
    tmp = staging_folder(out)
    try:
        yield tmp
        if out.exists():
            old = tmp.with_name(tmp.name[:-5] + ".old")
            os.replace(out, old)
            try:
                os.replace(tmp, out)
            except BaseException:
                os.replace(old, out)  # the old dataset back in place
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        _remove(tmp)
        raise


def _check_written(folder: str, counts: list) -> None:
    """A SimulacraError unless every partition's file is in ``folder`` (the workers may not see it)."""
    missing = [i for i in range(len(counts)) if not os.path.exists(os.path.join(folder, PART_NAME.format(i)))]
    if missing:
        raise SimulacraError(
            f"{len(missing):,} of {len(counts):,} partitions were written where this process cannot see them "
            f"(first: {PART_NAME.format(missing[0])}); the output folder must be on a file system the workers "
            "share; nothing was written"
        )


def run_partitions(
    make, n_partitions: int, folder, client=None, show_progress: bool = False, label="partitions", schema=None
):
    """Write partitions ``0 .. n_partitions - 1`` of ``make`` into ``folder``; their row counts, in order.

    With ``client`` (a ``distributed.Client``) the partitions are tasks on its workers, else on this
    process's threads (the Dask threaded scheduler). ``make`` must be picklable (a module-level
    function or a small object). The first failing partition stops the run: the others are
    cancelled and one SimulacraError says which partition failed and why.
    """
    from ..utils.progress import progress

    dask, _, distributed = require_dask()
    folder = str(Path(folder).resolve())  # the workers' working folders differ from this one
    rows = [0] * n_partitions
    with progress(n_partitions, show_progress) as bar:
        task = bar.add_task(label, total=n_partitions) if bar is not None else None
        if client is None:
            from dask.callbacks import Callback

            tasks = [dask.delayed(_write_part, pure=False)(make, i, folder, schema) for i in range(n_partitions)]

            class _Bar(Callback):
                def _posttask(self, key, result, dsk, state, id):
                    if bar is not None and isinstance(result, int):
                        bar.advance(task, 1)

            try:
                with _Bar():
                    rows = list(dask.compute(*tasks, scheduler="threads"))
            except Exception as e:
                raise _failed(e, None) from None
            _check_written(folder, rows)
            return rows
        token = uuid.uuid4().hex[:8]
        maker = client.scatter(make, broadcast=True, hash=False)  # sent to each worker once, not per task
        futures = client.map(
            _write_part,
            [maker] * n_partitions,
            range(n_partitions),
            [folder] * n_partitions,
            [schema] * n_partitions,
            key=[f"simulacra-part-{token}-{i}" for i in range(n_partitions)],
            pure=False,
        )
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            try:
                for future in distributed.as_completed(futures, loop=client.loop):
                    i = index[future.key]
                    if future.status != "finished":
                        raise _failed(
                            future.exception() if future.status == "error" else RuntimeError(future.status), i
                        )
                    rows[i] = future.result()
                    if bar is not None:
                        bar.advance(task, 1)
            except SimulacraError:
                raise
            except Exception as e:  # a lost scheduler or worker, a cancelled run
                raise _failed(e, None) from None
        except BaseException:
            client.cancel(futures)
            try:
                distributed.wait(futures, timeout=30)  # running tasks end before the staging folder goes
            except Exception:
                pass
            raise
    _check_written(folder, rows)
    return rows


def _failed(e: BaseException, i, folder=None) -> SimulacraError:
    """One error for a failed partition: simulacra's own kind kept, its message first."""
    where = f"partition {i}" if i is not None else "a partition"
    if isinstance(e, SimulacraError) and str(e).startswith("partition ") and "nothing was written" in str(e):
        return e  # made by _write_part already
    if isinstance(e, SimulacraError):
        return type(e)(f"{where} failed: {e}; nothing was written")
    return SimulacraError(f"{where} failed on a worker ({type(e).__name__}: {e}); nothing was written")
