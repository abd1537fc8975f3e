"""The results table of the data-quality checks: `<quality glue_database>.check_results`.

One Parquet file per audit (one row per check) under
`s3://<curated>/<prefix>/check_results/interval_date=YYYYMMDD/`, the interval's day of the audited
load; the table and the day's partition are registered as the DAGs register their own (awswrangler,
`lakehouse.aws.catalog`), so Spectrum reads it as `<quality external_schema>.check_results`. A
rerun adds its own file: the table is the history of every audit, keyed by run and load.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import awswrangler as wr
import boto3
import pyarrow as pa
import pyarrow.parquet as pq

from lakehouse.aws.catalog import ensure_table, register_partitions
from lakehouse.plan.checks import RESULTS_PARTITION, ResultsTarget
from lakehouse.quality.outcomes import RESULT_COLUMNS

_ARROW = {
    "string": pa.string(),
    "boolean": pa.bool_(),
    "double": pa.float64(),
    "bigint": pa.int64(),
    "timestamp": pa.timestamp("us"),
}


def write_results(
    session: boto3.Session, target: ResultsTarget, *, day: str, file_name: str, rows: Sequence[dict[str, Any]]
) -> tuple[str, bool]:
    """Write the rows as one Parquet file in the day's partition and register both; returns the
    file's URL and whether the table was created by this call."""
    schema = pa.schema([(name, _ARROW[kind]) for name, kind in RESULT_COLUMNS.items()])
    table = pa.Table.from_pylist(
        [{**row, "checked_at": row["checked_at"].replace(tzinfo=None)} for row in rows], schema=schema
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    folder = f"{target.prefix}/{target.table}/{RESULTS_PARTITION}={day}/"
    s3 = session.client("s3", endpoint_url=wr.config.s3_endpoint_url)
    s3.put_object(Bucket=target.bucket, Key=folder + file_name, Body=sink.getvalue())
    change = ensure_table(
        session,
        database=target.glue_database,
        table=target.table,
        location=target.location,
        columns=RESULT_COLUMNS,
        partition_column=RESULTS_PARTITION,
        description="Outcome of every data-quality check of every audited load (docs/quality.md)",
    )
    register_partitions(
        session,
        database=target.glue_database,
        table=target.table,
        partitions={f"s3://{target.bucket}/{folder}": day},
    )
    return f"s3://{target.bucket}/{folder}{file_name}", change.created
