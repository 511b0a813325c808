"""LLMSynthesizer: a table learned by a small transformer over token rows, sampled under constraints.

Rows become token sequences (:mod:`.codec`: categories as tokens, numbers as digit tokens at the
learned precision, dates as their parts), a GPT-2-style model built from a config learns them from
scratch (:mod:`.gpt`, :mod:`.train`: permuted column orders, a held-out split, early stopping on
the held-out loss and on a distance-to-closest-record privacy check), and the decoder
(:mod:`.decode`) allows at each step only the tokens that continue a valid value: every sampled row
parses. Conditions and imputation put the known values first and decode the rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import as_generator
from ..errors import ModelFileError, ParameterError
from ..synthesizers.base import BaseSynthesizer
from ..utils.validation import check_bool, check_int, check_number
from ..utils.values import seconds_to_datetime
from . import gpt, train
from ._deps import device_for, require_llm
from .codec import RowCodec
from .decode import decode

#: rows decoded together when sampling
SAMPLE_BATCH = 4_096
#: training tokens of the default epochs (``epochs=None``)
TOKEN_BUDGET = 2_000_000


class LLMSynthesizer(BaseSynthesizer):
    """A table learned by a small GPT-2-style transformer, trained from scratch on the rows as tokens.

    Parameters
    ----------
    metadata : Metadata
    enforce_min_max_values, enforce_rounding : bool, default True
    locales : list of str, optional
    epochs : int, optional
        Most epochs of training (default: about 2 million training tokens, i.e. rows times tokens a
        row, 3 to 300 epochs); training usually stops earlier (held-out loss, privacy check).
    batch_size : int, default 64
    n_layer, n_embd, n_head : int, default 3, 96, 4
        The transformer's depth, width and attention heads.
    dropout : float, default 0.1
    learning_rate : float, default 2e-3
    holdout : float, default 0.1
        Share of the real rows held out for early stopping and the privacy check (none under 50 rows).
    patience : int, default 10
        Epochs without a better held-out loss before training stops (0: never).
    privacy_check : bool, default True
        Stop when sampled rows come closer to the training rows than held-out rows do.
    temperature : float, default 1.0
        Sampling temperature (1: the learned distribution; 0: the most likely token each step).
    max_seconds : float, optional
        Stop training after this many seconds.
    verbose : bool, default False
    cuda : bool or str, default True
        Train and sample on the GPU when there is one.
    backend : {"gpt", "pretrained"}, default "gpt"
        ``"gpt"``: a small GPT-2 built from a config (``n_layer``...) and trained from scratch.
        ``"pretrained"``: fine-tune the causal language model ``pretrained_model`` (GReaT-style;
        a local folder or a hub name in the local cache), its vocabulary extended by the row
        tokens so decoding stays constrained; a smaller ``learning_rate`` (5e-4) suits it.
    pretrained_model : str or Path, optional
        The model of ``backend="pretrained"``.
    lora : bool or int, default False
        With ``backend="pretrained"``: train LoRA adapters (rank 8, or this rank; needs ``peft``) and
        the row tokens' embeddings instead of every weight; merged into the weights after training.
    """

    name = "llm"
    model_input = "values"

    def __init__(
        self,
        metadata,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=None,
        epochs=None,
        batch_size=64,
        n_layer=3,
        n_embd=96,
        n_head=4,
        dropout=0.1,
        learning_rate=2e-3,
        holdout=0.1,
        patience=10,
        privacy_check=True,
        temperature=1.0,
        max_seconds=None,
        verbose=False,
        cuda=True,
        backend="gpt",
        pretrained_model=None,
        lora=False,
        *,
        pseudonymize=False,
        pseudonymize_key=None,
    ):
        require_llm("LLMSynthesizer")
        super().__init__(
            metadata,
            enforce_min_max_values,
            enforce_rounding,
            locales,
            pseudonymize=pseudonymize,
            pseudonymize_key=pseudonymize_key,
        )
        self.epochs = check_int("epochs", epochs, minimum=1, allow_none=True)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.n_layer = check_int("n_layer", n_layer, minimum=1, maximum=gpt.MAX_LAYERS)
        self.n_head = check_int("n_head", n_head, minimum=1, maximum=gpt.MAX_HEADS)
        self.n_embd = check_int("n_embd", n_embd, minimum=1, maximum=gpt.MAX_WIDTH)
        if self.n_embd % self.n_head:
            raise ParameterError(f"n_embd ({self.n_embd}) must be a multiple of n_head ({self.n_head})")
        self.dropout = check_number("dropout", dropout, minimum=0, maximum=0.9)
        self.learning_rate = check_number("learning_rate", learning_rate, minimum=0, strict=True)
        self.holdout = check_number("holdout", holdout, minimum=0, maximum=0.5)
        self.patience = check_int("patience", patience, minimum=0)
        self.privacy_check = check_bool("privacy_check", privacy_check)
        self.temperature = check_number("temperature", temperature, minimum=0)
        self.max_seconds = check_number("max_seconds", max_seconds, minimum=0, strict=True, allow_none=True)
        self.verbose = check_bool("verbose", verbose)
        self.cuda = cuda
        if backend not in ("gpt", "pretrained"):
            raise ParameterError(
                f"backend must be 'gpt' (a small model trained from scratch) or 'pretrained', got {backend!r}"
            )
        if (backend == "pretrained") != (pretrained_model is not None):
            raise ParameterError(
                "backend='pretrained' needs pretrained_model= (a local folder of a causal LM, or a cached hub name), "
                "and pretrained_model= needs backend='pretrained'"
            )
        self.backend = backend
        self.pretrained_model = None if pretrained_model is None else str(pretrained_model)
        if lora is not False and (isinstance(lora, bool) or not isinstance(lora, int) or not 1 <= lora <= 256):
            if lora is not True:
                raise ParameterError(f"lora must be False, True (rank 8) or a rank from 1 to 256, got {lora!r}")
        if lora is not False and backend != "pretrained":
            raise ParameterError("lora= fine-tunes a pretrained model: it needs backend='pretrained'")
        self.lora = lora
        self._device = device_for(cuda)
        self.fit_info_ = None

    def get_parameters(self) -> dict:
        p = super().get_parameters()
        for k in ("epochs", "batch_size", "n_layer", "n_embd", "n_head", "dropout", "learning_rate", "holdout"):
            p[k] = getattr(self, k)
        for k in (
            "patience",
            "privacy_check",
            "temperature",
            "max_seconds",
            "verbose",
            "backend",
            "pretrained_model",
            "lora",
        ):
            p[k] = getattr(self, k)
        p["cuda"] = self.cuda if isinstance(self.cuda, (bool, str)) else True
        return p

    # ------------------------------------------------------------------ values
    def _kinds(self, column_specs) -> dict:
        sd = {s.column: s.sdtype for s in column_specs if s.learned}
        return {c: "num" if t == "numerical" else "date" if t == "datetime" else "cat" for c, t in sd.items()}

    def _prepare(self, table: pd.DataFrame) -> pd.DataFrame:
        """Datetime columns as seconds since 1970 (as the column's transform reads them), the rest as they are."""
        out = {}
        transforms = {t.column: t for t in self._transformer.transforms}
        for c in table.columns:
            out[c] = transforms[c].forward(table[c])[:, 0] if self._kind[c] == "date" else table[c]
        return pd.DataFrame(out, index=table.index)

    def _fit_values(self, table: pd.DataFrame, column_specs) -> None:
        torch, _ = require_llm("LLMSynthesizer")
        rng = as_generator(getattr(self, "_fit_seed", 0))
        self._kind = self._kinds(column_specs)
        table = table.reset_index(drop=True)
        prep = self._prepare(table)
        self._codec = RowCodec.fit(prep, self._kind)
        tokens = self._codec.encode_table(prep)
        n = len(table)
        n_hold = int(round(self.holdout * n)) if n >= 50 and self.holdout > 0 else 0
        perm = rng.permutation(n)
        hold_idx, train_idx = np.sort(perm[:n_hold]), np.sort(perm[n_hold:])
        train_tok = [t[train_idx] for t in tokens]
        hold_tok = [t[hold_idx] for t in tokens] if n_hold else None
        if self.backend == "pretrained":
            from .pretrained import fine_tunable

            rank = 8 if self.lora is True else int(self.lora or 0)
            self._model, self._config = fine_tunable(self.pretrained_model, self._codec, self._device, lora=rank)
        else:
            self._config = gpt.config_of(self._codec, self.n_layer, self.n_embd, self.n_head, self.dropout)
            self._model = gpt.build(self._config, int(rng.integers(2**62)), self._device)
        # default: about TOKEN_BUDGET training tokens (rows x tokens a row), 3 to 300 epochs: a fixed cost for
        # small tables, 3 or more passes for big ones (flights, 19 columns, 10,000 rows: 4 epochs, 103 s on 2 cores)
        epochs = self.epochs or int(np.clip(-(-TOKEN_BUDGET // max(1, len(train_idx) * self._codec.seq_len)), 3, 300))
        opts = {
            "epochs": epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "patience": self.patience,
            "check_every": max(1, epochs // 5),  # about 5 privacy checks (each samples rows)
            "verbose": self.verbose,
            "max_seconds": self.max_seconds,
        }
        check = None
        if self.privacy_check and n_hold >= 20:
            meta = {c: {"sdtype": s.sdtype} for s in column_specs if s.learned for c in [s.column]}
            real = self._decoded(prep)
            check = train.dcr_check(
                real.iloc[train_idx], real.iloc[hold_idx], meta, lambda m, k: self._draw(m, k, rng), rng
            )
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(rng.integers(2**62)))
            with _threads(torch, n * self._codec.seq_len * self.n_embd):
                self.fit_info_ = train.run(self._model, self._codec, train_tok, hold_tok, opts, rng, check)
        if hasattr(self._model, "merge_lora"):
            self._model.merge_lora()  # LoRA's low-rank updates folded into the weights: the file holds plain arrays
        self.fit_info_["holdout_rows"] = n_hold

    def _decoded(self, prep: pd.DataFrame) -> pd.DataFrame:
        """Prepared values as the sampler returns them (dates as datetimes)."""
        out = prep.copy()
        for c, k in self._kind.items():
            if k == "date":
                out[c] = seconds_to_datetime(prep[c].to_numpy(dtype=float, na_value=np.nan))
        return out

    def _draw(self, model, n, rng, col_tokens=None, order=None, no_null=None) -> pd.DataFrame:
        """``n`` decoded rows (known tokens in ``col_tokens``, column ``order`` per row)."""
        codec = self._codec
        C = len(codec.columns)
        if order is None:
            order = np.tile(np.arange(C), (n, 1))
        parts = []
        for s in range(0, n, SAMPLE_BATCH):
            e = min(n, s + SAMPLE_BATCH)
            ct = None if col_tokens is None else [None if t is None else t[s:e] for t in col_tokens]
            tok, slots = codec.layout(ct, order[s:e], e - s)
            nn_ = None if no_null is None else no_null[s:e]
            tok = decode(model, codec, tok, slots, rng, self.temperature, nn_, self._device)
            parts.append(codec.decode_table(tok, order[s:e]))
        return (
            pd.concat(parts, ignore_index=True)
            if parts
            else codec.decode_table(np.zeros((0, codec.seq_len), int), order)
        )

    def _sample_values(self, num_rows, rng):
        torch, _ = require_llm("LLMSynthesizer")
        with _threads(torch, num_rows * self._codec.seq_len * self.n_embd):
            return self._draw(self._model, num_rows, rng)

    # ------------------------------------------------------------------ conditions
    def _condition_spec(self, known: dict):
        names = self._codec.names
        spec = {}
        for c, v in known.items():
            if c not in names:
                return None
            prep = self._prepare_known(c, v)
            spec[c] = self._codec.column_tokens(names.index(c), prep)[0]
        return spec

    def _prepare_known(self, column, value) -> pd.Series:
        s = pd.Series([value], dtype=object if self._kind[column] == "cat" else None)
        if self._kind[column] == "date":
            t = {t.column: t for t in self._transformer.transforms}[column]
            return pd.Series(t.forward(pd.Series([value]))[:, 0])
        return s

    def _sample_values_given(self, n, rng, given):
        names = self._codec.names
        idx = [names.index(c) for c in given]
        rest = [j for j in range(len(names)) if j not in idx]
        order = np.tile(np.array(idx + rest), (n, 1))
        col_tokens = [None] * len(names)
        for c, tok in given.items():
            col_tokens[names.index(c)] = np.tile(tok, (n, 1))
        torch, _ = require_llm("LLMSynthesizer")
        with _threads(torch, n * self._codec.seq_len * self.n_embd):
            return self._draw(self._model, n, rng, col_tokens, order)

    def _impute_values(self, known: pd.DataFrame, missing: np.ndarray, rng) -> pd.DataFrame:
        """Rows of the learned columns: the present cells of ``known`` as given, the ``missing`` (n, C) ones drawn."""
        names, n = self._codec.names, len(known)
        missing = np.asarray(missing, dtype=bool)
        prep = self._prepare(known[names].reset_index(drop=True))
        col_tokens = []
        for j, c in enumerate(names):
            col = prep[c].where(~missing[:, j], other=None if self._kind[c] == "cat" else np.nan)
            filler = col.dropna().iloc[0] if col.notna().any() else None
            if filler is None:
                col_tokens.append(np.full((n, self._codec.lengths[j]), -1, dtype=np.int64))
                continue
            tok = self._codec.column_tokens(j, col.where(~missing[:, j], filler))
            tok[missing[:, j]] = -1
            col_tokens.append(tok)
        order = np.argsort(
            missing.astype(np.int64) * len(names) + np.arange(len(names))[None, :], axis=1, kind="stable"
        )
        torch, _ = require_llm("LLMSynthesizer")
        with _threads(torch, n * self._codec.seq_len * self.n_embd):
            return self._draw(self._model, n, rng, col_tokens, order, no_null=missing)

    def _sample_values_context(self, context: pd.DataFrame, rng) -> pd.DataFrame:
        """One row per row of ``context`` (the fit's context columns), each decoded after its own context values."""
        names = self._codec.names
        full = pd.DataFrame({c: context[c] if c in context else pd.Series([None] * len(context)) for c in names})
        missing = np.column_stack([full[c].isna().to_numpy() | (c not in context) for c in names])
        return self._impute_values(full, missing, rng)

    # ------------------------------------------------------------------ state
    def _get_model_state(self) -> dict:
        return {
            "codec": self._codec.get_state(),
            "kinds": self._kind,
            "config": self._config,
            "weights": gpt.weights(self._model),
            "fit_info": _plain(self.fit_info_),
        }

    def _set_model_state(self, st: dict) -> None:
        if not isinstance(st, dict) or any(k not in st for k in ("codec", "kinds", "config", "weights")):
            raise ModelFileError("model file: the LLM state needs codec, kinds, config and weights")
        self._codec = RowCodec.from_state(st["codec"])
        kinds = st["kinds"]
        learned = list(self._transformer.learned_columns)
        if not isinstance(kinds, dict) or list(kinds) != learned or self._codec.names != learned:
            raise ModelFileError("model file: the LLM codec's columns do not match the learned columns")
        if any(self._codec.columns[j]["kind"] != kinds[c] for j, c in enumerate(learned)):
            raise ModelFileError("model file: the LLM codec's column kinds do not match")
        self._kind = kinds
        cfg = st["config"]
        if isinstance(cfg, dict) and cfg.get("backend") == "pretrained":
            from .pretrained import rebuild

            self._model = rebuild(cfg, self._codec, self._device, n_saved=_n_weights(st["weights"]))
        elif (
            not isinstance(cfg, dict)
            or cfg.get("vocab_size") != self._codec.vocab_size
            or cfg.get("n_positions") != self._codec.seq_len
        ):
            raise ModelFileError("model file: the LLM config does not match its codec")
        else:
            gpt.check_arrays(cfg, st["weights"])
            self._model = gpt.build(cfg, 0, self._device)
        self._config = cfg
        gpt.load_weights(self._model, st["weights"])
        self.fit_info_ = st.get("fit_info")


def _n_weights(arrays) -> int:
    """Numbers in the saved weights (a crafted config may not describe a model far larger)."""
    return int(sum(np.size(a) for a in arrays.values())) if isinstance(arrays, dict) else 0


def _plain(info):
    """The fit report as JSON values."""
    if info is None:
        return None
    return {k: (float(v) if isinstance(v, (np.floating,)) else v) for k, v in info.items()}


class _threads:
    """Torch on every core allowed for big work (the environment's OMP_NUM_THREADS caps it), restored after."""

    def __init__(self, torch, work: int):
        self.torch, self.work = torch, work

    def __enter__(self):
        import os

        self.before = self.torch.get_num_threads()
        cap = os.environ.get("OMP_NUM_THREADS")
        want = int(cap) if cap and cap.isdigit() else (os.cpu_count() or 1)
        if self.work > 5_000_000:
            self.torch.set_num_threads(max(1, want))
        return self

    def __exit__(self, *exc):
        self.torch.set_num_threads(self.before)


__all__ = ["LLMSynthesizer"]
