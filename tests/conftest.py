# Thread pools pinned to one thread before numpy (or anything using BLAS/OpenMP) is imported: the
# suite runs many small problems, where pools of one thread per core only fight over the cores.
# SIMULACRA_TEST_THREADS=default keeps the default pools (to measure the difference).
import os

_PIN = os.environ.get("SIMULACRA_TEST_THREADS") != "default"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    if _PIN:
        os.environ.setdefault(_var, "1")

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

_POOLS = threadpool_limits(1) if _PIN else None  # pools loaded before this file (kept for the whole session)


def pytest_runtest_setup(item):
    torch = sys.modules.get("torch")
    if _PIN and torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"


def catalog():
    path = DATASETS / "catalog.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def dataset_names():
    cat = catalog()
    if cat is None:
        return []
    return [t["file"] for t in cat["tables"]]


def catalog_metadata(file: str) -> dict:
    """Metadata dict from the catalog; non-key 'id' columns (foreign keys) become categorical."""
    t = next(t for t in catalog()["tables"] if t["file"] == file)
    pk = t.get("primary_key")
    cols = {}
    for c in t["column_details"]:
        sd = c["type"]
        if sd == "id" and c["name"] != pk:
            sd = "categorical"
        m = {"sdtype": sd}
        if sd == "datetime" and c.get("datetime_format"):
            m["datetime_format"] = c["datetime_format"]
        cols[c["name"]] = m
    return {"columns": cols, "primary_key": pk}


@pytest.fixture(scope="session")
def penguins():
    from simulacra.datasets import load_demo

    return load_demo()


@pytest.fixture(scope="session")
def penguins_metadata(penguins):
    from simulacra import Metadata

    return Metadata.detect_from_dataframe(penguins, table_name="penguins")


def need_datasets():
    if not DATASETS.exists():
        pytest.skip("../shared/datasets is not present")


def read_model_file(path):
    """(manifest dict, arrays.npz bytes) of a saved model file."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("manifest.json")), z.read("arrays.npz")


def read_model_arrays(array_bytes: bytes) -> dict:
    import io

    import numpy as np

    with np.load(io.BytesIO(array_bytes), allow_pickle=False) as npz:
        return {k: npz[k].copy() for k in npz.files}


def npz_bytes(arrays: dict) -> bytes:
    """The arrays as simulacra stores them (np.savez, members uncompressed)."""
    import io

    import numpy as np

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def write_model_file(path, manifest: dict, array_bytes: bytes):
    """Write a model file with both checksums recomputed: what anyone can do without a signing key."""
    import hashlib
    import zipfile

    from simulacra.io.modelfile import _canonical

    manifest = dict(manifest)
    manifest.pop("checksum", None)
    manifest["arrays_sha256"] = hashlib.sha256(array_bytes).hexdigest()
    manifest["checksum"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("arrays.npz", array_bytes)
    return path


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """A test run in its own empty folder (the README's examples write there), without a model key set."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIMULACRA_MODEL_KEY", raising=False)
    return tmp_path
