"""Records from a local language model, decoded under the fields' constraints so that every one is valid.

:class:`LocalJSON` writes each record as JSON, field by field, over the model's own tokenizer. The
field names and the punctuation are forced; at each free step only the tokens that keep the value
valid are allowed, and one is drawn from the model's distribution restricted to them:

- integer / number: tokens made of digits (a leading ``-``; one ``.`` in a number), up to 15
  characters; the field ends (``,`` or ``}``) only after a digit. Bounds clip the value;
- string: tokens without a quote, a backslash or a control character, not starting with a space,
  up to the field's ``max_chars`` characters, then the closing quote;
- date / datetime: one digit at a time in ``YYYY-MM-DD`` (``THH:MM:SS``), each digit limited so the
  date exists (years 1900-2099, months 01-12, days of that month, hours 00-23...);
- enum / boolean: the options' token sequences in a prefix trie (``null`` among them when nullable);
- a nullable field may be ``null`` (its tokens) instead.

The rows of a batch are records decoded together with the model's key/value cache: a row that has
finished a field waits (a masked pad token) while the others finish it. Draws invert the masked
softmax's cumulative sum at uniforms from a numpy Generator, so a seed gives the same records.
"""

from __future__ import annotations

import inspect
import json
import os

import numpy as np

from .._threads import limit_threads_for
from ..errors import ParameterError
from .schema import Field

NUMBER_CHARS = 15
#: models with fewer parameters decode on one thread (each step's work is too small to share)
SMALL_MODEL = 20_000_000
OPEN, VALUE, NULL, END, DONE = range(5)
_DATE = 'DDDD-DD-DD"'
_DATETIME = 'DDDD-DD-DDTDD:DD:DD"'


def as_text_generator(model):
    """A TextGenerator from one, or from a local model folder (any object with .model and .tokenizer passes)."""
    if hasattr(model, "model") and hasattr(model, "tokenizer"):
        return model
    if isinstance(model, (str, os.PathLike)):
        from .text import TextGenerator

        return TextGenerator(model)
    raise ParameterError(
        f"model must be a TextGenerator, a local model folder, or (with base_url) a model name; got "
        f"{type(model).__name__}"
    )


class _Vocab:
    """What each token id writes, and the token groups the constraints allow."""

    def __init__(self, tokenizer, size: int):
        n = min(len(tokenizer), size)
        ids = list(range(n))
        texts = tokenizer.batch_decode([[i] for i in ids], clean_up_tokenization_spaces=False)
        raw = tokenizer.convert_ids_to_tokens(ids)
        special = set(tokenizer.all_special_ids or [])
        pieces = [""] * size
        for i, (t, r) in enumerate(zip(texts, raw)):
            if i in special or not t or "\ufffd" in t:
                continue
            if isinstance(r, str) and r.startswith("\u2581") and not t.startswith(" "):
                t = " " + t  # sentencepiece: the word-start marker is a space the lone decode drops
            pieces[i] = t
        self.pieces = pieces
        self.plen = np.array([len(p) for p in pieces], dtype=np.int64)
        ok = np.array([bool(p) and p.isprintable() for p in pieces])
        self.string = ok & np.array(['"' not in p and "\\" not in p for p in pieces])
        self.lead = self.string & np.array([not p[:1].isspace() for p in pieces])
        self.digits = ok & np.array([p.isascii() and p.isdigit() for p in pieces])
        self.char = {}
        for i, p in enumerate(pieces):
            if len(p) == 1:
                self.char.setdefault(p, i)
        missing = [c for c in '0123456789-.:T",}' if c not in self.char]
        if missing:
            raise ParameterError(
                f"the model's tokenizer has no single token for {', '.join(map(repr, missing))}: JSON cannot be "
                "decoded under constraints with it; use a tokenizer with byte-level or character tokens"
            )
        self.digit_ids = np.array([self.char[str(d)] for d in range(10)])
        self.pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)


