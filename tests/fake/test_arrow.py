import types

import numpy as np
import pyarrow as pa
import pytest

from simulacra.fake import _arrow


@pytest.fixture
def no_pandas(monkeypatch):
    """Take the buffer path, as before pandas is imported."""
    monkeypatch.setattr(_arrow, "sys", types.SimpleNamespace(modules={}))


@pytest.mark.parametrize(
    "values",
    [
        np.arange(5),
        np.arange(10)[::3],
        np.arange(4, dtype=np.int32),
        np.array([1.5, -2.0]),
        np.array([True, False, True, True, False, False, True, True, True]),
        np.array(["a", "é", ""]),
        np.array(["x", "yy"], dtype=object),
        ["a", "", "日本語"],
        [],
        np.array([], dtype=np.int64),
    ],
)
def test_arrays_match_pa_array(values, no_pandas):
    ours = _arrow.array(values)
    ours.validate(full=True)
    ref = pa.array(values)
    assert ours.type == ref.type and ours.to_pylist() == ref.to_pylist()
    if isinstance(values, list) or values.dtype.kind in "UO":
        assert _arrow.array(values, type=pa.string()).equals(pa.array(values, type=pa.string()))


def test_fallbacks_and_scalars(no_pandas):
    mixed = _arrow.array(["a", None])  # not all strings: pa.array decides
    assert mixed.to_pylist() == ["a", None]
    assert _arrow.array(np.array([1, 2]), type=pa.int64()).type == pa.int64()
    s = _arrow.scalar("sep")
    assert isinstance(s, pa.StringScalar) and s.as_py() == "sep" and _arrow.as_arg("sep") is s
    assert _arrow.as_arg(3) == 3


def test_compute_shim_matches_pyarrow_compute():
    import pyarrow.compute as pc

    from simulacra.fake import _compute

    s = pa.array(["a", "bb", None, "é"])
    i = pa.array([3, 0, 1])
    n = pa.array([7, 42, 0])
    assert _compute.take(s, i).equals(pc.take(s, i))
    assert _compute.cast(n, pa.string()).equals(pc.cast(n, pa.string()))
    assert _compute.utf8_lpad(_compute.cast(n, pa.string()), 3, "0").equals(
        pc.utf8_lpad(pc.cast(n, pa.string()), 3, "0")
    )
    assert _compute.binary_join_element_wise(s, "-", s, "").equals(pc.binary_join_element_wise(s, "-", s, ""))
    mask = pa.array([True, False, True, False])
    assert _compute.if_else(mask, s, "x").equals(pc.if_else(mask, s, "x"))
    assert _compute.dictionary_encode(s).equals(pc.dictionary_encode(s))
    with pytest.raises(IndexError):
        _compute.take(s, pa.array([9]))  # bounds are checked, as in pyarrow.compute
