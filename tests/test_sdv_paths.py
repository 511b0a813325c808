"""SDV's import paths work with ``sdv`` replaced by ``simulacra``, and SDV's synthesizer methods (sdv_api)."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import ConstraintError, ParameterError
from simulacra.synthesizers import sdv_api

#: module path -> names SDV (1.x, and 2.x where it has them) exports there that simulacra has
SDV_PATHS = {
    "lite": ["SingleTablePreset"],
    "datasets.demo": ["download_demo", "get_available_demos"],
    "evaluation.single_table": ["evaluate_quality", "run_diagnostic", "get_column_plot", "get_column_pair_plot"],
    "single_table": [
        "GaussianCopulaSynthesizer",
        "CTGANSynthesizer",
        "TVAESynthesizer",
        "CopulaGANSynthesizer",
        "CARTSynthesizer",
        "BayesianNetworkSynthesizer",
    ],
    "metadata": ["Metadata", "SingleTableMetadata"],
    "sampling": ["Condition"],
    "constraints": [
        "Constraint",
        "create_custom_constraint_class",
        "Inequality",
        "ScalarRange",
        "Positive",
        "Negative",
        "FixedCombinations",
        "FixedIncrements",
        "Unique",
    ],
}


@pytest.mark.parametrize("path", sorted(SDV_PATHS))
def test_sdv_import_paths(path):
    ns: dict = {}
    exec(f"from simulacra.{path} import {', '.join(SDV_PATHS[path])}", ns)
    import simulacra

    for name in SDV_PATHS[path]:
        top = getattr(simulacra, name, None)
        if top is not None:
            assert ns[name] is top, name  # the same object as simulacra's own name
    assert set(SDV_PATHS[path]) <= set(importlib.import_module(f"simulacra.{path}").__all__)


def test_lazy_top_level_has_the_new_packages():
    import simulacra

    assert simulacra.lite.SingleTablePreset is simulacra.SingleTablePreset
    assert simulacra.single_table.CARTSynthesizer is simulacra.CARTSynthesizer


@pytest.fixture(scope="module")
def hotel():
    from simulacra.datasets.demo import download_demo

    return download_demo(modality="single_table", dataset_name="fake_hotel_guests")


def test_preset_with_two_locales(hotel):
    from simulacra.lite import SingleTablePreset

    data, metadata = hotel
    synth = SingleTablePreset(metadata, name="FAST_ML", locales=["en_US", "en_CA"])
    synth.fit(data.head(200))
    out = synth.sample(300, seed=0)
    assert len(out) == 300 and out["billing_address"].isin(data["billing_address"]).mean() < 0.05


# ------------------------------------------------------------------ sdv_api (the functions BaseSynthesizer calls)
def fitted(hotel, cls_name="GaussianCopulaSynthesizer"):
    import simulacra

    data, metadata = hotel
    synth = getattr(simulacra, cls_name)(metadata)
    sdv_api.mark_created(synth)
    synth.fit(data.head(150))
    sdv_api.mark_fitted(synth)
    return synth


def test_get_info(hotel):
    from simulacra import GaussianCopulaSynthesizer, __version__

    synth = GaussianCopulaSynthesizer(hotel[1])
    sdv_api.mark_created(synth)
    info = sdv_api.get_info(synth)
    assert info["class_name"] == "GaussianCopulaSynthesizer" and info["is_fit"] is False
    assert info["last_fit_date"] is None and info["fitted_simulacra_version"] is None
    assert pd.Timestamp(info["creation_date"]).date() == pd.Timestamp.today().date()
    info = sdv_api.get_info(fitted(hotel))
    assert info["is_fit"] is True and info["fitted_simulacra_version"] == __version__ and info["last_fit_date"]


def test_reset_sampling_restarts_the_stream(hotel):
    synth = fitted(hotel)
    first = synth.sample(20, seed=sdv_api.sampling_seed(synth, None))
    second = synth.sample(20, seed=sdv_api.sampling_seed(synth, None))
    assert not first.equals(second)
    sdv_api.reset_sampling(synth)
    pd.testing.assert_frame_equal(synth.sample(20, seed=sdv_api.sampling_seed(synth, None)), first)
    assert sdv_api.sampling_seed(synth, 7) == 7  # a given seed wins
    other = fitted(hotel)  # another object: another stream
    assert not other.sample(20, seed=sdv_api.sampling_seed(other, None)).equals(first)


def test_get_and_update_transformers(hotel):
    from simulacra import GaussianCopulaSynthesizer
    from simulacra.transforms import CategoricalTransform, DatetimeTransform, NumericalTransform

    data, metadata = hotel
    synth = GaussianCopulaSynthesizer(metadata.copy())
    before = sdv_api.get_transformers(synth)
    assert isinstance(before["room_rate"], NumericalTransform) and isinstance(before["checkin_date"], DatetimeTransform)

    class FloatFormatter:  # an RDT transformer as SDV users name it (rdt itself is not needed)
        pass

    sdv_api.update_transformers(
        synth, {"room_rate": CategoricalTransform("room_rate"), "amenities_fee": FloatFormatter()}
    )
    assert synth.get_metadata().get_columns()["room_rate"]["sdtype"] == "categorical"
    synth.fit(data.head(150))
    assert isinstance(sdv_api.get_transformers(synth)["room_rate"], CategoricalTransform)
    assert set(synth.sample(50, seed=0)["room_rate"]) <= set(data["room_rate"].head(150))
    with pytest.raises(ParameterError, match="before fit"):
        sdv_api.update_transformers(synth, {"room_rate": NumericalTransform("room_rate")})
    fresh = GaussianCopulaSynthesizer(metadata.copy())
    with pytest.raises(ParameterError, match="no column"):
        sdv_api.update_transformers(fresh, {"nope": NumericalTransform("nope")})
    with pytest.raises(ParameterError, match="None"):
        sdv_api.update_transformers(fresh, {"room_rate": None})
    with pytest.raises(ParameterError, match="made for column"):
        sdv_api.update_transformers(fresh, {"room_rate": NumericalTransform("amenities_fee")})


def test_custom_constraint_classes_by_name(hotel, tmp_path):
    from simulacra import GaussianCopulaSynthesizer

    data, metadata = hotel
    code = (
        "from simulacra.constraints import create_custom_constraint_class\n"
        "def is_valid(column_names, data, limit):\n"
        "    return data[column_names[0]] <= limit\n"
        "RateCap = create_custom_constraint_class(is_valid)\n"
    )
    (tmp_path / "rules.py").write_text(code)
    synth = GaussianCopulaSynthesizer(metadata)
    sdv_api.load_custom_constraint_classes(synth, tmp_path / "rules.py", ["RateCap"])
    rule = {"constraint_class": "RateCap", "constraint_parameters": {"column_names": ["room_rate"], "limit": 200.0}}
    (built,) = sdv_api.resolve_constraints(synth, [rule])
    assert type(built).__name__ == "RateCap"
    synth.add_constraints([built])
    synth.fit(data[data["room_rate"] <= 200.0])
    assert (synth.sample(200, seed=0)["room_rate"] <= 200.0).all()
    synth.save(tmp_path / "m.zip")
    assert b"is_valid" not in (tmp_path / "m.zip").read_bytes()  # no code in the model file
    loaded = GaussianCopulaSynthesizer.load(tmp_path / "m.zip")
    sdv_api.add_custom_constraint_class(loaded, type(built), "RateCap")
    loaded.add_constraints(sdv_api.resolve_constraints(loaded, [rule]))
    assert (loaded.sample(100, seed=1)["room_rate"] <= 200.0).all()

    with pytest.raises(ConstraintError, match="built-in"):
        sdv_api.add_custom_constraint_class(synth, type(built), "Inequality")
    with pytest.raises(ConstraintError, match="Constraint subclass"):
        sdv_api.add_custom_constraint_class(synth, dict, "Mine")
    with pytest.raises(ConstraintError, match="defines no 'Missing'"):
        sdv_api.load_custom_constraint_classes(synth, tmp_path / "rules.py", ["Missing"])
    with pytest.raises(ParameterError, match="Python file"):
        sdv_api.load_custom_constraint_classes(synth, tmp_path / "nope.py", ["RateCap"])


def test_renamed_custom_class_is_saved_by_its_new_name(hotel):
    from simulacra.constraints import create_custom_constraint_class

    synth = fitted(hotel)
    cls = create_custom_constraint_class(lambda cols, data: np.ones(len(data), dtype=bool))
    sdv_api.add_custom_constraint_class(synth, cls, "Always")
    (built,) = sdv_api.resolve_constraints(synth, {"constraint_class": "Always", "constraint_parameters": {}})
    assert type(built).__name__ == "Always" and isinstance(built, cls)