class _Trie:
    """Token sequences of the options of an enum (JSON literals), as a prefix tree."""

    def __init__(self, tokenizer, options):
        self.children: list[dict] = [{}]
        self.terminal: list[int] = [-1]
        self.depth = 1
        for k, o in enumerate(options):
            node = 0
            seq = tokenizer.encode(json.dumps(o, ensure_ascii=False), add_special_tokens=False)
            self.depth = max(self.depth, len(seq))
            for t in seq:
                nxt = self.children[node].get(t)
                if nxt is None:
                    nxt = len(self.children)
                    self.children[node][t] = nxt
                    self.children.append({})
                    self.terminal.append(-1)
                node = nxt
            if self.terminal[node] < 0:
                self.terminal[node] = k
        self.allowed = [np.array(list(c), dtype=np.int64) for c in self.children]


def _date_bounds(digits: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest allowed digit (per row) at digit ``j`` of ``YYYYMMDDHHMMSS`` given the earlier ones."""
    n = len(digits)
    d = digits
    lo, hi = np.zeros(n, dtype=np.int64), np.full(n, 9, dtype=np.int64)
    if j == 0:
        lo[:], hi[:] = 1, 2
    elif j == 1:
        lo = hi = np.where(d[:, 0] == 1, 9, 0)
    elif j == 4:
        hi[:] = 1
    elif j == 5:
        lo = np.where(d[:, 4] == 0, 1, 0)
        hi = np.where(d[:, 4] == 0, 9, 2)
    elif j in (6, 7):
        year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
        month = d[:, 4] * 10 + d[:, 5]
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        dim = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month - 1] + ((month == 2) & leap)
        if j == 6:
            hi = dim // 10
        else:
            lo = np.where(d[:, 6] == 0, 1, 0)
            hi = np.where(d[:, 6] == dim // 10, dim % 10, 9)
    elif j == 8:
        hi[:] = 2
    elif j == 9:
        hi = np.where(d[:, 8] == 2, 3, 9)
    elif j in (10, 12):
        hi[:] = 5
    return lo, hi


class _Stepper:
    """Feeds tokens to a causal or sequence-to-sequence model row by row, with the key/value cache."""

    def __init__(self, torch, model, kind, prompt_ids, rows, device):
        self.torch, self.model, self.kind, self.device = torch, model, kind, device
        params = inspect.signature(model.forward).parameters
        self.cache_arg = "cache" if "cache" in params else "past_key_values"
        self.cache = None
        ids = torch.tensor([prompt_ids] * rows, device=device)
        self.mask = torch.ones(rows, len(prompt_ids), dtype=torch.long, device=device)
        if kind == "seq2seq":
            self.encoder = model.get_encoder()(input_ids=ids, attention_mask=self.mask)
            self.enc_mask = self.mask
            start = model.config.decoder_start_token_id
            self.mask = self.mask[:, :0]
            self.pos = None
            self.logits = self.feed(np.full((rows, 1), 0 if start is None else start), np.ones(rows, bool))
        else:
            self.pos = np.zeros(rows, dtype=np.int64)
            self.mask = self.mask[:, :0]
            self.logits = self.feed(np.array([prompt_ids] * rows), np.ones(rows, bool))

    def feed(self, tokens: np.ndarray, active: np.ndarray):
        """Append ``tokens`` (rows, k) to each row (masked out where not ``active``); the last logits."""
        torch = self.torch
        rows, k = tokens.shape
        t = torch.from_numpy(np.asarray(tokens, dtype=np.int64)).to(self.device)
        a = torch.from_numpy(np.repeat(active[:, None], k, axis=1).astype(np.int64)).to(self.device)
        self.mask = torch.cat([self.mask, a], dim=1)
        kw = {self.cache_arg: self.cache, "use_cache": True}
        if self.kind == "seq2seq":
            out = self.model(
                encoder_outputs=self.encoder,
                attention_mask=self.enc_mask,
                decoder_input_ids=t,
                decoder_attention_mask=self.mask,
                **kw,
            )
        else:
            pos = self.pos[:, None] + np.arange(k)[None, :]
            self.pos = self.pos + np.where(active, k, 0)
            pos_t = torch.from_numpy(pos).to(self.device)
            out = self.model(input_ids=t, attention_mask=self.mask, position_ids=pos_t, **kw)
        self.cache = getattr(out, "cache", None) or getattr(out, "past_key_values", None)
        self.logits = out.logits[:, -1, :].float()
        return self.logits


class LocalJSON:
    """Records from a local model, every one valid for its fields (see the module docstring).

    Parameters
    ----------
    model : TextGenerator or str or path
        The local model (a folder is loaded with ``TextGenerator``).
    temperature : float
        Sampling temperature (0: the most likely allowed token).
    """

    def __init__(self, model, temperature: float = 1.0):
        self.generator = as_text_generator(model)
        if not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or temperature < 0:
            raise ParameterError(f"temperature must be a number >= 0, got {temperature!r}")
        self.temperature = float(temperature)
        self._vocab = None

    @property
    def name(self) -> str:
        g = self.generator
        return str(getattr(g, "name", None) or getattr(g, "path", None) or "local")

    def _vocabulary(self, size):
        if self._vocab is None or len(self._vocab.pieces) != size:
            self._vocab = _Vocab(self.generator.tokenizer, size)
        return self._vocab

    def generate(self, fields, count: int, prompt: str, rng: np.random.Generator, batch_size: int = 16) -> list[dict]:
        """``count`` records (dicts of JSON values: dates as ISO strings) for ``fields``, prompted by ``prompt``."""
        from ._deps import require_llm

        torch, _ = require_llm("generate_table with a local model")
        fields = list(fields)
        out: list[dict] = []
        params = sum(p.numel() for p in self.generator.model.parameters())
        with torch.no_grad(), limit_threads_for(params, small=SMALL_MODEL):
            while len(out) < count:
                rows = min(batch_size, count - len(out))
                out.extend(self._batch(torch, fields, rows, prompt, rng))
        return out

    def _prompt_ids(self, prompt, plans, heads) -> list[int]:
        """The prompt's tokens, cut from the left (and long strings shortened) to fit the model's context."""
        g = self.generator
        ids = list(g.tokenizer(prompt, verbose=False)["input_ids"]) or [self._vocab.pad]
        cfg = g.model.config
        limit = getattr(cfg, "n_positions", None) or getattr(cfg, "max_position_embeddings", None)
        if not limit or getattr(g, "kind", "causal") == "seq2seq":
            return ids
        strings = [p for p in plans if p.field.kind == "string"]
        fixed = sum(map(len, heads)) + sum(p.room for p in plans if p.field.kind != "string")
        avail = limit - 1 - fixed - min(len(ids), max(1, limit // 4))
        need = sum(p.room for p in strings)
        if need > avail:
            for p in strings:
                p.shrink(avail / need)
            need = sum(p.room for p in strings)
        if need > avail:
            raise ParameterError(
                f"the records need about {fixed + need} tokens but the model reads at most {limit}: use fewer "
                "or shorter columns, or a model with a longer context"
            )
        left = limit - 1 - fixed - need
        return ids[-left:] if len(ids) > left else ids

    def _batch(self, torch, fields, rows, prompt, rng):
        g = self.generator
        tok = g.tokenizer
        size = int(g.model.get_output_embeddings().weight.shape[0])
        vocab = self._vocabulary(size)
        plans = [_Plan(tok, vocab, f) for f in fields]
        heads = []
        for i, plan in enumerate(plans):
            head = ("{" if i == 0 else " ") + json.dumps(plan.field.name, ensure_ascii=False) + ": "
            heads.append(tok.encode(head, add_special_tokens=False) + ([vocab.char['"']] if plan.quoted else []))
        ids = self._prompt_ids(prompt, plans, heads)
        step = _Stepper(torch, g.model, getattr(g, "kind", "causal"), ids, rows, g.device)
        values = [dict() for _ in range(rows)]
        for i, plan in enumerate(plans):
            step.feed(np.array([heads[i]] * rows), np.ones(rows, bool))
            end = vocab.char["}" if i == len(plans) - 1 else ","]
            texts = plan.run(torch, step, rows, end, rng, self.temperature)
            for r in range(rows):
                values[r][plan.field.name] = texts[r]
        return values


class _Plan:
    """The constraints of one field's value: its stages, masks and how a row's tokens become a value."""

    def __init__(self, tokenizer, vocab: _Vocab, f: Field):
        self.field, self.vocab = f, vocab
        kind = f.kind
        self.trie = None
        if kind in ("enum", "boolean"):
            opts = list(f.options) if kind == "enum" else [True, False]
            self.options = opts + ([None] if f.nullable else [])
            self.trie = _Trie(tokenizer, self.options)
        self.null_ids = tokenizer.encode("null", add_special_tokens=False)
        self.template = _DATE if kind == "date" else (_DATETIME if kind == "datetime" else None)
        self.stringy = kind in ("string", "date", "datetime")
        self.quoted = self.stringy and not f.nullable  # the opening quote is forced with the field's name
        chars = f.max_chars if kind == "string" else NUMBER_CHARS
        self.chars = max(1, int(chars))
        if self.trie is not None:
            self.room = self.trie.depth + 2
        elif self.template is not None:
            self.room = len(self.template) + 3
        else:
            self.room = self.chars + len(self.null_ids) + 3

    def shrink(self, scale: float) -> None:
        """Shorten a string field's longest value to about ``scale`` of its tokens (a model's short context)."""
        self.chars = max(1, int((self.room * scale)) - len(self.null_ids) - 3)
        self.room = self.chars + len(self.null_ids) + 3

    def run(self, torch, step: _Stepper, rows: int, end: int, rng, temperature) -> list:
        """Decode the value of every row (the end token ``,`` / ``}`` last); the rows' Python values."""
        v = self.vocab
        kind = self.field.kind
        stage = np.full(rows, OPEN if (self.stringy and not self.quoted) else VALUE)
        if kind in ("integer", "number") and self.field.nullable:
            stage[:] = OPEN
        pieces = [[] for _ in range(rows)]
        nchars = np.zeros(rows, dtype=np.int64)
        null_pos = np.zeros(rows, dtype=np.int64)
        is_null = np.zeros(rows, dtype=bool)
        node = np.zeros(rows, dtype=np.int64)
        digits = np.zeros((rows, 14), dtype=np.int64)
        point = np.zeros(rows, dtype=bool)
        last_digit = np.zeros(rows, dtype=bool)
        plen = torch.from_numpy(v.plen).to(step.device)
        string_ok = torch.from_numpy(v.string).to(step.device)
        lead_ok = torch.from_numpy(v.lead).to(step.device)
        digit_ok = torch.from_numpy(v.digits).to(step.device)
        V = len(v.pieces)
        numeric = kind in ("integer", "number")
        while (stage != DONE).any():
            mask = torch.zeros(rows, V, dtype=torch.bool, device=step.device)
            rs = np.flatnonzero(stage == OPEN)
            if rs.size:
                rt = torch.from_numpy(rs).to(step.device)
                if numeric:
                    mask[rt] = (digit_ok & (plen <= self.chars))[None, :].expand(len(rs), -1)
                    mask[rt, v.char["-"]] = True
                else:
                    mask[rt, v.char['"']] = True
                mask[rt, self.null_ids[0]] = True
            rs = np.flatnonzero(stage == NULL)
            if rs.size:
                mask[rs, np.array(self.null_ids)[null_pos[rs]]] = True
            rs = np.flatnonzero(stage == END)
            if rs.size:
                mask[rs, end] = True
            rs = np.flatnonzero(stage == VALUE)
            if rs.size:
                self._value_mask(
                    torch, mask, rs, nchars, node, digits, point, last_digit, end, plen, string_ok, lead_ok, digit_ok
                )
            done = stage == DONE
            mask[np.flatnonzero(done), v.pad] = True
            choice = _draw(torch, step.logits, mask, rng, temperature)
            choice[done] = v.pad
            before = stage.copy()
            for r in np.flatnonzero(~done):
                c = int(choice[r])
                st = before[r]
                if st == END:
                    stage[r] = DONE
                elif st == NULL or (st == OPEN and c == self.null_ids[0] and (numeric or c != v.char['"'])):
                    p = null_pos[r] + 1
                    null_pos[r], is_null[r] = p, True
                    stage[r] = END if p >= len(self.null_ids) else NULL
                elif st == OPEN and not numeric:
                    stage[r] = VALUE
                else:
                    stage[r] = self._advance(r, c, pieces, nchars, node, digits, point, last_digit, end)
            step.feed(choice[:, None], ~done)
        return [None if is_null[r] else self._value(pieces[r], node[r]) for r in range(rows)]

    def _value_mask(
        self, torch, mask, rs, nchars, node, digits, point, last_digit, end, plen, string_ok, lead_ok, digit_ok
    ):
        v, kind = self.vocab, self.field.kind
        dev = mask.device
        if self.trie is not None:
            for r in rs:
                ids = self.trie.allowed[node[r]]
                if ids.size:
                    mask[r, torch.from_numpy(ids).to(dev)] = True
                if self.trie.terminal[node[r]] >= 0:
                    mask[r, end] = True
        elif self.template is not None:
            pos = nchars[rs]
            for p in np.unique(pos):
                sel = rs[pos == p]
                ch = self.template[p]
                if ch != "D":
                    mask[sel, v.char[ch]] = True
                    continue
                j = self.template[:p].count("D")
                lo, hi = _date_bounds(digits[sel], j)
                ok = (np.arange(10)[None, :] >= lo[:, None]) & (np.arange(10)[None, :] <= hi[:, None])
                rr, dd = np.nonzero(ok)
                mask[sel[rr], v.digit_ids[dd]] = True
        elif kind == "string":
            rem = torch.from_numpy(self.chars - nchars[rs]).to(dev)
            first = torch.from_numpy(nchars[rs] == 0).to(dev)
            allowed = torch.where(first[:, None], lead_ok[None, :], string_ok[None, :]) & (
                plen[None, :] <= rem[:, None]
            )
            mask[rs] = allowed
            mask[rs, v.char['"']] = torch.from_numpy(nchars[rs] > 0).to(dev)
        else:
            rem = torch.from_numpy(self.chars - nchars[rs]).to(dev)
            mask[rs] = digit_ok[None, :] & (plen[None, :] <= rem[:, None])
            minus = (nchars[rs] == 0) & (self.chars - nchars[rs] >= 2)
            mask[rs[minus], v.char["-"]] = True
            dot = last_digit[rs] & ~point[rs] & (kind == "number") & (self.chars - nchars[rs] >= 2)
            mask[rs[dot], v.char["."]] = True
            mask[rs[last_digit[rs]], end] = True

    def _advance(self, r, c, pieces, nchars, node, digits, point, last_digit, end) -> int:
        """Row ``r`` took token ``c`` in its value: update its state; its next stage."""
        v = self.vocab
        if self.trie is not None:
            if c == end:
                return DONE
            node[r] = self.trie.children[node[r]][c]
            return VALUE
        piece = v.pieces[c]
        if self.template is not None:
            p = nchars[r]
            if self.template[p] == "D":
                digits[r, self.template[:p].count("D")] = int(piece)
            nchars[r] = p + 1
            if p + 1 >= len(self.template):
                return END
            pieces[r].append(piece)
            return VALUE
        if self.field.kind == "string":
            if c == v.char['"'] and nchars[r] > 0:
                return END
            pieces[r].append(piece)
            nchars[r] += len(piece)
            return VALUE
        if c == end:
            return DONE
        pieces[r].append(piece)
        nchars[r] += len(piece)
        point[r] |= piece == "."
        last_digit[r] = piece[-1].isdigit()
        return VALUE

    def _value(self, pieces, node):
        f = self.field
        if self.trie is not None:
            return self.options[self.trie.terminal[node]]
        text = "".join(pieces)
        if f.kind in ("integer", "number"):
            x = int(text) if f.kind == "integer" else float(text)
            if f.kind == "number" and f.decimals is not None:
                x = round(x, f.decimals)
            if f.minimum is not None and x < f.minimum:
                x = type(x)(np.ceil(f.minimum)) if f.kind == "integer" else float(f.minimum)
            if f.maximum is not None and x > f.maximum:
                x = type(x)(np.floor(f.maximum)) if f.kind == "integer" else float(f.maximum)
            return x
        return text


def _draw(torch, logits, mask, rng: np.random.Generator, temperature: float) -> np.ndarray:
    """One allowed token per row from the masked softmax (argmax at temperature 0), at numpy uniforms."""
    V = min(logits.shape[1], mask.shape[1])
    logits, mask = logits[:, :V], mask[:, :V]
    z = logits.masked_fill(~mask, float("-inf"))
    if temperature <= 0:
        return torch.argmax(z, dim=1).cpu().numpy()
    probs = torch.softmax(z.double() / temperature, dim=1)
    cdf = torch.cumsum(probs, dim=1)
    u = torch.from_numpy(rng.random(len(probs))).to(cdf.device, cdf.dtype)[:, None] * cdf[:, -1:]
    pick = (cdf < u).sum(dim=1).clamp_(max=V - 1)
    ok = mask.gather(1, pick[:, None])[:, 0]
    return torch.where(ok, pick, torch.argmax(z, dim=1)).cpu().numpy()
