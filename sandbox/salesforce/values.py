"""Field values: checking what a writer sends against a field's type, and formatting what a reader gets.

Stored values are Python natives (str, bool, int, float, date, aware datetime) so filters compare
them directly, and a compound field's value (an address) is the dict of its components; the wire
format is what Salesforce's APIs (and so AppFlow's output) print.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Any

from sandbox.salesforce.fields import (
    ADDRESS_KEYS,
    COMPOUND_TYPES,
    INTEGER_TYPES,
    NUMBER_TYPES,
    TEXT_TYPES,
    FieldSpec,
)
from sandbox.salesforce.ids import is_valid_id

Value = str | bool | int | float | date | datetime | dict[str, Any] | None


class ValueTypeError(ValueError):
    """A value that does not fit its field (Salesforce: INVALID_TYPE_ON_FIELD_IN_RECORD and friends)."""


class MissingValueError(ValueTypeError):
    """Null for a required field (Salesforce: REQUIRED_FIELD_MISSING)."""


class StringTooLongError(ValueTypeError):
    """Text longer than the field's length (Salesforce: STRING_TOO_LONG)."""


def parse_datetime(text: str) -> datetime:
    """ISO 8601 as Salesforce prints it (`2025-01-10T08:15:30.000+0000` or `...Z`); naive means UTC."""
    cleaned = text.strip().replace("Z", "+00:00")
    if len(cleaned) > 5 and cleaned[-5] in "+-" and cleaned[-3] != ":":
        cleaned = cleaned[:-2] + ":" + cleaned[-2:]
    parsed = datetime.fromisoformat(cleaned)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _to_bool(spec: FieldSpec, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ValueTypeError(f"{spec.name}: expected a boolean, got {value!r}")


def _to_float(spec: FieldSpec, value: object) -> float:
    if isinstance(value, bool):
        raise ValueTypeError(f"{spec.name}: expected a number, got {value!r}")
    try:
        number = float(value) if isinstance(value, int | float | str) else math.nan
    except ValueError:
        number = math.nan
    if math.isnan(number) or math.isinf(number):
        raise ValueTypeError(f"{spec.name}: expected a number, got {value!r}")
    return number


def _to_int(spec: FieldSpec, value: object) -> int:
    number = _to_float(spec, value)
    if not number.is_integer():
        raise ValueTypeError(f"{spec.name}: expected an integer, got {value!r}")
    return int(number)


def _to_date(spec: FieldSpec, value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValueTypeError(f"{spec.name}: expected a date (YYYY-MM-DD), got {value!r}")


def _to_datetime(spec: FieldSpec, value: object) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:
            pass
    raise ValueTypeError(f"{spec.name}: expected an ISO 8601 datetime, got {value!r}")


def _to_text(spec: FieldSpec, value: object) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        raise ValueTypeError(f"{spec.name}: expected text, got {value!r}")
    if spec.length is not None and len(text) > spec.length:
        raise StringTooLongError(
            f"{spec.name}: data value too large: {text[:20]}... (max length={spec.length})"
        )
    if spec.type in {"picklist"} and spec.picklist_values and text not in spec.picklist_values:
        raise ValueTypeError(f"{spec.name}: bad value for restricted picklist field: {text}")
    if spec.type == "email" and text and "@" not in text:
        raise ValueTypeError(f"{spec.name}: invalid email address: {text}")
    return text


def _to_compound(spec: FieldSpec, value: object) -> dict[str, Any]:
    """An address as a dict (or its JSON text) of Salesforce's REST keys. Writable only through
    its components: the org refuses a compound in a write (INVALID_FIELD_FOR_INSERT_UPDATE)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueTypeError(f"{spec.name}: expected an {spec.type} object, got {value!r}") from error
    keys = set(ADDRESS_KEYS) if spec.type == "address" else {"latitude", "longitude"}
    if not isinstance(value, dict) or not set(value) <= keys:
        raise ValueTypeError(f"{spec.name}: expected an {spec.type} object with keys {sorted(keys)}")
    return dict(value)


def coerce(spec: FieldSpec, value: object) -> Value:
    """The stored form of `value` for `spec`, or ValueTypeError. Empty strings mean null, as in CSV loads."""
    if value is None or value == "":
        if not spec.nillable and spec.type != "boolean":
            raise MissingValueError(f"{spec.name}: required field is missing")
        return False if spec.type == "boolean" else None
    if spec.type == "boolean":
        return _to_bool(spec, value)
    if spec.type in NUMBER_TYPES:
        return _to_float(spec, value)
    if spec.type in INTEGER_TYPES:
        return _to_int(spec, value)
    if spec.type == "date":
        return _to_date(spec, value)
    if spec.type == "datetime":
        return _to_datetime(spec, value)
    if spec.type in {"id", "reference"}:
        if not isinstance(value, str) or not is_valid_id(value):
            raise ValueTypeError(f"{spec.name}: malformed id {value!r}")
        return value
    if spec.type in TEXT_TYPES or spec.type == "time":
        return _to_text(spec, value)
    if spec.type in COMPOUND_TYPES:
        return _to_compound(spec, value)
    raise ValueTypeError(f"{spec.name}: unsupported field type {spec.type}")


def format_datetime(value: datetime) -> str:
    """Salesforce's REST format, millisecond precision, UTC (`2025-01-10T08:15:30.000Z`)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def to_wire(value: Value) -> str | None:
    """A value as text, as AppFlow writes it when it does not preserve source data types; a
    compound value as its JSON text."""
    if value is None:
        return None
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_json(value: Value) -> str | bool | int | float | None:
    """A value in a JSON document (dates as ISO text, a compound value as its JSON text)."""
    if isinstance(value, datetime | date | dict):
        return to_wire(value)
    return value
