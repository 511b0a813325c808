"""Text columns written by a real tiny language model, prompted from each sampled row's other columns."""

import copy
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import ModelFileError, ParameterError
from simulacra.synthesizers import CARTSynthesizer, GaussianCopulaSynthesizer

pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.generative import conftest as generative_conftest  # noqa: E402

tiny_causal = generative_conftest.tiny_causal  # the shared session fixture (a real tiny GPT-2)

PROMPT = "Review of the {product}, rated {rating}/5:"
META = {
    "columns": {
        "product": {"sdtype": "categorical"},
        "rating": {"sdtype": "numerical", "computer_representation": "Int64"},
        "review": {"sdtype": "text"},
    }
}


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 60
    product = rng.choice(["phone", "laptop", "chair", "book"], n)
    rating = rng.integers(1, 6, n)
    review = [
        f"the {p} is {'great' if r > 3 else 'bad'} and I would {'buy' if r > 3 else 'return'} it"
        for p, r in zip(product, rating)
    ]
    review = pd.Series(review, dtype=object)
    review[rng.random(n) < 0.2] = np.nan
    return pd.DataFrame({"product": product, "rating": rating, "review": review})


@pytest.fixture(scope="module")
def gen(tiny_causal):
    from simulacra.generative import TextGenerator

    return TextGenerator(tiny_causal, device="cpu")


@pytest.fixture(scope="module")
def fitted(table):
    return CARTSynthesizer(META).fit(table)


class Recorder:
    """A generator of the duck-typed protocol that writes back each prompt (to check the prompts exactly)."""

    def __init__(self):
        self.calls = []

    def generate(self, prompts, max_new_tokens=64, temperature=1.0, top_p=1.0, seed=0, show_progress=None):
        self.calls.append({"prompts": list(prompts), "seed": seed, "max_new_tokens": max_new_tokens})
        return [f" <{p}> " for p in prompts]

    def to_spec(self):
        return {"model": "recorder"}


@pytest.mark.parametrize("cls", [CARTSynthesizer, GaussianCopulaSynthesizer])
def test_text_from_the_model(cls, table, gen):
    synth = cls(META).fit(table)
    fake = synth.sample(30, seed=1)
    synth.set_text_generator("review", gen, prompt=PROMPT, max_new_tokens=8, temperature=0)
    out = synth.sample(30, seed=1)
    # the other columns and the missing cells are those of the run without a generator
    pd.testing.assert_frame_equal(out[["product", "rating"]], fake[["product", "rating"]])
    assert out["review"].isna().tolist() == fake["review"].isna().tolist()
    present = out["review"].notna()
    assert present.sum() > 10
    # greedy: each text is exactly what the model writes after the row's prompt
    prompts = [PROMPT.format(product=p, rating=r) for p, r in zip(out["product"][present], out["rating"][present])]
    want = [t.strip() for t in gen.generate(prompts, max_new_tokens=8, temperature=0)]
    assert out["review"][present].tolist() == want
    assert not set(want) & set(fake["review"].dropna())


def test_deterministic_by_seed(table, gen):
    synth = CARTSynthesizer(META).fit(table)
    synth.set_text_generator("review", gen, prompt=PROMPT, max_new_tokens=10)
    a = synth.sample(25, seed=4)
    pd.testing.assert_frame_equal(a, synth.sample(25, seed=4))
    b = synth.sample(25, seed=5)
    assert a["review"].dropna().tolist() != b["review"].dropna().tolist()
    # batches made alone give the batches of the run
    plan = synth.plan(25, batch_size=10, seed=4)
    parts = pd.concat([synth.sample_batch(plan, i) for i in range(plan.n_batches)], ignore_index=True)
    pd.testing.assert_frame_equal(parts, synth.sample(25, seed=4, batch_size=10))


def test_before_fit_and_removed(table):
    rec = Recorder()
    synth = CARTSynthesizer(META)
    synth.set_text_generator("review", rec, prompt="{product} {rating:.1f} {{x}}")
    synth.fit(table)
    out = synth.sample(12, seed=0)
    prompts = rec.calls[-1]["prompts"]
    present = out["review"].notna()
    assert prompts == [f"{p} {r:.1f} {{x}}" for p, r in zip(out["product"][present], out["rating"][present])]
    assert out["review"][present].tolist() == [f"<{p}>" for p in prompts]  # stripped
    assert isinstance(rec.calls[-1]["seed"], int) and rec.calls[-1]["max_new_tokens"] == 40
    synth.set_text_generator("review", None)
    assert synth.sample(12, seed=0)["review"].dropna().str.startswith("<").sum() == 0


