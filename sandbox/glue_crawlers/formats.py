"""Glue's built-in classifiers for the formats the sandbox crawls: what a file is, its columns and
their types, and the SerDe a table of such files gets.

Order and rules follow "Built-in classifiers" in the Glue Developer Guide
(https://docs.aws.amazon.com/glue/latest/dg/add-classifier.html#classifier-built-in): ORC and
Parquet are read from their own metadata; JSON and CSV from the start of the file (the first
1,000 records or 1 MB, whichever comes first, per the knowledge-center article "How does the AWS
Glue crawler detect the schema?"). Gzip-compressed text is read through its compression. Avro,
XML, Ion, BSON and the log formats are not classified here: such a file is UNKNOWN and skipped.

- JSON: one object a line (or one object a file); numbers that fit 32 bits are `int`, larger
  ones `bigint`, fractions `double`, `true`/`false` `boolean`, objects `struct<...>`, lists
  `array<...>`, text `string` (ISO dates stay strings, as the classifier does not parse them). A
  file that is one top-level array gets the single column `array`.
- CSV: delimiter comma, pipe, tab, semicolon or Ctrl-A; at least two columns and two rows. The
  first row is a header when every value in it is text, shorter than 150 characters (the last
  column may be empty), a valid column name, and at least one data row has a non-text value;
  otherwise the columns are col0, col1, ... Values type as `bigint`, `double`, `boolean` or
  `string` (dates and timestamps in CSV stay `string`). A quoted field makes the table use
  OpenCSVSerde, else LazySimpleSerDe.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from sandbox.glue_crawlers.gluetypes import glue_type, merge

SAMPLE_BYTES = 1024 * 1024
SAMPLE_RECORDS = 1000
_DELIMITERS = (",", "|", "\t", ";", "\x01")
_COLUMN_NAME = re.compile(r"[^\x00-\x1f]{1,255}")  # Glue: 1-255 printable characters
_INT = re.compile(r"[-+]?\d+")
_DOUBLE = re.compile(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")
_INT32 = (-(2**31), 2**31 - 1)

TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"


@dataclass(frozen=True)
class StorageFormat:
    """How a table of these files is read: Hive input/output formats and SerDe."""

    input_format: str
    output_format: str
    serde: str
    serde_parameters: tuple[tuple[str, str], ...] = ()


PARQUET = StorageFormat(
    "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    (("serialization.format", "1"),),
)
ORC = StorageFormat(
    "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
    "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
    "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
    (("serialization.format", "1"),),
)


@dataclass(frozen=True)
class FileSchema:
    """What a classifier found in one file."""

    classification: str
    columns: tuple[tuple[str, str], ...]
    storage: StorageFormat
    compression: str = "none"
    records: int = 0
    parameters: tuple[tuple[str, str], ...] = ()
    """Table parameters the classification adds (CSV: delimiter, header line count, quoting)."""

    @property
    def compatibility(self) -> tuple[str, str, str, str, tuple[tuple[str, str], ...]]:
        """Files of one table share format, compression, SerDe and (CSV) layout; the JSON SerDe's
        `paths` list follows the columns, which similarity judges."""
        return (
            self.classification,
            self.compression,
            self.storage.input_format,
            self.storage.serde,
            self.parameters,
        )


@dataclass
class FileSample:
    """A file's name and the means to read it: `head()` its first bytes, `arrow_schema()` the
    schema and row count of a Parquet or ORC file (from its footer)."""

    name: str
    size: int
    head: Callable[[int], bytes]
    arrow_schema: Callable[[str], tuple[pa.Schema, int]]
    _cache: dict[int, bytes] = field(default_factory=dict)

    def first(self, count: int) -> bytes:
        if count not in self._cache:
            self._cache[count] = self.head(count)
        return self._cache[count]


def classify(sample: FileSample) -> FileSchema | None:
    """The first built-in classifier that recognises the file (certainty 1.0), or None (UNKNOWN)."""
    start = sample.first(4)
    if start.startswith(b"ORC"):
        return _columnar(sample, "orc", ORC)
    if start.startswith(b"PAR1"):
        return _columnar(sample, "parquet", PARQUET)
    compression = "none"
    raw = sample.first(SAMPLE_BYTES)
    if raw.startswith(b"\x1f\x8b"):
        compression, raw = "gzip", _gunzip(raw)
    text = _decode(raw, truncated=sample.size > SAMPLE_BYTES or compression != "none")
    if text is None:
        return None
    return _json(text, compression) or _csv(text, compression)


def _columnar(sample: FileSample, kind: str, storage: StorageFormat) -> FileSchema:
    schema, rows = sample.arrow_schema(kind)
    columns = tuple((f.name.lower(), glue_type(f.type)) for f in schema)
    return FileSchema(kind, columns, storage, records=rows)


def _gunzip(raw: bytes) -> bytes:
    """As much of a gzip stream as the sample holds (a cut stream is fine: we read its start)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflater.decompress(raw, SAMPLE_BYTES)
    except zlib.error:
        return b""


def _decode(raw: bytes, *, truncated: bool) -> str | None:
    if b"\x00" in raw[:4096]:
        return None  # binary: no text classifier applies
    text = raw.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if truncated and "\n" in text:
        text = text[: text.rindex("\n")]  # drop the record the sample cut in two
    return text if text.strip() else None


# JSON -----------------------------------------------------------------------------------------


