"""What each Spark task runs on its executor: its share of the table, as Arrow batches from Spark
(`DataFrame.mapInArrow`), through the python engine's own type mapping and conversion core into
Parquet parts streamed to S3, named `part-<run id>-<task partition:05d>-<n:05d>.parquet`.

So a part is written exactly as the python engine writes one (same casts, same `prepare`, same
`convert`, same multipart upload); only the split of the rows over parts differs. A task answers
one row per part it committed (name, rows, bytes, schema); the driver replaces the partition only
once every task has answered. A task that fails aborts its open upload (convert does); the parts
it committed are deleted by the driver with the rest of the run's; Spark's retry of a task
rewrites the same keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ..arguments import S3Location, Window
from ..convert import convert
from ..errors import FeedError
from ..s3 import S3Parts, s3_client
from ..schema import prepare
from ..sources.postgres import compact_json

RESULT_SCHEMA = "name string, rows long, bytes long, schema string"
"""The DDL of what a task answers (Spark's mapInArrow output schema)."""


@dataclass(frozen=True)
class WritePlan:
    """Everything a task needs, pickled to the executors with the function."""

    target: S3Location
    run_id: str
    where: str
    timestamp_column: str | None
    window: Window
    rows_per_file: int
    arrow_types: dict[str, pa.DataType]
    json_columns: frozenset[str]


def fit_types(batch: pa.RecordBatch, plan: WritePlan) -> pa.RecordBatch:
    """Spark's Arrow batch in the python engine's types: casts to the catalog's types, compact JSON."""
    arrays = []
    for index, item in enumerate(batch.schema):
        column = batch.column(index)
        if item.name in plan.json_columns:
            column = pa.array(
                [None if v is None else compact_json(v) for v in column.to_pylist()], type=pa.string()
            )
        target = plan.arrow_types.get(item.name)
        if target is not None and column.type != target:
            try:
                column = pc.cast(column, target, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
                raise FeedError(f"{plan.where}: column {item.name!r}: {error}") from None
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def write_partition(plan: WritePlan, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """One task: its batches into parts under the target; yields what it committed."""
    from pyspark import TaskContext

    context = TaskContext.get()
    partition = context.partitionId() if context is not None else 0
    where = f"{plan.where}, spark partition {partition}"
    source = ((where, fit_types(batch, plan)) for batch in batches)
    parts = S3Parts(s3_client(), plan.target, f"{plan.run_id}-{partition:05d}")
    prepared = prepare(source, plan.timestamp_column, plan.window if plan.timestamp_column else None)
    stats = convert(prepared, parts, plan.rows_per_file)  # aborts its open part when it fails
    schema = ", ".join(f"{f.name}:{f.type}" for f in stats.schema) if stats.schema is not None else ""
    if stats.files:
        yield pa.RecordBatch.from_pydict(
            {
                "name": [p.name for p in stats.files],
                "rows": [p.rows for p in stats.files],
                "bytes": [p.bytes for p in stats.files],
                "schema": [schema] * len(stats.files),
            }
        )
