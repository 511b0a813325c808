"""Each array of a model file is bounded by what its manifest implies, before it is inflated.

A crafted file edits the arrays and recomputes both SHA-256 checksums; an array declaring more
values than the metadata, parameters and state allow (or one the state does not use) must be a
ModelFileError raised from the .npy header, without allocating or decompressing the array.
"""

import io
import json
import struct
import zipfile
import zlib

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import ModelFileError
from simulacra.metadata import Metadata
from simulacra.synthesizers import get_synthesizer_class
from simulacra.synthesizers._array_bounds import array_limits
from simulacra.synthesizers.base import BaseSynthesizer
from ..conftest import write_model_file

NEURAL = {"epochs": 1, "batch_size": 20, "embedding_dim": 8, "cuda": False}
FAMILIES = {
    "gaussian_copula": {
        "numerical_distributions": {"x": "gaussian_kde", "n": "empirical"}
    },  # a KDE tabulates 1,024 points from 60 rows
    "cart": {},
    "bayesian_network": {},
    "ctgan": dict(NEURAL, generator_dim=(16,), discriminator_dim=(16,)),
    "tvae": dict(NEURAL, compress_dims=(16,), decompress_dims=(16,)),
    "copulagan": dict(
        NEURAL, generator_dim=(16,), discriminator_dim=(16,), numerical_distributions={"x": "gaussian_kde"}
    ),
}
ROWS = 60


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=ROWS),
            "n": rng.integers(0, 100, ROWS),
            "c": rng.choice(list("abc"), ROWS),
            "d": (pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, ROWS), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            # 25 distinct dates: a "discrete" output with more values than DISCRETE_MAX_VALUES (a TVAE model was refused)
            "day": pd.Timestamp("2021-05-01") + pd.to_timedelta(np.arange(ROWS) % 25, unit="D"),
        }
    )
    md = Metadata.detect_from_dataframe(df)
    out = {}
    folder = tmp_path_factory.mktemp("bounds")
    for name, params in FAMILIES.items():
        if name in ("ctgan", "tvae", "copulagan"):
            pytest.importorskip("torch")
        path = folder / f"{name}.zip"
        get_synthesizer_class(name)(md, **params).fit(df).save(path)
        out[name] = path
    return out


def read(path):
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        with np.load(io.BytesIO(z.read("arrays.npz")), allow_pickle=False) as npz:
            arrays = {k: npz[k].copy() for k in npz.files}
    return manifest, arrays


def write(path, manifest, array_bytes: bytes):
    return write_model_file(path, manifest, array_bytes)


def npz(arrays, compress=False) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buf, **arrays)
    return buf.getvalue()


