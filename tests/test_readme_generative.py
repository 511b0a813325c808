"""The README's "Generative: language models" examples run as written (tiny local models, no network)."""

from __future__ import annotations

import pytest

from tests.test_readme import code_blocks, readme_section

pytest.importorskip("transformers")


def test_generative_examples_run_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = code_blocks(readme_section("Generative: language models"), "python")
    assert len(blocks) == 3
    namespace: dict = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md (Generative, block {i + 1})", "exec"), namespace)
    synth, rows, filled = namespace["synth"], namespace["rows"], namespace["filled"]
    real = namespace["real"]
    assert len(rows) == 500 and set(rows["species"]) <= set(real["species"])
    assert (namespace["gentoo"]["species"] == "Gentoo").all()
    learned = ["island", "bill_length_mm", "flipper_length_mm", "body_mass_g"]
    assert not filled[learned].isna().any().any()
    assert synth.fit_info_["epochs_run"] <= 20
    assert (tmp_path / "llm_model.zip").exists() and (tmp_path / "tiny-gpt2" / "config.json").exists()
    assert len(namespace["texts"]) == 2 and all(isinstance(t, str) for t in namespace["texts"])
    assert list(namespace["orders"].columns) == ["customer_id", "order_id", "order_date", "product_id", "status"]
