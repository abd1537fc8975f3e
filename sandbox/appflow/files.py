"""Encoding rows into the files AppFlow writes to S3 (Parquet, CSV, JSON lines) and decoding the
files an S3-sourced flow reads (CSV, JSON lines).

Without `preserveSourceDataTyping` AppFlow writes every value as text (datetimes as
`2025-01-10T08:15:30.000Z`); with it, Parquet columns get the Salesforce field's type.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from sandbox.appflow.salesforce_api import Api, as_text, as_typed
from sandbox.salesforce.schema import FieldSpec
from sandbox.salesforce.values import Value

EXTENSIONS = {"PARQUET": "parquet", "CSV": "csv", "JSON": "json"}


class FileFormatError(ValueError):
    """A source file that cannot be read as the flow's input format."""


def _arrow_type(spec: FieldSpec | None) -> pa.DataType:
    kind = spec.type if spec else "string"
    if kind == "boolean":
        return pa.bool_()
    if kind in {"int", "long"}:
        return pa.int64()
    if kind in {"double", "currency", "percent"}:
        return pa.float64()
    if kind == "date":
        return pa.date32()
    if kind == "datetime":
        return pa.timestamp("ms", tz="UTC")
    return pa.string()


def encode(
    rows: Sequence[dict[str, Value]],
    columns: Sequence[tuple[str, str]],
    fields: dict[str, FieldSpec],
    file_type: str,
    *,
    preserve_types: bool = False,
    api: Api = "REST",
) -> bytes:
    """`rows` (source field -> value) as one file; `columns` are (source field, output column).
    Values are shaped the way the Salesforce API the run read through returns them (`api`)."""
    if file_type == "PARQUET":
        arrays = []
        for source, _ in columns:
            spec = fields.get(source)
            if preserve_types:
                values = [as_typed(row.get(source), spec, api) for row in rows]
                arrays.append(pa.array(values, type=_arrow_type(spec)))
            else:
                arrays.append(pa.array([as_text(row.get(source), api) for row in rows], type=pa.string()))
        table = pa.Table.from_arrays(arrays, names=[name for _, name in columns])
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="snappy")
        return sink.getvalue()
    if file_type == "CSV":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([name for _, name in columns])
        for row in rows:
            writer.writerow(
                ["" if (v := as_text(row.get(source), api)) is None else v for source, _ in columns]
            )
        return text.getvalue().encode()
    lines = [json.dumps({name: _json(row.get(source), api) for source, name in columns}) for row in rows]
    return ("\n".join(lines) + "\n").encode() if lines else b""


def _json(value: object, api: Api) -> object:
    """A value in a JSON-lines file: text for dates and times, native for the rest."""
    if isinstance(value, bool | int | float) or (value is None and api == "REST"):
        return value
    if isinstance(value, dict):
        return value
    return as_text(value, api)


def decode(body: bytes, file_type: str, key: str) -> list[dict[str, Any]]:
    """Records of a CSV (header row; empty cell = null) or JSON-lines file."""
    text = body.decode("utf-8-sig")
    if file_type == "CSV":
        return [
            {name: (value if value != "" else None) for name, value in row.items()}
            for row in csv.DictReader(io.StringIO(text))
        ]
    records: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise FileFormatError(f"{key} line {number} is not JSON") from error
        if not isinstance(record, dict):
            raise FileFormatError(f"{key} line {number} is not a JSON object")
        records.append(record)
    return records