def refs(obj, path=""):
    """(path, array name) of every array reference in a state."""
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            yield path, obj["__array__"]
        else:
            for k, v in obj.items():
                yield from refs(v, f"{path}/{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from refs(v, f"{path}[{i}]")


@pytest.mark.parametrize("family", list(FAMILIES))
def test_honest_models_fit_within_their_bounds(saved, family):
    manifest, arrays = read(saved[family])
    limits = array_limits(manifest)
    assert set(limits) == set(arrays)
    kinds = [k for t in manifest["state"]["transformer"]["transforms"] for k in t["state"]["output_kinds"]]
    assert "discrete" in kinds
    for name, a in arrays.items():
        assert a.size <= limits[name], (name, a.shape, limits[name])
    BaseSynthesizer.load(saved[family]).sample(5, seed=1)


def test_copula_bounds_are_the_declared_shapes(saved):
    manifest, arrays = read(saved["gaussian_copula"])
    limits = array_limits(manifest)
    d = len(manifest["state"]["model"]["names"])
    paths = dict(refs(manifest["state"]))
    assert limits[paths["/model/correlation"]] == d * d
    probs = next(k for p, k in paths.items() if p.endswith("/probabilities"))
    assert limits[probs] == 4  # three categories and a missing one


def _bigger(family, manifest, arrays):
    """The name of one array of the family's model and a zero array one value past its bound."""
    limits = array_limits(manifest)
    paths = dict(refs(manifest["state"]))
    prefix = {
        "gaussian_copula": "/model/correlation",
        "cart": "/model/trees[0]/donors",
        "bayesian_network": "/model/tables[0]",
    }
    pick = next(p for p in paths if p.startswith(prefix.get(family, "/model/weights/")))
    name = paths[pick]
    return name, np.zeros(limits[name] + 1)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_an_array_past_its_bound_is_refused_from_its_header(saved, tmp_path, family):
    manifest, arrays = read(saved[family])
    name, big = _bigger(family, manifest, arrays)
    arrays[name] = big
    p = write(tmp_path / "x.zip", manifest, npz(arrays))
    with pytest.raises(ModelFileError, match=rf"array {name}\.npy declares shape .* more than the [\d,]+ values"):
        BaseSynthesizer.load(p)


def _deflated_npy_declaring(count: int, body: bytes = b"\0" * 65536) -> bytes:
    """An .npz whose a0.npy header declares ``count`` float64 values but whose deflated body is short.

    The member's declared size matches the header (as an honest writer's would); only a reader
    that inflates before checking the header would notice the body is short.
    """
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (count,)})
    data = header.getvalue() + body
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("a0.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
    raw = bytearray(buf.getvalue())
    declared = len(header.getvalue()) + count * 8
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size in both headers
        i = raw.find(sig)
        struct.pack_into("<L", raw, i + off, declared)
    return bytes(raw)


def test_audit_250_million_zeros_is_refused_before_inflating(saved, tmp_path):
    """AUDIT 6: a0 replaced by 250,000,000 zeros (2 GB) in a few-KB file, checksums recomputed."""
    manifest, arrays = read(saved["gaussian_copula"])
    body = _deflated_npy_declaring(250_000_000)
    assert len(zlib.compress(body)) < 10_000
    p = write(tmp_path / "big.zip", manifest, body)
    # refused before inflating: a deflated inner array is refused outright (simulacra stores them)
    with pytest.raises(ModelFileError, match=r"a0\.npy in arrays\.npz is compressed"):
        BaseSynthesizer.load(p)


def test_honestly_deflated_arrays_npz_beyond_the_state_is_refused_by_its_size(saved, tmp_path):
    manifest, arrays = read(saved["gaussian_copula"])
    arrays["a0"] = np.zeros(2_000_000)  # 16 MB, deflated to a few KB twice over
    p = write(tmp_path / "big.zip", manifest, npz(arrays))
    with pytest.raises(
        ModelFileError,
        match=r"arrays\.npz declares [\d,]+ bytes, more than the [\d,]+ bytes its state's arrays can need",
    ):
        BaseSynthesizer.load(p)


def test_an_array_the_state_does_not_use_is_refused(saved, tmp_path):
    """AUDIT 10d: an extra array a1 was accepted."""
    manifest, arrays = read(saved["gaussian_copula"])
    arrays[f"a{len(arrays) + 5}"] = np.zeros(3)
    p = write(tmp_path / "x.zip", manifest, npz(arrays))
    with pytest.raises(ModelFileError, match=r"holds an array 'a\d+' that the model state does not use"):
        BaseSynthesizer.load(p)


@pytest.mark.parametrize("rows", [-1, "60", 2**50, True, None])
def test_fitted_rows_must_be_a_row_count(saved, tmp_path, rows):
    manifest, arrays = read(saved["cart"])
    manifest["state"]["fitted_rows"] = rows
    p = write(tmp_path / "x.zip", manifest, npz(arrays))
    with pytest.raises(ModelFileError, match="fitted_rows must be an integer"):
        BaseSynthesizer.load(p)


def test_cart_trees_are_bounded_by_the_fitted_rows(saved, tmp_path):
    manifest, arrays = read(saved["cart"])
    paths = dict(refs(manifest["state"]))
    donors = next(k for p, k in paths.items() if p.endswith("/donors"))
    assert array_limits(manifest)[donors] == 2 * ROWS + 1
    manifest["state"]["fitted_rows"] = 10  # fewer rows than the trees hold donors
    p = write(tmp_path / "x.zip", manifest, npz(arrays))
    with pytest.raises(ModelFileError, match="more than the 21 values"):
        BaseSynthesizer.load(p)


def test_bayesian_tables_are_bounded_by_cards_and_parents(saved):
    manifest, arrays = read(saved["bayesian_network"])
    model = manifest["state"]["model"]
    limits = array_limits(manifest)
    for a, parents, ref in zip(model["order"], model["parents"], model["tables"]):
        expected = model["cards"][a] * int(np.prod([model["cards"][p] for p in parents]))
        assert limits[ref["__array__"]] == expected
        assert arrays[ref["__array__"]].size == expected
