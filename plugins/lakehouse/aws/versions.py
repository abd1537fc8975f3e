"""Keep the versions an interval's earlier load saw when a rerun no longer sees them.

Salesforce answers a window with the records as they are now: a record changed (or deleted, or
purged) since the interval's first load has a newer SystemModstamp and is not in the rerun's
answer, so replacing the partition with the rerun alone would drop the version the first load saw
from `<table>_history` (and, for a purged record, from the lake altogether). Before the partition
moves to the rerun's folder, the earlier load's rows whose Id the rerun does not hold are written
into that folder, so a partition only ever gains versions. Ids stay unique within the folder.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

KEPT_FILE = "kept-versions.parquet"
"""The file a load folder gets for the versions it keeps from the load it replaces."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    """Key prefix with a trailing '/'."""

    @classmethod
    def parse(cls, url: str) -> S3Location:
        if not url.startswith("s3://"):
            raise ValueError(f"{url} is not an s3:// location")
        bucket, _, key = url[len("s3://") :].partition("/")
        return cls(bucket, key.rstrip("/") + "/")

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def parquet_keys(s3: S3Client, location: S3Location) -> list[str]:
    """The data files of a load folder, as Spectrum would read them (no hidden or marker files)."""
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=location.bucket, Prefix=location.prefix):
        for item in page.get("Contents", []):
            name = item["Key"].rsplit("/", 1)[-1]
            if item["Size"] and not name.startswith(("_", ".")) and not name.endswith("$folder$"):
                keys.append(item["Key"])
    return sorted(keys)


def read_table(s3: S3Client, bucket: str, key: str, columns: list[str] | None = None) -> pa.Table:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return pq.read_table(io.BytesIO(body), columns=columns)


def load_ids(s3: S3Client, location: S3Location, id_column: str = "Id") -> pa.Array:
    tables = [read_table(s3, location.bucket, key, [id_column]) for key in parquet_keys(s3, location)]
    if not tables:
        return pa.array([], type=pa.string())
    return pa.concat_tables(tables).column(id_column).combine_chunks()


def versions_to_keep(previous: pa.Table, new_ids: pa.Array, id_column: str = "Id") -> pa.Table:
    """The rows of `previous` whose Id is not among `new_ids`. Pure."""
    ids = previous.column(id_column)
    return previous.filter(pc.invert(pc.is_in(ids, value_set=new_ids.cast(ids.type))))


def keep_versions(
    s3: S3Client, *, previous: S3Location, new: S3Location, id_column: str = "Id"
) -> dict[str, Any]:
    """Write into `new` the rows of the load at `previous` that `new` lacks; returns what it kept.

    Each of the previous load's files is filtered on its own (its schema as written: an older load
    may lack a column Salesforce added since, which then reads as null, as for any older file).
    """
    new_ids = load_ids(s3, new, id_column)
    kept: list[pa.Table] = []
    for key in parquet_keys(s3, previous):
        rows = versions_to_keep(read_table(s3, previous.bucket, key), new_ids, id_column)
        if rows.num_rows:
            kept.append(rows)
    if not kept:
        return {"kept": 0, "files": 0}
    written = 0
    for index, table in enumerate(_same_schema_groups(kept)):
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="snappy")
        name = KEPT_FILE if index == 0 else KEPT_FILE.replace(".parquet", f"-{index}.parquet")
        s3.put_object(Bucket=new.bucket, Key=new.prefix + name, Body=sink.getvalue())
        written += table.num_rows
    return {"kept": written, "files": len(kept)}


def _same_schema_groups(tables: list[pa.Table]) -> list[pa.Table]:
    """Tables with one schema concatenated; a file per distinct schema otherwise."""
    groups: dict[str, list[pa.Table]] = {}
    for table in tables:
        groups.setdefault(table.schema.to_string(), []).append(table)
    return [pa.concat_tables(group) for group in groups.values()]
