"""One crawl: list each S3 target, classify its files, group them into tables and partitions, and
write the catalog. Reads go through the gateway (boto3 for listings and the first megabyte of text
files, pyarrow's S3 filesystem for Parquet and ORC footers), so moto stays the only store.

Exclusions are Glue's glob patterns, relative to the include path
(https://docs.aws.amazon.com/glue/latest/dg/define-crawler-choose-data-sources.html, "Include and
exclude patterns"): `*` matches within a folder, `**` across folders, `?` one character,
`[abc]` a set, `{a,b}` alternatives. `SampleSize` reads only that many files of each leaf folder;
the others are taken to have their neighbours' schema, as Glue's sampling does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.orc as orc
import pyarrow.parquet as pq
from botocore.exceptions import BotoCoreError, ClientError

from sandbox.glue_crawlers.catalog import CatalogWriter, Changes, Policy
from sandbox.glue_crawlers.formats import FileSample, FileSchema, classify
from sandbox.glue_crawlers.layout import FoundFile, Grouping, TablePlan, plan_tables, table_name

TEST_KEY, TEST_SECRET = "testing", "testing"  # moto accepts any; nothing here can reach real AWS


class CrawlError(Exception):
    """Why a crawl FAILED (LastCrawl.ErrorMessage)."""


class CrawlCancelledError(Exception):
    """StopCrawler arrived while the crawl was going."""


@dataclass(frozen=True)
class Clients:
    """The region's clients: Glue and S3 through boto3, S3 through pyarrow."""

    glue: Any
    s3: Any
    fs: pafs.S3FileSystem


def clients(endpoint_url: str, region: str, session: Any) -> Clients:
    endpoint = urlsplit(endpoint_url)
    options = {"endpoint_url": endpoint_url, "region_name": region}
    keys = {"aws_access_key_id": TEST_KEY, "aws_secret_access_key": TEST_SECRET}
    return Clients(
        glue=session.client("glue", **options, **keys),
        s3=session.client("s3", **options, **keys),
        fs=pafs.S3FileSystem(
            access_key=TEST_KEY,
            secret_key=TEST_SECRET,
            region=region,
            endpoint_override=endpoint.netloc,
            scheme=endpoint.scheme or "http",
            allow_bucket_creation=False,
            allow_bucket_deletion=False,
        ),
    )


@dataclass
class CrawlRequest:
    crawler: str
    database: str
    targets: list[dict[str, Any]]
    policy: Policy
    grouping: dict[str, Any] = field(default_factory=dict)
    table_threshold: int | None = None
    cancelled: Callable[[], bool] = lambda: False


def configuration(text: str | None) -> dict[str, Any]:
    """The crawler's Configuration JSON (InvalidInputException upstream if it does not parse)."""
    if not text:
        return {}
    document = json.loads(text)
    return document if isinstance(document, dict) else {}


def run_crawl(request: CrawlRequest, aws: Clients) -> Changes:
    """Crawl every S3 target and write the catalog; CrawlError / CrawlCancelledError end it early."""
    plans: list[TablePlan] = []
    paths: list[str] = []
    for target in request.targets:
        if request.cancelled():
            raise CrawlCancelledError
        path = str(target.get("Path", ""))
        paths.append(path.rstrip("/"))
        plans += _target_tables(path, target, request, aws)
    if request.table_threshold is not None and len(plans) > request.table_threshold:
        raise CrawlError(
            f"The crawler would create {len(plans)} tables, more than its TableThreshold of "
            f"{request.table_threshold}: nothing was written"
        )
    if request.cancelled():
        raise CrawlCancelledError
    writer = CatalogWriter(aws.glue, request.policy)
    try:
        writer.ensure_database()
        return writer.write(plans, paths)
    except ClientError as exc:
        raise CrawlError(f"Catalog update failed: {exc}") from exc


