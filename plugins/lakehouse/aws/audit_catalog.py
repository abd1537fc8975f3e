"""The staging side of write-audit-publish in the Glue catalog: `<table>__audit`.

A new load is audited through Spectrum before the partition readers use points at it. Spectrum
reads only what the catalog describes, so the load is described on its own: the table
`<table>__audit` has the source table's columns and storage (its definition is copied on every
audit, so a column Salesforce added reaches it too), and one partition `load_id=<id>` per load
under audit, at the load's folder. Readers of `<table>` and its views never see it; it is dropped
when the audit ends, pass or fail (the failing rows are sampled into the results table first).
"""

from __future__ import annotations

import contextlib
from typing import Any

import awswrangler as wr
import boto3

from lakehouse.plan.checks import AUDIT_PARTITION, AUDIT_SUFFIX


def _glue(session: boto3.Session) -> Any:
    return session.client("glue", endpoint_url=wr.config.glue_endpoint_url)


def table_columns(session: boto3.Session, *, database: str, table: str) -> dict[str, str] | None:
    """{column: type} of a catalog table (partition keys included), or None if it does not exist."""
    glue = _glue(session)
    try:
        found = glue.get_table(DatabaseName=database, Name=table)["Table"]
    except glue.exceptions.EntityNotFoundException:
        return None
    columns = found["StorageDescriptor"].get("Columns", []) + found.get("PartitionKeys", [])
    return {c["Name"]: c["Type"] for c in columns}


def stage_load(
    session: boto3.Session, *, database: str, table: str, audit_table: str, load_id: str, location: str
) -> None:
    """Describe the load at `location` as partition `load_id` of `audit_table` (created or
    redefined from `table`), for Spectrum to read on its own."""
    glue = _glue(session)
    source = glue.get_table(DatabaseName=database, Name=table)["Table"]
    # The table's own location holds nothing (every read goes through a partition's); it is not the
    # source table's, so nothing that lists a table's location walks every load of the source.
    root = str(source["StorageDescriptor"].get("Location", "")).rstrip("/")
    wanted = {
        "Name": audit_table,
        "Description": f"Loads of {table} under audit, one partition each (dropped when audited)",
        "TableType": source.get("TableType", "EXTERNAL_TABLE"),
        "Parameters": dict(source.get("Parameters", {})),
        "StorageDescriptor": {**source["StorageDescriptor"], "Location": f"{root}{AUDIT_SUFFIX}/"},
        "PartitionKeys": [{"Name": AUDIT_PARTITION, "Type": "string"}],
    }
    try:
        current = glue.get_table(DatabaseName=database, Name=audit_table)["Table"]
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(DatabaseName=database, TableInput=wanted)
    else:
        if (
            current.get("StorageDescriptor") != wanted["StorageDescriptor"]
            or current.get("PartitionKeys") != wanted["PartitionKeys"]
        ):
            glue.update_table(DatabaseName=database, TableInput=wanted)
    storage = {**source["StorageDescriptor"], "Location": location}
    partition = {"Values": [load_id], "StorageDescriptor": storage}
    try:
        glue.create_partition(DatabaseName=database, TableName=audit_table, PartitionInput=partition)
    except glue.exceptions.AlreadyExistsException:  # a retry of the same audit
        glue.update_partition(
            DatabaseName=database,
            TableName=audit_table,
            PartitionValueList=[load_id],
            PartitionInput=partition,
        )


def unstage_load(session: boto3.Session, *, database: str, audit_table: str, load_id: str) -> None:
    """Drop the load's audit partition (gone already is fine)."""
    glue = _glue(session)
    with contextlib.suppress(glue.exceptions.EntityNotFoundException):
        glue.delete_partition(DatabaseName=database, TableName=audit_table, PartitionValues=[load_id])


def earlier_partitions(
    session: boto3.Session, *, database: str, table: str, before: str, limit: int
) -> list[tuple[str, str]]:
    """(value, location) of the `limit` greatest registered partitions below `before`, newest
    first: the loads readers were given before this one, which a volume check compares with."""
    glue = _glue(session)
    found: list[tuple[str, str]] = []
    pages = glue.get_paginator("get_partitions").paginate(
        DatabaseName=database, TableName=table, ExcludeColumnSchema=True
    )
    for page in pages:
        for partition in page.get("Partitions", []):
            value = partition["Values"][0]
            if value < before:
                found.append((value, str(partition.get("StorageDescriptor", {}).get("Location", ""))))
    return sorted(found, reverse=True)[:limit]
