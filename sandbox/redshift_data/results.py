"""DuckDB results in the Redshift Data API's shapes: typed Field values and ColumnMetadata.

Redshift answers integers as longValue, floats as doubleValue, booleans as booleanValue, NULL as
isNull, and everything else (numeric, dates, timestamps, text) as stringValue; clients such as the
provider's operators and awswrangler's redshift-data reader rely on exactly that.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

_TYPE_NAMES: dict[str, str] = {
    "BOOLEAN": "bool",
    "TINYINT": "int2",
    "SMALLINT": "int2",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "HUGEINT": "numeric",
    "UTINYINT": "int2",
    "USMALLINT": "int4",
    "UINTEGER": "int8",
    "UBIGINT": "numeric",
    "FLOAT": "float4",
    "DOUBLE": "float8",
    "VARCHAR": "varchar",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "BLOB": "varbyte",
    "INTERVAL": "interval",
    "UUID": "varchar",
    "JSON": "super",
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),(\d+)\)$")


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str

    def metadata(self) -> dict[str, Any]:
        type_name, precision, scale = redshift_type(self.duckdb_type)
        return {
            "name": self.name,
            "label": self.name,
            "typeName": type_name,
            "precision": precision,
            "scale": scale,
            "nullable": 1,
            "isSigned": type_name in {"int2", "int4", "int8", "float4", "float8", "numeric"},
            "isCurrency": False,
            "isCaseSensitive": type_name == "varchar",
            "length": 0,
            "schemaName": "",
            "tableName": "",
            "columnDefault": None,
        }


def redshift_type(duckdb_type: str) -> tuple[str, int, int]:
    """(typeName, precision, scale) as Redshift reports them; nested types are SUPER."""
    if match := _DECIMAL.match(duckdb_type):
        return "numeric", int(match.group(1)), int(match.group(2))
    if duckdb_type in _TYPE_NAMES:
        name = _TYPE_NAMES[duckdb_type]
        return name, {"varchar": 65535, "int8": 19, "int4": 10, "int2": 5}.get(name, 0), 0
    return "super", 0, 0


def field(value: Any) -> dict[str, Any]:
    """One value as a Redshift Data `Field`."""
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        if -(2**63) <= value < 2**63:
            return {"longValue": value}
        return {"stringValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": _text(value)}


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        text = value.replace(tzinfo=None).isoformat(sep=" ")
        if value.tzinfo is not None:
            offset = value.utcoffset() or dt.timedelta()
            hours = int(offset.total_seconds() // 3600)
            text += f"{hours:+03d}"
        return text
    if isinstance(value, dt.date | dt.time | Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, default=str)
    return str(value)
