"""The spark engine's driver: a database table read by Spark's JDBC source across the executors
and landed by them (writer.py), then the partition replaced only when every task has committed.

The read is split as the arguments say: `--partition_column`/`--lower_bound`/`--upper_bound`/
`--num_partitions` (Spark's options of those names: strides of the range, the first and last
open-ended, so no row is lost) or `--predicates` (one WHERE condition per partition), else one
partition. The window is pushed down (jdbc.py). The session is the one Glue creates for a glueetl
job (`SparkSession.builder.getOrCreate()`), the same call that gets a local one in the sandbox and
the tests: this engine is plain pyspark, no awsglue.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..arguments import S3Location, Window
from ..errors import FeedError
from ..redaction import read_secret, redact
from ..s3 import list_keys, replace_partition
from .jdbc import JdbcSource, arrow_types_from_catalog, jdbc_source
from .writer import RESULT_SCHEMA, WritePlan, write_partition

ARROW_BATCH_ROWS = 65_536
"""Rows per Arrow batch Spark hands a task (spark.sql.execution.arrow.maxRecordsPerBatch)."""


def spark_session() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise FeedError(
            "--engine spark needs pyspark: run the job as a Glue Spark job (glueetl), which provides it"
        ) from None
    session = SparkSession.builder.getOrCreate()
    session.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH_ROWS))
    return session


def _reader(spark: Any, source: JdbcSource, args: argparse.Namespace) -> Any:
    reader = spark.read.format("jdbc").option("url", source.url).option("dbtable", source.dbtable)
    reader = reader.option("fetchsize", str(args.fetch_size)).option("preferTimestampNTZ", "true")
    if source.custom_schema:
        reader = reader.option("customSchema", source.custom_schema)
    for key, value in source.properties.items():
        reader = reader.option(key, value)
    if args.partition_column:
        reader = (
            reader.option("partitionColumn", args.partition_column)
            .option("lowerBound", args.lower_bound)
            .option("upperBound", args.upper_bound)
            .option("numPartitions", str(args.num_partitions))
        )
    return reader


def _frame(spark: Any, source: JdbcSource, args: argparse.Namespace) -> Any:
    if args.predicates:
        properties = {
            **source.properties,
            "fetchsize": str(args.fetch_size),
            "preferTimestampNTZ": "true",
        }
        if source.custom_schema:
            properties["customSchema"] = source.custom_schema
        return spark.read.jdbc(source.url, source.dbtable, predicates=args.predicates, properties=properties)
    return _reader(spark, source, args).load()


def _catalog_types(spark: Any, source: JdbcSource) -> JdbcSource:
    if source.catalog_sql is None:
        return source
    reader = spark.read.format("jdbc").option("url", source.url).option("query", source.catalog_sql)
    for key, value in source.properties.items():
        reader = reader.option(key, value)
    rows = [(r["name"], int(r["oid"]), int(r["typmod"])) for r in reader.load().collect()]
    if not rows:
        raise FeedError(f"reading {source.where} failed: the table has no columns")
    types, json_columns = arrow_types_from_catalog(rows)
    return JdbcSource(
        url=source.url,
        properties=source.properties,
        dbtable=source.dbtable,
        where=source.where,
        custom_schema=source.custom_schema,
        arrow_types=types,
        json_columns=json_columns,
    )


def spark_error(error: BaseException) -> str:
    """Spark's error (a Py4J Java exception or a task's Python one) as its first meaningful line,
    redacted: the Java class and message, or the task's FeedError."""
    text = redact(str(error))
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("FeedError: ") or "feed_job.errors.FeedError: " in stripped:
            return stripped.split("FeedError: ", 1)[1]
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("\tat ")]
    caused = [line for line in lines if line.startswith("Caused by: ")]
    first = (
        caused[-1].removeprefix("Caused by: ") if caused else (lines[0] if lines else type(error).__name__)
    )
    return first[:600]


def run_spark(args: argparse.Namespace, window: Window, target: S3Location, s3: Any) -> dict[str, Any]:
    """Read, land across the executors, then replace; a failure deletes every part of this run."""
    secret = read_secret(args.source_secret)
    if "url" not in secret:
        raise FeedError(f"secret {args.source_secret!r} has no 'url'")
    source = jdbc_source(
        secret["url"], secret.get("ca_pem"), args.source_table, args.timestamp_column, window
    )
    spark = spark_session()
    own_prefix = f"{target.prefix}part-{args.JOB_RUN_ID}-"
    ok = False
    try:
        try:
            source = _catalog_types(spark, source)
            frame = _frame(spark, source, args)
            plan = WritePlan(
                target=target,
                run_id=args.JOB_RUN_ID,
                where=source.where,
                timestamp_column=args.timestamp_column,
                window=window,
                rows_per_file=args.rows_per_file,
                arrow_types=source.arrow_types,
                json_columns=source.json_columns,
            )
            partitions = frame.rdd.getNumPartitions()
            print(f"spark: reading {source.where} in {partitions} partition(s)", flush=True)
            written = frame.mapInArrow(functools.partial(write_partition, plan), RESULT_SCHEMA).collect()
        except FeedError:
            raise
        except Exception as error:  # noqa: BLE001 - Py4J/Spark raise many types; each becomes one line
            raise FeedError(f"reading {source.where} with spark failed: {spark_error(error)}") from None
        files = sorted((r["name"], int(r["rows"]), int(r["bytes"])) for r in written)
        for name, rows, size in files:
            print(f"wrote {name}: {rows:,} rows, {size:,} bytes", flush=True)
        deleted = replace_partition(s3, target, own_prefix)
        ok = True
    finally:
        if not ok:
            _discard_run(s3, target, own_prefix)
    schema = written[0]["schema"] if written else ""
    return {
        "rows": sum(rows for _, rows, _ in files),
        "files": [name for name, _, _ in files],
        "bytes": sum(size for _, _, size in files),
        "replaced_objects": deleted,
        "columns": schema.split(", ") if schema else [],
        "target": target.url(),
        "engine": "spark",
        "partitions": partitions,
    }


def _discard_run(s3: Any, target: S3Location, own_prefix: str) -> None:
    """Every part any task of this run committed (the driver cannot know those of a failed job)."""
    keys = [k for k in list_keys(s3, target) if k.startswith(own_prefix)]
    for start in range(0, len(keys), 1000):
        chunk = [{"Key": k} for k in keys[start : start + 1000]]
        with contextlib.suppress(ClientError, BotoCoreError):  # already failing: report the cause
            s3.delete_objects(Bucket=target.bucket, Delete={"Objects": chunk, "Quiet": True})
