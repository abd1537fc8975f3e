"""The run: read the source the arguments name, convert, replace the partition; main() is the entry."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


from .arguments import PARTITION_SEGMENT, S3Location, Window, parse_args
from .convert import convert
from .errors import FeedError
from .redaction import excepthook, read_secret, report_failure
from .s3 import S3Parts, discard, list_keys, replace_partition, s3_client
from .schema import prepare
from .sources.api import api_batches
from .sources.database import database_batches
from .sources.files import file_batches, s3_opener


def source_batches(
    args: argparse.Namespace, window: Window, s3: S3Client
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """The source named by the arguments as (where, batch) pairs; nothing is read until iterated."""
    if args.source_kind == "database":
        secret = read_secret(args.source_secret)
        if "url" not in secret:
            raise FeedError(f"secret {args.source_secret!r} has no 'url'")
        return database_batches(
            secret["url"],
            args.source_table,
            args.timestamp_column,
            window,
            args.batch_rows,
            secret.get("ca_pem"),
        )
    if args.source_kind == "api":
        secret = read_secret(args.source_secret)
        if "base_url" not in secret:
            raise FeedError(f"secret {args.source_secret!r} has no 'base_url'")
        return api_batches(
            secret["base_url"],
            secret.get("token"),
            args.source_path,
            args.records_field,
            args.next_field,
            window if args.timestamp_column else None,
            args.batch_rows,
            args.http_attempts,
            args.http_backoff_seconds,
        )
    location = S3Location.parse(args.source_location, "--source_location")
    keys = [
        k
        for k in list_keys(s3, location)
        if not k.endswith("/") and not k.rsplit("/", 1)[-1].startswith(("_", "."))
    ]
    if not keys:
        raise FeedError(f"no files under {location.url()} (an empty drop folder fails the run)")
    return file_batches(
        [(f"s3://{location.bucket}/{k}", s3_opener(s3, location.bucket, k)) for k in keys], args.file_format
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    window = Window.parse(args.window_start, args.window_end)
    target = S3Location.parse(args.target_location, "--target_location")
    segment = target.prefix.rstrip("/").rsplit("/", 1)[-1]
    if not PARTITION_SEGMENT.fullmatch(segment):
        raise FeedError(
            f"bad arguments: --target_location {target.url()} does not end in a <column>=<value>/ partition"
        )
    s3 = s3_client()
    print(
        f"feed_ingest {args.JOB_NAME} run {args.JOB_RUN_ID}: {args.source_kind} -> {target.url()}, "
        f"window [{window.iso(window.start)}, {window.iso(window.end)})",
        flush=True,
    )
    if args.engine == "spark":
        from .spark.engine import run_spark  # pyspark is there only on a Spark job

        return run_spark(args, window, target, s3)
    parts = S3Parts(s3, target, args.JOB_RUN_ID)
    ok = False
    try:
        batches = prepare(source_batches(args, window, s3), args.timestamp_column, window)
        try:
            stats = convert(batches, parts, args.rows_per_file)
        except (pa.ArrowException, OSError) as error:
            raise FeedError(f"converting the {args.source_kind} source to Parquet failed: {error}") from None
        for part in stats.files:
            print(f"wrote {part.name}: {part.rows:,} rows, {part.bytes:,} bytes", flush=True)
        deleted = replace_partition(s3, target, parts.prefix)
        ok = True
    finally:
        if not ok:
            discard(s3, parts)
    return {
        "rows": stats.rows,
        "files": [p.name for p in stats.files],
        "bytes": stats.bytes,
        "replaced_objects": deleted,
        "columns": [f"{f.name}:{f.type}" for f in stats.schema] if stats.schema is not None else [],
        "target": target.url(),
        "engine": "python",
    }


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Glue's stop/timeout: unwind so a failed run's parts are deleted (the finally in run())."""
    raise FeedError("stopped (SIGTERM) before the partition was replaced")


def main(argv: Sequence[str] | None = None) -> int:
    sys.excepthook = excepthook
    with contextlib.suppress(ValueError):  # not the main thread (tests calling main())
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        summary = run(parse_args(argv))
    except FeedError as error:
        _stop_spark()
        sys.stdout.flush()
        report_failure(str(error))
        return 1
    _stop_spark()
    print(json.dumps(summary), flush=True)
    return 0


def _stop_spark() -> None:
    """End a Spark session this run started before the last lines are written, so nothing Spark logs
    while shutting down comes after the summary or the FeedError line."""
    module = sys.modules.get("pyspark.sql")
    if module is not None:
        session = module.SparkSession.getActiveSession()
        if session is not None:
            session.stop()


if __name__ == "__main__":
    sys.exit(main())
