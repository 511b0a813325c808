"""The local OpenAI-compatible server: real HTTP on 127.0.0.1, answers decoded under the schema by a tiny model."""

import json
import urllib.error
import urllib.request

import pytest

from simulacra.errors import ParameterError
from simulacra.generative.schema import Validator, json_schema, record_schema, resolve_fields
from simulacra.generative.server import LocalBackend, fields_from_schema, serve

COLUMNS = {
    "order_id": "id",
    "qty": "integer",
    "price": {"sdtype": "numerical", "nullable": True},
    "day": "datetime",
    "at": "timestamp",
    "status": ["paid", "shipped", None],
    "gift": "boolean",
}
FIELDS = resolve_fields(columns=COLUMNS)


@pytest.fixture(scope="module")
def generator(tiny_causal):
    from simulacra.generative.text import TextGenerator

    return TextGenerator(tiny_causal)


@pytest.fixture(scope="module")
def server(generator):
    srv, url = serve(generator)
    yield srv, url
    srv.shutdown()
    srv.server_close()


def call(url, path, body=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def chat(n=3, fmt="json_schema", seed=0, prompt=None, **extra):
    body = {
        "model": "tiny",
        "messages": [
            {"role": "system", "content": "You write JSON."},
            {"role": "user", "content": prompt or f"Generate exactly {n} records of customer orders."},
        ],
        "seed": seed,
        **extra,
    }
    if fmt == "json_schema":
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "records", "strict": True, "schema": json_schema(FIELDS)},
        }
    elif fmt:
        body["response_format"] = {"type": fmt}
    return body


def test_models_and_routes(server):
    srv, url = server
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
    code, body = call(url, "/models")
    assert code == 200 and body["data"][0]["object"] == "model"
    code, body = call(url, "/nothing")
    assert code == 404 and "error" in body


def test_json_schema_answers_parse_and_validate(server):
    _, url = server
    code, body = call(url, "/chat/completions", chat(n=4))
    assert code == 200
    assert body["object"] == "chat.completion" and body["usage"]["total_tokens"] > 0
    msg = body["choices"][0]["message"]
    assert msg["role"] == "assistant"
    records = json.loads(msg["content"])["records"]
    assert len(records) == 4
    v = Validator(FIELDS)
    rows = [v.convert(r) for r in records]  # every record valid by construction
    assert all(set(r) == set(COLUMNS) for r in records)
    assert all(r["status"] in ("paid", "shipped", None) for r in rows)


def test_same_seed_same_answer(server):
    _, url = server
    a = call(url, "/chat/completions", chat(seed=5))[1]["choices"][0]["message"]["content"]
    b = call(url, "/chat/completions", chat(seed=5))[1]["choices"][0]["message"]["content"]
    c = call(url, "/chat/completions", chat(seed=6))[1]["choices"][0]["message"]["content"]
    assert a == b and a != c


def test_json_mode_and_text_follow_a_schema_in_the_prompt(server):
    _, url = server
    prompt = "Generate exactly 2 records.\n```json\n" + json.dumps(json_schema(FIELDS)) + "\n```"
    for fmt in ("json_object", None):
        code, body = call(url, "/chat/completions", chat(fmt=fmt, prompt=prompt))
        assert code == 200
        assert len(json.loads(body["choices"][0]["message"]["content"])["records"]) == 2
    code, body = call(url, "/chat/completions", chat(fmt="json_object", prompt="just JSON please"))
    assert code == 400 and "json_object" in body["error"]["message"]


def test_plain_text_without_a_schema_is_free_text(server):
    _, url = server
    code, body = call(url, "/chat/completions", chat(fmt=None, prompt="Review of the phone", max_tokens=8))
    assert code == 200 and isinstance(body["choices"][0]["message"]["content"], str)


def test_a_record_schema_gives_one_record(server):
    _, url = server
    body = chat()
    body["response_format"]["json_schema"]["schema"] = record_schema(FIELDS)
    code, body = call(url, "/chat/completions", body)
    assert code == 200 and set(json.loads(body["choices"][0]["message"]["content"])) == set(COLUMNS)


@pytest.mark.parametrize(
    "change, match",
    [
        ({"messages": []}, "messages"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}}, "json_schema needs"),
        ({"response_format": {"type": "yaml"}}, "not supported"),
        ({"temperature": -1}, "temperature"),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": {"type": "object", "properties": {"a": {"type": "object"}}}},
                }
            },
            "not supported",
        ),
    ],
)
def test_bad_requests_get_400(server, change, match):
    _, url = server
    code, body = call(url, "/chat/completions", {**chat(), **change})
    assert code == 400 and match in body["error"]["message"]
    code, body = call(url, "/chat/completions", raw=b"{not json")
    assert code == 400 and "not JSON" in body["error"]["message"]


def test_fields_from_schema_round_trip():
    back = fields_from_schema(json_schema(FIELDS))
    assert [(f.name, f.kind, f.nullable, f.options) for f in back] == [
        (f.name, f.kind, f.nullable, f.options) for f in FIELDS
    ]


def test_a_seq2seq_model_serves_too(tiny_seq2seq):
    srv, url = serve(LocalBackend(tiny_seq2seq))
    try:
        code, body = call(url, "/chat/completions", chat(n=2))
    finally:
        srv.shutdown()
        srv.server_close()
    assert code == 200
    records = json.loads(body["choices"][0]["message"]["content"])["records"]
    assert len(records) == 2 and all(Validator(FIELDS).convert(r) for r in records)


def test_serve_refuses_a_bad_handler(generator):
    with pytest.raises(ParameterError, match="handler"):
        serve(generator, handler=object)
