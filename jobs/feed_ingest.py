"""Glue job: stream one on-prem source into Parquet for one data interval and replace its partition.

One self-contained script (standard library, boto3 and pyarrow only; pg8000 for a PostgreSQL
source). Terraform runs it as a Glue 5.0 job (Python 3.11) with the pyarrow and pg8000 versions the
tests use (`--additional-python-modules`), not the older pyarrow Glue bundles. Glue runs it as
`python feed_ingest.py --JOB_NAME <job> --JOB_RUN_ID <run> --key value ...`; arguments it does not
know (Glue adds its own) are ignored.

Contract
--------
Always:
  --source_kind database|api|files
  --window_start, --window_end   ISO 8601 instants (`Z`, an offset, or naive = UTC); start < end.
  --target_location s3://bucket/prefix/.../<partition_col>=<value>/   the interval's partition. Its
                                 last path segment must look like `name=value`: the job deletes
                                 objects under it and refuses to do that to anything else.
  --batch_rows N                 rows per source batch: the database fetch size, the API page
                                 split (default 65,536). Files are read in 4 MiB blocks instead.
  --rows_per_file N              optional: rows per Parquet part before rolling to the next file
                                 (default 1,000,000).
database:
  --source_secret <id>           Secrets Manager secret, JSON {"url": "sqlite:////abs/path.db" or
                                 "postgresql://user:pass@host:port/db[?sslmode=...]", "ca_pem":
                                 "-----BEGIN CERTIFICATE-----..." (optional)}.
                                 PostgreSQL is reached over TLS, libpq's sslmode in the url:
                                   verify-full (the default): TLS, the server's certificate
                                     verified against the CA and its host name checked;
                                   verify-ca: TLS, the certificate verified, not the host name;
                                   require: TLS, the certificate not verified (with ca_pem: its
                                     CA verified, as libpq's require with a root CA file);
                                   prefer: TLS when the server offers it, unverified, else clear;
                                   disable: no TLS (the data crosses the network in clear).
                                 The CA is the system trust store, or exactly the certificates in
                                 ca_pem (PEM text, one or more: an internal CA; Glue has no file
                                 to point at). libpq's `allow` (clear first, TLS only if the server
                                 insists) is refused: pg8000 makes one attempt, and `disable` or
                                 `prefer` say what is meant. Any other sslmode fails naming the
                                 allowed ones; a server without TLS under require/verify-* fails
                                 saying so; a certificate that cannot be verified fails naming
                                 ca_pem. Other url query parameters are ignored.
  --source_table [schema.]table  validated as SQL identifiers ([A-Za-z_][A-Za-z0-9_]*), quoted.
  --timestamp_column col         optional: only rows with window_start <= col < window_end, as
                                 bound parameters. SQLite: the column holds ISO 8601 text (any
                                 SQLite date-time format; naive = UTC), compared at millisecond
                                 precision through strftime(). PostgreSQL: compared by the server
                                 in the column's type, the bounds sent as UTC instants (so a
                                 timestamp without time zone is taken as UTC, whatever the
                                 server's TimeZone).
                                 Read with fetchmany(batch_rows) (sqlite3, read-only), or for
                                 PostgreSQL a server-side `DECLARE ... CURSOR` + `FETCH FORWARD`
                                 through pg8000 (an error says so when pg8000 is not installed);
                                 types from the column types, numeric(p, s) as decimal(p, s),
                                 uuid as string (canonical text), json and jsonb as string (the
                                 JSON text, compact: no spaces after `,` and `:`, non-ASCII kept).
api:
  --source_secret <id>           JSON {"base_url": "https://host/api", "token": "..." (optional,
                                 sent as `Authorization: Bearer`)}.
  --source_path /v1/things       appended to base_url.
  --records_field records        the list of records in each page (default `records`).
  --next_field next              the next page's URL, absolute or relative (default `next`); null
                                 or absent ends. A next page on another origin is refused (the
                                 token would follow it); a repeated URL is refused (a loop).
  --timestamp_column col         optional: the first request gets `since`/`until` = the window
                                 (ISO 8601, Z); next links are followed as given. Rows outside the
                                 window, or with no timestamp, are dropped client-side too.
  --http_attempts 4, --http_backoff_seconds 1.0   optional: attempts per request on HTTP 5xx/429,
                                 timeouts and connection errors (backoff doubles each time); any
                                 other 4xx fails at once with its status. Timeout 60 s a request.
files:
  --source_location s3://bucket/prefix/   every object under it, sorted by key; keys ending in `/`
                                 and names starting with `_` or `.` (markers) are skipped; `.gz`
                                 objects are gunzipped. No object at all fails: "no files under
                                 ..." (an empty drop folder is more likely a missed delivery than
                                 an empty day; a day without data should deliver a header-only
                                 file, which lands an empty partition).
  --file_format csv|jsonl        CSV with a header row, or JSON lines; streamed from S3, never
                                 read whole: cut into 4 MiB blocks at line
                                 ends, parsed (pyarrow.csv.read_csv / pyarrow.json.read_json) on
                                 one thread per CPU with at most two blocks per thread in flight,
                                 and kept in order. A CSV value cannot span lines (pyarrow's
                                 default newlines_in_values=False).
  --timestamp_column col         optional: rows outside the window (or with no timestamp) dropped.

Output: Parquet (snappy) parts `part-<JOB_RUN_ID>-<nnnnn>.parquet` under the target, row groups of
up to 1,048,576 rows or 64 MiB of Arrow data (whichever comes first), each
streamed to S3 as a multipart upload while it is written. Only when every part is uploaded are the
other objects under the target deleted, so a failed run leaves the previous partition as it was
(its own parts are deleted) and a rerun replaces it. A zero-row interval writes no part and still
deletes the old ones: the partition is empty, not stale. The last stdout line is a JSON summary.

Types: the first batch fixes the schema (column names and types; a column with only nulls in it is
typed string). Later batches are cast to it (safe casts: int64 into double passes, 1.5 into
int64 does not); a missing column is null; a column that appears later, or a value that does not
fit its column's type, fails with a message naming the column. Timestamps are written as
timestamp[us] (UTC-adjusted timestamp[us, UTC] when the source carries a zone); the
--timestamp_column is always timestamp[us, UTC] (text is parsed as ISO 8601, naive = UTC).

Errors: exit code 1 and the last stderr line is one line `FeedError: <what failed, where>`, which
Glue shows as the run's ErrorMessage. Secret values never reach stdout/stderr: messages are
redacted (secret values and URL credentials become `***`), also in tracebacks of unexpected errors.

The conversion core, `convert(batches, sink_factory, rows_per_file)`, and the file readers are
importable (bench/ingest.py measures them on local files).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import io
import json
import os
import queue
import re
import signal
import sqlite3
import ssl
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import boto3
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_T = TypeVar("_T")
UTC = timezone.utc  # noqa: UP017 - kept runnable on older Glue runtimes too
DEFAULT_BATCH_ROWS = 65_536
DEFAULT_ROWS_PER_FILE = 1_000_000
FILE_BLOCK_BYTES = 4 << 20
"""Bytes per block of a CSV/JSON-lines file: one block is one source batch."""
BLOCKS_PER_WORKER = 2
"""Blocks read and parsed ahead per parsing thread: bounds memory to a few blocks."""
S3_PART_BYTES = 16 << 20
"""Multipart part size for uploads (S3's minimum is 5 MiB): the upload buffer's bound."""
S3_READ_BUFFER = 1 << 20
HTTP_TIMEOUT_SECONDS = 60.0
ROW_GROUP_ROWS = 1 << 20
ROW_GROUP_BYTES = 64 << 20
"""A row group is flushed at either bound: large groups encode faster (bench/results/ingest.md) and read
better in Spectrum, and the byte bound keeps a wide table's buffered group bounded too."""
PREFETCH_GROUPS = 1
"""Row groups gathered ahead on a thread while the previous one is encoded: bounded, so memory is."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARTITION_SEGMENT = re.compile(r"[^/=]+=[^/=]+")
_URL_CREDENTIALS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")
_CSV_COLUMN = re.compile(r"In CSV column #(\d+)")
EVENT_TIME_TYPE = pa.timestamp("us", tz="UTC")


class FeedError(Exception):
    """A failure the job reports as one line: what failed and where (never a secret)."""


# --- secrets and redaction ---------------------------------------------------------------------

_SECRET_VALUES: set[str] = set()
_LOCATION_KEYS = frozenset({"url", "base_url"})
"""Secret keys naming where a source is: shown in messages, minus any credentials in them."""


def remember_secret(value: str) -> None:
    """Every string read from a secret (and any password parsed out of one) is redacted on output."""
    if len(value) >= 3:
        _SECRET_VALUES.add(value)


def redact(text: str) -> str:
    """The text with remembered secret values and any `scheme://user:pass@` credentials masked."""
    for value in sorted(_SECRET_VALUES, key=len, reverse=True):
        text = text.replace(value, "***")
    return _URL_CREDENTIALS.sub(r"\1***@", text)


def one_line(text: str, limit: int = 1500) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def report_failure(message: str) -> None:
    print(f"FeedError: {one_line(redact(message))}", file=sys.stderr, flush=True)


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """Unexpected errors (bugs) too end with one redacted `FeedError:` line, after their traceback."""
    text = "".join(traceback.format_exception(kind, error, tb))
    sys.stderr.write(redact(text))
    report_failure(f"unexpected {kind.__name__}: {error}")


def read_secret(secret_id: str) -> dict[str, str]:
    """The secret's JSON object; every string value in it is remembered for redaction first."""
    try:
        answer = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise FeedError(f"cannot read secret {secret_id!r}: {code}") from None
    except BotoCoreError as error:
        raise FeedError(f"cannot read secret {secret_id!r}: {type(error).__name__}") from None
    raw = answer.get("SecretString")
    if raw is None:
        raise FeedError(f"secret {secret_id!r} has no SecretString (binary secrets are not supported)")
    remember_secret(raw)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise FeedError(f"secret {secret_id!r} is not a JSON object") from None
    if not isinstance(data, dict):
        raise FeedError(f"secret {secret_id!r} is not a JSON object")
    values = {str(k): v for k, v in data.items() if isinstance(v, str)}
    for key, value in values.items():
        if key in _LOCATION_KEYS:  # where the source is helps a reader of errors; its credentials do not
            password = urllib.parse.urlsplit(value).password
            if password:
                remember_secret(password)
                remember_secret(urllib.parse.unquote(password))
        else:
            remember_secret(value)
    return values


# --- arguments and window ----------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line as a FeedError instead of exiting with usage."""

    def error(self, message: str) -> Any:  # argparse's signature returns NoReturn
        raise FeedError(f"bad arguments: {message}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = _Parser(prog="feed_ingest", allow_abbrev=False, add_help=False)
    parser.add_argument("--JOB_NAME", default="feed_ingest")
    parser.add_argument("--JOB_RUN_ID", default="local")
    parser.add_argument("--source_kind", required=True, choices=["database", "api", "files"])
    parser.add_argument("--source_secret")
    parser.add_argument("--source_table")
    parser.add_argument("--timestamp_column")
    parser.add_argument("--source_path", default="")
    parser.add_argument("--records_field", default="records")
    parser.add_argument("--next_field", default="next")
    parser.add_argument("--source_location")
    parser.add_argument("--file_format", choices=["csv", "jsonl"])
    parser.add_argument("--window_start", required=True)
    parser.add_argument("--window_end", required=True)
    parser.add_argument("--target_location", required=True)
    parser.add_argument("--batch_rows", type=int, default=DEFAULT_BATCH_ROWS)
    parser.add_argument("--rows_per_file", type=int, default=DEFAULT_ROWS_PER_FILE)
    parser.add_argument("--http_attempts", type=int, default=4)
    parser.add_argument("--http_backoff_seconds", type=float, default=1.0)
    args, _unknown = parser.parse_known_args(argv)
    if args.batch_rows < 1 or args.rows_per_file < 1 or args.http_attempts < 1:
        raise FeedError("bad arguments: --batch_rows, --rows_per_file and --http_attempts must be >= 1")
    if not _IDENTIFIER.fullmatch(args.JOB_RUN_ID.replace("-", "_")):
        raise FeedError(f"bad arguments: --JOB_RUN_ID {args.JOB_RUN_ID!r} is not usable in a file name")
    needed = {
        "database": ["source_secret", "source_table"],
        "api": ["source_secret"],
        "files": ["source_location", "file_format"],
    }[args.source_kind]
    missing = [f"--{name}" for name in needed if not getattr(args, name)]
    if missing:
        raise FeedError(f"bad arguments: --source_kind {args.source_kind} needs {', '.join(missing)}")
    return args


@dataclass(frozen=True)
class Window:
    """The data interval, half-open: start <= t < end, both UTC."""

    start: datetime
    end: datetime

    @classmethod
    def parse(cls, start: str, end: str) -> Window:
        window = cls(
            parse_instant(start, "bad arguments: --window_start"),
            parse_instant(end, "bad arguments: --window_end"),
        )
        if window.start >= window.end:
            raise FeedError(f"bad arguments: window_start {start} is not before window_end {end}")
        return window

    def iso(self, instant: datetime) -> str:
        return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def parse_instant(text: str, name: str) -> datetime:
    """ISO 8601 to an aware UTC datetime; `Z` handled here (fromisoformat takes it only from 3.11)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise FeedError(f"{name}: {text!r} is not an ISO 8601 date-time") from None
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # ends with "/" (a folder), or is empty (the bucket)

    @classmethod
    def parse(cls, url: str, what: str) -> S3Location:
        if not url.startswith("s3://"):
            raise FeedError(f"bad arguments: {what} {url!r} is not an s3:// URL")
        bucket, _, key = url[len("s3://") :].partition("/")
        if not bucket:
            raise FeedError(f"bad arguments: {what} {url!r} has no bucket")
        prefix = key if not key or key.endswith("/") else key + "/"
        return cls(bucket, prefix)

    def url(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{key or self.prefix}"


def s3_client() -> S3Client:
    """boto3's default chain: the job's role on Glue, AWS_ENDPOINT_URL and test keys in the sandbox."""
    return boto3.client("s3")


def _s3_error(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "error"))
    return type(error).__name__


def list_keys(s3: S3Client, location: S3Location) -> list[str]:
    """Every key under the location, sorted (ListObjectsV2 pages, so any number of objects)."""
    keys: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=location.prefix
        ):
            keys += [item["Key"] for item in page.get("Contents", [])]
    except (ClientError, BotoCoreError) as error:
        raise FeedError(f"cannot list {location.url()}: {_s3_error(error)}") from None
    return sorted(keys)


# --- batches: types, schema, window ------------------------------------------------------------


def _to_event_time(name: str, column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The timestamp column as timestamp[us, UTC]: text parsed as ISO 8601, naive values taken as UTC."""
    kind = column.type
    try:
        if pa.types.is_timestamp(kind):
            return pc.cast(column, EVENT_TIME_TYPE, safe=kind.unit != "ns")
        if pa.types.is_null(kind):
            return pa.nulls(len(column), EVENT_TIME_TYPE)
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            try:
                return pc.cast(column, EVENT_TIME_TYPE)  # all with Z or an offset: Arrow's fast path
            except pa.ArrowInvalid:
                pass
            try:
                naive = pc.cast(column, pa.timestamp("us"))  # all "2025-01-13 10:00:00": UTC by contract
                return pc.cast(naive, EVENT_TIME_TYPE)
            except pa.ArrowInvalid:
                pass
            # mixed forms in one batch (a SQLite column may hold both): value by value
            values = [
                None if v is None else parse_instant(v, f"timestamp column {name!r}")
                for v in column.to_pylist()
            ]
            return pa.array(values, type=EVENT_TIME_TYPE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise FeedError(f"timestamp column {name!r}: {error}") from None
    raise FeedError(f"timestamp column {name!r} is {kind}, not a timestamp or ISO 8601 text")


def normalize(batch: pa.RecordBatch, timestamp_column: str | None) -> pa.RecordBatch:
    """Every timestamp as microseconds (UTC when zoned); the event-time column as timestamp[us, UTC]."""
    arrays: list[pa.Array] = []
    changed = False
    for index, item in enumerate(batch.schema):
        column = batch.column(index)
        if item.name == timestamp_column:
            new = _to_event_time(item.name, column)
        elif pa.types.is_timestamp(item.type) and (
            item.type.unit != "us" or item.type.tz not in (None, "UTC")
        ):
            target = pa.timestamp("us", tz="UTC" if item.type.tz else None)
            new = pc.cast(column, target, safe=item.type.unit != "ns")  # ns -> us truncates sub-us
        else:
            new = column
        changed = changed or new is not column
        arrays.append(new)
    if not changed:
        return batch
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


class SchemaGuard:
    """Fixes the schema from the first batch and makes every later batch fit it, or says which column not."""

    def __init__(self) -> None:
        self.schema: pa.Schema | None = None
        self.rows = 0

    def fit(self, batch: pa.RecordBatch, where: str) -> pa.RecordBatch:
        names = batch.schema.names
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise FeedError(f"{where}: duplicate column names {duplicates}")
        if self.schema is None:
            self.schema = pa.schema(
                [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in batch.schema]
            )
        schema = self.schema
        new = [n for n in names if schema.get_field_index(n) < 0]
        if new:
            raise FeedError(
                f"{where}: column {new[0]!r} is not in the schema fixed by the first batch "
                f"({', '.join(schema.names)}); a column may not appear after the first batch"
            )
        arrays = []
        for target in schema:
            index = batch.schema.get_field_index(target.name)
            if index < 0:
                arrays.append(pa.nulls(batch.num_rows, target.type))
                continue
            column = batch.column(index)
            if column.type != target.type:
                try:
                    column = pc.cast(column, target.type, safe=True)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
                    raise FeedError(
                        f"{where}: column {target.name!r} has {column.type} values that do not fit its "
                        f"type {target.type} (fixed by the first batch): {error}"
                    ) from None
            arrays.append(column)
        self.rows += batch.num_rows
        return pa.RecordBatch.from_arrays(arrays, schema=schema)


def in_window(batch: pa.RecordBatch, column: str, window: Window) -> pa.RecordBatch:
    """Only the rows with start <= column < end (rows without a timestamp are dropped)."""
    index = batch.schema.get_field_index(column)
    if index < 0:
        raise FeedError(f"timestamp column {column!r} is not in the source's columns {batch.schema.names}")
    values = batch.column(index)
    start = pa.scalar(window.start, type=EVENT_TIME_TYPE)
    end = pa.scalar(window.end, type=EVENT_TIME_TYPE)
    mask = pc.and_(pc.greater_equal(values, start), pc.less(values, end))
    return batch.filter(mask)


def prepare(
    batches: Iterable[tuple[str, pa.RecordBatch]],
    timestamp_column: str | None = None,
    window: Window | None = None,
) -> Iterator[pa.RecordBatch]:
    """Source batches (each with where it came from) normalized, windowed and fitted to one schema."""
    guard = SchemaGuard()
    iterator = iter(batches)
    try:
        for where, raw in iterator:
            batch = normalize(raw, timestamp_column)
            if window is not None and timestamp_column:
                batch = in_window(batch, timestamp_column, window)
            if batch.num_rows:  # an empty batch has nothing to write and may not know the types yet
                yield guard.fit(batch, where)
    finally:  # close the source here, on this thread, even when a batch did not fit
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


# --- the conversion core -----------------------------------------------------------------------


class PartSink(Protocol):
    """One Parquet part's destination: what the writer writes to, then commit() or abort()."""

    @property
    def name(self) -> str: ...

    def open(self) -> Any:
        """A pyarrow NativeFile or a binary file object for pq.ParquetWriter."""

    def commit(self) -> int:
        """Make the part durable (close the file, complete the upload); returns its size in bytes."""

    def abort(self) -> None:
        """Discard whatever was written (the run failed)."""


SinkFactory = Callable[[int], PartSink]


@dataclass
class PartStats:
    name: str
    rows: int
    bytes: int


@dataclass
class ConvertStats:
    rows: int = 0
    batches: int = 0
    files: list[PartStats] = field(default_factory=list)
    schema: pa.Schema | None = None

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)


class _PartWriter:
    """Row groups into Parquet parts: a new part from the sink factory after each part's last group."""

    def __init__(self, sink_factory: SinkFactory, compression: str) -> None:
        self._factory = sink_factory
        self._compression = compression
        self._sink: PartSink | None = None
        self._writer: pq.ParquetWriter | None = None
        self._file_rows = 0
        self.stats = ConvertStats()

    def write(self, table: pa.Table, ends_part: bool) -> None:
        if self._writer is None:
            if self.stats.schema is None:
                self.stats.schema = table.schema
            self._sink = self._factory(len(self.stats.files))
            self._writer = pq.ParquetWriter(
                self._sink.open(), table.schema, compression=self._compression, write_statistics=True
            )
            self._file_rows = 0
        self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self._file_rows += table.num_rows
        if ends_part:
            self._close_part()

    def finish(self) -> ConvertStats:
        if self._writer is not None:
            self._close_part()
        return self.stats

    def abort(self) -> None:
        writer, sink = self._writer, self._sink
        self._writer = self._sink = None
        if writer is not None:
            with contextlib.suppress(pa.ArrowException, OSError, FeedError):  # already failing
                writer.close()
        if sink is not None:
            sink.abort()

    def _close_part(self) -> None:
        assert self._writer is not None
        assert self._sink is not None
        self._writer.close()
        self._writer = None
        sink, self._sink = self._sink, None
        size = sink.commit()
        self.stats.files.append(PartStats(sink.name, self._file_rows, size))
        self.stats.rows += self._file_rows
        self._file_rows = 0


def row_groups(
    batches: Iterable[pa.RecordBatch], rows_per_file: int, group_rows: int, group_bytes: int
) -> Generator[tuple[pa.Table, bool], None, None]:
    """The batches regrouped into row groups (`group_rows` rows or `group_bytes` of Arrow data,
    whichever comes first), each with whether it ends its part (`rows_per_file` rows a part)."""
    pending: list[pa.RecordBatch] = []
    rows = size = file_rows = 0
    for batch in batches:
        offset = 0
        while offset < batch.num_rows:
            piece = batch.slice(offset, rows_per_file - file_rows)
            offset += piece.num_rows
            pending.append(piece)
            rows += piece.num_rows
            size += piece.nbytes
            file_rows += piece.num_rows
            ends_part = file_rows >= rows_per_file
            if ends_part or rows >= group_rows or size >= group_bytes:
                yield pa.Table.from_batches(pending), ends_part
                pending, rows, size = [], 0, 0
                file_rows = 0 if ends_part else file_rows
    if pending:
        yield pa.Table.from_batches(pending), True


_DONE = object()


def _read_ahead(items: Iterable[_T], depth: int) -> Generator[_T, None, None]:
    """The items, produced on a thread up to `depth` ahead of the consumer.

    Reading (Arrow's parsers, a DB cursor, HTTP) and Parquet encoding then overlap; both release
    the GIL in Arrow's C++ code. The source iterator is created, used and closed on the producer
    thread only (sqlite3 connections belong to one thread). Memory stays bounded by `depth`.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        iterator = iter(items)
        try:
            for batch in iterator:
                while not stop.is_set():
                    try:
                        slots.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which re-raises it
            slots.put(error)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="feed-ingest-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]  # anything else is an item of the source
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                slots.get_nowait()
        thread.join(timeout=10)


def convert(
    batches: Iterable[pa.RecordBatch],
    sink_factory: SinkFactory,
    rows_per_file: int = DEFAULT_ROWS_PER_FILE,
    *,
    row_group_rows: int = ROW_GROUP_ROWS,
    row_group_bytes: int = ROW_GROUP_BYTES,
    compression: str = "snappy",
    prefetch: int = PREFETCH_GROUPS,
) -> ConvertStats:
    """Write the batches as Parquet parts from `sink_factory(n)`, rolling every `rows_per_file` rows.

    Batches must share one schema (`prepare` makes them). Reading and grouping run on a thread
    `prefetch` row groups ahead of the encoding (0: no thread), so the two overlap. Memory holds
    the group being encoded, `prefetch` groups queued, the group being gathered and what the sink
    buffers: bounded by `row_group_rows` / `row_group_bytes`, whatever the input's size. On any
    failure the open part is aborted and the error propagates; committed parts stay (the caller
    owns them).
    """
    if min(rows_per_file, row_group_rows, row_group_bytes) < 1:
        raise ValueError("rows_per_file, row_group_rows and row_group_bytes must be >= 1")
    writer = _PartWriter(sink_factory, compression)
    groups = row_groups(batches, rows_per_file, row_group_rows, row_group_bytes)
    source = _read_ahead(groups, prefetch) if prefetch > 0 else groups
    ok = False
    try:
        for table, ends_part in source:
            writer.write(table, ends_part)
        stats = writer.finish()
        ok = True
        return stats
    finally:
        if not ok:
            writer.abort()
        source.close()


class LocalPart:
    """A part written to a local file (the benchmark, tests)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._file: pa.NativeFile | None = None

    @property
    def name(self) -> str:
        return self._path

    def open(self) -> Any:
        self._file = pa.OSFile(self._path, "wb")
        return self._file

    def commit(self) -> int:
        assert self._file is not None
        size = int(self._file.tell())
        self._file.close()
        return size

    def abort(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._path)


class S3Part:
    """A part streamed to S3: multipart upload of `part_bytes` parts as the writer fills them.

    A part smaller than one upload part is a single PutObject on commit. Memory: one part buffer.
    """

    def __init__(self, s3: S3Client, bucket: str, key: str, part_bytes: int = S3_PART_BYTES) -> None:
        self._s3 = s3
        self.bucket = bucket
        self.key = key
        self._part_bytes = part_bytes
        self._buffer = bytearray()
        self._size = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self.closed = False

    @property
    def name(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    # the binary file protocol pyarrow.PythonFile uses
    def open(self) -> Any:
        return pa.PythonFile(self, mode="w")

    def write(self, data: bytes) -> int:
        self._buffer += data
        self._size += len(data)
        if len(self._buffer) >= self._part_bytes:
            self._upload_part()
        return len(data)

    def tell(self) -> int:
        return self._size

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        """Parts go up when full, not on flush: S3 parts must be >= 5 MiB except the last."""

    def close(self) -> None:
        """pyarrow closes the file it was given; the upload ends in commit() or abort()."""
        self.closed = True

    def _upload_part(self) -> None:
        try:
            if self._upload_id is None:
                created = self._s3.create_multipart_upload(Bucket=self.bucket, Key=self.key)
                self._upload_id = created["UploadId"]
            number = len(self._parts) + 1
            answer = self._s3.upload_part(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=bytes(self._buffer),
            )
        except (ClientError, BotoCoreError) as error:
            raise FeedError(f"upload of {self.name} failed: {_s3_error(error)}") from None
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        self._buffer = bytearray()

    def commit(self) -> int:
        try:
            if self._upload_id is None:
                self._s3.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self._buffer))
            else:
                if self._buffer:
                    self._upload_part()
                self._s3.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=self.key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts},  # type: ignore[typeddict-item]
                )
        except (ClientError, BotoCoreError) as error:
            raise FeedError(f"upload of {self.name} failed: {_s3_error(error)}") from None
        self._buffer = bytearray()
        return self._size

    def abort(self) -> None:
        self._buffer = bytearray()
        if self._upload_id is not None:
            with contextlib.suppress(ClientError, BotoCoreError):  # S3 expires it by lifecycle anyway
                self._s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id)
            self._upload_id = None


