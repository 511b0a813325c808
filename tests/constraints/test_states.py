"""Constraint states in a model file: dtype names and per-column lists are checked on load.

An edited model (checksums recomputed) could set a constraint's restored dtype to "V8" or "<U1"
(values cut or turned into bytes) or give FixedCombinations rows of the wrong width.
"""

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from simulacra import GaussianCopulaSynthesizer, Metadata
from simulacra.constraints import FixedCombinations, FixedIncrements, Inequality, OneHot
from simulacra.errors import ModelFileError
from simulacra.synthesizers.base import BaseSynthesizer
from ..conftest import write_model_file


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    rng = np.random.default_rng(0)
    n = 80
    low = rng.integers(0, 50, n)
    hot = rng.integers(0, 3, n)
    df = pd.DataFrame(
        {
            "low": low,
            "high": low + rng.integers(1, 20, n),
            "step": rng.integers(0, 20, n) * 5,
            "city": rng.choice(["Oslo", "Rome"], n),
            "country": "x",
            "h0": (hot == 0).astype(int),
            "h1": (hot == 1).astype(int),
            "h2": (hot == 2).astype(int),
        }
    )
    df["country"] = np.where(df["city"] == "Oslo", "NO", "IT")
    s = GaussianCopulaSynthesizer(Metadata.detect_from_dataframe(df))
    s.add_constraints(
        [
            Inequality("low", "high"),
            FixedIncrements("step", 5),
            FixedCombinations(["city", "country"]),
            OneHot(["h0", "h1", "h2"]),
        ]
    )
    s.fit(df)
    path = tmp_path_factory.mktemp("constraints") / "m.zip"
    s.save(path)
    return path


def _edit(src, dst, cls, **fields):
    with zipfile.ZipFile(src) as z:
        manifest = json.loads(z.read("manifest.json"))
        arrays = z.read("arrays.npz")
    entry = next(c for c in manifest["state"]["constraints"] if c["class"] == cls)
    entry["state"].update(fields)
    return write_model_file(dst, manifest, arrays)


def test_the_honest_model_loads_and_keeps_its_rules(model):
    s = BaseSynthesizer.load(model).sample(50, seed=1)
    assert (s["low"] < s["high"]).all() and (s["step"] % 5 == 0).all()
    assert set(zip(s["city"], s["country"])) <= {("Oslo", "NO"), ("Rome", "IT")}
    assert (s[["h0", "h1", "h2"]].sum(axis=1) == 1).all()


CASES = {
    "inequality dtype": ("Inequality", {"high_dtype": "V8"}, "constraint dtype 'V8' cannot hold"),
    "increments dtype": ("FixedIncrements", {"dtype": "<U1"}, r"constraint dtype '<U1' cannot hold"),
    "increments bogus": ("FixedIncrements", {"dtype": "no-such"}, "'no-such' is not a dtype name"),
    "combinations dtype": ("FixedCombinations", {"dtypes": ["object", "S1"]}, "'S1' cannot hold"),
    "combinations width": ("FixedCombinations", {"combos": [["Oslo"], ["Rome"]]}, "one value per column"),
    "onehot dtypes": ("OneHot", {"dtypes": ["int64"]}, "one entry per column"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_edited_constraint_states_are_refused(model, tmp_path, case):
    cls, fields, expected = CASES[case]
    with pytest.raises(ModelFileError, match=expected):
        BaseSynthesizer.load(_edit(model, tmp_path / "x.zip", cls, **fields))
