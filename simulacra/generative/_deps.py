"""The optional language-model extra (``pip install "simulacra[llm]"``), imported only when used."""

from __future__ import annotations

from ..errors import ParameterError

INSTALL = "pip install torch==2.13.0, then pip install 'simulacra[llm]'"


def require_llm(who: str):
    """``(torch, transformers)`` or one ParameterError naming ``who`` and what to install."""
    missing = []
    try:
        import torch
    except ImportError:
        torch = None
        missing.append("torch")
    mods = {}
    for name in ("transformers", "tokenizers", "safetensors"):
        try:
            mods[name] = __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise ParameterError(
            f"{who} needs the language-model extra ({', '.join(missing)} not installed): {INSTALL}"
        ) from None
    return torch, mods["transformers"]


def require_torch_only(who: str):
    """torch alone (the from-scratch LLM synthesizer's model needs transformers too: see require_llm)."""
    try:
        import torch
    except ImportError:
        raise ParameterError(f"{who} needs PyTorch: {INSTALL}") from None
    return torch


def device_for(device) -> str:
    """The torch device: ``True``/``None``/``"auto"`` take the GPU when there is one, else the CPU."""
    import re

    torch = require_torch_only("this model")
    if device is True or device is None or device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device is False:
        return "cpu"
    if isinstance(device, str) and re.fullmatch(r"cpu|mps|cuda(:[0-9]{1,4})?", device):
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ParameterError(f"device {device!r} was asked for but no CUDA device is available; use 'cpu'")
        return device
    raise ParameterError(f"device must be True, False, 'auto' or a device name like 'cuda:0' or 'cpu', got {device!r}")
