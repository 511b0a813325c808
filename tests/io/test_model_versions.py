"""Model format versions: files are written in version 2 (states may nest component states), version-1 files
still load and sample the same rows, and any other version is refused naming the versions this simulacra reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ..conftest import read_model_arrays, read_model_file, write_model_file

from simulacra import GaussianCopulaSynthesizer
from simulacra.errors import ModelFileError
from simulacra.io.modelfile import FORMAT_VERSION, READ_VERSIONS, load_model, save_model
from simulacra.synthesizers.base import BaseSynthesizer


@pytest.fixture(scope="module")
def saved(tmp_path_factory, penguins, penguins_metadata):
    path = tmp_path_factory.mktemp("v") / "model.zip"
    GaussianCopulaSynthesizer(penguins_metadata).fit(penguins).save(path)
    return path


def test_files_are_written_in_the_newest_version(saved):
    manifest, _ = read_model_file(saved)
    assert manifest["format_version"] == FORMAT_VERSION == 2
    assert READ_VERSIONS == (1, 2)


def test_a_version_1_file_still_loads_and_samples_the_same_rows(saved, tmp_path):
    manifest, arrays = read_model_file(saved)
    manifest["format_version"] = 1
    old = write_model_file(tmp_path / "v1.zip", manifest, arrays)
    a = BaseSynthesizer.load(saved).sample(50, seed=3)
    b = BaseSynthesizer.load(old).sample(50, seed=3)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("version", [3, 99])
def test_a_newer_version_is_refused_naming_the_readable_ones(saved, tmp_path, version):
    manifest, arrays = read_model_file(saved)
    manifest["format_version"] = version
    p = write_model_file(tmp_path / "new.zip", manifest, arrays)
    with pytest.raises(
        ModelFileError, match=rf"model format {version} .*reads model formats 1 and 2: upgrade simulacra"
    ):
        BaseSynthesizer.load(p)


@pytest.mark.parametrize("version", [0, -1, "2", 2.0, True, None])
def test_an_invalid_version_is_refused(saved, tmp_path, version):
    manifest, arrays = read_model_file(saved)
    manifest["format_version"] = version
    p = write_model_file(tmp_path / "bad.zip", manifest, arrays)
    with pytest.raises(ModelFileError, match="invalid format_version.*reads model formats 1 and 2"):
        BaseSynthesizer.load(p)


def test_nested_component_states_round_trip(tmp_path):
    """A composite state (multi-table / sequential): component entries shaped like manifests, arrays at any depth."""
    rng = np.random.default_rng(0)
    entry = lambda k: {  # noqa: E731
        "synthesizer": "gaussian_copula",
        "parameters": {"seed": k},
        "metadata": {"columns": {"x": {"sdtype": "numerical"}}},
        "state": {
            "weights": rng.normal(size=(3, k + 1)),
            "codes": np.arange(k + 2, dtype=np.int64),
            "nested": [{"m": rng.random(2)}],
        },
    }
    state = {"components": {"users": entry(1), "orders": entry(2)}}
    p = save_model(tmp_path / "composite.zip", "composite", {}, {}, state)
    loaded = load_model(p)
    assert loaded["format_version"] == 2
    for name in ("users", "orders"):
        got, want = loaded["state"]["components"][name], state["components"][name]
        assert {k: got[k] for k in ("synthesizer", "parameters", "metadata")} == {
            k: want[k] for k in ("synthesizer", "parameters", "metadata")
        }
        np.testing.assert_array_equal(got["state"]["weights"], want["state"]["weights"])
        np.testing.assert_array_equal(got["state"]["codes"], want["state"]["codes"])
        assert got["state"]["codes"].dtype == np.int64
        np.testing.assert_array_equal(got["state"]["nested"][0]["m"], want["state"]["nested"][0]["m"])
    _, arrays = read_model_file(p)
    assert len(read_model_arrays(arrays)) == 6  # every component's arrays in the one arrays.npz
