"""How big each array of a model file may be, derived from its manifest before any array is read.

A model file's arrays are decompressed only up to what its metadata, parameters and (JSON) state
imply: the number of transformed outputs ``d`` (the transforms' ``output_names``), the number of
categories of each categorical transform, the fitted row count ``N`` (``fitted_rows``) and each
family's own sizes:

- transforms: category probabilities, one per category;
- Gaussian copula: the correlation ``d x d`` or the factor ``d x k`` (``k <= d``); marginals
  (copula, CopulaGAN) at most ``max(N + 1, 4096)`` points (a KDE tabulates 1,024 at any ``N``);
- CART: per tree at most ``2N + 1`` nodes and ``N`` donors, ``d`` predictors;
- Bayesian network: each table ``prod(parent cards) x card``, from the ``cards`` and ``parents`` in
  the state, each column's bins ``card x 64``;
- neural (CTGAN, TVAE, CopulaGAN): up to ``MAX_MODES`` modes a continuous column, a discrete
  column's values by its output (categories, 2 for a null indicator, ``N`` for a discrete output,
  ``DISCRETE_MAX_VALUES`` otherwise), layer weights
  within ``rows x cols`` where rows and columns follow from the layer-size parameters, the
  embedding size, ``pac`` and the encoded width.

:func:`array_limits` returns ``{array name: most values}`` for :func:`simulacra.io.modelfile.load_model`,
which refuses any array declaring more (and any array the state does not use) before inflating it.
"""

from __future__ import annotations

from ..errors import ModelFileError
from ..utils.validation import is_int
from ._model_checks import DIM_PARAMS

#: largest fitted row count a model file may declare
MAX_ROWS = 2**40
#: quantile points per Bayesian-network bin (the sampler stores 33)
MAX_WITHIN = 64
NEURAL = ("ctgan", "tvae", "copulagan")
#: points a tabulated marginal may hold whatever the row count (GaussianKDE tabulates 1,024)
MARGINAL_POINTS = 4096


def _count(x, what: str, lo: int = 0, hi: int = MAX_ROWS) -> int:
    if not is_int(x) or not lo <= x <= hi:
        raise ModelFileError(f"model file: {what} must be an integer from {lo:,} to {hi:,}, got {str(x)[:40]}")
    return int(x)


def _put(obj, n: int, out: dict) -> None:
    """Every array under ``obj`` may hold at most ``n`` values (the smallest bound wins)."""
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            k = obj["__array__"]
            out[k] = min(out.get(k, n), n)
            return
        for v in obj.values():
            _put(v, n, out)
    elif isinstance(obj, list):
        for v in obj:
            _put(v, n, out)


def _default(obj, n: int, out: dict) -> None:
    """Arrays under ``obj`` that no rule named may hold at most ``n`` values."""
    refs: dict = {}
    _put(obj, n, refs)
    for k in refs:
        out.setdefault(k, n)


def array_limits(manifest: dict) -> dict:
    """``{array name: most values}`` for every array the manifest's state refers to."""
    try:
        return _limits(manifest)
    except ModelFileError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as e:
        raise ModelFileError(f"model file: invalid model state ({type(e).__name__}: {str(e)[:120]})") from None


def _limits(manifest: dict) -> dict:
    state, params, name = manifest["state"], manifest["parameters"], manifest["synthesizer"]
    if not isinstance(state, dict) or not isinstance(params, dict):
        raise ModelFileError("model file: state and parameters must be objects")
    n_rows = _count(state.get("fitted_rows"), "fitted_rows")
    transforms = state["transformer"]["transforms"]
    cards = []  # categories of each output of a categorical transform, None for others
    kinds: list = []  # each output's kind
    out: dict = {}
    for t in transforms:
        st = t["state"]
        outputs = st.get("output_names", [])
        if not isinstance(outputs, list):
            raise ModelFileError("model file: a transform's output_names must be a list")
        k = None
        for field in ("categories", "values"):
            if isinstance(st.get(field), list):
                k = len(st[field]) + 1  # + missing
        cards += [k] * len(outputs)
        kinds += [str(x) for x in st.get("output_kinds", [])][: len(outputs)]
        _put(st, k if k is not None else n_rows + 1, out)
    d = len(cards)
    kmax = max([c for c in cards if c is not None] + [2])
    model = state.get("model")
    family = _FAMILIES.get(name)
    if family is not None and isinstance(model, dict):
        family(model, params, d, kmax, n_rows, out, outputs=list(zip(cards, kinds)))
    if isinstance(model, dict):  # univariate marginals (copula, CopulaGAN): a KDE tabulates 1,024 points
        for part in (model, model.get("extra")):
            if isinstance(part, dict):
                _put(part.get("marginals"), max(n_rows + 1, MARGINAL_POINTS), out)
    _default(state, max(n_rows, d, kmax) + 1, out)  # anything a family did not name: bounded by the fitted rows
    return out


