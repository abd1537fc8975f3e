"""Glue (Hive) column types as Arrow types, so every file of a table is read with the catalog's schema.

Reading with the catalog's schema is what makes Spectrum-like behaviour hold: a column missing in
an older file reads as NULL, and a file's int32 or timestamp[us] is cast to the declared type.
"""

from __future__ import annotations

import re

import pyarrow as pa

_SIMPLE: dict[str, pa.DataType] = {
    "string": pa.string(),
    "varchar": pa.string(),
    "char": pa.string(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "integer": pa.int32(),
    "smallint": pa.int16(),
    "tinyint": pa.int8(),
    "double": pa.float64(),
    "float": pa.float32(),
    "real": pa.float32(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "binary": pa.binary(),
}
_DECIMAL = re.compile(r"^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$")


class UnknownGlueTypeError(ValueError):
    """A Glue type the sandbox cannot map; the statement that reads the table fails with it."""


def arrow_type(glue_type: str) -> pa.DataType:
    """Parse a Glue type string (`bigint`, `decimal(10,2)`, `array<struct<a:int>>`) to Arrow."""
    parsed, rest = _parse(glue_type.strip().lower())
    if rest.strip():
        raise UnknownGlueTypeError(f"cannot parse Glue type {glue_type!r}")
    return parsed


def _parse(text: str) -> tuple[pa.DataType, str]:
    text = text.lstrip()
    for prefix in ("array<", "map<", "struct<"):
        if text.startswith(prefix):
            return _parse_nested(prefix[:-1], text[len(prefix) :])
    match = re.match(r"[a-z_]+(?:\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\))?", text)
    if not match:
        raise UnknownGlueTypeError(f"cannot parse Glue type at {text!r}")
    token, rest = match.group(0), text[match.end() :]
    if dec := _DECIMAL.match(token):
        return pa.decimal128(int(dec.group(1)), int(dec.group(2))), rest
    base = re.sub(r"\s*\(.*\)$", "", token)
    if base in _SIMPLE:
        return _SIMPLE[base], rest
    raise UnknownGlueTypeError(f"unknown Glue type {token!r}")


def _parse_nested(kind: str, text: str) -> tuple[pa.DataType, str]:
    if kind == "array":
        item, rest = _parse(text)
        return pa.list_(item), _expect(rest, ">")
    if kind == "map":
        key, rest = _parse(text)
        value, rest = _parse(_expect(rest, ","))
        return pa.map_(key, value), _expect(rest, ">")
    fields: list[pa.Field] = []
    rest = text
    while True:
        match = re.match(r"\s*([^:<>,\s]+)\s*:", rest)
        if not match:
            raise UnknownGlueTypeError(f"bad struct field at {rest!r}")
        field_type, rest = _parse(rest[match.end() :])
        fields.append(pa.field(match.group(1), field_type))
        rest = rest.lstrip()
        if rest.startswith(","):
            rest = rest[1:]
            continue
        return pa.struct(fields), _expect(rest, ">")


def _expect(text: str, char: str) -> str:
    text = text.lstrip()
    if not text.startswith(char):
        raise UnknownGlueTypeError(f"expected {char!r} at {text!r}")
    return text[1:]


def partition_value(raw: str, data_type: pa.DataType) -> pa.Scalar:
    """A partition's string value (as the catalog stores it) typed per its partition key."""
    if raw == "__HIVE_DEFAULT_PARTITION__":
        return pa.scalar(None, type=data_type)
    return pa.scalar(raw).cast(data_type)
