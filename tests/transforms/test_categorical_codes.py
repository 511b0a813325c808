"""Category codes follow the categories' positions, also after the copula reorders them."""

import numpy as np
import pandas as pd

from simulacra.transforms.categorical import CategoricalTransform


def test_codes_after_reorder_with_missing_values():
    s = pd.Series(["a"] * 5 + [None] * 3 + ["b"] * 2 + ["c"])
    t = CategoricalTransform("x").fit(s)
    assert t.categories == ["a", "b", "c", None]
    t.reorder([2, 3, 0, 1])  # None is no longer last
    assert t.categories == ["c", None, "a", "b"]
    u = t.forward(s)[:, 0]
    # every value is encoded inside its own category's interval and decodes back to itself
    back = t.inverse(u[:, None], np.random.default_rng(0), np.arange(len(s)))
    assert back.isna().tolist() == s.isna().tolist()
    assert back.dropna().tolist() == s.dropna().tolist()
