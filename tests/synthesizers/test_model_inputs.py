"""Models read the transformer's declared specs, never transform classes or their attributes."""

import ast
import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulacra.synthesizers as synthesizers
from simulacra.synthesizers import _encoding
from simulacra.transforms import TableTransformer

SYNTH_DIR = Path(synthesizers.__file__).parent
TRANSFORM_CLASSES = {
    "ColumnTransform",
    "NumericalTransform",
    "CategoricalTransform",
    "BooleanTransform",
    "DatetimeTransform",
    "IdTransform",
    "PIITransform",
    "TextTransform",
}

#: the modules of the concrete transforms (models import the transformer, the specs and the protocol's constants only)
CLASS_MODULES = {"categorical", "numerical", "datetime", "generated", "_state_checks"}


def _uses(path: Path) -> list[str]:
    """What a synthesizer module does with transforms beyond the transformer's public API."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and "transforms." in f"{node.module}.":
            names = {a.name for a in node.names}
            private = any(n.startswith("_") for n in names)
            if names & TRANSFORM_CLASSES or private or node.module.rsplit(".", 1)[-1] in CLASS_MODULES:
                found.append(f"line {node.lineno}: from {node.module} import {', '.join(sorted(names))}")
        if isinstance(node, ast.Attribute) and node.attr == "transforms":  # the transformer's list of transforms
            found.append(f"line {node.lineno}: .transforms")
        if isinstance(node, ast.Name) and node.id in TRANSFORM_CLASSES:
            found.append(f"line {node.lineno}: {node.id}")
    return found


# sdv_api is SDV's get_transformers / update_transformers: naming the transform classes is its job
@pytest.mark.parametrize(
    "path", sorted(p for p in SYNTH_DIR.glob("*.py") if p.name != "sdv_api.py"), ids=lambda p: p.name
)
def test_synthesizer_modules_use_only_the_transformers_public_api(path):
    assert _uses(path) == [], f"{path.name} reaches into transforms"


def test_the_guard_sees_what_it_forbids(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from ..transforms.categorical import CategoricalTransform\n"
        "def f(tr):\n    return [t for t in tr.transforms if isinstance(t, CategoricalTransform)]\n"
    )
    assert len(_uses(bad)) == 3


@pytest.mark.parametrize("name,module", [("TVAESynthesizer", "tvae"), ("CopulaGANSynthesizer", "copulagan")])
def test_neural_classes_keep_their_old_import_path(name, module):
    old = getattr(importlib.import_module("simulacra.synthesizers.ctgan"), name)
    assert old is getattr(importlib.import_module(f"simulacra.synthesizers.{module}"), name)
    assert synthesizers.get_synthesizer_class(old.name) is old
    with pytest.raises(AttributeError):
        importlib.import_module("simulacra.synthesizers.ctgan").NoSuchSynthesizer  # noqa: B018


def test_category_codes_use_the_exact_interval_bounds():
    # tiny and large categories side by side: the bounds are the cumulative probabilities themselves
    n = 10_007
    values = np.array(["big"] * (n - 3) + ["tiny", "tiny", "odd"], dtype=object)
    df = pd.DataFrame({"c": values, "x": np.arange(n, dtype=float)})
    tr = TableTransformer({"c": {"sdtype": "categorical"}, "x": {"sdtype": "numerical"}}).fit(df)
    X = tr.transform(df)
    cats = _encoding.category_specs(tr.output_specs)
    assert cats[1] is None and cats[0].is_category
    M = _encoding.to_codes(X, cats)
    np.testing.assert_array_equal(M[:, 0], tr.category_codes(df, "c"))
    np.testing.assert_array_equal(M[:, 1], X[:, 1])
    back = _encoding.from_codes(M, cats)
    np.testing.assert_array_equal(back[:, 0], cats[0].midpoints()[tr.category_codes(df, "c")])
    np.testing.assert_array_equal(_encoding.to_codes(back, cats), M)  # codes -> midpoints -> the same codes
    for code in range(cats[0].n_categories):
        lo, hi = cats[0].interval(code)
        assert _encoding.code_of(cats[0], lo) == code  # each interval owns its lower bound
        assert _encoding.code_of(cats[0], np.nextafter(hi, 0.0)) == code
    assert [None if m is None else list(m) for m in _encoding.category_midpoints(tr)] == [
        list(cats[0].midpoints()),
        None,
    ]
