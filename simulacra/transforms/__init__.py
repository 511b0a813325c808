"""Reversible per-sdtype column transforms, and the specs of their outputs that models read (``spec``)."""

from .base import ColumnTransform
from .categorical import BooleanTransform, CategoricalTransform
from .datetime import DatetimeTransform
from .generated import IdTransform, PIITransform, TextTransform
from .numerical import NumericalTransform
from .spec import ColumnSpec, OutputKind, OutputSpec
from .table import TableTransformer, transform_for

__all__ = [
    "ColumnTransform",
    "NumericalTransform",
    "CategoricalTransform",
    "BooleanTransform",
    "DatetimeTransform",
    "IdTransform",
    "PIITransform",
    "TextTransform",
    "TableTransformer",
    "transform_for",
    "OutputKind",
    "OutputSpec",
    "ColumnSpec",
]
