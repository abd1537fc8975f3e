"""The command line Glue passes (`--key value`), the data interval and S3 locations, checked."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


from .errors import FeedError

UTC = timezone.utc  # noqa: UP017 - kept runnable on older Glue runtimes too
DEFAULT_BATCH_ROWS = 65_536
DEFAULT_ROWS_PER_FILE = 1_000_000
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PARTITION_SEGMENT = re.compile(r"[^/=]+=[^/=]+")


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
    parser.add_argument("--engine", choices=["python", "spark"], default="python")
    parser.add_argument("--partition_column")
    parser.add_argument("--lower_bound")
    parser.add_argument("--upper_bound")
    parser.add_argument("--num_partitions", type=int)
    parser.add_argument("--predicates", type=_predicates)
    parser.add_argument("--fetch_size", type=int, default=10_000)
    args, _unknown = parser.parse_known_args(argv)
    if args.engine == "spark" and args.source_kind != "database":
        raise FeedError(f"bad arguments: --engine spark reads database sources, not {args.source_kind}")
    ranged = [args.partition_column, args.lower_bound, args.upper_bound, args.num_partitions]
    if any(v is not None for v in ranged) and not all(v is not None for v in ranged):
        raise FeedError(
            "bad arguments: --partition_column, --lower_bound, --upper_bound and --num_partitions go together"
        )
    if args.predicates is not None and args.partition_column is not None:
        raise FeedError("bad arguments: --predicates and --partition_column exclude each other")
    if args.batch_rows < 1 or args.rows_per_file < 1 or args.http_attempts < 1:
        raise FeedError("bad arguments: --batch_rows, --rows_per_file and --http_attempts must be >= 1")
    if not IDENTIFIER.fullmatch(args.JOB_RUN_ID.replace("-", "_")):
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


def _predicates(text: str) -> list[str]:
    """--predicates: a JSON list of SQL conditions, one per Spark partition."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise argparse.ArgumentTypeError("--predicates is a JSON list of SQL conditions") from None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise argparse.ArgumentTypeError("--predicates is a non-empty JSON list of SQL conditions")
    return value


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
