"""Spectrum external schemas: the Glue catalog's tables as Arrow datasets over Parquet in S3.

Each table becomes one pyarrow dataset built from the catalog, never from the files: the schema is
the table's columns plus its partition keys (typed per the key), the files are those under each
*registered* partition's location (like Spectrum, files of unregistered partitions are not read),
and each file carries its partition's values as a partition expression, which pyarrow turns into
column values and uses to prune files on filters. The catalog and the files are read again every
time a statement needs the schema, so partitions added by a later load are visible at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from sandbox.protocol import SandboxContext
from sandbox.redshift_data.gluetypes import arrow_type, partition_value

if TYPE_CHECKING:
    from mypy_boto3_glue import GlueClient

TEST_KEY, TEST_SECRET = "testing", "testing"  # moto accepts any; nothing here can reach real AWS


@dataclass(frozen=True)
class ExternalTable:
    name: str
    dataset: ds.Dataset


class GlueCatalogReader:
    """Reads table definitions from one region's Glue catalog (moto) and files from the sandbox's S3,
    via the gateway."""

    def __init__(self, context: SandboxContext, region: str | None = None) -> None:
        region = region or context.region
        self._glue: GlueClient = boto3.session.Session().client(
            "glue",
            endpoint_url=context.endpoint_url,
            region_name=region,
            aws_access_key_id=TEST_KEY,
            aws_secret_access_key=TEST_SECRET,
        )
        endpoint = urlsplit(context.endpoint_url)
        self._spellings: dict[tuple[str, int, int], list[str]] = {}
        """A file's column names by (path, size, mtime): read from its footer once, since every
        statement that names an external schema lists its tables' files again."""
        self._listed: dict[str, tuple[int, int]] = {}
        """(size, mtime in ns) of each file as the latest listing showed it."""
        self._fs = pafs.S3FileSystem(
            access_key=TEST_KEY,
            secret_key=TEST_SECRET,
            region=region,
            endpoint_override=endpoint.netloc,
            scheme=endpoint.scheme or "http",
            allow_bucket_creation=False,
            allow_bucket_deletion=False,
        )

    def database_exists(self, name: str) -> bool:
        try:
            self._glue.get_database(Name=name)
        except self._glue.exceptions.EntityNotFoundException:
            return False
        return True

    def create_database(self, name: str) -> None:
        self._glue.create_database(DatabaseInput={"Name": name})

    def tables(self, database: str) -> list[ExternalTable]:
        tables: list[ExternalTable] = []
        for page in self._glue.get_paginator("get_tables").paginate(DatabaseName=database):
            for table in page["TableList"]:
                if table.get("TableType") == "VIRTUAL_VIEW":
                    continue
                tables.append(ExternalTable(table["Name"].lower(), self._dataset(database, table)))
        return tables

    def _dataset(self, database: str, table: Any) -> ds.Dataset:
        storage = table.get("StorageDescriptor", {})
        columns = [pa.field(c["Name"], arrow_type(c["Type"])) for c in storage.get("Columns", [])]
        keys = [pa.field(k["Name"], arrow_type(k["Type"])) for k in table.get("PartitionKeys", [])]
        schema = pa.schema(columns + keys)
        location = _fs_path(storage.get("Location", ""))
        listed = self._files(location)
        if not keys:
            return self._fragments(schema, [(path, size, None) for path, size in listed])
        root = location.rstrip("/") + "/"
        files: list[tuple[str, int, ds.Expression | None]] = []
        for values, part_location in self._partitions(database, table["Name"]):
            prefix = _fs_path(part_location).rstrip("/") + "/"
            found = [f for f in listed if f[0].startswith(prefix)] if prefix.startswith(root) else None
            expression = _partition_expression(keys, values)
            chosen = found if found is not None else self._files(prefix)
            files += [(path, size, expression) for path, size in chosen]
        return self._fragments(schema, files)

    def _fragments(self, schema: pa.Schema, files: list[tuple[str, int, ds.Expression | None]]) -> ds.Dataset:
        """A dataset of known files and sizes: no HEAD per file when a query scans it."""
        schema = self._file_casing(schema, [path for path, _, _ in files])
        parquet = ds.ParquetFileFormat()
        fragments = [
            parquet.make_fragment(path, filesystem=self._fs, partition_expression=expression, file_size=size)
            for path, size, expression in files
        ]
        return ds.FileSystemDataset(fragments, schema, parquet, self._fs)

    def _file_casing(self, schema: pa.Schema, paths: list[str]) -> pa.Schema:
        """Name each catalog column as the files spell it.

        Glue and Spectrum resolve Parquet columns by name regardless of case (the catalog holds
        `lastmodifieddate`, AppFlow writes `LastModifiedDate`); pyarrow matches names exactly, and
        DuckDB then resolves the lowercase name case-insensitively.
        """
        spelled: dict[str, str] = {}
        for path in paths:
            for name in self._column_names(path):
                spelled.setdefault(name.lower(), name)
        return pa.schema(
            [field.with_name(spelled.get(field.name.lower(), field.name)) for field in schema],
            metadata=schema.metadata,
        )

    def _column_names(self, path: str) -> list[str]:
        size, mtime = self._listed.get(path, (-1, -1))
        key = (path, size, mtime)
        names = self._spellings.get(key)
        if names is None:
            names = list(pq.read_schema(path, filesystem=self._fs).names)
            if size >= 0:
                self._spellings[key] = names
        return names

    def _partitions(self, database: str, table: str) -> list[tuple[list[str], str]]:
        found: list[tuple[list[str], str]] = []
        for page in self._glue.get_paginator("get_partitions").paginate(
            DatabaseName=database, TableName=table
        ):
            for part in page["Partitions"]:
                found.append((part["Values"], part.get("StorageDescriptor", {}).get("Location", "")))
        return found

    def _files(self, location: str) -> list[tuple[str, int]]:
        """Data files under a location, skipping markers and hidden files as Spectrum does."""
        if not location:
            return []
        selector = pafs.FileSelector(location.rstrip("/"), recursive=True, allow_not_found=True)
        found = [
            info
            for info in self._fs.get_file_info(selector)
            if info.type == pafs.FileType.File
            and info.size
            and not info.base_name.startswith(("_", "."))
            and not info.base_name.endswith("$folder$")
        ]
        for info in found:
            self._listed[info.path] = (int(info.size), int(info.mtime_ns or 0))
        return sorted((info.path, int(info.size)) for info in found)