def test_default_prompt(fitted):
    rec = Recorder()
    fitted.set_text_generator("review", rec)
    try:
        out = fitted.sample(5, seed=2)
    finally:
        fitted.set_text_generator("review", None)
    row = out[out["review"].notna()].iloc[0]
    assert rec.calls[-1]["prompts"][0] == f"product: {row['product']}, rating: {row['rating']}\nreview:"


def test_missing_values_in_prompt(table):
    meta = {"columns": {**META["columns"], "note": {"sdtype": "categorical"}}}
    data = table.assign(note=np.where(np.arange(len(table)) % 2, "x", None))
    rec = Recorder()
    synth = CARTSynthesizer(meta, learn_rules=False).fit(data)
    synth.set_text_generator("review", rec, prompt="[{note}]")
    out = synth.sample(40, seed=0)
    got = set(rec.calls[-1]["prompts"])
    assert got <= {"[x]", "[]"} and "[]" in got and out["note"].isna().any()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("rating", "G"), "text columns.*'rating' is a numerical column"),
        (("nope", "G"), "not a column"),
        (("review", "G", "{price}"), r"\{price\}.*not a column"),
        (("review", "G", "{review} again"), "its own value"),
        (("review", "G", "{product"), "not a valid format string"),
        (("review", "G", ""), "non-empty"),
        (("review", "G", None, 0), "max_new_tokens"),
        (("review", "G", None, 5, -1.0), "temperature"),
        (("review", "G", None, 5, 1.0, 0.0), "top_p"),
        (("review", object()), "TextGenerator"),
    ],
)
def test_bad_arguments(fitted, args, match):
    args = tuple(Recorder() if a == "G" else a for a in args)
    with pytest.raises(ParameterError, match=match):
        fitted.set_text_generator(*args)
    assert fitted.sample(3, seed=0)["review"].dropna().str.startswith("<").sum() == 0


def test_save_load_reattach(fitted, gen, tiny_causal, tmp_path):
    fitted.set_text_generator("review", gen, prompt=PROMPT, max_new_tokens=6, temperature=0.7, top_p=0.9)
    try:
        want = fitted.sample(15, seed=3)
        path = tmp_path / "m.simulacra"
        fitted.save(path)
    finally:
        fitted.set_text_generator("review", None)
    with zipfile.ZipFile(path) as z:  # settings and the spec only: no weights in the file
        names = z.namelist()
        manifest = json.loads(z.read(next(n for n in names if n.endswith(".json"))))
    assert not any("safetensors" in n for n in names)
    (entry,) = manifest["state"]["text_generators"]
    assert entry["prompt"] == PROMPT and entry["generator"]["model"] == str(tiny_causal)
    loaded = CARTSynthesizer.load(path)
    for call in (
        lambda: loaded.sample(5),
        lambda: loaded.sample_remaining_columns(pd.DataFrame({"product": ["book"]})),
    ):
        with pytest.raises(ParameterError, match="set_text_generator") as e:
            call()
        assert str(tiny_causal) in str(e.value) and "'review'" in str(e.value)
    from simulacra.generative import TextGenerator

    loaded.set_text_generator("review", TextGenerator(tiny_causal))  # the saved prompt and settings are kept
    pd.testing.assert_frame_equal(loaded.sample(15, seed=3), want)


def test_bad_saved_entry(fitted):
    from simulacra.synthesizers.base import BaseSynthesizer

    fitted.set_text_generator("review", Recorder(), prompt=PROMPT)
    try:
        entry = fitted._to_state()
    finally:
        fitted.set_text_generator("review", None)
    assert BaseSynthesizer._from_state(entry)._text_fills["review"].generator is None
    for key, value in [("column", "rating"), ("prompt", "{price}"), ("top_p", 2.0), ("generator", {"x": 1})]:
        bad = copy.deepcopy(entry)
        bad["state"]["text_generators"][0][key] = value
        with pytest.raises(ModelFileError, match="text_generators"):
            BaseSynthesizer._from_state(bad)
