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
    assert set(names) == {
        "extra",
        "enforce_rounding",
        "enforce_min_max_values",
        "locales",
        "pseudonymize",
        "learn_rules",
        "protect_rare",
    }


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
    got = hashlib.sha256(pd.util.hash_pandas_object(out.map(str), index=False).to_numpy().tobytes()).hexdigest()
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


# --------------------------------------------------------------------------- crafted states (audit-a2 F7, F9)
def _small():
    import numpy as np

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"k": np.arange(120) * 2, "x": rng.normal(size=120), "c": rng.choice(["u", "v"], 120)})
    md = Metadata.detect_from_dataframe(df)
    md.update_column("k", sdtype="numerical")
    md.update_column("c", sdtype="categorical")
    return df, md


def _saved(tmp_path, constraints=()):
    from simulacra import GaussianCopulaSynthesizer

    df, md = _small()
    synth = GaussianCopulaSynthesizer(md)
    synth.add_constraints(list(constraints))
    synth.fit(df).save(tmp_path / "m.zip")
    return synth, tmp_path / "m.zip"


@pytest.mark.parametrize(
    "entry",
    [
        {"class": "Unique", "parameters": {"column_names": ["nope"]}, "state": {}},
        {"class": "Positive", "parameters": {"column_name": "zz", "strict": False}, "state": {}},
    ],
)
def test_a_constraint_on_a_column_the_model_lacks_is_refused_at_load(tmp_path, entry):
    from ..conftest import read_model_file, write_model_file

    _, path = _saved(tmp_path)
    manifest, arrays = read_model_file(path)
    manifest["state"]["constraints"].append(entry)
    crafted = write_model_file(tmp_path / "crafted.zip", manifest, arrays)
    col = entry["parameters"].get("column_names", [entry["parameters"].get("column_name")])[0]
    with pytest.raises(ModelFileError, match=rf"constraint {entry['class']}\(.*reads column\(s\) '{col}' that are not"):
        BaseSynthesizer.load(crafted)  # loaded, then a raw KeyError at sample, before the fix


@pytest.mark.parametrize("extra", [{"components": {"x": {}}}, {"zzz": 1}])
def test_a_single_table_state_with_unknown_keys_is_refused(tmp_path, extra):
    from ..conftest import read_model_file, write_model_file

    _, path = _saved(tmp_path)
    manifest, arrays = read_model_file(path)
    manifest["state"].update(extra)
    crafted = write_model_file(tmp_path / "crafted.zip", manifest, arrays)
    key = next(iter(extra))
    with pytest.raises(ModelFileError, match=f"state holds unknown key\\(s\\) '{key}'"):
        BaseSynthesizer.load(crafted)
    entry = BaseSynthesizer.load(path)._to_state()
    entry["state"].update(extra)
    with pytest.raises(ModelFileError, match=f"'part': the state holds unknown key\\(s\\) '{key}'"):
        BaseSynthesizer._from_state(entry, "'part'")


def test_a_composite_file_names_its_unknown_synthesizer_first(tmp_path):
    from simulacra.io.modelfile import save_model

    synth, _ = _saved(tmp_path)
    save_model(tmp_path / "c.zip", "composite", {}, {}, {"components": {"t": synth._to_state()}})
    with pytest.raises(ModelFileError, match="holds an unknown synthesizer 'composite'"):
        BaseSynthesizer.load(tmp_path / "c.zip")  # was: "fitted_rows must be an integer ..."


def test_components_are_rebuilt_with_the_checks_of_a_model_file(tmp_path):
    from simulacra.synthesizers.persistence import components_from_state

    synth, _ = _saved(tmp_path)
    entry = synth._to_state()
    back = components_from_state({"users": entry, "orders-2024": synth._to_state()}, "'f'")
    assert list(back) == ["users", "orders-2024"]
    pd.testing.assert_frame_equal(back["users"].sample(30, seed=2), synth.sample(30, seed=2))


def _bad_components(entry):
    import copy

    nested = copy.deepcopy(entry)
    nested["state"]["components"] = {"inner": copy.deepcopy(entry)}
    short = copy.deepcopy(entry)
    short["state"]["columns"] = short["state"]["columns"][:-1]
    return [
        ({"../x": entry}, "component name '../x' is not a plain name"),
        ({"a/b": entry}, "component name 'a/b' is not a plain name"),
        ({"..": entry}, "component name '..' is not a plain name"),
        ({"": entry}, "component name '' is not a plain name"),
        ({"x": [entry]}, "component 'x': an entry holds exactly synthesizer, parameters, metadata, state"),
        ({"x": {**entry, "extra": 1}}, "component 'x': an entry holds exactly"),
        ({"x": {k: v for k, v in entry.items() if k != "state"}}, "component 'x': an entry holds exactly"),
        ({"x": {**entry, "synthesizer": "os.system"}}, "component 'x' holds an unknown synthesizer 'os.system'"),
        ({"x": {**entry, "synthesizer": ["cart"]}}, "component 'x' holds an unknown synthesizer"),
        ({"x": nested}, "component 'x': the state holds unknown key\\(s\\) 'components'"),
        ({"x": short}, "component 'x'.*columns"),
        ({}, "components must be an object"),
        ([entry], "components must be an object"),
    ]


def test_crafted_components_are_refused_naming_the_component(tmp_path):
    from simulacra.synthesizers.persistence import MAX_COMPONENT_DEPTH, MAX_COMPONENTS, components_from_state

    synth, _ = _saved(tmp_path)
    for components, expected in _bad_components(synth._to_state()):
        with pytest.raises(ModelFileError, match=expected):
            components_from_state(components, "'f'")
    with pytest.raises(ModelFileError, match=f"nest more than {MAX_COMPONENT_DEPTH} levels"):
        components_from_state({"x": synth._to_state()}, "'f'", depth=MAX_COMPONENT_DEPTH + 1)
    with pytest.raises(ModelFileError, match="components, more than"):
        components_from_state(dict.fromkeys(map(str, range(MAX_COMPONENTS + 1)), {}), "'f'")


def test_a_column_mismatch_names_the_differing_columns(tmp_path):
    synth, _ = _saved(tmp_path)
    cases = [
        (lambda cols: cols + ["zzz"], r"only in the model: \['zzz'\]"),
        (lambda cols: cols[1:], r"only in the metadata: \['k'\]"),
        (lambda cols: cols[::-1], "in another order, from 'c'"),
        (lambda cols: cols + cols[:1], r"repeated in the model: \['k'\]"),
    ]
    for change, expected in cases:
        entry = synth._to_state()
        entry["state"]["columns"] = change(list(entry["state"]["columns"]))
        with pytest.raises(ModelFileError, match=f"'p': the model's columns do not match its metadata \\({expected}"):
            BaseSynthesizer._from_state(entry, "'p'")
