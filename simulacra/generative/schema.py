"""The columns of a table from a prompt: fields, their strict JSON schema, and a validator of records.

A table's columns come from ``columns`` (each name mapped to an sdtype, a list of allowed values, or a
dict of options) or from a single-table :class:`~simulacra.Metadata`. Each becomes a :class:`Field`
of one *kind*:

========== ============================================ ==============================
kind       from                                         JSON schema
========== ============================================ ==============================
integer    ``"integer"``, Int computer_representation   ``{"type": "integer"}``
number     ``"numerical"``                              ``{"type": "number"}``
boolean    ``"boolean"``                                ``{"type": "boolean"}``
date       ``"datetime"`` / ``"date"``                  ``{"type": "string", "format": "date"}``
datetime   ``"timestamp"``, a format with a time        ``{"type": "string", "format": "date-time"}``
enum       a list of values, a categorical's ``order``  ``{"type": ..., "enum": [...]}``
string     ``"id"``, ``"categorical"``, ``"text"``, PII ``{"type": "string"}``
========== ============================================ ==============================

A nullable field's type also allows ``null`` (``["string", "null"]``). :func:`json_schema` wraps the
fields in ``{"records": [...]}`` with every field required and no other property (OpenAI's strict
structured outputs); :class:`Validator` checks a record against the fields and gives typed values.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from dataclasses import dataclass, field

from ..errors import ParameterError

KINDS = ("integer", "number", "boolean", "date", "datetime", "enum", "string")
#: characters a string field of each sdtype may have (local decoding's cap; the API path has none)
STRING_CHARS = {"id": 24, "text": 200}
DEFAULT_STRING_CHARS = 48
_JSON_TYPE = {"integer": "integer", "number": "number", "boolean": "boolean", "string": "string"}
_SPEC_KEYS = {"sdtype", "values", "nullable", "datetime_format", "description", "min", "max", "decimal_places"}
_OWN_SDTYPES = {
    "integer": "integer",
    "int": "integer",
    "float": "number",
    "number": "number",
    "string": "string",
    "str": "string",
    "date": "date",
    "timestamp": "datetime",
    "date-time": "datetime",
    "datetime64": "datetime",
}
_TIME_CODES = re.compile(r"%[HIMSfpTXcr]")
# pandas' datetime64[ns] covers 1677-09-21 .. 2262-04-11: dates outside are refused, not wrapped
_EARLIEST, _LATEST = _dt.datetime(1678, 1, 1), _dt.datetime(2261, 12, 31)


@dataclass(frozen=True)
class Field:
    """One column of the table: its name, kind (see the module docstring) and rules.

    Attributes
    ----------
    name : str
    kind : str
        One of :data:`KINDS`.
    sdtype : str
        The sdtype it came from (``"id"`` values must be unique).
    nullable : bool
        ``null`` is a valid value.
    options : tuple
        The allowed values of an ``enum`` field (``None`` excluded: see ``nullable``).
    unique : bool
        Every row has its own value (id columns and keys).
    minimum, maximum : float or None
        Bounds of a number (metadata's ``range_min`` / ``range_max``).
    decimals : int or None
        Decimal places numbers are rounded to.
    max_chars : int
        Longest string the local decoder writes.
    description : str
        What the column holds, for the prompt.
    """

    name: str
    kind: str
    sdtype: str = "unknown"
    nullable: bool = False
    options: tuple = ()
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    decimals: int | None = None
    max_chars: int = DEFAULT_STRING_CHARS
    description: str = field(default="", compare=False)


# ---------------------------------------------------------------------- fields
def enum_field(name, values, sdtype="categorical", **kw) -> Field:
    values = list(values)
    nullable = kw.pop("nullable", False) or any(v is None for v in values)
    opts = []
    for v in values:
        if v is None:
            continue
        if isinstance(v, float) and not math.isfinite(v):
            raise ParameterError(f"column {name!r}: allowed value {v!r} is not a finite number")
        if not isinstance(v, (str, int, float, bool)):
            raise ParameterError(
                f"column {name!r}: allowed values must be strings, numbers or booleans, got {type(v).__name__} {v!r}"
            )
        if v not in opts:
            opts.append(v)
    if not opts:
        raise ParameterError(f"column {name!r}: the list of allowed values is empty; give at least one value")
    return Field(name, "enum", sdtype, nullable=nullable, options=tuple(opts), **kw)


def _kind_of(name, sdtype: str, fmt=None) -> tuple[str, str]:
    """``(kind, canonical sdtype)`` of a column's sdtype name."""
    from ..metadata.sdtypes import canonical_sdtype

    if not isinstance(sdtype, str):
        raise ParameterError(f"column {name!r}: the sdtype must be a string or a list of values, got {sdtype!r}")
    key = sdtype.strip().lower()
    if key in _OWN_SDTYPES:
        kind = _OWN_SDTYPES[key]
        sd = {"integer": "numerical", "number": "numerical", "string": "text"}.get(kind, "datetime")
        return kind, sd
    try:
        sd = canonical_sdtype(key)
    except Exception:
        raise ParameterError(
            f"column {name!r}: unknown sdtype {sdtype!r}; use id, numerical, integer, datetime, date, categorical, "
            "text, boolean, a PII sdtype such as email, or a list of allowed values"
        ) from None
    if sd == "numerical":
        return "number", sd
    if sd == "boolean":
        return "boolean", sd
    if sd == "datetime":
        return ("datetime" if fmt and _TIME_CODES.search(fmt) else "date"), sd
    return "string", sd


def _string_chars(sd: str) -> int:
    return STRING_CHARS.get(sd, DEFAULT_STRING_CHARS)


def _field_from_spec(name, spec) -> Field:
    if isinstance(spec, (list, tuple)):
        return enum_field(name, spec)
    if isinstance(spec, str):
        kind, sd = _kind_of(name, spec)
        return Field(name, kind, sd, unique=sd == "id", max_chars=_string_chars(sd))
    if isinstance(spec, dict):
        bad = set(spec) - _SPEC_KEYS
        if bad:
            raise ParameterError(
                f"column {name!r}: unknown option(s) {', '.join(sorted(map(str, bad)))}; "
                f"allowed: {', '.join(sorted(_SPEC_KEYS))}"
            )
        nullable = spec.get("nullable", False)
        if not isinstance(nullable, bool):
            raise ParameterError(f"column {name!r}: nullable must be True or False, got {nullable!r}")
        desc = spec.get("description", "")
        if not isinstance(desc, str):
            raise ParameterError(f"column {name!r}: description must be a string, got {desc!r}")
        if "values" in spec:
            if not isinstance(spec["values"], (list, tuple)):
                raise ParameterError(f"column {name!r}: values must be a list of allowed values")
            return enum_field(name, spec["values"], nullable=nullable, description=desc)
        if "sdtype" not in spec:
            raise ParameterError(f"column {name!r}: a column dict needs an 'sdtype' or 'values'")
        kind, sd = _kind_of(name, spec["sdtype"], spec.get("datetime_format"))
        lo, hi, dec = spec.get("min"), spec.get("max"), spec.get("decimal_places")
        for label, v in (("min", lo), ("max", hi)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
                raise ParameterError(f"column {name!r}: {label} must be a finite number, got {v!r}")
        if (lo is not None or hi is not None) and kind not in ("integer", "number"):
            raise ParameterError(f"column {name!r}: min and max apply to numerical columns, not {spec['sdtype']!r}")
        if lo is not None and hi is not None and lo > hi:
            raise ParameterError(f"column {name!r}: min {lo} is above max {hi}")
        if dec is not None and (isinstance(dec, bool) or not isinstance(dec, int) or not 0 <= dec <= 12):
            raise ParameterError(f"column {name!r}: decimal_places must be an integer from 0 to 12, got {dec!r}")
        if kind == "number" and dec == 0:
            kind = "integer"
        return Field(
            name,
            kind,
            sd,
            nullable=nullable,
            unique=sd == "id",
            minimum=lo,
            maximum=hi,
            decimals=dec,
            max_chars=_string_chars(sd),
            description=desc,
        )
    raise ParameterError(
        f"column {name!r}: give an sdtype name, a list of allowed values or a dict of options, got {spec!r}"
    )


def fields_from_columns(columns) -> list[Field]:
    """The fields of a ``columns`` mapping (see :func:`resolve_fields`)."""
    if not isinstance(columns, dict) or not columns:
        raise ParameterError(
            "columns must be a non-empty dict mapping each column name to an sdtype or a list of allowed values, "
            "e.g. {'customer_id': 'id', 'order_date': 'datetime', 'status': ['paid', 'shipped']}"
        )
    out = []
    for name, spec in columns.items():
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(f"column names must be non-empty strings, got {name!r}")
        out.append(_field_from_spec(name, spec))
    return out


def fields_from_metadata(metadata) -> list[Field]:
    """The fields of a single-table Metadata: keys unique and never null, other columns nullable."""
    from ..metadata import Metadata

    if not isinstance(metadata, Metadata):
        raise ParameterError(f"metadata must be a simulacra Metadata, got {type(metadata).__name__}")
    if len(metadata.tables) != 1:
        raise ParameterError(
            f"metadata has {len(metadata.tables)} tables; generate_table makes one table: pass "
            "metadata.get_table_metadata(name)"
        )
    table = next(iter(metadata.tables.values()))
    cols = table.get("columns") or {}
    if not cols:
        raise ParameterError("the metadata's table has no columns")
    keys = {table.get("primary_key")} | {k for k in table.get("alternate_keys") or [] if isinstance(k, str)}
    out = []
    for name, m in cols.items():
        sd = m.get("sdtype", "unknown")
        key = name in keys
        common = dict(nullable=not key, unique=key or sd == "id", description="")
        if sd == "categorical" and isinstance(m.get("order"), list) and m["order"]:
            out.append(enum_field(name, m["order"], **common))
            continue
        kind, sd = _kind_of(name, sd, m.get("datetime_format"))
        lo, hi, dec = None, None, None
        if kind == "number":
            rep = str(m.get("computer_representation", "Float"))
            dec = m.get("decimal_places")
            if "Int" in rep or dec == 0:
                kind, dec = "integer", None
            for label in ("range_min", "range_max"):
                v = m.get(label)
                if v is not None and not isinstance(v, (int, float)):
                    raise ParameterError(f"column {name!r}: {label} must be a number, got {v!r}")
            lo, hi = m.get("range_min"), m.get("range_max")
        out.append(Field(name, kind, sd, minimum=lo, maximum=hi, decimals=dec, max_chars=_string_chars(sd), **common))
    return out


def resolve_fields(columns=None, metadata=None) -> list[Field]:
    """The fields from exactly one of ``columns`` and ``metadata``.

    Parameters
    ----------
    columns : dict, optional
        Each column name mapped to an sdtype (``"id"``, ``"numerical"``, ``"integer"``, ``"datetime"``,
        ``"date"``, ``"timestamp"``, ``"categorical"``, ``"text"``, ``"boolean"``, a PII sdtype such as
        ``"email"``), to a list of allowed values (``None`` in it allows missing values), or to a dict
        with ``sdtype`` or ``values`` and optionally ``nullable``, ``description``, ``datetime_format``,
        ``min``, ``max``, ``decimal_places``.
    metadata : Metadata, optional
        A single-table metadata: its sdtypes, a categorical's ``order`` as the allowed values, numerical
        ``computer_representation`` / ``range_min`` / ``range_max`` / ``decimal_places``, datetime formats;
        the primary and alternate keys are unique and never null, the other columns may be null.

    Returns
    -------
    list of Field
    """
    if (columns is None) == (metadata is None):
        raise ParameterError(
            "give exactly one of columns= (a dict of column name -> sdtype or allowed values) and metadata= "
            "(a single-table Metadata)"
        )
    return fields_from_columns(columns) if columns is not None else fields_from_metadata(metadata)


# ---------------------------------------------------------------------- JSON schema
def _enum_type(options) -> str | None:
    if all(isinstance(v, bool) for v in options):
        return "boolean"
    if all(isinstance(v, str) for v in options):
        return "string"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in options):
        return "integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in options):
        return "number"
    return None


def field_schema(f: Field) -> dict:
    """The JSON schema of one field's value."""
    if f.kind == "enum":
        t = _enum_type(f.options)
        out = {} if t is None else {"type": [t, "null"] if f.nullable else t}
        out["enum"] = list(f.options) + ([None] if f.nullable else [])
    else:
        t = _JSON_TYPE.get(f.kind, "string")
        out = {"type": [t, "null"] if f.nullable else t}
        if f.kind in ("date", "datetime"):
            out["format"] = "date" if f.kind == "date" else "date-time"
    desc = describe_field(f)
    if desc:
        out["description"] = desc
    return out


def record_schema(fields) -> dict:
    """The JSON schema of one record: every field required, no other property."""
    return {
        "type": "object",
        "properties": {f.name: field_schema(f) for f in fields},
        "required": [f.name for f in fields],
        "additionalProperties": False,
    }


def json_schema(fields) -> dict:
    """The strict JSON schema of an answer: ``{"records": [record, ...]}``."""
    return {
        "type": "object",
        "properties": {"records": {"type": "array", "items": record_schema(fields)}},
        "required": ["records"],
        "additionalProperties": False,
    }


# ---------------------------------------------------------------------- prompt text
def describe_field(f: Field) -> str:
    """A short phrase for the prompt: ``"integer, at least 0"``, ``"one of: 'a', 'b'"``..."""
    if f.kind == "enum":
        text = "one of: " + ", ".join(json.dumps(v, ensure_ascii=False) for v in f.options)
    else:
        text = {
            "integer": "an integer",
            "number": "a number",
            "boolean": "true or false",
            "date": "a date YYYY-MM-DD",
            "datetime": "a date and time YYYY-MM-DDTHH:MM:SS",
        }.get(f.kind, "a unique identifier string" if f.sdtype == "id" else "a string")
        if f.kind == "string" and f.sdtype not in ("id", "text", "unknown", "categorical"):
            text += f" ({f.sdtype.replace('_', ' ')})"
        if f.sdtype == "text":
            text = "free text (a sentence or two)"
    bounds = [
        f"at least {f.minimum:g}" if f.minimum is not None else "",
        f"at most {f.maximum:g}" if f.maximum is not None else "",
    ]
    if f.decimals is not None:
        bounds.append(f"{f.decimals} decimal places")
    text = ", ".join([text] + [b for b in bounds if b])
    if f.unique:
        text += ", unique per record"
    if f.nullable:
        text += ", or null when unknown"
    return f"{f.description}: {text}" if f.description else text


# ---------------------------------------------------------------------- validation
class RecordError(ValueError):
    """Why a record is invalid (a short phrase; :class:`Validator` counts them)."""


def _number(v, name):
    if isinstance(v, bool):
        raise RecordError(f"{name}: expected a number, got a boolean")
    if isinstance(v, str):
        try:
            v = float(v.strip().replace(",", "")) if v.strip() else None
        except ValueError:
            v = None
        if v is None:
            raise RecordError(f"{name}: expected a number, got a string")
    if not isinstance(v, (int, float)):
        raise RecordError(f"{name}: expected a number, got {type(v).__name__}")
    if isinstance(v, float) and not math.isfinite(v):
        raise RecordError(f"{name}: not a finite number")
    return v


def _when(v, name, kind):
    if not isinstance(v, str):
        raise RecordError(f"{name}: expected a date string, got {type(v).__name__}")
    s = v.strip()
    try:
        t = _dt.datetime.fromisoformat(s)
    except ValueError:
        raise RecordError(f"{name}: not an ISO date") from None
    if t.tzinfo is not None:
        t = t.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    if not _EARLIEST <= t <= _LATEST:
        raise RecordError(f"{name}: date out of range")
    return _dt.datetime(t.year, t.month, t.day) if kind == "date" else t


def convert_value(f: Field, v):
    """``v`` as the field's Python value (int, float, bool, str, datetime or None), or a RecordError."""
    name = f.name
    if v is None:
        if f.nullable:
            return None
        raise RecordError(f"{name}: null where a value is required")
    kind = f.kind
    if kind == "enum":
        for o in f.options:
            if v == o and isinstance(v, bool) == isinstance(o, bool):
                return o
        if isinstance(v, str):
            low = v.strip().lower()
            for o in f.options:
                if isinstance(o, str) and o.lower() == low:
                    return o
        raise RecordError(f"{name}: not one of the allowed values")
    if kind in ("integer", "number"):
        x = _number(v, name)
        if kind == "integer":
            if float(x) != math.floor(float(x)) or abs(x) > 2**63 - 1:
                raise RecordError(f"{name}: expected an integer")
            x = int(x)
        else:
            x = float(x)
            if f.decimals is not None:
                x = round(x, f.decimals)
        if (f.minimum is not None and x < f.minimum) or (f.maximum is not None and x > f.maximum):
            raise RecordError(f"{name}: out of range")
        return x
    if kind == "boolean":
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().lower() in ("true", "false"):
            return v.strip().lower() == "true"
        raise RecordError(f"{name}: expected true or false")
    if kind in ("date", "datetime"):
        return _when(v, name, kind)
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise RecordError(f"{name}: expected a string, got {type(v).__name__}")
    s = v if isinstance(v, str) else str(v)
    if not s.strip():
        raise RecordError(f"{name}: empty string")
    return s


class Validator:
    """Checks records against the fields and converts them to typed values.

    Parameters
    ----------
    fields : list of Field
    """

    def __init__(self, fields):
        self.fields = list(fields)

    def convert(self, record) -> dict:
        """The record's typed values in field order; a :class:`RecordError` says why it is invalid.

        Fields the schema does not name are ignored; a missing field makes the record invalid.
        """
        if not isinstance(record, dict):
            raise RecordError(f"a record is not an object (got {type(record).__name__})")
        out = {}
        for f in self.fields:
            if f.name not in record:
                raise RecordError(f"{f.name}: missing")
            out[f.name] = convert_value(f, record[f.name])
        return out
