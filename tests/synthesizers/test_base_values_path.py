"""The values model path: a synthesizer that learns and samples the learned columns as values.

The test synthesizer resamples each learned column independently (no model code at all); the
base still does the metadata, constraints, generated columns (ids, PII), batching, conditions
(by re-drawing) and model files for it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra import Condition, Metadata
from simulacra.constraints import FixedCombinations, Inequality, ScalarRange
from simulacra.synthesizers.base import BaseSynthesizer


class ResamplerSynthesizer(BaseSynthesizer):
    """Each learned column drawn independently from its real values (with replacement)."""

    name = "test_resampler"
    model_input = "values"

    def _fit_values(self, table, column_specs):
        learned = [s.column for s in column_specs if s.learned]
        assert list(table.columns) == learned
        self._values = {c: table[c].reset_index(drop=True) for c in table.columns}

    def _sample_values(self, num_rows, rng):
        return pd.DataFrame(
            {c: v.iloc[rng.integers(0, len(v), num_rows)].reset_index(drop=True) for c, v in self._values.items()}
        )

    def _get_model_state(self):
        state = {}
        for c, v in self._values.items():
            if pd.api.types.is_numeric_dtype(v.dtype) and not pd.api.types.is_bool_dtype(v.dtype):
                state[c] = {"numbers": v.to_numpy(dtype=float), "dtype": str(v.dtype)}
            else:
                state[c] = {"labels": [None if pd.isna(x) else (bool(x) if isinstance(x, np.bool_) else x) for x in v]}
        return state

    def _set_model_state(self, state):
        self._values = {
            c: pd.Series(s["numbers"]).astype(s["dtype"]) if "numbers" in s else pd.Series(s["labels"], dtype=object)
            for c, s in state.items()
        }


def _table(n=240):
    rng = np.random.default_rng(8)
    low = rng.normal(5, 1, n).round(2)
    x = rng.normal(0, 1, n).round(3)
    x[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "id": [f"R{i:04d}" for i in range(n)],
            "x": x,
            "low": low,
            "high": (low + rng.gamma(2, 1, n)).round(2),
            "cat": rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]),
            "email": [f"user{i}@example.org" for i in range(n)],
        }
    )


DF = _table()


def _md():
    md = Metadata.detect_from_dataframe(DF)
    md.update_column("id", sdtype="id", regex_format="R[0-9]{4}")
    md.update_column("email", sdtype="email", pii=True)
    md.update_column("cat", sdtype="categorical")
    md.set_primary_key("id")
    return md


@pytest.fixture()
def fitted():
    s = ResamplerSynthesizer(_md())
    s.add_constraints([Inequality("low", "high"), ScalarRange("x", -5.0, 5.0)])
    return s.fit(DF)


@pytest.fixture()
def registered(monkeypatch):
    import simulacra.synthesizers as registry

    original = registry.get_synthesizer_class
    monkeypatch.setattr(
        registry,
        "get_synthesizer_class",
        lambda name: ResamplerSynthesizer if name == ResamplerSynthesizer.name else original(name),
    )


def test_fit_and_sample_the_learned_columns_as_values(fitted):
    out = fitted.sample(500, seed=1, batch_size=120)
    assert list(out.columns) == list(DF.columns) and len(out) == 500
    assert out["id"].is_unique and out["id"].str.fullmatch(r"R\d{4,}").all()  # generated, not learned
    assert out["email"].str.contains("@").all() and not set(out["email"]) & set(DF["email"])  # PII faked
    assert set(out["cat"]) <= set(DF["cat"])
    assert (out["low"] <= out["high"]).all()  # the Inequality constraint holds
    assert out["x"].isna().any() and out["x"].dropna().isin(set(DF["x"].dropna())).all()
    assert out.equals(fitted.sample(500, seed=1, batch_size=120))
    plan = fitted.plan(500, batch_size=120, seed=1)
    alone = pd.concat([fitted.sample_batch(plan, b) for b in range(plan.n_batches)], ignore_index=True)
    pd.testing.assert_frame_equal(alone, out)


def test_conditions_are_met_by_re_drawing(fitted):
    out = fitted.sample_from_conditions([Condition({"cat": "blue"}, 30), Condition({"x": None}, 5)], seed=0)
    assert (out["cat"].iloc[:30] == "blue").all() and out["x"].iloc[30:].isna().all()
    rest = fitted.sample_remaining_columns(pd.DataFrame({"cat": ["red", "green", "red"]}), seed=0)
    assert list(rest["cat"]) == ["red", "green", "red"] and rest["id"].is_unique


def test_save_and_load_give_the_same_rows(fitted, registered, tmp_path):
    path = tmp_path / "values.zip"
    fitted.save(path)
    loaded = BaseSynthesizer.load(path)
    assert isinstance(loaded, ResamplerSynthesizer) and loaded.model_input == "values"
    pd.testing.assert_frame_equal(loaded.sample(300, seed=4), fitted.sample(300, seed=4))
    entry = fitted._to_state()
    assert set(entry) == {"synthesizer", "parameters", "metadata", "state"}
    again = BaseSynthesizer._from_state(entry)
    pd.testing.assert_frame_equal(again.sample(50, seed=2), fitted.sample(50, seed=2))


class RecordingResampler(ResamplerSynthesizer):
    """The resampler, keeping the table its model was given."""

    def _fit_values(self, table, column_specs):
        self.seen = table.copy()
        super()._fit_values(table, column_specs)


def test_the_values_path_learns_the_real_columns_and_constraints_hold_by_rejection():
    df = DF.assign(size=np.where(DF["cat"] == "red", "S", np.where(DF["cat"] == "green", "M", "L")))
    md = _md()
    md.add_column("size", sdtype="categorical")
    s = RecordingResampler(md)
    s.add_constraints([Inequality("low", "high"), FixedCombinations(["cat", "size"])])
    s.fit(df)
    # the model sees the learned columns as the user wrote them: `high` holds highs, not high - low,
    # and the combined columns are still two columns
    learned = ["x", "low", "high", "cat", "size"]
    assert list(s.seen.columns) == learned
    pd.testing.assert_frame_equal(s.seen.reset_index(drop=True), df[learned].reset_index(drop=True))
    assert [c.column for c in s._transformer.column_specs] == list(df.columns)
    # the resampler draws each column alone, so both rules are met by re-drawing on real values
    out = s.sample(400, seed=3, batch_size=150)
    assert len(out) == 400 and (out["low"] <= out["high"]).all()
    pairs = set(zip(df["cat"], df["size"]))
    assert set(zip(out["cat"], out["size"])) <= pairs
    assert out["high"].isin(set(df["high"])).all()  # real highs, drawn as they were learned
    cond = s.sample_from_conditions([Condition({"cat": "green"}, 20)], seed=1)
    assert (cond["cat"] == "green").all() and (cond["size"] == "M").all() and (cond["low"] <= cond["high"]).all()
