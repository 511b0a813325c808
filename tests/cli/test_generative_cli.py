"""``simulacra impute``, ``generate-text`` and ``prompt-table`` end to end (tiny local models, a 127.0.0.1 server)."""

import json

import numpy as np
import pandas as pd
import pytest

from tests.cli.conftest import assert_one_error_line, invoke

LEARNED = ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year"]


@pytest.fixture(scope="module")
def cart_files(tmp_path_factory, penguins):
    """A folder with a CART model of penguins and a copy of the table with 15% of its cells blank."""
    from simulacra import CARTSynthesizer, Metadata

    d = tmp_path_factory.mktemp("impute")
    CARTSynthesizer(Metadata.detect_from_dataframe(penguins, table_name="penguins")).fit(penguins).save(d / "m.zip")
    holes = penguins.mask(np.random.default_rng(0).random(penguins.shape) < 0.15)
    holes.to_csv(d / "holes.csv", index=False)
    return d


def test_impute_fills_only_the_blank_cells(cart_files):
    d = cart_files
    res = invoke("impute", d / "m.zip", d / "holes.csv", "-o", d / "out.csv", "--seed", 3)
    assert res.exit_code == 0, res.output
    assert "filled" in res.output
    holes, out = pd.read_csv(d / "holes.csv"), pd.read_csv(d / "out.csv")
    assert out[LEARNED].notna().all().all()
    present = holes.notna()
    assert (out[present] == holes[present]).sum().sum() == present.sum().sum()
    again = invoke("impute", d / "m.zip", d / "holes.csv", "-o", d / "out.csv", "--seed", 3, "--overwrite")
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(pd.read_csv(d / "out.csv"), out)


def test_impute_errors_are_one_line(cart_files, tmp_path):
    d = cart_files
    assert_one_error_line(
        invoke("impute", tmp_path / "none.zip", d / "holes.csv", "-o", tmp_path / "o.csv"), "does not exist"
    )
    assert_one_error_line(invoke("impute", tmp_path, d / "holes.csv", "-o", tmp_path / "o.csv"), "is a folder")
    (tmp_path / "o.csv").write_text("x\n")
    assert_one_error_line(invoke("impute", d / "m.zip", d / "holes.csv", "-o", tmp_path / "o.csv"), "--overwrite")
    (tmp_path / "other.csv").write_text("a,b\n1,2\n3,\n")
    assert_one_error_line(invoke("impute", d / "m.zip", tmp_path / "other.csv", "-o", tmp_path / "p.csv"), "'a'")
    assert not (tmp_path / "p.csv").exists()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from simulacra.generative.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny") / "causal", kind="causal", train_steps=0)


def test_generate_text_one_line_per_prompt_same_seed_same_text(tiny_model, tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("The product\n\nA review:\n")
    args = ["generate-text", tiny_model, "--prompt", "Hello", "--prompts-file", prompts, "--max-new-tokens", 8]
    a, b = invoke(*args, "--seed", 1), invoke(*args, "--seed", 1)
    assert a.exit_code == 0, a.output
    assert a.stdout == b.stdout
    assert len(a.stdout.splitlines()) == 3
    res = invoke(*args, "--seed", 1, "-o", tmp_path / "t.jsonl")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert [r["prompt"] for r in rows] == ["Hello", "The product", "A review:"]


def test_generate_text_errors_are_one_line(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    assert_one_error_line(invoke("generate-text", tmp_path / "no-model", "--prompt", "hi"), "no-model")
    assert_one_error_line(invoke("generate-text", tmp_path, "--prompts-file", tmp_path / "none.txt"), "--prompts-file")
    assert_one_error_line(invoke("generate-text", tmp_path, "--prompt", "x", "-o", tmp_path / "t.parquet"), ".jsonl")


def test_prompt_table_from_a_local_server(tiny_model, tmp_path, monkeypatch):
    from simulacra.generative.server import serve

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    srv, url = serve(tiny_model)
    try:
        res = invoke(
            "prompt-table", "orders", "--column", "order_id:id", "--column", "status:paid|shipped",
            "-n", 4, "--model", "tiny", "--base-url", url, "--seed", 2, "-o", tmp_path / "t.csv",
        )  # fmt: skip
        stdout = invoke(
            "prompt-table", "orders", "--column", "order_id:id", "--column", "status:paid|shipped",
            "-n", 4, "--model", "tiny", "--base-url", url, "--seed", 2,
        )  # fmt: skip
    finally:
        srv.shutdown()
        srv.server_close()
    assert res.exit_code == 0, res.output
    df = pd.read_csv(tmp_path / "t.csv")
    assert list(df.columns) == ["order_id", "status"] and len(df) == 4
    assert set(df["status"]) <= {"paid", "shipped"} and df["order_id"].is_unique
    assert stdout.exit_code == 0, stdout.output
    assert stdout.stdout.splitlines()[0] == "order_id,status" and len(stdout.stdout.splitlines()) == 5
    assert "SECRET" not in res.output + stdout.output


def test_prompt_table_errors_are_one_line(tmp_path):
    assert_one_error_line(invoke("prompt-table", "x", "-n", 3), "--column")
    assert_one_error_line(invoke("prompt-table", "x", "-n", 3, "--column", "a"), "NAME:SDTYPE")
    assert_one_error_line(invoke("prompt-table", "x", "-n", 3, "--column", "a:id", "--column", "a:id"), "twice")
