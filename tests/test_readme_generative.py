"""The README's "Generative: language models" examples run as written (tiny local models, no network)."""

from __future__ import annotations

import re

import pytest

from tests.test_readme import code_blocks, readme_section

pytest.importorskip("transformers")


def _reseeded(text: str, seed: int) -> str:
    """The README text with each ``seed=K`` / ``--seed K`` moved to ``K + seed``."""
    text = re.sub(r"seed=(\d+)", lambda m: f"seed={int(m.group(1)) + seed}", text)
    return re.sub(r"--seed (\d+)", lambda m: f"--seed {int(m.group(1)) + seed}", text)


@pytest.mark.parametrize("seed", range(3))
def test_generative_examples_run_as_written(tmp_path, monkeypatch, seed):
    monkeypatch.chdir(tmp_path)
    blocks = [_reseeded(b, seed) for b in code_blocks(readme_section("Generative: language models"), "python")]
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


@pytest.mark.parametrize("seed", range(3))
def test_generative_cli_examples_run_as_written(tmp_path, monkeypatch, seed):
    """The CLI reference's impute and prompt-table lines, against a local OpenAI-compatible server."""
    import numpy as np
    import pandas as pd
    from click.testing import CliRunner

    from simulacra import CARTSynthesizer, Metadata, load_demo
    from simulacra.cli import cli
    from simulacra.generative.server import serve
    from simulacra.generative.tiny import make_tiny_model

    from .test_readme import commands

    monkeypatch.chdir(tmp_path)
    real = load_demo().head(150)
    CARTSynthesizer(Metadata.detect_from_dataframe(real)).fit(real).save("model.zip")
    holes = real.mask(np.random.default_rng(0).random(real.shape) < 0.1)
    holes.to_csv("holes.csv", index=False)
    server, url = serve(make_tiny_model("tiny", kind="causal", train_steps=0))
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    blocks = [_reseeded(b, seed) for b in code_blocks(readme_section("CLI reference"), "bash")]
    lines = [
        a for b in blocks for a in commands(b) if a[:2] in (["simulacra", "impute"], ["simulacra", "prompt-table"])
    ]
    assert len(lines) == 2
    try:
        for args in lines:
            res = CliRunner().invoke(cli, args[1:])
            assert res.exit_code == 0, (args, res.output)
    finally:
        server.shutdown()
    filled = pd.read_csv("filled.csv")
    assert (
        filled.notna().all().all()
        and (filled[holes.notna()] == holes[holes.notna()]).sum().sum() == holes.notna().sum().sum()
    )
    orders = pd.read_csv("orders.csv")
    assert len(orders) == 50 and set(orders["status"]) <= {"paid", "shipped"} and orders["order_id"].is_unique