def _target_tables(path: str, target: dict[str, Any], request: CrawlRequest, aws: Clients) -> list[TablePlan]:
    if not path.startswith("s3://"):
        raise CrawlError(f"S3 target path must start with s3://: {path}")
    bucket, _, prefix = path[len("s3://") :].partition("/")
    prefix = prefix.rstrip("/")
    objects = _list(aws, bucket, prefix)
    excluded = [_glob(pattern) for pattern in target.get("Exclusions") or []]
    sample_size = target.get("SampleSize")
    if prefix and any(key == prefix for key, _ in objects):  # the include path is a file
        return _file_table(aws, path, bucket, prefix, dict(objects)[prefix])
    found: list[FoundFile] = []
    sampled: dict[tuple[str, ...], list[FileSchema]] = {}
    for key, size in objects:
        relative = key[len(prefix) + 1 :] if prefix else key
        if any(pattern.fullmatch(relative) for pattern in excluded):
            continue
        *folders, name = relative.split("/")
        folder_key = tuple(folders)
        known = sampled.setdefault(folder_key, [])
        if sample_size and len(known) >= int(sample_size):
            schema: FileSchema | None = known[0]  # not read: assumed like its folder's sampled files
        else:
            if request.cancelled():
                raise CrawlCancelledError
            schema = _classify(aws, bucket, key, size)
            if schema is not None:
                known.append(schema)
        if schema is not None:
            found.append(FoundFile(folder_key, name, schema, size))
    grouping = Grouping(
        combine_compatible=request.grouping.get("TableGroupingPolicy") == "CombineCompatibleSchemas",
        table_level=_int(request.grouping.get("TableLevelConfiguration")),
        include_level=1 + (len(prefix.split("/")) if prefix else 0),
    )
    root_name = prefix.rsplit("/", 1)[-1] if prefix else bucket
    return plan_tables(path.rstrip("/"), table_name(root_name), found, grouping)


def _file_table(aws: Clients, path: str, bucket: str, key: str, size: int) -> list[TablePlan]:
    """An include path that is one file: a table named after the file (`data.csv` -> `data_csv`)."""
    schema = _classify(aws, bucket, key, size)
    if schema is None:
        return []
    file_name = key.rsplit("/", 1)[-1]
    plans = plan_tables(
        path.rstrip("/"),
        table_name(file_name.replace(".", "_")),
        [FoundFile((), file_name, schema, size)],
        Grouping(),
    )
    for plan in plans:
        plan.location = path  # the table points at the file itself
    return plans


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _list(aws: Clients, bucket: str, prefix: str) -> list[tuple[str, int]]:
    """Data objects under the include path (the file itself, or keys below the folder)."""
    found: list[tuple[str, int]] = []
    try:
        for page in aws.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                key, size = item["Key"], int(item["Size"])
                below = not prefix or key == prefix or key.startswith(prefix + "/")
                if below and size and not key.endswith(("/", "_$folder$")):
                    found.append((key, size))
    except ClientError as exc:
        raise CrawlError(f"Cannot list s3://{bucket}/{prefix}: {exc.response['Error']['Code']}") from exc
    return sorted(found)


def _classify(aws: Clients, bucket: str, key: str, size: int) -> FileSchema | None:
    def head(count: int) -> bytes:
        answer = aws.s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{count - 1}")
        body: bytes = answer["Body"].read()
        return body

    def arrow_schema(kind: str) -> tuple[pa.Schema, int]:
        with aws.fs.open_input_file(f"{bucket}/{key}") as handle:
            if kind == "orc":
                reader = orc.ORCFile(handle)
                return reader.schema, int(reader.nrows)
            parquet = pq.ParquetFile(handle)
            return parquet.schema_arrow, int(parquet.metadata.num_rows)

    try:
        return classify(FileSample(key.rsplit("/", 1)[-1], size, head, arrow_schema))
    except (ClientError, BotoCoreError, OSError, pa.ArrowException):
        return None  # unreadable (a corrupt footer, ...): no classifier is certain, the file is skipped


def _glob(pattern: str) -> re.Pattern[str]:
    """A Glue exclude pattern as a regular expression over the key below the include path."""
    out, index = "", 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out += ".*"
            index += 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = pattern.find("]", index)
            if end < 0:
                out += re.escape(char)
            else:
                body = pattern[index + 1 : end].replace("\\", "\\\\")
                out += "[" + ("^" + body[1:] if body.startswith("!") else body) + "]"
                index = end
        elif char == "{":
            end = pattern.find("}", index)
            if end < 0:
                out += re.escape(char)
            else:
                out += "(?:" + "|".join(re.escape(part) for part in pattern[index + 1 : end].split(",")) + ")"
                index = end
        else:
            out += re.escape(char)
        index += 1
    return re.compile(out)
