import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simulacra.augment import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE


def _table(seed=0, n0=500, n1=40, d=4):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        np.vstack([rng.normal(0, 1, (n0, d)), rng.normal(1.5, 1, (n1, d))]), columns=[f"x{j}" for j in range(d)]
    )
    y = pd.Series([0] * n0 + [1] * n1, name="label")
    return X, y


def _on_neighbour_segments(new, minority, k):
    """For each new row, the smallest distance to a segment from a minority row to one of its k nearest."""
    d2 = ((minority[:, None, :] - minority[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    nbrs = np.argsort(d2, axis=1)[:, :k]
    a = np.repeat(minority, k, axis=0)  # (m*k, d)
    b = minority[nbrs.ravel()]
    ab = b - a
    u = np.einsum("spd,pd->sp", new[:, None, :] - a[None], ab) / np.einsum("pd,pd->p", ab, ab)
    u = np.clip(u, 0, 1)
    resid = np.linalg.norm(new[:, None, :] - (a[None] + u[..., None] * ab[None]), axis=-1)
    return resid.min(axis=1)


@pytest.mark.parametrize("klass", [SMOTE, BorderlineSMOTE, ADASYN])
def test_new_rows_lie_between_a_minority_row_and_one_of_its_k_nearest(klass):
    X, y = _table()
    k = 3
    sampler = klass(random_state=1, n_neighbors=k) if klass is ADASYN else klass(random_state=1, k_neighbors=k)
    Xr, yr = sampler.fit_resample(X, y)
    new = Xr.iloc[len(X) :].to_numpy()
    assert len(new) > 0 and (yr.iloc[len(X) :] == 1).all()
    assert _on_neighbour_segments(new, X[y == 1].to_numpy(), k).max() < 1e-9
    # and not merely between any two minority rows: with k=1 the segments are far fewer
    far = _on_neighbour_segments(new, X[y == 1].to_numpy(), 1)
    if klass is SMOTE:
        assert far.max() > 1e-3


def test_wide_integer_table_keeps_dtypes_without_scikit_learn():
    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from simulacra.augment import SMOTE\n"
        "rng = np.random.default_rng(0)\n"
        "X = pd.DataFrame({f'v{j}': rng.integers(0, 10, 600) for j in range(85)})\n"
        "X['flag'] = rng.random(600) < 0.5\n"
        "X['small'] = rng.integers(0, 5, 600).astype('int8')\n"
        "y = np.r_[np.zeros(560, int), np.ones(40, int)]\n"
        "Xr, yr = SMOTE(random_state=0).fit_resample(X, y)\n"
        "assert (Xr.dtypes == X.dtypes).all(), Xr.dtypes\n"
        "assert Xr.shape == (1120, 87) and (yr == 1).sum() == 560\n"
        "pd.testing.assert_frame_equal(Xr.iloc[:600], X)\n"
        "new, mino = Xr.iloc[600:], X[y == 1]\n"
        "assert ((new >= mino.min()) & (new <= mino.max())).all().all()\n"
        "assert 'sklearn' not in sys.modules, 'scikit-learn was imported'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_arrays_and_extension_dtypes():
    X, y = _table(n0=200, n1=30, d=3)
    Xa = np.rint(X.to_numpy() * 10).astype(np.int32)
    Xr, yr = SMOTE(random_state=0).fit_resample(Xa, y.to_numpy())
    assert isinstance(Xr, np.ndarray) and Xr.dtype == np.int32 and Xr.shape == (400, 3)
    np.testing.assert_array_equal(Xr[:230], Xa)
    Xe = X.copy()
    Xe["x0"] = pd.array(np.rint(X["x0"] * 10).astype(int), dtype="Int64")
    Xr, _ = SMOTE(random_state=0).fit_resample(Xe, y)
    assert Xr["x0"].dtype == "Int64" and Xr["x1"].dtype == np.float64
    a, _ = SMOTE(random_state=4).fit_resample(Xe, y)
    b, _ = SMOTE(random_state=4).fit_resample(Xe, y)
    pd.testing.assert_frame_equal(a, b)


def test_smotenc_neighbours_and_string_labels():
    X, y = _table(n0=200, n1=30, d=2)
    X["c"] = np.where(X["x0"] > 0.5, "hi", "lo")
    labels = y.map({0: "no", 1: "yes"})
    Xr, yr = SMOTENC(categorical_features=["c"], random_state=0).fit_resample(X, labels)
    assert yr.tolist().count("yes") == 200 and set(Xr["c"]) <= {"hi", "lo"}
    assert yr.dtype == labels.dtype
