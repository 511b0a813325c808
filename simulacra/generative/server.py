"""A small OpenAI-compatible chat server backed by a local model: the JSON of its answers is decoded under constraints.

``serve(model)`` starts a :class:`http.server.ThreadingHTTPServer` in a daemon thread and returns it
with its base URL (``http://127.0.0.1:PORT/v1``), which :func:`~simulacra.generate_table` (or any
OpenAI client) can use as ``base_url``:

- ``POST /v1/chat/completions``: with ``response_format`` ``{"type": "json_schema", ...}`` the answer
  follows the schema (an object of scalar fields, or one array of such objects: as many records as
  the prompt asks for, "N records"), decoded by :class:`~simulacra.generative.local_json.LocalJSON`;
  JSON mode and plain text follow a schema written in the prompt as a fenced ```json block; plain text
  without one is the model's free text. The answer has OpenAI's shape (``choices[0].message.content``,
  ``usage``).
- ``GET /v1/models``: the one model served.

It has no authentication and is meant for tests and local use: keep it on 127.0.0.1. Stop it with
``server.shutdown(); server.server_close()``. Subclass :class:`ChatHandler` (override
:meth:`ChatHandler.handle_chat`) to inject faults in tests.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from ..errors import ParameterError
from .local_json import LocalJSON
from .schema import DEFAULT_STRING_CHARS, STRING_CHARS, Field, enum_field

MAX_RECORDS = 500
MAX_BODY_BYTES = 16 * 1024 * 1024
_COUNT = (re.compile(r"exactly\s+(\d+)\s+records?", re.I), re.compile(r"(\d+)\s+records?", re.I))
_FENCED = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S)


class BadRequest(ValueError):
    """A request the server answers with HTTP 400 (OpenAI's ``invalid_request_error``)."""


def records_items(schema) -> dict | None:
    """The record schema inside ``schema``: its one array's items, or itself (None when neither)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return None
    props = schema["properties"]
    arrays = [p for p in props.values() if isinstance(p, dict) and p.get("type") == "array"]
    if len(props) == 1 and len(arrays) == 1:
        items = arrays[0].get("items")
        return items if isinstance(items, dict) and isinstance(items.get("properties"), dict) else None
    return None if arrays else schema


def fields_from_schema(schema) -> list[Field]:
    """The fields of a record schema (or of a schema wrapping an array of records).

    Raises
    ------
    BadRequest
        When the schema is not an object of scalar properties (or one array of such objects).
    """
    items = records_items(schema)
    if items is None or not items["properties"]:
        raise BadRequest("the JSON schema must be an object of scalar fields, or wrap one array of such objects")
    out = []
    for name, s in items["properties"].items():
        if not isinstance(s, dict):
            raise BadRequest(f"the JSON schema of field {name!r} is not an object")
        types = s.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        enum = s.get("enum")
        nullable = "null" in types or (isinstance(enum, list) and None in enum)
        types = [t for t in types if t != "null"]
        if enum is not None:
            try:
                out.append(enum_field(name, enum, nullable=nullable))
            except ParameterError as e:
                raise BadRequest(str(e)) from None
            continue
        t = types[0] if types else "string"
        kind = {"integer": "integer", "number": "number", "boolean": "boolean", "string": "string"}.get(t)
        if kind is None:
            raise BadRequest(f"field {name!r}: type {t!r} is not supported (integer, number, boolean, string)")
        if kind == "string" and s.get("format") in ("date", "date-time"):
            kind = "date" if s["format"] == "date" else "datetime"
        desc = str(s.get("description", ""))
        chars = s.get("maxLength")
        if not isinstance(chars, int) or chars < 1:
            sd_guess = "text" if "free text" in desc else ("id" if "identifier" in desc else "")
            chars = STRING_CHARS.get(sd_guess, DEFAULT_STRING_CHARS)
        sd = "id" if "identifier" in desc else "unknown"
        out.append(Field(name, kind, sd, nullable=nullable, max_chars=min(chars, 2000), description=desc))
    return out


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # [{"type": "text", "text": ...}, ...]
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


class LocalBackend:
    """Chat completions from a local model (see the module docstring).

    Parameters
    ----------
    model : TextGenerator or str or path
        The local model.
    temperature : float
        Used when a request gives none.
    batch_size : int
        Records decoded together.
    """

    def __init__(self, model, temperature: float = 1.0, batch_size: int = 16):
        self.local = LocalJSON(model, temperature=temperature)
        self.batch_size = int(batch_size)
        self.lock = threading.Lock()
        self.calls = 0

    @property
    def name(self) -> str:
        return self.local.name

    def complete(self, body) -> dict:
        """The chat-completion answer (OpenAI's shape) to a request body; BadRequest when it is invalid."""
        if not isinstance(body, dict):
            raise BadRequest("the request body must be a JSON object")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
            raise BadRequest("messages must be a non-empty list of {role, content} objects")
        prompt = "\n\n".join(_text(m.get("content")) for m in messages)
        user = next((_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), prompt)
        fmt = body.get("response_format") or {"type": "text"}
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind == "json_schema":
            spec = fmt.get("json_schema")
            if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
                raise BadRequest("response_format json_schema needs {'name': ..., 'schema': {...}}")
            schema = spec["schema"]
        elif kind in ("json_object", "text"):
            found = _FENCED.search(user)
            schema = None
            if found:
                try:
                    schema = json.loads(found.group(1))
                except json.JSONDecodeError:
                    schema = None
            if schema is None and kind == "json_object":
                raise BadRequest("response_format json_object: write the JSON schema in the prompt (a ```json block)")
        else:
            raise BadRequest(f"response_format type {kind!r} is not supported (json_schema, json_object, text)")
        temperature = body.get("temperature", self.local.temperature)
        if not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or temperature < 0:
            raise BadRequest(f"temperature must be a number >= 0, got {temperature!r}")
        seed = body.get("seed", 0)
        seed = seed if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0 else 0
        rng = np.random.default_rng(seed)
        with self.lock:
            self.calls += 1
            old, self.local.temperature = self.local.temperature, float(temperature)
            try:
                content = self._content(schema, prompt, user, body, rng, seed)
            finally:
                self.local.temperature = old
        tok = self.local.generator.tokenizer
        used = len(tok(prompt, verbose=False)["input_ids"])
        made = len(tok(content, verbose=False)["input_ids"])
        return {
            "id": f"chatcmpl-local-{self.calls}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": used, "completion_tokens": made, "total_tokens": used + made},
        }

    def _content(self, schema, prompt, user, body, rng, seed) -> str:
        if schema is None:
            gen = self.local.generator
            if not hasattr(gen, "generate"):
                raise BadRequest("this local model answers only with a JSON schema (response_format json_schema)")
            limit = body.get("max_tokens") or body.get("max_completion_tokens") or 64
            return str(gen.generate(prompt, max_new_tokens=int(min(limit, 1024)), seed=seed))
        fields = fields_from_schema(schema)
        wrapped = records_items(schema) is not schema
        count = 1
        if wrapped:
            found = next((m for m in (p.search(user) for p in _COUNT) if m), None)
            count = min(int(found.group(1)), MAX_RECORDS) if found else 1
        records = self.local.generate(fields, count, prompt + "\n", rng, batch_size=self.batch_size)
        if not wrapped:
            return json.dumps(records[0], ensure_ascii=False)
        key = next(iter(schema["properties"]))
        return json.dumps({key: records}, ensure_ascii=False)


class ChatHandler(BaseHTTPRequestHandler):
    """The HTTP side: routes, JSON bodies, OpenAI-shaped errors. Tests override :meth:`handle_chat`."""

    server_version = "simulacra-local"

    def log_message(self, format, *args):  # quiet: tests and users read their own output
        pass

    def send_json(self, code: int, obj, headers=None) -> None:
        """Answer ``obj`` as JSON with HTTP ``code`` (and extra ``headers``)."""
        data = json.dumps(obj).encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, str(v))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (its timeout)
            pass

    def send_error_json(self, code: int, message: str, kind="invalid_request_error", headers=None) -> None:
        """OpenAI's error shape: ``{"error": {"message", "type", "code"}}``."""
        self.send_json(code, {"error": {"message": message, "type": kind, "code": code}}, headers)

    def read_json(self):
        """The request's JSON body (None after answering 400 when it is not JSON)."""
        size = int(self.headers.get("Content-Length") or 0)
        if size > MAX_BODY_BYTES:
            self.send_error_json(413, "the request body is too large")
            return None
        try:
            return json.loads(self.rfile.read(size).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.send_error_json(400, "the request body is not JSON")
            return None

    def do_GET(self):
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            name = self.server.backend.name
            self.send_json(200, {"object": "list", "data": [{"id": name, "object": "model", "owned_by": "local"}]})
        else:
            self.send_error_json(404, f"no route {self.path}", "not_found")

    def do_POST(self):
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self.send_error_json(404, f"no route {self.path}", "not_found")
            return
        body = self.read_json()
        if body is not None:
            self.handle_chat(body)

    def handle_chat(self, body) -> None:
        """Answer one chat-completion request (``body`` already parsed)."""
        try:
            answer = self.server.backend.complete(body)
        except BadRequest as e:
            self.send_error_json(400, str(e))
            return
        except Exception as e:  # the model failed: a 500 the client may retry
            self.send_error_json(500, f"the local model failed: {type(e).__name__}: {e}", "server_error")
            return
        self.send_json(200, answer)


def serve(model, host: str = "127.0.0.1", port: int = 0, handler=ChatHandler, temperature: float = 1.0):
    """Start an OpenAI-compatible chat server backed by a local model, in a daemon thread.

    Parameters
    ----------
    model : TextGenerator or str or path or LocalBackend
        The local model (a folder is loaded with ``TextGenerator``).
    host : str
        Address to listen on (keep 127.0.0.1: there is no authentication).
    port : int
        Port; 0 takes a free one.
    handler : type
        The request handler class (:class:`ChatHandler` or a subclass).
    temperature : float
        Used when a request gives none.

    Returns
    -------
    (ThreadingHTTPServer, str)
        The running server (``.backend`` is its :class:`LocalBackend`) and its base URL
        ``http://HOST:PORT/v1``. Stop it with ``server.shutdown(); server.server_close()``.
    """
    backend = model if isinstance(model, LocalBackend) else LocalBackend(model, temperature=temperature)
    if not (isinstance(handler, type) and issubclass(handler, BaseHTTPRequestHandler)):
        raise ParameterError("handler must be a BaseHTTPRequestHandler subclass (e.g. a ChatHandler subclass)")
    server = ThreadingHTTPServer((host, int(port)), handler)
    server.daemon_threads = True
    server.backend = backend
    url = f"http://{host}:{server.server_address[1]}/v1"
    server.url = url
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="simulacra-chat-server", daemon=True
    ).start()
    return server, url
