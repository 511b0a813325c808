"""Reversible per-sdtype column transforms."""

from .base import ColumnTransform
from .categorical import BooleanTransform, CategoricalTransform
from .datetime import DatetimeTransform
from .generated import IdTransform, PIITransform, TextTransform
from .numerical import NumericalTransform
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
]