class S3Parts:
    """Sink factory for the target partition; remembers the parts it committed (to undo a failed run)."""

    def __init__(self, s3: S3Client, target: S3Location, run_id: str) -> None:
        self._s3 = s3
        self._target = target
        self.prefix = f"{target.prefix}part-{run_id}-"
        self.opened: list[S3Part] = []

    def __call__(self, index: int) -> PartSink:
        part = S3Part(self._s3, self._target.bucket, f"{self.prefix}{index:05d}.parquet")
        self.opened.append(part)
        return part


# --- sources -----------------------------------------------------------------------------------


def _batch_from_columns(names: Sequence[str], columns: Sequence[Sequence[Any]], where: str) -> pa.RecordBatch:
    """Python values column by column to Arrow (types inferred per batch; the guard unifies)."""
    arrays = []
    for name, values in zip(names, columns, strict=True):
        try:
            arrays.append(pa.array(values, from_pandas=False))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as error:
            raise FeedError(f"{where}: column {name!r} holds values of mixed types: {error}") from None
    return pa.RecordBatch.from_arrays(arrays, names=list(names))


def quote_table(name: str) -> str:
    """`schema.table` as quoted SQL identifiers, after checking each part is a plain identifier."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 2 or not all(_IDENTIFIER.fullmatch(p) for p in parts):
        raise FeedError(f"bad arguments: --source_table {name!r} is not [schema.]table of plain identifiers")
    return ".".join(f'"{p}"' for p in parts)


def quote_column(name: str) -> str:
    if not _IDENTIFIER.fullmatch(name):
        raise FeedError(f"bad arguments: --timestamp_column {name!r} is not a plain identifier")
    return f'"{name}"'


def database_batches(
    url: str,
    table: str,
    timestamp_column: str | None,
    window: Window,
    batch_rows: int,
    ca_pem: str | None = None,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """The table's rows (within the window) in batches of `batch_rows`, read with a DB-API cursor.
    `ca_pem` (PostgreSQL): the CA certificates, PEM text, that verify the server's TLS certificate
    instead of the system trust store."""
    relation = quote_table(table)
    column = quote_column(timestamp_column) if timestamp_column else None
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        yield from _sqlite_batches(url, table, relation, column, window, batch_rows)
    elif scheme in {"postgresql", "postgres"}:
        yield from _postgres_batches(url, table, relation, column, window, batch_rows, ca_pem)
    else:
        raise FeedError(f"database url scheme {scheme!r} is not supported (sqlite, postgresql)")


def _sqlite_batches(
    url: str, table: str, relation: str, column: str | None, window: Window, batch_rows: int
) -> Iterator[tuple[str, pa.RecordBatch]]:
    if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
        raise FeedError("database url must be sqlite:////absolute/path.db")
    path = url[len("sqlite:///") :]
    sql = f"SELECT * FROM {relation}"  # noqa: S608 - identifiers validated and quoted
    params: tuple[str, ...] = ()
    if column:
        # strftime normalises every SQLite date-time text form (T or space, Z or offset) to UTC ms
        instant = f"strftime('%Y-%m-%d %H:%M:%f', {column})"
        sql += f" WHERE {instant} >= ? AND {instant} < ?"
        params = tuple(t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] for t in (window.start, window.end))
    where = f"sqlite table {table}"
    try:
        # one thread uses it at a time, but a generator may be closed from another (interpreter exit)
        connection = sqlite3.connect(
            f"file:{urllib.parse.quote(path)}?mode=ro", uri=True, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise FeedError(f"cannot open the sqlite database of the secret: {error}") from None
    try:
        cursor = connection.execute(sql, params)
        names = [d[0] for d in cursor.description]
        number = 0
        while rows := cursor.fetchmany(batch_rows):
            number += 1
            yield f"{where}, batch {number}", _batch_from_columns(names, list(zip(*rows, strict=True)), where)
    except sqlite3.Error as error:
        raise FeedError(f"reading {where} failed: {error}") from None
    finally:
        connection.close()


_PG_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    700: pa.float32(),
    701: pa.float64(),
    25: pa.string(),
    1043: pa.string(),
    1042: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    1700: pa.decimal128(38, 18),
    2950: pa.string(),  # uuid: the server's text, canonical (lowercase, hyphenated)
    114: pa.string(),  # json and jsonb: compact JSON text (`_compact_json`)
    3802: pa.string(),
}
"""PostgreSQL type OIDs to Arrow: declared types keep the schema stable even for an all-null batch.
numeric(p, s) is decimal(p, s) (`_pg_numeric`); numeric without a precision (or beyond 38 digits)
decimal128(38, 18), Spark's default too: a value that does not fit fails naming its column."""