def _copula(model, params, d, kmax, n_rows, out, outputs=()):
    _put(model.get("correlation"), d * d, out)
    _put(model.get("factor"), d * d, out)


def _cart(model, params, d, kmax, n_rows, out, outputs=()):
    for tree in model.get("trees", []):
        if isinstance(tree, dict):
            _put(tree.get("predictors"), d, out)
            _put(tree, 2 * n_rows + 1, out)
    _put(model.get("cats"), kmax, out)


def _bayes(model, params, d, kmax, n_rows, out, outputs=()):
    cards = [_count(c, "a Bayesian network card", 1) for c in model["cards"]]
    for a, parents, table in zip(model["order"], model["parents"], model["tables"]):
        size = cards[_count(a, "a Bayesian network node", 0, len(cards) - 1)]
        for p in parents:
            size *= cards[_count(p, "a Bayesian network parent", 0, len(cards) - 1)]
            size = min(size, MAX_ROWS)
        _put(table, size, out)
    for c, col in zip(cards, model["cols"]):
        _put(col, c * MAX_WITHIN, out)


def _neural(model, params, d, kmax, n_rows, out, outputs=()):
    sizes = _mode_sizes(model, outputs, n_rows)
    for col, k in zip(model.get("mode", {}).get("columns", []), sizes):
        _put(col, k, out)
    width = sum(sizes)
    _put(model.get("cats"), kmax, out)
    dims = [x for p in DIM_PARAMS for x in params.get(p, []) if isinstance(x, int)]
    emb = params.get("embedding_dim", 128)
    pac = params.get("pac", 1)
    emb = emb if isinstance(emb, int) else 0
    pac = pac if isinstance(pac, int) and pac > 0 else 1
    rows = max(dims + [emb, width, 1]) + 1
    cols = pac * (emb + 2 * width + sum(dims) + 1)
    _put(model.get("weights"), min(rows * cols, MAX_ROWS), out)


def _mode_sizes(model, outputs, n_rows):
    """Most values of each neural mode column: modes of a continuous column, else its discrete values
    (its categories, 2 for a null indicator, up to the fitted rows for a discrete output, else
    DISCRETE_MAX_VALUES); one more for a continuous column's offset."""
    from ._neural import DISCRETE_MAX_VALUES, MAX_MODES

    columns = model.get("mode", {}).get("columns", [])
    sizes = []
    for j, col in enumerate(columns):
        card, kind = outputs[j] if len(outputs) == len(columns) else (None, "discrete")
        if isinstance(col, dict) and col.get("type") == "continuous":
            sizes.append(MAX_MODES + 1)
        elif card is not None:
            sizes.append(card)
        elif kind == "null":
            sizes.append(2)
        elif kind == "discrete":
            sizes.append(n_rows + 1)
        else:
            sizes.append(DISCRETE_MAX_VALUES)
    return sizes


def _llm(model, params, d, kmax, n_rows, out, outputs=()):
    """A transformer's weight is at most width x max(vocabulary, positions, 4 x width) values (its config says which)."""
    cfg = model.get("config") or {}
    if isinstance(cfg.get("hf_config"), dict):  # a fine-tuned pretrained model: its transformers config
        cfg = cfg["hf_config"]
    width = _count(cfg.get("n_embd") or cfg.get("hidden_size"), "the LLM width", 1, 16_384)
    vocab = _count(cfg.get("vocab_size"), "the LLM vocabulary", 1, 10_000_000)
    positions = _count(cfg.get("n_positions") or cfg.get("max_position_embeddings"), "the LLM positions", 1, 10**7)
    inner = _count(cfg.get("n_inner") or cfg.get("intermediate_size") or 4 * width, "the LLM inner width", 1, 10**6)
    _put(model.get("weights"), width * max(vocab, positions, inner, 4 * width), out)


_FAMILIES = {
    "gaussian_copula": _copula,
    "cart": _cart,
    "bayesian_network": _bayes,
    "llm": _llm,
    **dict.fromkeys(NEURAL, _neural),
}
