"""Tiny local models shared by the generative tests (built once per session, no download)."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

#: Short reviews the tiny models' tokenizer and weights learn from (a few Adam steps).
REVIEWS = [
    "Review of the phone, rated 5/5: great screen and the battery lasts all day.",
    "Review of the phone, rated 2/5: it broke after a week.",
    "Review of the laptop, rated 4/5: light, quiet and fast.",
    "Review of the laptop, rated 1/5: the keyboard stopped working.",
    "Review of the chair, rated 5/5: solid and easy to build.",
    "Review of the chair, rated 3/5: comfortable but too low.",
    "Review of the book, rated 4/5: a long story worth reading.",
    "Review of the book, rated 2/5: boring and too long.",
    "The product works well and the price is fair.",
    "Terrible experience, the item arrived damaged.",
    "Fast delivery, good quality, I would buy it again.",
    "Not worth the price, I returned it the next day.",
]


@pytest.fixture(scope="session")
def tiny_causal(tmp_path_factory):
    """Folder of a tiny GPT-2 (2 layers, 64 wide) with a byte-level BPE tokenizer, lightly trained."""
    from simulacra.generative.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny") / "causal", kind="causal", corpus=REVIEWS, train_steps=20)


@pytest.fixture(scope="session")
def tiny_seq2seq(tmp_path_factory):
    """Folder of a tiny T5 (2+2 layers, 64 wide) with the same kind of tokenizer, lightly trained."""
    from simulacra.generative.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny") / "seq2seq", kind="seq2seq", corpus=REVIEWS, train_steps=20)