class CatalogDirectory:
    """One catalog reader per region, built on first use: an external schema reads the catalog of
    its REGION clause, else of its warehouse's region, as Spectrum does."""

    def __init__(self, context: SandboxContext) -> None:
        self._context = context
        self._lock = threading.Lock()
        self._readers: dict[str, GlueCatalogReader] = {}

    def for_region(self, region: str) -> GlueCatalogReader:
        with self._lock:
            reader = self._readers.get(region)
            if reader is None:
                reader = self._readers[region] = GlueCatalogReader(self._context, region)
            return reader


def _partition_expression(keys: list[pa.Field], values: list[str]) -> ds.Expression:
    """`k1 == v1 AND k2 == v2`: pyarrow fills the partition columns of a file from this."""
    terms = []
    for key, raw in zip(keys, values, strict=True):
        value = partition_value(raw, key.type)
        terms.append(ds.field(key.name) == value if value.is_valid else ds.field(key.name).is_null())
    expression = terms[0]
    for term in terms[1:]:
        expression = expression & term
    return expression


def _fs_path(location: str) -> str:
    """`s3://bucket/key/` as pyarrow's `bucket/key/`."""
    for scheme in ("s3://", "s3a://", "s3n://"):
        if location.startswith(scheme):
            return location[len(scheme) :]
    return location
