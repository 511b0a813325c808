"""The base as parts: constructor parameter names, the registry's public names, and component
states that nest (several single-table synthesizers in one model file)."""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path

import pandas as pd
import pytest

import simulacra.synthesizers as synthesizers
from simulacra import Metadata
from simulacra.errors import ModelFileError
from simulacra.synthesizers import available, get_synthesizer_class
from simulacra.synthesizers.base import BaseSynthesizer


@pytest.mark.parametrize("name", available())
def test_parameter_names_are_each_constructor_parameter_once(name):
    import inspect

    cls = get_synthesizer_class(name)
    names = cls._parameter_names()
    assert len(names) == len(set(names)), names
    assert not {"args", "kwargs", "self", "metadata", "pseudonymize_key"} & set(names)
    own = [
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name not in ("self", "metadata", "pseudonymize_key") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    assert set(own) <= set(names)


def test_parameter_names_skip_object_varargs_and_repeats():
    class Child(BaseSynthesizer):
        def __init__(self, metadata, extra=1, *args, enforce_rounding=True, **kwargs):
            super().__init__(metadata, enforce_rounding=enforce_rounding, **kwargs)

    names = Child._parameter_names()
    assert names[:2] == ["extra", "enforce_rounding"]
    assert names.count("enforce_rounding") == 1 and "args" not in names and "kwargs" not in names
    assert set(names) == {"extra", "enforce_rounding", "enforce_min_max_values", "locales", "pseudonymize"}


def test_all_lists_every_public_name():
    classes = {getattr(synthesizers, n) for n in synthesizers.__all__ if n.endswith("Synthesizer")}
    assert {get_synthesizer_class(n) for n in available()} <= classes
    for name in ("BaseSynthesizer", "SingleTablePreset", "preset", "PRESETS", "available", "get_synthesizer_class"):
        assert name in synthesizers.__all__
    for name in synthesizers.__all__:
        assert getattr(synthesizers, name) is not None
    star = {}
    exec("from simulacra.synthesizers import *", star)
    assert set(synthesizers.__all__) <= set(star)


def test_condition_has_one_home():
    import simulacra
    from simulacra.sampling import Condition
    from simulacra.synthesizers.base import Condition as FromBase

    assert simulacra.Condition is Condition is FromBase
    assert importlib.import_module("simulacra.sampling.conditions").Condition is Condition


def _fitted(df, name="gaussian_copula"):
    return get_synthesizer_class(name)(Metadata.detect_from_dataframe(df)).fit(df)


def test_states_nest_in_one_model_file(penguins, tmp_path):
    """A composite (multi-table, sequential) model nests single-table entries in one file."""
    from simulacra.io.modelfile import load_model, save_model

    a = _fitted(penguins)
    b = _fitted(penguins[["species", "island", "body_mass_g"]].dropna(), "cart")
    components = {"penguins": a._to_state(), "masses": b._to_state()}
    save_model(tmp_path / "composite.zip", "composite", {}, {}, {"components": components})
    manifest = load_model(tmp_path / "composite.zip")
    back = {k: BaseSynthesizer._from_state(v, repr(k)) for k, v in manifest["state"]["components"].items()}
    assert type(back["masses"]).__name__ == "CARTSynthesizer"
    pd.testing.assert_frame_equal(back["penguins"].sample(40, seed=3), a.sample(40, seed=3))
    pd.testing.assert_frame_equal(back["masses"].sample(40, seed=3), b.sample(40, seed=3))


def test_a_nested_state_is_checked_as_a_file_is(penguins):
    entry = _fitted(penguins)._to_state()
    entry["state"]["columns"] = entry["state"]["columns"][:-1]
    with pytest.raises(ModelFileError, match="'part'.*columns"):
        BaseSynthesizer._from_state(entry, "'part'")
    entry = _fitted(penguins)._to_state()
    entry["synthesizer"] = "nope"
    with pytest.raises(ModelFileError, match="unknown synthesizer 'nope'"):
        BaseSynthesizer._from_state(entry)


DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("file", ["pre_split_gaussian_copula.zip", "pre_split_cart.zip"])
def test_files_written_before_the_split_load_and_sample_the_same_rows(file):
    """Model files written by the code before the base was split (with an Inequality constraint)
    load, and give the rows that code sampled (digest of 60 rows, seed 3, batches of 25)."""
    expected = json.loads((DATA / "pre_split_samples.json").read_text())[file]
    synth = BaseSynthesizer.load(DATA / file)
    out = synth.sample(60, seed=3, batch_size=25)
    got = hashlib.sha256(pd.util.hash_pandas_object(out.astype(str), index=False).to_numpy().tobytes()).hexdigest()
    assert f"{got[:16]} {[str(t) for t in out.dtypes]!r}" == expected
    both = out[["bill_depth_mm", "bill_length_mm"]].dropna()
    assert len(both) and (both["bill_depth_mm"] <= both["bill_length_mm"]).all()


def test_a_multi_table_metadata_is_refused_with_the_single_table_view_to_use(penguins):
    from simulacra.errors import MetadataError

    md = Metadata.detect_from_dataframes({"a": penguins, "b": penguins[["species"]]})
    with pytest.raises(MetadataError, match=r"2 tables \('a', 'b'\).*get_table_metadata\('a'\)"):
        get_synthesizer_class("gaussian_copula")(md)
    synth = get_synthesizer_class("gaussian_copula")(md.get_table_metadata("a")).fit({"a": penguins})
    assert list(synth.sample(5, seed=0).columns) == list(penguins.columns)
