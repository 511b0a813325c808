"""Files and databases."""

from .db_write import write_database
from .files import TableWriter, read_table, write_table
from .reflect import read_database, reflect_schema

__all__ = ["read_table", "write_table", "TableWriter", "read_database", "reflect_schema", "write_database"]
