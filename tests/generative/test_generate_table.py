"""generate_table end to end: the real client against a local server (tiny model) on 127.0.0.1, with faults."""

import json
import time
from contextlib import contextmanager

import pandas as pd
import pytest

from simulacra import Metadata
from simulacra.errors import ParameterError
from simulacra.generative.server import ChatHandler, LocalBackend, serve
from simulacra.generative.table import generate_table

SEED_COLUMNS = {
    "customer_id": "id",
    "order_id": "id",
    "order_date": "datetime",
    "product_id": "id",
    "product_name": "categorical",
}
SMALL = {"order_id": "id", "qty": "integer", "status": ["paid", "shipped"]}
KEY = "sk-test-SECRET-abcdef"
GOOD = {"order_id": "A1", "qty": 2, "status": "paid"}


@pytest.fixture(autouse=True)
def no_endpoint_env(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture(scope="module")
def generator(tiny_causal):
    from simulacra.generative.text import TextGenerator

    return TextGenerator(tiny_causal)


@pytest.fixture(scope="module")
def backend(generator):
    return LocalBackend(generator)


@contextmanager
def running(backend, handler=ChatHandler):
    srv, url = serve(backend, handler=handler)
    try:
        yield url
    finally:
        srv.shutdown()
        srv.server_close()


def faulty(*script):
    """A handler whose request i follows script[i]; "model" and every later request get the model's answer."""
    seen = []

    class Handler(ChatHandler):
        def handle_chat(self, body):
            seen.append(body)
            step = script[len(seen) - 1] if len(seen) <= len(script) else "model"
            if step == "model":
                return super().handle_chat(body)
            kind, *args = step
            if kind == "error":
                code, message, *headers = args
                self.send_error_json(code, message, headers=headers[0] if headers else None)
            elif kind == "sleep":
                time.sleep(args[0])
                super().handle_chat(body)
            elif kind == "content":
                content = args[0] if isinstance(args[0], str) else json.dumps(args[0])
                self.send_json(200, {"choices": [{"message": {"role": "assistant", "content": content}}]})

    Handler.seen = seen
    return Handler


def user_prompt(body):
    return body["messages"][-1]["content"]


def test_the_seed_tutorial_table_from_a_local_server(backend):
    with running(backend) as url:
        df = generate_table(
            "customer orders", columns=SEED_COLUMNS, n=5, model="tiny", base_url=url, api_key=KEY, seed=3
        )
        again = generate_table("customer orders", columns=SEED_COLUMNS, n=5, model="tiny", base_url=url, seed=3)
        other = generate_table("customer orders", columns=SEED_COLUMNS, n=5, model="tiny", base_url=url, seed=4)
    assert len(df) == 5 and list(df.columns) == list(SEED_COLUMNS)
    assert str(df["order_date"].dtype) == "datetime64[ns]"
    assert all(df[c].dtype == object for c in ("customer_id", "order_id", "product_id", "product_name"))
    for c in ("customer_id", "order_id", "product_id"):
        assert df[c].is_unique and df[c].notna().all()
    pd.testing.assert_frame_equal(df, again)
    assert not df.equals(other)


def test_types_come_back_as_dtypes(backend):
    columns = {
        "qty": "integer",
        "price": "numerical",
        "gift": "boolean",
        "at": "timestamp",
        "size": [1, 2, 3],
        "status": ["paid", "shipped", None],
    }
    with running(backend) as url:
        df = generate_table("orders", columns=columns, n=6, model="tiny", base_url=url)
    assert df["qty"].dtype == "int64" and df["price"].dtype == "float64" and df["gift"].dtype == bool
    assert str(df["at"].dtype) == "datetime64[ns]" and df["size"].dtype == "int64"
    assert df["size"].isin([1, 2, 3]).all() and df["status"].isin(["paid", "shipped", None]).all()


def test_a_local_model_directly_or_by_folder(generator, tiny_causal):
    a = generate_table("orders", columns=SMALL, n=4, model=generator, seed=1)
    b = generate_table("orders", columns=SMALL, n=4, model=str(tiny_causal), seed=1)
    assert len(a) == 4 and a["order_id"].is_unique and a["status"].isin(["paid", "shipped"]).all()
    pd.testing.assert_frame_equal(a, b)


def test_metadata_instead_of_columns(backend):
    real = pd.DataFrame(
        {"order_id": ["a", "b", "c"], "qty": [1, 2, 3], "day": pd.to_datetime(["2024-01-01", "2024-02-01", None])}
    )
    md = Metadata.detect_from_dataframe(real)
    md.update_column("order_id", sdtype="id")
    md.set_primary_key("order_id")
    with running(backend) as url:
        df = generate_table("orders", metadata=md, n=4, model="tiny", base_url=url)
    assert list(df.columns) == ["order_id", "qty", "day"] and len(df) == 4
    assert df["order_id"].is_unique and df["order_id"].notna().all()
    assert str(df["day"].dtype) == "datetime64[ns]" and df["qty"].dtype in ("int64", "Int64")


def test_batches_of_at_most_batch_size(backend):
    handler = faulty()
    with running(backend, handler) as url:
        df = generate_table("orders", columns=SMALL, n=7, model="tiny", base_url=url, batch_size=3)
    assert len(df) == 7 and df["order_id"].is_unique
    asked = [int(user_prompt(b).split("exactly ")[1].split()[0]) for b in handler.seen]
    assert asked[:3] == [3, 3, 1] and max(asked) <= 3
    assert "still needs 4 more records" in user_prompt(handler.seen[1])


@pytest.mark.parametrize(
    "step",
    [
        ("error", 429, "rate limited", {"Retry-After": "0.2"}),
        ("error", 500, "internal error"),
        ("error", 503, "overloaded"),
        ("sleep", 1.0),
    ],
)
def test_transient_failures_are_retried(backend, step):
    handler = faulty(step)
    with running(backend, handler) as url:
        t = time.perf_counter()
        df = generate_table("orders", columns=SMALL, n=3, model="tiny", base_url=url, timeout=0.5)
    assert len(df) == 3 and len(handler.seen) == 2
    if step[1] == 429:
        assert time.perf_counter() - t >= 0.2


def test_a_server_without_structured_outputs_gets_json_mode(backend):
    handler = faulty(("error", 400, "response_format json_schema is not supported by this server"))
    with running(backend, handler) as url:
        df = generate_table("orders", columns=SMALL, n=3, model="tiny", base_url=url)
    assert len(df) == 3
    kinds = [b.get("response_format", {}).get("type") for b in handler.seen]
    assert kinds == ["json_schema", "json_object"]
    assert "```json" in user_prompt(handler.seen[1])


def test_malformed_json_is_asked_again(backend):
    handler = faulty(("content", '{"records": [{"order_id": "A1", "qty": '))
    with running(backend, handler) as url:
        df = generate_table("orders", columns=SMALL, n=3, model="tiny", base_url=url)
    asked = [int(user_prompt(b).split("exactly ")[1].split()[0]) for b in handler.seen]
    assert len(df) == 3 and asked == [3, 1, 2]  # after a garbled answer: fewer at once, then back up


def test_invalid_and_duplicate_records_are_dropped_and_re_asked(backend):
    first = {
        "records": [
            GOOD,
            {**GOOD, "qty": 7},  # the same order_id again
            GOOD,  # the whole record again
            {"order_id": "A2", "qty": "many", "status": "paid"},  # wrong type
            {"order_id": "A3", "status": "paid"},  # a missing field
            {"order_id": "A4", "qty": 1, "status": "lost"},  # not an allowed value
        ]
    }
    handler = faulty(("content", first))
    with running(backend, handler) as url:
        df = generate_table("orders", columns=SMALL, n=3, model="tiny", base_url=url)
    assert len(df) == 3 and df.iloc[0].to_dict() == GOOD and df["order_id"].is_unique
    again = user_prompt(handler.seen[1])
    assert "still needs 2 more records" in again and 'order_id values (already used): "A1"' in again


def test_a_server_that_never_gives_valid_records_ends_in_one_error(backend):
    handler = faulty(*[("content", {"records": [{"order_id": "A1", "qty": "x", "status": "paid"}]})] * 10)
    with running(backend, handler) as url:
        with pytest.raises(ParameterError, match="got 0 of 3 valid.*after 3 requests.*qty: expected a number"):
            generate_table("orders", columns=SMALL, n=3, model="tiny", base_url=url)
    assert len(handler.seen) == 3


def test_401_is_one_error_and_the_key_stays_secret(backend):
    handler = faulty(("error", 401, f"bad key {KEY}"))
    with running(backend, handler) as url:
        with pytest.raises(ParameterError, match="401.*API key is wrong") as e:
            generate_table("orders", columns=SMALL, n=3, model="tiny", base_url=url, api_key=KEY)
    assert KEY not in str(e.value) and len(handler.seen) == 1


def test_a_dead_server_after_the_retries(backend):
    handler = faulty(*[("error", 503, "down")] * 10)
    with running(backend, handler) as url:
        with pytest.raises(ParameterError, match="failed 2 times in a row, last: HTTP 503"):
            generate_table("orders", columns=SMALL, n=3, model="tiny", base_url=url, max_retries=1)
    assert len(handler.seen) == 2


def test_endpoint_from_the_environment(backend, monkeypatch):
    handler = faulty()
    with running(backend, handler) as url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        df = generate_table("orders", columns=SMALL, n=2, model="tiny")
    assert len(df) == 2 and len(handler.seen) == 1


def test_progress_bar(backend, capsys):
    with running(backend) as url:
        generate_table("orders", columns=SMALL, n=2, model="tiny", base_url=url, show_progress=True)
    assert "generating records" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"n": 0}, "n must be"),
        ({"n": True}, "n must be"),
        ({"batch_size": 0}, "batch_size"),
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"seed": -1}, "seed"),
        ({"temperature": -0.5}, "temperature"),
        ({"show_progress": "yes"}, "show_progress"),
        ({"description": " "}, "description"),
        ({"columns": None}, "exactly one"),
        ({"model": None}, "pass model="),
        ({"model": 3}, "model must be"),
        ({"model": "no-such-model-here"}, "OPENAI_BASE_URL"),
    ],
)
def test_bad_arguments(kw, match):
    args = {"description": "orders", "columns": SMALL, "n": 3, "model": "m", "base_url": "http://127.0.0.1:9/v1"}
    args.update(kw)
    if kw.get("model") in (None, 3, "no-such-model-here"):
        args.pop("base_url")
    with pytest.raises(ParameterError, match=match):
        generate_table(**args)


def test_a_local_model_with_base_url_is_refused(generator):
    with pytest.raises(ParameterError, match="local model and base_url"):
        generate_table("orders", columns=SMALL, n=2, model=generator, base_url="http://127.0.0.1:9/v1")
