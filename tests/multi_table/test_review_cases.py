"""Cases an independent review found: one-to-one keys, junction tables, manager cycles, skewed
cardinality, parameters checked when given, crafted plans that disagree with their models."""

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

import simulacra
from simulacra.errors import ModelFileError, ParameterError
from simulacra.multi_table import RelationalSynthesizer

from .conftest import employees


def _md(tables, keys, rels):
    md = simulacra.Metadata()
    for name, df in tables.items():
        md.detect_table_from_dataframe(name, df)
        for c in df.columns:
            if c.endswith("id"):
                md.update_column(c, table_name=name, sdtype="id")
    for name, pk in keys.items():
        md.set_primary_key(pk, table_name=name)
    for r in rels:
        md.add_relationship(*r)
    return md


def test_one_to_one_keys_stay_unique():
    rng = np.random.default_rng(0)
    users = pd.DataFrame({"uid": np.arange(200), "a": rng.normal(size=200)})
    profiles = pd.DataFrame({"uid": rng.choice(200, 100, replace=False), "z": rng.normal(size=100)})
    md = _md(
        {"users": users, "profiles": profiles},
        {"users": "uid", "profiles": "uid"},
        [("users", "profiles", "uid", "uid")],
    )
    synth = RelationalSynthesizer(md, synthesizer="gaussian_copula").fit({"users": users, "profiles": profiles})
    for seed in range(4):
        out = synth.sample(seed=seed, scale=2.0)
        assert out["profiles"].uid.is_unique and out["profiles"].uid.isin(out["users"].uid).all()


def test_a_junction_table_keyed_by_its_two_foreign_keys():
    rng = np.random.default_rng(1)
    a = pd.DataFrame({"aid": np.arange(60), "x": rng.normal(size=60)})
    b = pd.DataFrame({"bid": np.arange(40), "y": rng.normal(size=40)})
    pairs = pd.DataFrame({"aid": rng.integers(0, 60, 400), "bid": rng.integers(0, 40, 400)}).drop_duplicates()
    pairs["w"] = rng.normal(size=len(pairs))
    md = _md(
        {"a": a, "b": b, "j": pairs},
        {"a": "aid", "b": "bid", "j": ["aid", "bid"]},
        [("a", "j", "aid", "aid"), ("b", "j", "bid", "bid")],
    )
    out = RelationalSynthesizer(md, synthesizer="gaussian_copula").fit({"a": a, "b": b, "j": pairs}).sample(seed=0)
    j = out["j"]
    assert not j.duplicated(["aid", "bid"]).any()
    assert j.aid.isin(out["a"].aid).all() and j.bid.isin(out["b"].bid).all()
    assert len(j) > 0.8 * len(pairs)


def test_a_self_reference_makes_trees_not_cycles():
    tables, md = employees(300)
    e = RelationalSynthesizer(md, synthesizer="gaussian_copula").fit(tables).sample(seed=2)["employees"]
    parent = dict(zip(e.employee_id, e.manager_id))
    for start in e.employee_id:  # every chain of managers ends at someone without one
        seen, node = set(), start
        while pd.notna(node):
            assert node not in seen
            seen.add(node)
            node = parent[node]


@pytest.mark.parametrize("synthesizer", ["gaussian_copula", "cart"])
def test_skewed_cardinality_is_kept(synthesizer):
    """A tenth of the parents have children: a fifth of those have 200, the others 5; the skew survives."""
    rng = np.random.default_rng(3)
    parents = pd.DataFrame({"pid": np.arange(500), "v": rng.normal(size=500)})
    counts = np.zeros(500, dtype=int)
    counts[:10], counts[10:50] = 200, 5
    children = pd.DataFrame({"cid": np.arange(counts.sum()), "pid": np.repeat(parents.pid, counts)})
    children["x"] = rng.normal(size=len(children))
    md = _md({"p": parents, "c": children}, {"p": "pid", "c": "cid"}, [("p", "c", "pid", "pid")])
    out = RelationalSynthesizer(md, synthesizer=synthesizer).fit({"p": parents, "c": children}).sample(seed=0)
    top = out["c"].pid.value_counts()
    assert top.iloc[0] > 10 * top.median()  # the big parents are still far bigger than the others (real: 40x)
    assert (out["p"].pid.isin(out["c"].pid)).mean() < 0.2  # most parents still have none (real: 10%)


def test_unknown_synthesizer_parameters_are_refused_when_given():
    tables, md = employees(50)
    with pytest.raises(ParameterError, match="CARTSynthesizer has no parameter 'epochs'"):
        RelationalSynthesizer(md, synthesizer_parameters={"epochs": 5})
    synth = RelationalSynthesizer(md, synthesizer="gaussian_copula")
    with pytest.raises(ParameterError, match="table 'employees'.*'bogus'"):
        synth.set_table_parameters("employees", {"bogus": 1})
    with pytest.raises(ParameterError, match="scale"):
        synth.fit(tables).sample(scale="2")
    assert len(synth.sample(scale=np.int64(2), seed=0)["employees"]) == 100


def _resave(path, out, edit):
    import hashlib

    from simulacra.io.modelfile import _canonical

    with zipfile.ZipFile(path) as z:
        manifest, arrays = json.loads(z.read("manifest.json")), z.read("arrays.npz")
    edit(manifest["state"])
    manifest.pop("checksum")
    manifest["checksum"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("arrays.npz", arrays)


@pytest.mark.parametrize(
    "edit",
    [
        lambda st: st["plan"]["tables"]["orders"].update(rows=10**11),
        lambda st: st["plan"]["tables"]["orders"].update(missing_primary=10**11),
        lambda st: st["plan"]["tables"]["orders"]["columns"].append("total"),
        lambda st: st["plan"]["tables"]["orders"]["dtypes"].update(total="V8"),
        lambda st: st["components"].update(t0=st["components"]["t1"], t1=st["components"]["t0"]),
    ],
    ids=["rows", "missing rows", "repeated column", "dtype", "swapped components"],
)
def test_crafted_plans_that_disagree_with_their_models_are_refused(edit, tmp_path):
    from .conftest import shop

    tables, md = shop(60)
    path = tmp_path / "m.zip"
    RelationalSynthesizer(md, synthesizer="gaussian_copula").fit(tables).save(path)
    _resave(path, tmp_path / "bad.zip", edit)
    with pytest.raises(ModelFileError):
        RelationalSynthesizer.load(tmp_path / "bad.zip")
