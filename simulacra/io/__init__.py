"""Files and databases."""

from .files import TableWriter, read_table, write_table

__all__ = ["read_table", "write_table", "TableWriter"]
