"""What a synthesizer accepts: its metadata and the table it learns, checked with clear errors."""

from __future__ import annotations

import pandas as pd

from ..errors import InvalidDataError, MetadataError
from ..metadata import Metadata


def as_metadata(metadata) -> Metadata:
    """A :class:`~simulacra.Metadata` from one, its dict, or an SDV object with ``to_dict()``."""
    if isinstance(metadata, Metadata):
        return metadata
    if isinstance(metadata, dict):
        return Metadata.load_from_dict(metadata)
    # SDV objects expose to_dict(): accept them too
    if hasattr(metadata, "to_dict"):
        return Metadata.load_from_dict(metadata.to_dict())
    raise MetadataError(f"metadata must be a simulacra Metadata (or its dict), got {type(metadata).__name__}")


def check_single_table(metadata: Metadata) -> None:
    """A MetadataError when ``metadata`` describes several tables (a single-table synthesizer learns one)."""
    if len(metadata.tables) > 1:
        names = ", ".join(map(repr, metadata.tables))
        raise MetadataError(
            f"the metadata has {len(metadata.tables)} tables ({names}); a single-table synthesizer learns one: "
            f"pass metadata.get_table_metadata('{next(iter(metadata.tables))}')"
        )


def coerce_data(data, table_name: str) -> pd.DataFrame:
    """The table a single-table synthesizer learns: a DataFrame, or SDV 2's ``{table_name: DataFrame}``.

    Raises InvalidDataError for anything else, a table without columns or with fewer than 2 rows,
    and duplicated column names; column names are made text.
    """
    if isinstance(data, dict):  # SDV 2: {table_name: DataFrame}
        if len(data) == 1:
            data = next(iter(data.values()))
        elif table_name in data:
            data = data[table_name]
        else:
            raise InvalidDataError(
                f"got tables {', '.join(map(repr, data))}; this single-table synthesizer learns table {table_name!r}"
            )
    if not isinstance(data, pd.DataFrame):
        raise InvalidDataError(
            f"data must be a pandas DataFrame (or {{table_name: DataFrame}}), got {type(data).__name__}"
        )
    if data.shape[1] == 0:
        raise InvalidDataError("the table has no columns")
    if len(data) == 0:
        raise InvalidDataError("the table has no rows; a synthesizer needs real rows to learn from")
    if len(data) < 2:
        raise InvalidDataError("the table has a single row; a synthesizer needs at least 2 rows to learn distributions")
    if not all(isinstance(c, str) for c in data.columns):
        data = data.rename(columns=str)
    if data.columns.duplicated().any():
        dup = data.columns[data.columns.duplicated()][0]
        raise InvalidDataError(f"column name {dup!r} appears more than once; rename the duplicates")
    return data