def _compact_json(text: str) -> str:
    """JSON text as `json.dumps(..., separators=(",", ":"), ensure_ascii=False)` writes it: one form
    whatever the server's (jsonb's `{"a": 1}` or json's text as it was stored)."""
    return json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)


_PG_TEXT_IN: dict[int, Callable[[str], str]] = {2950: str, 114: _compact_json, 3802: _compact_json}
"""pg8000 input adapters for the string-typed OIDs pg8000 would turn into Python objects (UUID, parsed
JSON): the connection hands these columns' values over as text, so only they pay for a conversion."""
PG_SSLMODES = ("disable", "prefer", "require", "verify-ca", "verify-full")
PG_DEFAULT_SSLMODE = "verify-full"


def pg_sslmode(url: str) -> str:
    """The url's `sslmode` query parameter (the last one if repeated), verify-full when absent."""
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True).get("sslmode")
    mode = values[-1] if values else PG_DEFAULT_SSLMODE
    if mode not in PG_SSLMODES:
        raise FeedError(
            f"the secret's postgresql url has sslmode={mode!r}: allowed are {', '.join(PG_SSLMODES)}"
            f" ({PG_DEFAULT_SSLMODE} when absent; libpq's `allow` is not supported)"
        )
    return mode


def pg_ssl_context(sslmode: str, ca_pem: str | None) -> ssl.SSLContext | bool | None:
    """pg8000's `ssl_context` for a libpq sslmode: False = no TLS; None = pg8000's own attempt (TLS
    when the server offers it, unverified: `prefer`); else a context. `ca_pem` (PEM text) replaces the
    system trust store; with it `require` verifies the chain as libpq's require with a root CA does."""
    if sslmode == "disable":
        return False
    if sslmode == "prefer":
        return None
    try:
        context = ssl.create_default_context(cadata=ca_pem) if ca_pem else ssl.create_default_context()
    except ssl.SSLError as error:
        raise FeedError(
            f"the secret's ca_pem holds no usable PEM certificate (-----BEGIN CERTIFICATE----- ...): {error}"
        ) from None
    if sslmode != "verify-full":
        context.check_hostname = False
    if sslmode == "require" and not ca_pem:
        context.verify_mode = ssl.CERT_NONE
    return context


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and the errors it was raised from or during (a driver may wrap the ssl error)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_X509_NAME_MISMATCH = frozenset({62, 64})
"""OpenSSL verify codes: the host name (62) or IP address (64) is not the certificate's."""
_X509_UNKNOWN_ISSUER = frozenset({2, 18, 19, 20})
"""OpenSSL verify codes: issuer not found (2, 20), self-signed (18), self-signed in the chain (19)."""


