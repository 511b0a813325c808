"""An OpenAI-compatible chat-completions client over ``urllib`` (no SDK), for tables from a prompt.

:class:`ChatClient` posts ``{base_url}/chat/completions`` with structured outputs
(``response_format`` ``json_schema``, strict). A server that rejects it (HTTP 400 naming
``response_format`` / ``json_schema``, or "unsupported") is asked again in JSON mode
(``{"type": "json_object"}``, the schema then written in the prompt), and one that rejects that too
in plain text, the JSON taken from the answer (:func:`extract_json`).

Timeouts, connection errors, HTTP 5xx and 429 are retried up to ``max_retries`` times, waiting
``backoff * 2**attempt`` seconds with a seeded jitter, or the server's ``Retry-After`` (both capped at
``max_wait``); other HTTP errors are not. One request, its retries and waits included, ends by
``total_timeout`` (default ``timeout * (max_retries + 1)``): a wait, or a ``Retry-After``, longer than the
time left ends it at once. Every failure ends in one :class:`~simulacra.errors.ParameterError`
saying what happened and what to do. The API key (``api_key`` or ``OPENAI_API_KEY``) is sent only in the
``Authorization`` header: it is never printed nor put in a message. Redirects are not followed (they would
carry the header to another address): a redirect is one error naming where it points. A base URL's query
values that look secret (``key=``, ``token=``, ...) are shown as ``***`` in messages and the repr, and a base
URL with a user name or password is refused.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

from ..errors import ParameterError
from .schema import describe_field, json_schema

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: at most this many values of each unique column are listed in a re-ask (the prompt stays short)
MAX_AVOID = 100
MODES = ("json_schema", "json_object", "text")
#: extract_json tries at most this many opening brackets (a garbled answer costs linear time, not quadratic)
MAX_JSON_STARTS = 100
#: query parameters of a base URL whose values are shown as *** (the name holds one of these)
_SECRET_PARAM = re.compile(r"key|token|secret|passw|auth|sig|credential|session", re.I)
_REJECTS_FORMAT = re.compile(r"response_format|json_schema|json_object|structured|unsupported|not supported", re.I)


def resolve_endpoint(base_url=None, api_key=None) -> tuple[str, str | None]:
    """``(base_url, api_key)`` from the arguments, else ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``.

    The base URL defaults to OpenAI's; it must be ``http(s)://...`` and loses a trailing slash.
    OpenAI's own endpoint needs a key; another server (a local one) may do without.
    """
    url = base_url if base_url is not None else os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY") or None
    if not isinstance(url, str) or not re.match(r"https?://[^\s/]+", url):
        shown = redact_url(url) if isinstance(url, str) else url
        raise ParameterError(
            f"base_url must be an http(s) URL such as 'http://127.0.0.1:8000/v1' (the part before "
            f"/chat/completions), got {shown!r}"
        )
    if "@" in urllib.parse.urlsplit(url).netloc:
        raise ParameterError(
            f"base_url {redact_url(url)!r} holds a user name or password: simulacra sends credentials only as "
            "the API key (an Authorization: Bearer header); drop them from base_url and pass api_key= or set "
            "OPENAI_API_KEY"
        )
    if key is not None and not isinstance(key, str):
        raise ParameterError("api_key must be a string (or set the OPENAI_API_KEY environment variable)")
    url = url.rstrip("/")
    if url == DEFAULT_BASE_URL and not key:
        raise ParameterError(
            "no API key for api.openai.com: pass api_key= or set OPENAI_API_KEY; or pass base_url= for another "
            "OpenAI-compatible server, or a local model folder or TextGenerator as model="
        )
    return url, key


def redact_url(url: str) -> str:
    """``url`` for messages: a user name / password as ``***@``, secret-looking query values as ``***``."""
    try:
        p = urllib.parse.urlsplit(url)
    except ValueError:
        return "<an unreadable URL>"
    netloc, query = p.netloc, p.query
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    if query:
        items = []
        for item in query.split("&"):
            name, eq, _ = item.partition("=")
            items.append(f"{name}=***" if eq and _SECRET_PARAM.search(urllib.parse.unquote_plus(name)) else item)
        query = "&".join(items)
    if (netloc, query) == (p.netloc, p.query):
        return url
    return urllib.parse.urlunsplit((p.scheme, netloc, p.path, query, p.fragment))


def _url_secrets(url: str) -> list[str]:
    """The secret-looking query values of ``url`` (raw and decoded), longest first."""
    found = set()
    for item in urllib.parse.urlsplit(url).query.split("&"):
        name, eq, value = item.partition("=")
        if eq and value and _SECRET_PARAM.search(urllib.parse.unquote_plus(name)):
            found.update({value, urllib.parse.unquote_plus(value)})
    return sorted((v for v in found if len(v) >= 4), key=len, reverse=True)


def _join(base: str, path: str) -> str:
    """``path`` appended to the path of ``base`` (before its query, which is kept)."""
    p = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((p.scheme, p.netloc, p.path.rstrip("/") + path, p.query, p.fragment))


# ---------------------------------------------------------------------- prompt
def build_messages(description, fields, count, missing=None, avoid=None, schema_in_prompt=False) -> list[dict]:
    """The system and user messages asking for ``count`` records.

    Parameters
    ----------
    description : str
        What the table holds.
    fields : list of Field
    count : int
        Records asked for in this request.
    missing : int, optional
        Records the table still lacks (a re-ask says so).
    avoid : dict, optional
        Column name -> values already used in a unique column (a re-ask lists them, at most :data:`MAX_AVOID`).
    schema_in_prompt : bool
        Write the JSON schema in the prompt (JSON mode and plain text, where no ``response_format`` carries it).
    """
    system = (
        "You generate realistic, varied synthetic data records. Answer with JSON only: one object "
        '{"records": [...]} whose records have exactly the requested fields and types.'
    )
    lines = [
        f"Generate exactly {count} records of this dataset: {description.strip()}",
        "",
        "Each record has these fields:",
    ]
    lines += [f"- {f.name}: {describe_field(f)}" for f in fields]
    if missing is not None:
        lines += ["", f"The dataset still needs {missing} more records; these are {count} of them."]
    for name, values in (avoid or {}).items():
        if values:
            shown = ", ".join(json.dumps(v, ensure_ascii=False, default=str) for v in list(values)[-MAX_AVOID:])
            lines.append(f"Do not reuse these {name} values (already used): {shown}")
    if schema_in_prompt:
        lines += ["", "The answer must match this JSON schema:", "```json", json.dumps(json_schema(fields)), "```"]
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n".join(lines)}]


def extract_json(text):
    """The first JSON object or array in ``text`` (code fences and prose around it are skipped).

    Raises
    ------
    ValueError
        When there is none.
    """
    if not isinstance(text, str):
        raise ValueError("the answer has no text")
    decoder = json.JSONDecoder()
    for k, m in enumerate(re.finditer(r"[\[{]", text)):
        if k == MAX_JSON_STARTS:
            break
        try:
            return decoder.raw_decode(text, m.start())[0]
        except json.JSONDecodeError:
            continue
        except RecursionError:
            raise ValueError("the answer's JSON is nested too deeply to read") from None
    raise ValueError("the answer holds no JSON")


# ---------------------------------------------------------------------- client
class ChatClient:
    """Chat completions from an OpenAI-compatible server, with structured outputs, fallbacks and retries.

    Parameters
    ----------
    model : str
        The model name the server knows.
    base_url, api_key : str, optional
        See :func:`resolve_endpoint`.
    timeout : float
        Seconds one try may wait on the server (each connect and read).
    max_retries : int
        Retries of a timed-out or failed request (connection errors, HTTP 5xx, 429).
    total_timeout : float, optional
        Seconds one request may take, its retries and waits included (default ``timeout * (max_retries + 1)``).
    seed : int
        Seeds the jitter of the waits, and the ``seed`` sent to the server.
    temperature : float, optional
        Sent when given (otherwise the server's default).
    backoff : float
        First wait in seconds; each retry doubles it.
    max_wait : float
        Longest wait, also the cap on a server's ``Retry-After``.
    """

    def __init__(
        self,
        model,
        base_url=None,
        api_key=None,
        *,
        timeout=60,
        max_retries=5,
        seed=0,
        temperature=None,
        backoff=0.5,
        max_wait=30.0,
        total_timeout=None,
    ):
        if not isinstance(model, str) or not model.strip():
            raise ParameterError(f"model must be the name of a model the server offers, got {model!r}")
        for name, v in (("timeout", timeout), ("total_timeout", total_timeout)):
            if (v is not None or name == "timeout") and (
                isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0
            ):
                raise ParameterError(f"{name} must be a number of seconds > 0, got {v!r}")
        self.model = model
        self._url, self._key = resolve_endpoint(base_url, api_key)
        self.base_url = redact_url(self._url)  # for display: secret query values as ***
        self._secrets = [self._url] + _url_secrets(self._url) + ([self._key] if self._key else [])
        self.timeout, self.max_retries, self.temperature = timeout, max_retries, temperature
        self.total_timeout = float(total_timeout if total_timeout is not None else timeout * (max_retries + 1))
        self.backoff, self.max_wait = float(backoff), float(max_wait)
        self._rng = np.random.default_rng(seed)
        self._opener = urllib.request.build_opener(_NoRedirects)
        self.mode = MODES[0]
        self.requests = 0  # HTTP requests sent, retries included

    def __repr__(self):
        return f"ChatClient(model={self.model!r}, base_url={self.base_url!r}, mode={self.mode!r})"

    def _clean(self, text: str) -> str:
        """``text`` without the key, the raw base URL or its secret query values."""
        text = str(text)
        for secret in self._secrets:
            text = text.replace(secret, self.base_url if secret == self._url else "***")
        return text

    def chat(self, messages, schema=None, name="records", seed=None) -> dict:
        """The assistant's message (``{"content": ..., "refusal": ...}``) for ``messages``.

        ``schema`` asks for structured outputs; on a server without them the request falls back
        (``self.mode`` keeps the mode that worked for the next calls). ``messages`` is called with
        ``schema_in_prompt`` when it is a callable, so the prompt can carry the schema in JSON mode.
        """
        while True:
            msgs = messages(self.mode != "json_schema") if callable(messages) else messages
            payload = {"model": self.model, "messages": msgs}
            if self.temperature is not None:
                payload["temperature"] = float(self.temperature)
            if seed is not None:
                payload["seed"] = int(seed)
            if schema is not None and self.mode == "json_schema":
                payload["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": name, "strict": True, "schema": schema},
                }
            elif schema is not None and self.mode == "json_object":
                payload["response_format"] = {"type": "json_object"}
            try:
                body = self._post("/chat/completions", payload)
            except _FormatRejected:
                self.mode = MODES[MODES.index(self.mode) + 1]
                continue
            return self._message(body)

    def _message(self, body) -> dict:
        try:
            msg = body["choices"][0]["message"]
            if not isinstance(msg, dict):
                raise TypeError
        except (KeyError, IndexError, TypeError):
            raise ParameterError(
                f"the server at {self.base_url} answered without choices[0].message, so it is not an "
                "OpenAI-compatible chat endpoint: check base_url (it usually ends in /v1)"
            ) from None
        return {"content": msg.get("content"), "refusal": msg.get("refusal")}

    # ------------------------------------------------------------------ HTTP
    def _post(self, path, payload) -> dict:
        url, shown = _join(self._url, path), _join(self.base_url, path)
        data = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "simulacra"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        deadline = time.monotonic() + self.total_timeout
        last, late, tries = "", "", 0
        for attempt in range(self.max_retries + 1):
            wait = None
            self.requests += 1
            tries += 1
            try:
                left = max(0.001, deadline - time.monotonic())
                req = urllib.request.Request(url, data=data, headers=headers, method="POST")
                with self._opener.open(req, timeout=min(self.timeout, left)) as r:
                    raw = _read(r, deadline)
            except _Redirected as e:
                raise ParameterError(self._redirect_message(e.code, e.location)) from None
            except _PastDeadline:
                last = f"no complete answer within total_timeout={self.total_timeout:g} s"
                break
            except urllib.error.HTTPError as e:
                if 300 <= e.code < 400:  # a redirect the handler does not take (no Location, 300, 304)
                    raise ParameterError(self._redirect_message(e.code, e.headers.get("Location"))) from None
                detail = _error_text(e)
                if e.code == 429 or e.code >= 500:
                    last = f"HTTP {e.code}" + (f" ({detail})" if detail else "")
                    wait = _retry_after(e.headers.get("Retry-After") if e.headers else None)
                else:
                    self._refuse(e.code, detail, payload)
            except (TimeoutError, socket.timeout):
                last = f"no answer within timeout={self.timeout} s"
            except urllib.error.URLError as e:
                reason = e.reason
                if isinstance(reason, (TimeoutError, socket.timeout)):
                    last = f"no answer within timeout={self.timeout} s"
                else:
                    last = f"cannot connect ({reason})"
            except (ConnectionError, OSError) as e:
                last = f"the connection failed ({type(e).__name__}: {e})"
            else:
                return self._parse(raw)
            if attempt == self.max_retries:
                break
            delay, left = self._delay(attempt, wait), deadline - time.monotonic()
            if (wait if wait is not None else delay) >= left:
                asked = f"the server asked to wait {wait:g} s (Retry-After)" if wait is not None else None
                late = (
                    f"; {asked or f'the next retry would wait {delay:.2f} s'}, more than the "
                    f"{max(0.0, left):.2f} s left of total_timeout={self.total_timeout:g} s"
                )
                break
            time.sleep(delay)
        raise ParameterError(
            self._clean(
                f"the chat endpoint {shown} failed {tries} time{'s' * (tries > 1)} in a row, last: {last}{late}. "
                "Check that the server is running and reachable at base_url, or wait and try again "
                "(raise max_retries, timeout or total_timeout for a slow or busy server)"
            )
        )

    def _redirect_message(self, code, location) -> str:
        if not location:
            return (
                f"the server at {self.base_url} answered with a redirect (HTTP {code}) and no Location: "
                "simulacra does not follow redirects; pass the final address of the server as base_url"
            )
        target = redact_url(urllib.parse.urljoin(self._url, location))
        p = urllib.parse.urlsplit(target)
        host = p.netloc.rpartition("@")[2] or target
        hint = ""
        if p.path.rstrip("/").endswith("/chat/completions"):
            base = p.path.rstrip("/")[: -len("/chat/completions")]
            final = urllib.parse.urlunsplit((p.scheme, p.netloc, base, p.query, ""))
            hint = f" (here probably base_url={final!r})"
        return self._clean(
            f"the server at {self.base_url} answered with a redirect (HTTP {code}) to {host}: simulacra does not "
            "follow redirects, which would carry the API key to another address; pass the final base_url"
            f"{hint}"
        )

    def _delay(self, attempt, retry_after) -> float:
        if retry_after is not None:
            return min(self.max_wait, retry_after)
        return min(self.max_wait, self.backoff * 2.0**attempt) * (0.5 + self._rng.random())

    def _parse(self, raw: bytes) -> dict:
        if len(raw) > MAX_RESPONSE_BYTES:
            raise ParameterError(f"the server at {self.base_url} answered with more than 64 MiB; ask for fewer records")
        try:
            body = json.loads(raw.decode("utf-8"))
        except RecursionError:
            raise ParameterError(
                f"the server at {self.base_url} answered with JSON nested too deeply to read, so it is not an "
                "OpenAI-compatible chat answer: check base_url (it usually ends in /v1)"
            ) from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ParameterError(
                f"the server at {self.base_url} answered with something that is not JSON, so it is not an "
                "OpenAI-compatible chat endpoint: check base_url (it usually ends in /v1)"
            ) from None
        if not isinstance(body, dict):
            raise ParameterError(f"the server at {self.base_url} answered with JSON that is not an object")
        return body

    def _refuse(self, code, detail, payload):
        """An HTTP error that no retry mends: a format fallback, or one ParameterError."""
        if code in (400, 415, 422, 501) and "response_format" in payload and _REJECTS_FORMAT.search(detail or ""):
            raise _FormatRejected()
        said = f" ({detail})" if detail else ""
        if code == 401:
            why = (
                "the API key is wrong or expired" if self._key else "no API key was given"
            ) + ": pass api_key= or set OPENAI_API_KEY"
        elif code == 403:
            why = "the API key may not use this model or endpoint"
        elif code == 404:
            why = f"check base_url (it usually ends in /v1) and that the server offers model {self.model!r}"
        else:
            why = "the server refused the request; check model and the columns"
        raise ParameterError(self._clean(f"the chat endpoint {self.base_url} answered HTTP {code}{said}: {why}"))


class _FormatRejected(Exception):
    """The server does not take this response_format: the client falls back to the next mode."""


class _Redirected(Exception):
    """The server answered with a redirect (never followed: it would carry the Authorization header)."""

    def __init__(self, code, location):
        super().__init__(code, location)
        self.code, self.location = code, location


class _PastDeadline(Exception):
    """The answer was still arriving at the request's total deadline."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuses every redirect: urllib would follow it carrying the API key to the new address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        fp.close()
        raise _Redirected(code, newurl)


def _read(response, deadline) -> bytes:
    """The body (at most :data:`MAX_RESPONSE_BYTES` + 1 bytes), read in chunks, until ``deadline`` at most."""
    chunks, size = [], 0
    while size <= MAX_RESPONSE_BYTES:
        chunk = response.read1(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise _PastDeadline()
    return b"".join(chunks)[: MAX_RESPONSE_BYTES + 1]


def _error_text(e, limit=300) -> str:
    """The server's error message (OpenAI's ``{"error": {"message": ...}}`` or the body's start)."""
    try:
        raw = e.read(65536).decode("utf-8", "replace")
    except Exception:
        return ""
    try:
        body = json.loads(raw)
        err = body.get("error", body) if isinstance(body, dict) else body
        msg = err.get("message", err) if isinstance(err, dict) else err
        text = msg if isinstance(msg, str) else json.dumps(msg)
    except (json.JSONDecodeError, AttributeError, RecursionError, ValueError):
        text = raw
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


def _retry_after(value) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None
