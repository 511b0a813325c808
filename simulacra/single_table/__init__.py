"""SDV's ``sdv.single_table`` path: ``from simulacra.single_table import GaussianCopulaSynthesizer, ...``.

SDV's synthesizers (Gaussian copula, CTGAN, TVAE, CopulaGAN) and simulacra's own (CART, Bayesian
network), each the class of :mod:`simulacra.synthesizers`. The neural ones need torch, imported
only when one is built.
"""

from ..synthesizers.bayesian_network import BayesianNetworkSynthesizer
from ..synthesizers.cart import CARTSynthesizer
from ..synthesizers.copulagan import CopulaGANSynthesizer
from ..synthesizers.ctgan import CTGANSynthesizer
from ..synthesizers.gaussian_copula import GaussianCopulaSynthesizer
from ..synthesizers.tvae import TVAESynthesizer

__all__ = [
    "GaussianCopulaSynthesizer",
    "CTGANSynthesizer",
    "TVAESynthesizer",
    "CopulaGANSynthesizer",
    "CARTSynthesizer",
    "BayesianNetworkSynthesizer",
]