def _certificate_hint(error: ssl.SSLCertVerificationError, reason: str, ca_pem: bool) -> str:
    if error.verify_code in _X509_NAME_MISMATCH or reason.startswith(
        ("Hostname mismatch", "IP address mismatch")
    ):
        return (
            "connect with an address or host name the certificate holds, or use sslmode=verify-ca to verify"
            " the CA only"
        )
    if error.verify_code in _X509_UNKNOWN_ISSUER:
        if ca_pem:
            return (
                "the secret's ca_pem does not hold the CA that signed it: put that CA's PEM certificate there"
            )
        return (
            "its CA is not in the system trust store: put the CA certificate (PEM text) into the secret"
            " as ca_pem"
        )
    trusted = "the secret's ca_pem" if ca_pem else "the system trust store (or the secret's ca_pem)"
    return f"the server's certificate must be fixed; it is verified against {trusted}"


def pg_connect_error(error: Exception, sslmode: str, ca_pem: bool) -> str:
    """What a failed pg8000 connect means, TLS failures spelled out, as one line without the password.
    pg8000 raises the ssl module's errors as they are and InterfaceError "Server refuses SSL" when
    the server answers the SSLRequest with N; the chain is searched in case a version wraps them."""
    for cause in _causes(error):
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = str(cause.verify_message or cause).rstrip(".")
            return (
                f"the server's TLS certificate could not be verified (sslmode={sslmode}): {reason}; "
                + _certificate_hint(cause, reason, ca_pem)
            )
        if isinstance(cause, ssl.SSLError):
            return f"the TLS handshake with the server failed (sslmode={sslmode}): {cause}"
        if str(cause) == "Server refuses SSL":
            return (
                f"TLS is required (sslmode={sslmode}) but the server does not offer it: set sslmode=disable"
                " in the secret's url to connect without TLS, or ask the database's administrators for TLS"
            )
    return _pg_error(error)


