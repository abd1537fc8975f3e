"""Glue catalog through awswrangler: the seed's create_external_parquet_table and
create_parquet_table_date_partition, made idempotent and safe for schema evolution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import awswrangler as wr
import boto3

_BATCH_GET_LIMIT = 1000
_BATCH_UPDATE_LIMIT = 100


@dataclass(frozen=True)
class TableChange:
    created: bool
    added_columns: tuple[str, ...]
    kept_types: tuple[str, ...]
    """Columns whose type changed in Salesforce: the catalog keeps the old type (never drops data)."""


def ensure_table(
    session: boto3.Session,
    *,
    database: str,
    table: str,
    location: str,
    columns: Mapping[str, str],
    partition_column: str,
    description: str,
) -> TableChange:
    """Create the table, or add the columns Salesforce gained since; never drop or retype one."""
    wr.catalog.create_database(database, exist_ok=True, boto3_session=session)
    existing = wr.catalog.get_table_types(database=database, table=table, boto3_session=session)
    if existing is None:
        wr.catalog.create_parquet_table(
            database=database,
            table=table,
            path=location,
            columns_types=dict(columns),
            partitions_types={partition_column: "string"},
            description=description,
            mode="overwrite",
            boto3_session=session,
        )
        return TableChange(created=True, added_columns=(), kept_types=())
    added = tuple(name for name in columns if name not in existing)
    for name in added:
        wr.catalog.add_column(
            database=database,
            table=table,
            column_name=name,
            column_type=columns[name],
            column_comment="added when Salesforce added the field",  # None fails Glue's validation
            boto3_session=session,
        )
    kept = tuple(name for name in columns if name in existing and existing[name] != columns[name])
    return TableChange(created=False, added_columns=added, kept_types=kept)


def register_partitions(
    session: boto3.Session, *, database: str, table: str, partitions: Mapping[str, str]
) -> int:
    """Point partitions {location: value} at their locations: add the missing ones, move the
    registered ones whose location differs (a rerun's new load), leave the rest. Returns how
    many were added or moved.

    Each partition moves in one update (BatchUpdatePartition, 100 a call), so its readers switch
    from the old load to the new one at once, never seeing both or neither. Existence is asked
    for the wanted values only (BatchGetPartition, up to 1,000 a call), so a daily run costs the
    same after three years as on its first day.
    """
    registered = _registered(session, database, table, sorted(set(partitions.values())))
    missing = {location: [value] for location, value in partitions.items() if value not in registered}
    if missing:
        wr.catalog.add_parquet_partitions(
            database=database, table=table, partitions_values=missing, boto3_session=session
        )
    moved = [
        _moved(registered[value], location)
        for location, value in partitions.items()
        if value in registered and _location(registered[value]) != location
    ]
    if moved:
        glue = _glue(session)
        for start in range(0, len(moved), _BATCH_UPDATE_LIMIT):
            entries = moved[start : start + _BATCH_UPDATE_LIMIT]
            response = glue.batch_update_partition(DatabaseName=database, TableName=table, Entries=entries)
            if response.get("Errors"):
                raise RuntimeError(f"{database}.{table}: Glue did not move partitions: {response['Errors']}")
    return len(missing) + len(moved)


def partition_location(session: boto3.Session, *, database: str, table: str, value: str) -> str | None:
    """Where the catalog reads the partition `value` from now, or None if it is not registered."""
    partition = _registered(session, database, table, [value]).get(value)
    return None if partition is None else _location(partition)


def _registered(session: boto3.Session, database: str, table: str, values: list[str]) -> dict[str, Any]:
    glue = _glue(session)
    found: dict[str, Any] = {}
    for start in range(0, len(values), _BATCH_GET_LIMIT):
        chunk = values[start : start + _BATCH_GET_LIMIT]
        response = glue.batch_get_partition(
            DatabaseName=database, TableName=table, PartitionsToGet=[{"Values": [v]} for v in chunk]
        )
        found |= {partition["Values"][0]: partition for partition in response.get("Partitions", [])}
        # Unprocessed keys count as missing: adding an existing partition is ignored by awswrangler.
    return found


def _moved(partition: Any, location: str) -> dict[str, Any]:
    """An UpdatePartition entry: the partition as registered, only its location changed."""
    values = partition["Values"]
    update = {"Values": values, "StorageDescriptor": {**partition["StorageDescriptor"], "Location": location}}
    if "Parameters" in partition:
        update["Parameters"] = partition["Parameters"]
    return {"PartitionValueList": values, "PartitionInput": update}


def _location(partition: Any) -> str:
    return str(partition.get("StorageDescriptor", {}).get("Location", ""))


def _glue(session: boto3.Session) -> Any:
    return session.client("glue", endpoint_url=wr.config.glue_endpoint_url)


def latest_partition(session: boto3.Session, *, database: str, table: str) -> tuple[str, str] | None:
    """(value, location) of the table's greatest partition value (YYYYMMDD values sort by date),
    or None without partitions."""
    glue = _glue(session)
    latest: tuple[str, str] | None = None
    pages = glue.get_paginator("get_partitions").paginate(
        DatabaseName=database, TableName=table, ExcludeColumnSchema=True
    )
    for page in pages:
        for partition in page.get("Partitions", []):
            value = partition["Values"][0]
            if latest is None or value > latest[0]:
                latest = (value, _location(partition))
    return latest


def point_table(
    session: boto3.Session, *, database: str, table: str, source_table: str, location: str
) -> bool:
    """Make `table` an unpartitioned copy of `source_table`'s definition that reads `location`:
    created, or moved there in one UpdateTable (readers switch at once). Its columns follow the
    source's, so a column Salesforce added reaches it too. Returns whether anything changed."""
    glue = _glue(session)
    source = glue.get_table(DatabaseName=database, Name=source_table)["Table"]
    storage = {**source["StorageDescriptor"], "Location": location}
    wanted = {
        "Name": table,
        "Description": f"The newest snapshot of {source_table} (moved by every run's point_latest)",
        "TableType": source.get("TableType", "EXTERNAL_TABLE"),
        "Parameters": dict(source.get("Parameters", {})),
        "StorageDescriptor": storage,
        "PartitionKeys": [],
    }
    try:
        current = glue.get_table(DatabaseName=database, Name=table)["Table"]
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(DatabaseName=database, TableInput=wanted)
        return True
    if current.get("StorageDescriptor") == storage:
        return False
    glue.update_table(DatabaseName=database, TableInput=wanted)
    return True
