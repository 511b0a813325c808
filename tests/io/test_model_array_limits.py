"""load_model holds each array to the limit its caller derives from the manifest, before inflating it.

The synthesizers pass ``array_limits`` (tests/synthesizers/test_array_bounds.py covers their
bounds); here the io layer alone: arrays the state does not refer to, arrays past their limit, a
limit that cannot be derived, and the cap on the arrays.npz member those limits imply.
"""

import hashlib
import io
import json
import zipfile

import numpy as np
import pytest

from simulacra.errors import ModelFileError
from simulacra.io.modelfile import _canonical, load_model


def _model(path, arrays: dict, state: dict, compress=False):
    buf = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buf, **arrays)
    data = buf.getvalue()
    m = {
        "format": "simulacra-model",
        "format_version": 1,
        "simulacra_version": "0",
        "synthesizer": "x",
        "parameters": {},
        "metadata": {},
        "state": state,
        "arrays_sha256": hashlib.sha256(data).hexdigest(),
    }
    m["checksum"] = hashlib.sha256(_canonical(m)).hexdigest()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(m))
        z.writestr("arrays.npz", data)
    return path


STATE = {"p": {"__array__": "a0"}, "nested": [{"w": {"__array__": "a1"}}]}


def test_arrays_within_their_limits_load(tmp_path):
    p = _model(tmp_path / "m.zip", {"a0": np.ones(3), "a1": np.zeros((2, 2))}, STATE)
    seen = []
    m = load_model(p, array_limits=lambda manifest: seen.append(manifest["synthesizer"]) or {"a0": 3, "a1": 4})
    assert seen == ["x"]
    assert m["state"]["nested"][0]["w"].shape == (2, 2)


def test_an_unreferenced_array_is_refused_with_or_without_limits(tmp_path):
    p = _model(tmp_path / "m.zip", {"a0": np.ones(3), "a1": np.zeros(4), "a2": np.zeros(1)}, STATE)
    for limits in (None, lambda m: {"a0": 3, "a1": 4}):
        with pytest.raises(ModelFileError, match="holds an array 'a2' that the model state does not use"):
            load_model(p, array_limits=limits)


def test_an_array_past_its_limit_is_refused(tmp_path):
    p = _model(tmp_path / "m.zip", {"a0": np.ones(3), "a1": np.zeros((3, 3))}, STATE)
    with pytest.raises(ModelFileError, match=r"a1\.npy declares shape \(3, 3\) \(9 values\), more than the 4 values"):
        load_model(p, array_limits=lambda m: {"a0": 3, "a1": 4})


@pytest.mark.parametrize("limit", [None, -1, 2.5, True, "3"])
def test_a_limit_that_cannot_be_derived_is_refused(tmp_path, limit):
    p = _model(tmp_path / "m.zip", {"a0": np.ones(3), "a1": np.zeros(4)}, STATE)
    with pytest.raises(ModelFileError, match="no size can be derived for array 'a1'"):
        load_model(p, array_limits=lambda m: {"a0": 3, "a1": limit})


def test_a_limit_function_error_names_the_file(tmp_path):
    p = _model(tmp_path / "m.zip", {"a0": np.ones(3), "a1": np.zeros(4)}, STATE)

    def fail(manifest):
        raise ModelFileError("model file: fitted_rows must be an integer")

    with pytest.raises(
        ModelFileError, match=r"m\.zip'?: fitted_rows must be an integer; the file was edited or crafted"
    ):
        load_model(p, array_limits=fail)


def test_arrays_npz_bigger_than_the_limits_allow_is_refused_before_it_is_read(tmp_path):
    # honest headers, 8 MB of zeros: deflated to a few KB, but far more than 3 + 4 values need
    p = _model(tmp_path / "m.zip", {"a0": np.zeros(1_000_000), "a1": np.zeros(4)}, STATE)
    with pytest.raises(
        ModelFileError,
        match=r"arrays\.npz declares [\d,]+ bytes, more than the [\d,]+ bytes its state's arrays can need",
    ):
        load_model(p, array_limits=lambda m: {"a0": 3, "a1": 4})
    assert load_model(p)["state"]["p"].shape == (1_000_000,)  # without limits only the overall budget applies