def _pg_numeric(typmod: int) -> pa.DataType:
    """The Arrow type of a numeric column from its type modifier (-1: no precision given)."""
    precision, scale = (typmod - 4) >> 16, (typmod - 4) & 0xFFFF
    if typmod < 4 or not 0 <= scale <= precision <= 38:
        return _PG_TYPES[1700]
    return pa.decimal128(precision, scale)


def _pg_error(error: Exception) -> str:
    """A pg8000 error as the server's message and SQLSTATE (pg8000 gives the server's fields as a dict)."""
    fields = error.args[0] if error.args else None
    if isinstance(fields, dict) and "M" in fields:
        return f"{fields['M']} (SQLSTATE {fields.get('C', '?')})"
    return str(error)


def _postgres_batches(
    url: str,
    table: str,
    relation: str,
    column: str | None,
    window: Window,
    batch_rows: int,
    ca_pem: str | None,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    ca_pem = (ca_pem or "").strip() or None  # empty: the system trust store
    sslmode = pg_sslmode(url)
    ssl_context = pg_ssl_context(sslmode, ca_pem)
    try:
        pg: Any = importlib.import_module("pg8000.dbapi")
    except ImportError:
        raise FeedError(
            "the source is PostgreSQL but the pg8000 driver is not installed in this job "
            "(Glue: --additional-python-modules pg8000==<version>, as Terraform sets it)"
        ) from None
    parts = urllib.parse.urlsplit(url)
    password = urllib.parse.unquote(parts.password or "")
    remember_secret(password)
    sql = f"SELECT * FROM {relation}"  # noqa: S608 - identifiers validated and quoted
    params: tuple[datetime, ...] = ()
    if column:
        sql += f" WHERE {column} >= %s AND {column} < %s"
        params = (window.start, window.end)
    where = f"postgresql table {table}"
    host, port = parts.hostname or "localhost", parts.port or 5432
    try:
        connection = pg.connect(
            user=urllib.parse.unquote(parts.username or ""),
            password=password,
            host=host,
            port=port,
            database=parts.path.lstrip("/"),
            timeout=HTTP_TIMEOUT_SECONDS,
            ssl_context=ssl_context,
        )
    except (pg.Error, OSError) as error:
        raise FeedError(
            f"cannot connect to the postgresql database of the secret at {host}:{port}:"
            f" {pg_connect_error(error, sslmode, bool(ca_pem))}"
        ) from None
    try:
        for oid, adapter in _PG_TEXT_IN.items():
            connection.register_in_adapter(oid, adapter)
        cursor = connection.cursor()
        # numeric's precision and scale are not in the cursor's description: the catalog has them
        cursor.execute(
            "SELECT attname, atttypmod FROM pg_catalog.pg_attribute WHERE attrelid = %s::regclass"
            " AND atttypid = 1700 AND attnum > 0 AND NOT attisdropped",
            (relation,),
        )
        numeric = {name: _pg_numeric(typmod) for name, typmod in cursor.fetchall()}
        # a named server-side cursor: the server holds the result, we hold one batch at a time
        cursor.execute(f"DECLARE feed_ingest NO SCROLL CURSOR FOR {sql}", params)
        number = 0
        while True:
            cursor.execute(f"FETCH FORWARD {int(batch_rows)} FROM feed_ingest")
            rows = cursor.fetchall()
            names = [d[0] for d in cursor.description]
            if not rows and number > 0:
                break
            number += 1
            columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
            arrays = []
            for i, name in enumerate(names):
                declared = numeric.get(name, _PG_TYPES.get(cursor.description[i][1]))
                try:
                    arrays.append(pa.array(columns[i], type=declared))
                except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as error:
                    raise FeedError(f"{where}: column {name!r}: {error}") from None
            yield f"{where}, batch {number}", pa.RecordBatch.from_arrays(arrays, names=names)
            if not rows:
                break
        connection.rollback()  # read only: end the transaction that held the cursor
    except (pg.Error, OSError) as error:
        raise FeedError(f"reading {where} failed: {_pg_error(error)}") from None
    finally:
        with contextlib.suppress(pg.Error, OSError):
            connection.close()


def api_batches(
    base_url: str,
    token: str | None,
    path: str,
    records_field: str,
    next_field: str,
    window: Window | None,
    batch_rows: int,
    attempts: int = 4,
    backoff_seconds: float = 1.0,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """Pages of JSON records following `next` links; each page split into batches of `batch_rows`."""
    url = urllib.parse.urljoin(base_url.rstrip("/") + "/", path.lstrip("/"))
    if window is not None:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        query += [("since", window.iso(window.start)), ("until", window.iso(window.end))]
        url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    origin = urllib.parse.urlsplit(url)[:2]
    headers = {"Accept": "application/json", "User-Agent": "feed-ingest/1"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    seen: set[str] = set()
    page_number = 0
    while url:
        page_number += 1
        where = f"GET {_safe_url(url)} (page {page_number})"
        if url in seen:
            raise FeedError(f"{where}: the next link repeats a page already read (a loop)")
        seen.add(url)
        body = _get_json(url, headers, where, attempts, backoff_seconds)
        if not isinstance(body, dict):
            raise FeedError(f"{where}: the response is not a JSON object")
        records = body.get(records_field)
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise FeedError(f"{where}: {records_field!r} is not a list of JSON objects")
        for start in range(0, len(records), batch_rows):
            chunk = records[start : start + batch_rows]
            names = list(dict.fromkeys(key for record in chunk for key in record))
            columns = [[record.get(name) for record in chunk] for name in names]
            yield where, _batch_from_columns(names, columns, where)
        link = body.get(next_field)
        if link is None or link == "":
            return
        if not isinstance(link, str):
            raise FeedError(f"{where}: {next_field!r} is not a URL")
        url = urllib.parse.urljoin(url, link)
        if urllib.parse.urlsplit(url)[:2] != origin:
            raise FeedError(f"{where}: the next link leaves {origin[0]}://{origin[1]}; refused")


def _safe_url(url: str) -> str:
    """The URL without credentials or query (a query may carry keys): for messages."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def _get_json(url: str, headers: dict[str, str], where: str, attempts: int, backoff: float) -> Any:
    """GET with retries on 5xx/429, timeouts and connection errors; any other 4xx fails at once."""
    last = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) from the secret
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            error.close()
            if error.code < 500 and error.code != 429:
                raise FeedError(f"{where}: HTTP {error.code} {error.reason} (not retried)") from None
            last = f"HTTP {error.code} {error.reason}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            last = f"{type(error).__name__}: {reason}"
        else:
            try:
                return json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise FeedError(f"{where}: the response is not JSON: {error}") from None
        if attempt < attempts:
            time.sleep(backoff * 2 ** (attempt - 1))
    raise FeedError(f"{where}: failed after {attempts} attempts, last: {last}")


class _S3Body(io.RawIOBase):
    """A GetObject body as a raw binary stream, so io.BufferedReader and pyarrow can read it."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._body.read(len(buffer))
        except BotoCoreError as error:
            raise OSError(f"S3 read failed: {type(error).__name__}") from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


Opener = Callable[[], Any]
"""Opens one file for reading: a pyarrow NativeFile or a binary file object."""


def s3_opener(s3: S3Client, bucket: str, key: str) -> Opener:
    def open_object() -> Any:
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        except (ClientError, BotoCoreError) as error:
            raise FeedError(f"cannot read s3://{bucket}/{key}: {_s3_error(error)}") from None
        stream = pa.PythonFile(io.BufferedReader(_S3Body(body), S3_READ_BUFFER), mode="r")
        if key.endswith(".gz"):
            return pa.CompressedInputStream(stream, "gzip")
        return stream

    return open_object


def _describe_read_error(error: Exception, schema: pa.Schema | None) -> str:
    """pyarrow's message with `column #n` named (CSV says only the index)."""
    text = str(error)
    found = _CSV_COLUMN.search(text)
    if found and schema is not None and int(found.group(1)) < len(schema):
        text = f"column {schema.names[int(found.group(1))]!r}: {text}"
    return text


def file_batches(
    files: Sequence[tuple[str, Opener]],
    file_format: str,
    block_bytes: int = FILE_BLOCK_BYTES,
    *,
    workers: int | None = None,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """Every file's rows in blocks of about `block_bytes`, in order, types carried from file to file.

    The first block of the first file with rows decides each column's type (a column all empty
    there is read as strings); later files read known columns with those types. Both formats are
    cut into blocks at line ends here and the blocks parsed on `workers` threads (default: one per
    CPU), in order: see `_parsed_in_order`. (CSV values cannot span lines: pyarrow's default
    `newlines_in_values=False`, which the job has always read CSV with.)
    """
    if file_format not in {"csv", "jsonl"}:
        raise FeedError(f"bad arguments: --file_format {file_format!r} (csv or jsonl)")
    if block_bytes < 1:
        raise ValueError("block_bytes must be >= 1")
    workers = workers or os.cpu_count() or 1
    read_file = _jsonl_file if file_format == "jsonl" else _csv_file
    types: dict[str, pa.DataType] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"feed-ingest-{file_format}")
    try:
        for name, opener in files:
            yield from read_file(name, opener, types, block_bytes, pool, BLOCKS_PER_WORKER * workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _parse_csv_block(block: memoryview, names: list[str] | None, types: dict[str, pa.DataType]) -> pa.Table:
    """One block of CSV lines as a table, on the calling thread (Arrow releases the GIL meanwhile).

    `names` None: the block starts with the header (a file's first block); otherwise it holds
    data rows only, read as those columns.
    """
    return pa_csv.read_csv(
        pa.BufferReader(pa.py_buffer(block)),
        read_options=pa_csv.ReadOptions(use_threads=False, block_size=len(block) + 1, column_names=names),
        convert_options=pa_csv.ConvertOptions(column_types=types or None),
    )


def _csv_file(
    name: str,
    opener: Opener,
    types: dict[str, pa.DataType],
    block_bytes: int,
    pool: ThreadPoolExecutor,
    in_flight: int,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """One CSV file in blocks of whole lines, `in_flight` blocks parsed ahead, in order.

    The first block (with the header) is parsed here, inferring types (columns `types` already
    knows keep theirs; one that appears here fails). A column all empty in it would be typed
    `null` and fail on its first value later, so it is read as strings. That schema then types
    the file's other blocks, parsed on the pool.
    """
    with _opened(name, opener) as stream:
        blocks = _checked_blocks(name, _line_blocks(stream, block_bytes))
        first = next(blocks, None)
        if first is None:
            raise FeedError(f"{name}: the file is empty (no CSV header)")
        try:
            table = _parse_csv_block(first, None, types)
            nulls = [f.name for f in table.schema if pa.types.is_null(f.type)]
            if nulls:
                table = _parse_csv_block(first, None, types | dict.fromkeys(nulls, pa.string()))
        except (pa.ArrowException, OSError) as error:
            header = _csv_header(first)
            raise FeedError(f"{name} (block 1): {_describe_read_error(error, header)}") from None
        schema = table.schema
        new = [n for n in schema.names if n not in types] if types else []
        if new:
            raise FeedError(f"{name}: column {new[0]!r} is not in the earlier files' columns {list(types)}")
        if table.num_rows:  # a header-only file says nothing about types: only files with rows do
            for item in schema:
                types.setdefault(item.name, item.type)
        yield from _table_batches(name, 1, table)
        del table, first
        names, fixed = schema.names, {f.name: f.type for f in schema}
        yield from _parsed_in_order(
            name,
            blocks,
            pool,
            in_flight,
            parse=lambda block: _parse_csv_block(block, names, fixed),
            describe=lambda error, _block: _describe_read_error(error, schema),
        )


def _line_blocks(stream: Any, block_bytes: int) -> Iterator[memoryview]:
    """The stream as blocks of whole lines, each read as `block_bytes` and cut after its last
    newline; the partial line after that cut is carried to the front of the next block (a line
    longer than a block makes that block longer). The last block may lack a final newline."""
    carry = b""
    while True:
        buffer = bytearray(len(carry) + block_bytes)
        buffer[: len(carry)] = carry
        view = memoryview(buffer)
        filled = len(carry)
        while filled < len(buffer):
            count = stream.readinto(view[filled:])
            if not count:
                break
            filled += count
        if filled < len(buffer):  # the end of the stream
            if filled:
                yield view[:filled]
            return
        cut = buffer.rfind(b"\n", len(carry))  # the carried part has no newline
        if cut < 0:  # no line ends in this block: read on
            carry = bytes(buffer)
            continue
        carry = bytes(view[cut + 1 :])
        yield view[: cut + 1]


def _checked_blocks(name: str, blocks: Iterator[memoryview]) -> Iterator[memoryview]:
    """The blocks, with a read failure (S3, gzip) reported as the file's."""
    while True:
        try:
            block = next(blocks)
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as error:
            raise FeedError(f"{name}: reading failed: {error}") from None
        yield block


def _parse_json_block(block: memoryview, options: pa_json.ParseOptions) -> pa.Table:
    """One block of JSON lines as a table, on the calling thread (Arrow releases the GIL meanwhile)."""
    return pa_json.read_json(
        pa.BufferReader(pa.py_buffer(block)),
        read_options=pa_json.ReadOptions(use_threads=False, block_size=len(block) + 1),  # one chunk
        parse_options=options,
    )


def _json_block_error(error: Exception, block: memoryview, schema: pa.Schema) -> str:
    """pyarrow's message, with the column it is about named where Arrow's does not: the block is
    parsed again with its own types inferred, which shows a field outside the schema or a column
    whose values do not cast to their fixed type (this runs only on the way to failing)."""
    text = str(error)
    try:
        found = _parse_json_block(block, pa_json.ParseOptions())
    except (pa.ArrowException, OSError):
        return text
    new = [n for n in found.column_names if schema.get_field_index(n) < 0]
    if new:
        return (
            f"column {new[0]!r} is not in the schema fixed by the first batch ({', '.join(schema.names)}); "
            "a column may not appear after the first batch"
        )
    for item in schema:
        index = found.schema.get_field_index(item.name)
        if index < 0 or found.schema.field(index).type == item.type:
            continue
        if _new_nested_field(found.schema.field(index).type, item.type):
            return (
                f"column {item.name!r} has fields that are not in its type {item.type} (fixed by the "
                f"first batch): {found.schema.field(index).type}"
            )
        try:
            pc.cast(found.column(index), item.type, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return (
                f"column {item.name!r} has {found.schema.field(index).type} values that do not fit its "
                f"type {item.type} (fixed by the first batch): {text}"
            )
    return text


def _new_nested_field(found: pa.DataType, fixed: pa.DataType) -> bool:
    """Whether `found` has a struct field (at any depth) that `fixed` has not."""
    if pa.types.is_struct(found) and pa.types.is_struct(fixed):
        for index in range(found.num_fields):
            child = found.field(index)
            known = fixed.get_field_index(child.name)
            if known < 0 or _new_nested_field(child.type, fixed.field(known).type):
                return True
    elif pa.types.is_list(found) and pa.types.is_list(fixed):
        return _new_nested_field(found.value_type, fixed.value_type)
    return False


def _table_batches(name: str, number: int, table: pa.Table) -> Iterator[tuple[str, pa.RecordBatch]]:
    for batch in table.to_batches():
        yield f"{name} (block {number})", batch


def _jsonl_file(
    name: str,
    opener: Opener,
    types: dict[str, pa.DataType],
    block_bytes: int,
    pool: ThreadPoolExecutor,
    in_flight: int,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """One file of JSON lines in blocks of whole lines, `in_flight` blocks parsed ahead, in order.

    The first block is parsed here, inferring types (columns `types` already knows keep theirs;
    one that appears here fails); a column all null in it is typed string. That schema is then
    explicit for the file's other blocks, which are parsed on the pool: a value that does not
    fit fails, a field outside the schema fails naming it. Memory holds `in_flight` blocks and
    their tables, whatever the file's size.
    """
    with _opened(name, opener) as stream:
        blocks = _checked_blocks(name, _line_blocks(stream, block_bytes))
        first = next(blocks, None)
        if first is None:
            raise FeedError(f"{name}: the file is empty (no JSON lines)")
        explicit = pa.schema(list(types.items())) if types else None
        try:
            table = _parse_json_block(
                first, pa_json.ParseOptions(explicit_schema=explicit, unexpected_field_behavior="infer")
            )
        except (pa.ArrowException, OSError) as error:
            raise FeedError(f"{name} (block 1): {error}") from None
        new = [n for n in table.schema.names if n not in types] if types else []
        if new:
            raise FeedError(f"{name}: column {new[0]!r} is not in the earlier files' columns {list(types)}")
        schema = pa.schema(
            [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
        )
        if schema != table.schema:
            table = table.cast(schema)
        if table.num_rows:  # an empty first block says nothing about types
            for item in schema:
                types.setdefault(item.name, item.type)
        yield from _table_batches(name, 1, table)
        del table, first
        options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
        yield from _parsed_in_order(
            name,
            blocks,
            pool,
            in_flight,
            parse=lambda block: _parse_json_block(block, options),
            describe=lambda error, block: _json_block_error(error, block, schema),
        )


@contextmanager
def _opened(name: str, opener: Opener) -> Iterator[Any]:
    try:
        stream = opener()
    except (pa.ArrowException, OSError) as error:
        raise FeedError(f"{name}: {error}") from None
    try:
        yield stream
    finally:
        stream.close()


def _parsed_in_order(
    name: str,
    blocks: Iterator[memoryview],
    pool: ThreadPoolExecutor,
    in_flight: int,
    parse: Callable[[memoryview], pa.Table],
    describe: Callable[[Exception, memoryview], str],
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """The blocks after a file's first, parsed on the pool with `in_flight` ahead and handed on in
    file order. Memory holds `in_flight` blocks and their tables, whatever the file's size; a
    block that fails is reported with its number and `describe`'s reading of the error."""
    pending: deque[tuple[Future[pa.Table], memoryview]] = deque()
    number = 1

    def parsed() -> pa.Table:
        future, block = pending.popleft()
        try:
            return future.result()
        except (pa.ArrowException, OSError) as error:
            raise FeedError(f"{name} (block {number}): {describe(error, block)}") from None

    try:
        for block in blocks:
            pending.append((pool.submit(parse, block), block))
            if len(pending) >= in_flight:
                number += 1
                yield from _table_batches(name, number, parsed())
        while pending:
            number += 1
            yield from _table_batches(name, number, parsed())
    finally:
        for future, _ in pending:
            future.cancel()


def _csv_header(first_block: memoryview) -> pa.Schema | None:
    """The CSV's column names (as a schema of strings), to name the column an error gives by index."""
    line = bytes(first_block[: 1 << 16]).split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
    names = next(csv.reader([line]), [])
    return pa.schema([(n, pa.string()) for n in names]) if names else None


# --- the job -----------------------------------------------------------------------------------


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


def replace_partition(s3: S3Client, target: S3Location, keep_prefix: str) -> int:
    """Delete every object under the target that this run did not write; returns how many."""
    stale = [k for k in list_keys(s3, target) if not k.startswith(keep_prefix)]
    for start in range(0, len(stale), 1000):
        chunk = stale[start : start + 1000]
        try:
            answer = s3.delete_objects(
                Bucket=target.bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
            )
        except (ClientError, BotoCoreError) as error:
            raise FeedError(
                f"the new parts are in {target.url()} but deleting the old ones failed: {_s3_error(error)}; "
                "rerun to replace the partition"
            ) from None
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise FeedError(
                f"the new parts are in {target.url()} but deleting {first.get('Key')} failed: "
                f"{first.get('Code')}; rerun to replace the partition"
            )
    return len(stale)


def _discard(s3: S3Client, parts: S3Parts) -> None:
    """Undo a failed run: delete the parts it committed, so the previous partition is what remains."""
    for part in parts.opened:
        part.abort()
        with contextlib.suppress(ClientError, BotoCoreError):
            s3.delete_object(Bucket=part.bucket, Key=part.key)


def run(args: argparse.Namespace) -> dict[str, Any]:
    window = Window.parse(args.window_start, args.window_end)
    target = S3Location.parse(args.target_location, "--target_location")
    segment = target.prefix.rstrip("/").rsplit("/", 1)[-1]
    if not _PARTITION_SEGMENT.fullmatch(segment):
        raise FeedError(
            f"bad arguments: --target_location {target.url()} does not end in a <column>=<value>/ partition"
        )
    s3 = s3_client()
    print(
        f"feed_ingest {args.JOB_NAME} run {args.JOB_RUN_ID}: {args.source_kind} -> {target.url()}, "
        f"window [{window.iso(window.start)}, {window.iso(window.end)})",
        flush=True,
    )
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
            _discard(s3, parts)
    return {
        "rows": stats.rows,
        "files": [p.name for p in stats.files],
        "bytes": stats.bytes,
        "replaced_objects": deleted,
        "columns": [f"{f.name}:{f.type}" for f in stats.schema] if stats.schema is not None else [],
        "target": target.url(),
    }


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Glue's stop/timeout: unwind so a failed run's parts are deleted (the finally in run())."""
    raise FeedError("stopped (SIGTERM) before the partition was replaced")


def main(argv: Sequence[str] | None = None) -> int:
    sys.excepthook = _excepthook
    with contextlib.suppress(ValueError):  # not the main thread (tests calling main())
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        summary = run(parse_args(argv))
    except FeedError as error:
        sys.stdout.flush()
        report_failure(str(error))
        return 1
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
