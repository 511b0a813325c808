"""SDV's ``sdv.datasets.demo`` path: ``from simulacra.datasets.demo import download_demo, get_available_demos``."""

from . import download_demo, get_available_demos, load_demo

__all__ = ["download_demo", "get_available_demos", "load_demo"]
