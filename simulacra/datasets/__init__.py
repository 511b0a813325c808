"""Small real tables shipped inside the package (no download).

``penguins`` — Palmer penguins (Palmer Station Antarctica LTER and Dr. Kristen Gorman, CC0), 344
rows, 8 columns, with its missing values: the embedded demo table.
"""

from __future__ import annotations

from importlib import resources

from ..errors import ParameterError

DEMOS = {"penguins": "penguins.csv"}


def demo_path(name: str = "penguins"):
    """Path of a shipped demo table."""
    if name not in DEMOS:
        raise ParameterError(f"unknown demo dataset {name!r}; available: {', '.join(DEMOS)}")
    return resources.files(__name__).joinpath("data", DEMOS[name])


def load_demo(name: str = "penguins", metadata: bool = False):
    """Load a shipped demo table as a DataFrame (and its detected metadata with ``metadata=True``)."""
    from ..io.files import read_table

    with resources.as_file(demo_path(name)) as path:
        df = read_table(path)
    if metadata:
        from ..metadata import Metadata

        return df, Metadata.detect_from_dataframe(df, table_name=name)
    return df


def download_demo(modality: str = "single_table", dataset_name: str = "penguins", output_folder_name=None):
    """SDV-style ``download_demo``: returns ``(data, metadata)`` of a shipped demo table.

    Nothing is downloaded; only the tables shipped with simulacra are available.
    """
    if modality != "single_table":
        raise ParameterError(f"only modality='single_table' demos are shipped, not {modality!r}")
    return load_demo(dataset_name, metadata=True)


def get_available_demos(modality: str = "single_table"):
    import pandas as pd

    return pd.DataFrame({"dataset_name": list(DEMOS)})
