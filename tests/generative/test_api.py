"""The chat-completions client over real HTTP on 127.0.0.1: structured outputs, fallbacks, retries, errors."""

import json
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from simulacra.errors import ParameterError
from simulacra.generative.api import ChatClient, build_messages, extract_json, resolve_endpoint
from simulacra.generative.schema import json_schema, resolve_fields

KEY = "sk-test-SECRET-0123456789"
FIELDS = resolve_fields(columns={"order_id": "id", "qty": "integer"})
ANSWER = json.dumps({"records": [{"order_id": "A1", "qty": 2}]})


def ok(content=ANSWER):
    return (200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}, {})


def err(code, message, headers=None):
    return (code, {"error": {"message": message, "type": "invalid_request_error"}}, headers or {})


@contextmanager
def stub(*script):
    """A server answering request i with script[i] (the last one repeats); yields (base_url, seen requests)."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            step = script[min(len(seen), len(script)) - 1]
            if step[0] == "sleep":
                time.sleep(step[1])
                step = ok()
            if step[0] == "raw":
                data, code, headers = step[1], 200, {}
            else:
                code, obj, headers = step
                data = json.dumps(obj).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def client(url, **kw):
    kw = {"api_key": KEY, "backoff": 0.01, "max_retries": 3, "timeout": 5, **kw}
    return ChatClient("test-model", url, **kw)


def messages(schema_in_prompt=False):
    return build_messages("customer orders", FIELDS, 1, schema_in_prompt=schema_in_prompt)


def test_structured_outputs_request_and_answer():
    with stub(ok()) as (url, seen):
        c = client(url, temperature=0.7)
        msg = c.chat(messages, schema=json_schema(FIELDS), seed=42)
    assert json.loads(msg["content"]) == json.loads(ANSWER)
    (req,) = seen
    assert req["path"] == "/v1/chat/completions"
    assert req["headers"]["Authorization"] == f"Bearer {KEY}"
    body = req["body"]
    assert body["model"] == "test-model" and body["seed"] == 42 and body["temperature"] == 0.7
    rf = body["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["strict"] is True
    assert rf["json_schema"]["schema"] == json_schema(FIELDS)
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert "Generate exactly 1 records" in user["content"] and "order_id" in user["content"]
    assert "```json" not in user["content"]  # the schema travels in response_format


def test_a_server_without_json_schema_falls_back_to_json_mode_then_text():
    with stub(
        err(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model"),
        err(400, "response_format json_object is not supported"),
        ok("Here you go:\n```json\n" + ANSWER + "\n```"),
    ) as (url, seen):
        c = client(url)
        msg = c.chat(messages, schema=json_schema(FIELDS))
        assert c.mode == "text"
        c.chat(messages, schema=json_schema(FIELDS))  # the mode that worked is kept
    assert extract_json(msg["content"]) == json.loads(ANSWER)
    formats = [r["body"].get("response_format", {}).get("type") for r in seen]
    assert formats == ["json_schema", "json_object", None, None]
    assert "```json" in seen[1]["body"]["messages"][1]["content"]  # JSON mode: the schema in the prompt


def test_429_waits_for_retry_after_then_succeeds():
    with stub(err(429, "slow down", {"Retry-After": "0.3"}), ok()) as (url, seen):
        t = time.perf_counter()
        client(url).chat(messages, schema=json_schema(FIELDS))
        assert time.perf_counter() - t >= 0.3
    assert len(seen) == 2


def test_5xx_are_retried_then_succeed():
    with stub(err(500, "boom"), err(503, "busy"), ok()) as (url, seen):
        c = client(url)
        c.chat(messages)
    assert len(seen) == 3 and c.requests == 3


def test_a_timeout_is_retried():
    with stub(("sleep", 1.0), ok()) as (url, seen):
        msg = client(url, timeout=0.3).chat(messages)
    assert len(seen) == 2 and json.loads(msg["content"]) == json.loads(ANSWER)


def test_persistent_failure_ends_in_one_clear_error_without_the_key():
    with stub(err(503, f"overloaded, key {KEY}")) as (url, seen):
        with pytest.raises(ParameterError, match="failed 3 times in a row, last: HTTP 503") as e:
            client(url, max_retries=2).chat(messages)
    assert len(seen) == 3
    assert KEY not in str(e.value) and "***" in str(e.value)


def test_401_is_not_retried_and_names_the_key_problem():
    with stub(err(401, "Incorrect API key provided")) as (url, seen):
        with pytest.raises(ParameterError, match="401.*API key is wrong.*OPENAI_API_KEY") as e:
            client(url).chat(messages)
        assert KEY not in str(e.value)
        with pytest.raises(ParameterError, match="no API key was given"):
            client(url, api_key="").chat(messages)
    assert len(seen) == 2
    assert "Authorization" not in seen[1]["headers"]


@pytest.mark.parametrize(
    "code, match",
    [(404, "check base_url"), (400, "HTTP 400 \\(context too long\\)"), (403, "may not use this model")],
)
def test_other_4xx_are_not_retried(code, match):
    with stub(err(code, "context too long")) as (url, seen):
        with pytest.raises(ParameterError, match=match):
            client(url).chat(messages, schema=json_schema(FIELDS))
    assert len(seen) == 1


def test_an_answer_that_is_not_a_chat_completion():
    with stub(("raw", b"<html>hello</html>")) as (url, _):
        with pytest.raises(ParameterError, match="not JSON.*base_url"):
            client(url).chat(messages)
    with stub((200, {"data": []}, {})) as (url, _):
        with pytest.raises(ParameterError, match="without choices"):
            client(url).chat(messages)


def test_connection_refused_is_retried_then_explained():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    c = client(f"http://127.0.0.1:{port}/v1", max_retries=1)
    with pytest.raises(ParameterError, match="failed 2 times.*cannot connect.*server is running"):
        c.chat(messages)
    assert c.requests == 2


def test_endpoint_and_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with stub(ok()) as (url, seen):
        monkeypatch.setenv("OPENAI_BASE_URL", url + "/")
        c = ChatClient("m")
        assert c.base_url == url and KEY not in repr(c)
        c.chat(messages)
    assert seen[0]["headers"]["Authorization"] == f"Bearer {KEY}"


def test_resolve_endpoint(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ParameterError, match="no API key for api.openai.com"):
        resolve_endpoint()
    assert resolve_endpoint(api_key="k") == ("https://api.openai.com/v1", "k")
    assert resolve_endpoint("http://127.0.0.1:9/v1/") == ("http://127.0.0.1:9/v1", None)
    with pytest.raises(ParameterError, match="http\\(s\\) URL"):
        resolve_endpoint("ftp://x")
    with pytest.raises(ParameterError, match="model must be"):
        ChatClient("", "http://127.0.0.1:9/v1")


def test_backoff_doubles_with_a_seeded_jitter_and_caps():
    def waits(seed):
        c = ChatClient("m", "http://127.0.0.1:9/v1", seed=seed, backoff=0.5, max_wait=3.0)
        return [c._delay(k, None) for k in range(5)]

    assert waits(3) == waits(3) and waits(3) != waits(4)
    for k, w in enumerate(waits(3)):
        assert 0.5 * min(3.0, 0.5 * 2**k) <= w < 1.5 * min(3.0, 0.5 * 2**k)
    c = ChatClient("m", "http://127.0.0.1:9/v1", max_wait=3.0)
    assert c._delay(0, 120.0) == 3.0 and c._delay(0, 0.25) == 0.25  # Retry-After honoured, capped


def test_extract_json():
    assert extract_json('{"records": []}') == {"records": []}
    assert extract_json('Sure! ```json\n[{"a": 1}]\n``` done') == [{"a": 1}]
    assert extract_json('{broken {"a": 2}') == {"a": 2}
    with pytest.raises(ValueError, match="no JSON"):
        extract_json("no records today")
    with pytest.raises(ValueError):
        extract_json(None)


def test_a_re_ask_says_what_is_missing_and_which_ids_to_avoid():
    msgs = build_messages("orders", FIELDS, 3, missing=7, avoid={"order_id": ["A1", "A2"]}, schema_in_prompt=True)
    user = msgs[1]["content"]
    assert "Generate exactly 3 records of this dataset: orders" in user
    assert "still needs 7 more records" in user
    assert 'Do not reuse these order_id values (already used): "A1", "A2"' in user
    assert json.dumps(json_schema(FIELDS)) in user


def test_a_redirect_is_one_error_and_the_key_stays_home():
    with stub(ok()) as (other, elsewhere):
        with stub((302, {}, {"Location": other + "/chat/completions"})) as (url, seen):
            port = other.split(":")[2].split("/")[0]
            with pytest.raises(
                ParameterError, match=f"redirect \\(HTTP 302\\) to 127.0.0.1:{port}.*final base_url"
            ) as e:
                client(url).chat(messages)
    assert f"probably base_url='{other}'" in str(e.value)
    assert len(seen) == 1 and elsewhere == []  # not retried, not followed


def test_a_retry_after_past_the_total_timeout_ends_at_once():
    with stub(err(429, "slow down", {"Retry-After": "30"})) as (url, seen):
        t = time.perf_counter()
        with pytest.raises(
            ParameterError, match="asked to wait 30 s \\(Retry-After\\), more than the .* total_timeout=4 s"
        ):
            client(url, timeout=1, max_retries=3).chat(messages)
        assert time.perf_counter() - t < 2
    assert len(seen) == 1


def test_total_timeout_bounds_the_retries():
    with stub(("sleep", 1.0)) as (url, _):
        c = client(url, timeout=0.3, max_retries=10, total_timeout=0.8)
        t = time.perf_counter()
        with pytest.raises(ParameterError, match="no answer within timeout=0.3 s"):
            c.chat(messages)
        assert time.perf_counter() - t < 1.5 and 2 <= c.requests <= 4


def test_a_body_dripping_past_the_total_timeout_is_cut_off():
    class Drip(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        c = client(f"http://127.0.0.1:{server.server_address[1]}/v1", timeout=1, total_timeout=0.5)
        t = time.perf_counter()
        with pytest.raises(ParameterError, match="no complete answer within total_timeout=0.5 s"):
            c.chat(messages)
        assert time.perf_counter() - t < 1.5 and c.requests == 1
    finally:
        server.shutdown()
        server.server_close()


def test_messages_and_repr_hide_the_secrets_of_base_url():
    with stub(err(404, "no route for api_key=SECRET-Q&token=TOK-123")) as (url, seen):
        c = client(url + "?api-version=2024&api_key=SECRET-Q&token=TOK-123")
        assert "SECRET-Q" not in repr(c) and "api_key=***&token=***" in repr(c) and "api-version=2024" in repr(c)
        with pytest.raises(ParameterError, match="api-version=2024&api_key=\\*\\*\\*") as e:
            c.chat(messages)
    assert "SECRET-Q" not in str(e.value) and "TOK-123" not in str(e.value)
    assert seen[0]["path"] == "/v1/chat/completions?api-version=2024&api_key=SECRET-Q&token=TOK-123"
    with pytest.raises(ParameterError, match="\\*\\*\\*@127.0.0.1:9/v1.* holds a user name or password") as e:
        client("http://user:pa55word@127.0.0.1:9/v1")
    assert "pa55word" not in str(e.value)
    with pytest.raises(ParameterError, match="http\\(s\\) URL") as e:
        resolve_endpoint("ftp://user:pa55word@x/?token=abcdef")
    assert "pa55word" not in str(e.value) and "abcdef" not in str(e.value)


def test_a_deeply_nested_answer_is_a_clear_error():
    with pytest.raises(ValueError, match="nested too deeply"):
        extract_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="no JSON"):  # a garbled answer: only the first brackets are tried
        extract_json("[x " * 200 + '{"a": 1}')
    with stub(("raw", b"[" * 100_000)) as (url, _):
        with pytest.raises(ParameterError, match="nested too deeply"):
            client(url).chat(messages)