def _json(text: str, compression: str) -> FileSchema | None:
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    records = _json_records(text)
    if records is None:
        return None
    if isinstance(records, list) and records and isinstance(records[0], list):
        element = _json_merge_all(records[0])
        columns: tuple[tuple[str, str], ...] = (("array", f"array<{element}>"),)
        rows = 1
    else:
        fields: dict[str, str] = {}
        for record in records:
            for name, value in record.items():
                kind = _json_type(value)
                key = name.lower()
                if kind is None:
                    fields.setdefault(key, "")
                else:
                    fields[key] = merge(fields[key], kind) if fields.get(key) else kind
        columns = tuple((name, kind or "string") for name, kind in fields.items())
        rows = len(records)
    paths = ",".join(name for name, _ in columns)
    storage = StorageFormat(
        TEXT_INPUT, TEXT_OUTPUT, "org.openx.data.jsonserde.JsonSerDe", (("paths", paths),)
    )
    return FileSchema("json", columns, storage, compression, rows)


def _json_records(text: str) -> list[Any] | None:
    """Objects one a line; else the whole sample as one document (an object or an array)."""
    records: list[Any] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            records = []
            break
        if not isinstance(value, dict):
            records = []
            break
        records.append(value)
        if len(records) >= SAMPLE_RECORDS:
            break
    if records:
        return records
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return None
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list):
        return [document]
    return None


def _json_type(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int" if _INT32[0] <= value <= _INT32[1] else "bigint"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return f"array<{_json_merge_all(value)}>"
    if isinstance(value, dict):
        fields: dict[str, str] = {}
        for name, item in value.items():
            kind = _json_type(item) or "string"
            fields[name.lower()] = merge(fields[name.lower()], kind) if name.lower() in fields else kind
        return "struct<" + ",".join(f"{k}:{v}" for k, v in fields.items()) + ">"
    return "string"


def _json_merge_all(values: list[Any]) -> str:
    merged = ""
    for value in values:
        kind = _json_type(value)
        if kind is not None:
            merged = _merge_nested(merged, kind) if merged else kind
    return merged or "string"


def _merge_nested(left: str, right: str) -> str:
    """Like `merge`, but two structs merge their fields (objects of one array differ in keys)."""
    if left.startswith("struct<") and right.startswith("struct<"):
        fields = dict(_struct_fields(left))
        for name, kind in _struct_fields(right):
            fields[name] = _merge_nested(fields[name], kind) if name in fields else kind
        return "struct<" + ",".join(f"{k}:{v}" for k, v in fields.items()) + ">"
    return merge(left, right)


def _struct_fields(kind: str) -> list[tuple[str, str]]:
    body, depth, start, fields = kind[len("struct<") : -1], 0, 0, []
    for index, char in enumerate(body + ","):
        if char in "<(":
            depth += 1
        elif char in ">)":
            depth -= 1
        elif char == "," and depth == 0:
            name, _, sub = body[start:index].partition(":")
            fields.append((name, sub))
            start = index + 1
    return fields


# CSV ------------------------------------------------------------------------------------------


def _csv(text: str, compression: str) -> FileSchema | None:
    for delimiter in _DELIMITERS:
        rows, quoted = _split(text, delimiter)
        widths = {len(row) for row in rows}
        if len(rows) >= 2 and len(widths) == 1 and widths.pop() >= 2:
            return _csv_schema(rows, delimiter, quoted, compression)
    return None


def _split(text: str, delimiter: str) -> tuple[list[list[str]], bool]:
    lines = text.splitlines()[: SAMPLE_RECORDS + 1]
    quoted = any('"' in line for line in lines)
    rows = [row for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter) if row]
    return rows, quoted


def _value_type(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if _INT.fullmatch(value):
        return "bigint"
    if _DOUBLE.fullmatch(value):
        return "double"
    if value.lower() in {"true", "false"}:
        return "boolean"
    return "string"


def _column_types(rows: list[list[str]]) -> list[str]:
    types: list[str] = []
    for column in zip(*rows, strict=True):
        merged = ""
        for value in column:
            kind = _value_type(value)
            if kind is not None:
                merged = merge(merged, kind) if merged else kind
        types.append(merged or "string")
    return types


def _is_header(first: list[str], data: list[list[str]]) -> bool:
    if any(_value_type(value) not in {"string", None} for value in first):
        return False
    if any(len(value) >= 150 for value in first[:-1]):
        return False
    if not all(_COLUMN_NAME.fullmatch(value.strip()) for value in first[:-1]) or (
        first[-1].strip() and not _COLUMN_NAME.fullmatch(first[-1].strip())
    ):
        return False
    return any(kind != "string" for kind in _column_types(data))


def _csv_schema(rows: list[list[str]], delimiter: str, quoted: bool, compression: str) -> FileSchema:
    header = _is_header(rows[0], rows[1:])
    data = rows[1:] if header else rows
    types = _column_types(data)
    names = [value.strip().lower() for value in rows[0]] if header else [f"col{i}" for i in range(len(types))]
    names = [name or f"col{i}" for i, name in enumerate(names)]
    if quoted:
        storage = StorageFormat(
            TEXT_INPUT,
            TEXT_OUTPUT,
            "org.apache.hadoop.hive.serde2.OpenCSVSerde",
            (("quoteChar", '"'), ("separatorChar", delimiter)),
        )
    else:
        storage = StorageFormat(
            TEXT_INPUT,
            TEXT_OUTPUT,
            "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
            (("field.delim", delimiter),),
        )
    parameters = [
        ("areColumnsQuoted", "true" if quoted else "false"),
        ("columnsOrdered", "true"),
        ("delimiter", delimiter),
    ]
    if header:
        parameters.append(("skip.header.line.count", "1"))
    return FileSchema(
        "csv", tuple(zip(names, types, strict=True)), storage, compression, len(data), tuple(parameters)
    )
