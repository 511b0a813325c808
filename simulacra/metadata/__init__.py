"""Column types, their detection, and metadata JSON."""

from .metadata import Metadata, SingleTableMetadata
from .schema_svg import schema_svg
from .sdtypes import ALL_SDTYPES, PII_SDTYPES

__all__ = ["Metadata", "SingleTableMetadata", "ALL_SDTYPES", "PII_SDTYPES", "schema_svg"]
