"""simulacra: synthetic data — fake records, learned synthetic tables, augmentation.

The public API is importable from here. Heavy modules are imported on first use, so
``import simulacra`` stays fast.
"""

from __future__ import annotations

import importlib

from ._version import __version__

_LAZY = {
    "Metadata": "simulacra.metadata",
    "SingleTableMetadata": "simulacra.metadata",
    "GaussianCopulaSynthesizer": "simulacra.synthesizers.gaussian_copula",
    "SingleTablePreset": "simulacra.synthesizers.presets",
    "CARTSynthesizer": "simulacra.synthesizers.cart",
    "BayesianNetworkSynthesizer": "simulacra.synthesizers.bayesian_network",
    "CTGANSynthesizer": "simulacra.synthesizers.ctgan",
    "TVAESynthesizer": "simulacra.synthesizers.tvae",
    "CopulaGANSynthesizer": "simulacra.synthesizers.copulagan",
    "RelationalSynthesizer": "simulacra.multi_table.synthesizer",
    "HMASynthesizer": "simulacra.multi_table.synthesizer",
    "SequentialSynthesizer": "simulacra.sequential.synthesizer",
    "PARSynthesizer": "simulacra.sequential.synthesizer",
    "LLMSynthesizer": "simulacra.generative.llm",
    "TextGenerator": "simulacra.generative.text",
    "generate_table": "simulacra.generative.table",
    "Condition": "simulacra.sampling.conditions",
    "BaseSynthesizer": "simulacra.synthesizers.base",
    "evaluate_quality": "simulacra.evaluation.quality",
    "QualityReport": "simulacra.evaluation.quality",
    "run_diagnostic": "simulacra.evaluation.diagnostic",
    "evaluate_privacy": "simulacra.evaluation.privacy",
    "evaluate_utility": "simulacra.evaluation.utility",
    "statistical_tests": "simulacra.evaluation.stats",
    "get_column_plot": "simulacra.evaluation.plots",
    "get_column_pair_plot": "simulacra.evaluation.plots",
    "get_correlation_difference_plot": "simulacra.evaluation.plots",
    "load_demo": "simulacra.datasets",
    "download_demo": "simulacra.datasets",
    "get_available_demos": "simulacra.datasets",
    "read_table": "simulacra.io.files",
    "write_table": "simulacra.io.files",
    "available_synthesizers": "simulacra.synthesizers",
    "Fake": "simulacra.fake",
    "pseudonymize_table": "simulacra.fake.pseudonym",
}
_SUBMODULES = (
    "augment",
    "constraints",
    "datasets",
    "errors",
    "evaluation",
    "fake",
    "generative",
    "io",
    "lite",
    "metadata",
    "multi_table",
    "sampling",
    "sequential",
    "single_table",
    "synthesizers",
    "transforms",
)


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        attr = "available" if name == "available_synthesizers" else name
        value = getattr(module, attr)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"simulacra.{name}")
    raise AttributeError(f"module 'simulacra' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY) + list(_SUBMODULES))


__all__ = ["__version__", *_LAZY]
