"""The sampling part without any model: the run context, the bounded re-draw loop, conditions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra.constraints import Unique, create_custom_constraint_class
from simulacra.errors import ConstraintError, ParameterError
from simulacra.sampling import MAX_TRIES, BatchPlan, Condition, SamplingContext, redraw
from simulacra.sampling.conditions import condition_batches, fix_known, known_groups, nth_child, split_known


def _drawer(seed=0, high=50):
    rng = np.random.default_rng(seed)
    sizes = []

    def draw(m):
        sizes.append(m)
        return pd.DataFrame({"a": rng.integers(0, high, m), "b": rng.random(m)})

    return draw, sizes


Even = create_custom_constraint_class(lambda cols, data: (data["a"] % 2 == 0).to_numpy())


def test_store_is_one_dict_per_key_for_the_run():
    ctx = SamplingContext({"id": (1, 2, 3)})
    assert ctx.run_state == {"id": (1, 2, 3)}
    s = ctx.store(("unique", ("a",)))
    s["hashes"] = 1
    assert ctx.store(("unique", ("a",))) is s and ctx.store("other") == {}
    assert SamplingContext().store("x") is not SamplingContext().store("x")


def test_context_is_a_pure_function_of_the_plan():
    class Recorder:
        def new_run_state(self, rng, num_rows):
            return {"draw": int(rng.integers(0, 2**62)), "rows": num_rows}

    plan = BatchPlan(1000, 100, 9)
    a = SamplingContext.for_plan(Recorder(), plan).run_state
    list(plan)  # iterating the plan changes nothing for the context
    assert SamplingContext.for_plan(Recorder(), BatchPlan(1000, 100, 9)).run_state == a
    assert a["rows"] == 1000
    assert a["draw"] == int(np.random.default_rng(np.random.SeedSequence(9).spawn(1)[0]).integers(0, 2**62))


def test_redraw_keeps_n_valid_rows_with_the_growth_rule():
    draw, sizes = _drawer()
    out = redraw(draw, 40, [Even(column_names=["a"])], ctx=SamplingContext())
    assert len(out) == 40 and (out["a"] % 2 == 0).all() and list(out.index) == list(range(40))
    replay, _ = _drawer()
    need = 40 - int((replay(40)["a"] % 2 == 0).sum())  # what round 1 left
    assert sizes[0] == 40 and need > 0 and sizes[1] == min(max(4 * need, 64), 20 * 40 + 64)


def test_redraw_counts_the_rule_that_rejects_most_and_honours_max_tries():
    never = create_custom_constraint_class(lambda cols, data: np.zeros(len(data), dtype=bool))(column_names=["a"])
    for tries in (1, 4):
        draw, sizes = _drawer()
        with pytest.raises(ConstraintError, match=rf"could only make 0 of 5 rows that satisfy .* after {tries} rounds"):
            redraw(draw, 5, [never], ctx=SamplingContext(), max_tries=tries)
        assert len(sizes) == tries
    draw, _ = _drawer()
    with pytest.raises(ConstraintError, match="satisfy the conditions after"):
        redraw(draw, 5, [], accept=lambda df: np.zeros(len(df), dtype=bool), max_tries=2)
    assert MAX_TRIES == 100


def test_unique_tracks_across_calls_in_one_context_only():
    u = Unique(["a"])
    ctx = SamplingContext()
    draw, _ = _drawer(high=60)
    first = redraw(draw, 30, [u], ctx=ctx)
    second = redraw(draw, 30, [u], ctx=ctx)
    assert pd.concat([first, second])["a"].is_unique
    with pytest.raises(ConstraintError, match="Unique"):
        redraw(draw, 10, [u], ctx=ctx, max_tries=5)  # all 60 values are taken in this run
    assert len(redraw(draw, 10, [u], ctx=SamplingContext())) == 10  # a new run starts afresh


def test_zero_rows_is_an_empty_draw():
    draw, sizes = _drawer()
    out = redraw(draw, 0, [Even(column_names=["a"])], ctx=SamplingContext())
    assert len(out) == 0 and list(out.columns) == ["a", "b"] and sizes == [0]


def test_condition_and_its_helpers():
    c = Condition({"a": 1}, 3)
    assert c.get_column_values() == {"a": 1} and c.get_num_rows() == 3
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ParameterError, match="num_rows"):
            Condition({"a": 1}, bad)
    with pytest.raises(ParameterError, match="column_values"):
        Condition({}, 1)
    assert split_known({"a": 1, "id": "x", "b": None}, {"id"}) == ({"a": 1, "b": None}, {"id": "x"})
    out = fix_known(pd.DataFrame({"a": [0.5, 2.0], "b": ["u", "v"]}), {"a": 1, "b": None})
    assert list(out["a"]) == [1.0, 1.0] and out["a"].dtype == float and out["b"].isna().all()
    groups = known_groups(pd.DataFrame({"k": ["x", None, "x", "y"]}))
    assert [(g, list(i)) for g, i in groups] == [({"k": "x"}, [0, 2]), ({"k": None}, [1]), ({"k": "y"}, [3])]
    with pytest.raises(ParameterError, match="known_columns"):
        known_groups(pd.DataFrame())


def test_condition_batches_default_is_one_batch_from_the_conditions_seed():
    ss = np.random.SeedSequence(4)
    assert condition_batches(10, None, ss) == [(0, 10, ss)] == condition_batches(10, 10, ss)
    parts = condition_batches(10, 4, ss)
    assert [(o, n) for o, n, _ in parts] == [(0, 4), (4, 4), (8, 2)]
    kids = np.random.SeedSequence(4).spawn(4)
    for (_, _, got), want in zip(parts, kids[1:]):
        assert (got.generate_state(2) == want.generate_state(2)).all()
    assert (nth_child(ss, 0).generate_state(2) == kids[0].generate_state(2)).all()
