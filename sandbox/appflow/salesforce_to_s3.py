"""Salesforce -> S3: read the object from the org, apply the flow's tasks, write one file.

Where it lands: `s3://{bucketName}/{bucketPrefix}/{flowName}/{executionId}/part-00000.{ext}`, as
AppFlow does by default. With `prefixConfig` (prefixType PATH or PATH_AND_FILENAME and a
prefixFormat) the execution id folder is replaced by date folders of the run's start (YYYY/MM/DD...);
`pathPrefixHierarchy` (EXECUTION_ID, SCHEMA_VERSION) adds those folders. A run with no record
writes no file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sandbox.appflow.files import EXTENSIONS, encode
from sandbox.appflow.s3 import join_key
from sandbox.appflow.salesforce_api import Api, UnknownTransferApiError, chosen_api, transferred
from sandbox.appflow.tasks import TaskPlan, plan_tasks
from sandbox.appflow.transfer import TransferError, TransferResult, injected_failure
from sandbox.salesforce import ObjectSchema, SalesforceOrg, UnknownObjectError
from sandbox.salesforce.values import Value, to_json

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_DATE_PARTS = {"YEAR": 1, "MONTH": 2, "DAY": 3, "HOUR": 4, "MINUTE": 5}


def output_key(
    destination: dict[str, Any], flow_name: str, execution_id: str, started: datetime, schema_version: int
) -> str:
    config = destination.get("s3OutputFormatConfig") or {}
    prefix_config = config.get("prefixConfig") or {}
    ext = EXTENSIONS.get(str(config.get("fileType", "JSON")), "json")
    folders: list[str] = []
    for item in prefix_config.get("pathPrefixHierarchy") or []:
        folders.append(execution_id if item == "EXECUTION_ID" else str(schema_version))
    depth = _DATE_PARTS.get(str(prefix_config.get("prefixFormat", "")), 0)
    if prefix_config.get("prefixType") in {"PATH", "PATH_AND_FILENAME"} and depth:
        stamps = [f"{started.year:04d}", f"{started.month:02d}", f"{started.day:02d}"]
        stamps += [f"{started.hour:02d}", f"{started.minute:02d}"]
        folders += stamps[:depth]
    elif not folders:
        folders = [execution_id]
    return join_key(str(destination.get("bucketPrefix", "")), flow_name, *folders, f"part-00000.{ext}")


@dataclass(frozen=True)
class SalesforceRead:
    """What a run reads from the org: the object's schema, the flow's tasks, the records its
    filters keep (queryAll's too with includeDeletedRecords) and the Salesforce API it reads
    them through. Read once: the org's API allowance is spent on exactly these records."""

    schema: ObjectSchema
    plan: TaskPlan
    records: list[dict[str, Value]]
    api: Api


def read_records(org: SalesforceOrg, definition: dict[str, Any]) -> SalesforceRead:
    source = definition["sourceFlowConfig"]["sourceConnectorProperties"]["Salesforce"]
    object_name = str(source["object"])
    try:
        schema = org.describe(object_name)
    except UnknownObjectError as error:
        raise TransferError(str(error)) from error
    plan = plan_tasks(definition.get("tasks", []), "Salesforce")
    unknown = sorted(plan.referenced_fields() - set(schema.fields))
    if unknown:
        raise TransferError(f"Fields {', '.join(unknown)} do not exist on {object_name}")
    # includeDeletedRecords: Salesforce's queryAll, which also returns the Recycle Bin (IsDeleted).
    read = org.records(object_name, include_deleted=bool(source.get("includeDeletedRecords", False)))
    kept = [row for row in read if all(f.matches(row.get(f.field)) for f in plan.filters)]
    try:
        api = chosen_api(source, len(kept))
    except UnknownTransferApiError as error:
        raise TransferError(str(error)) from error
    return SalesforceRead(schema, plan, kept, api)


def run_salesforce_to_s3(
    read: SalesforceRead,
    definition: dict[str, Any],
    *,
    flow_name: str,
    execution_id: str,
    started: datetime,
    schema_version: int,
    s3: S3Client,
    partial: bool = False,
    spoil: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
) -> TransferResult:
    """`spoil` (failure injection's bad loads only): what the written records become."""
    destination = definition["destinationFlowConfigList"][0]["destinationConnectorProperties"]["S3"]
    schema, plan, kept, api = read.schema, read.plan, read.records, read.api
    failed = [index for index in range(len(kept)) if partial and injected_failure(index, len(kept))]
    rows = [row for index, row in enumerate(kept) if index not in set(failed)]
    rows = spoil(rows) if spoil is not None else rows
    columns = [
        (name, column)
        for name, column in plan.columns(list(schema.fields))
        if transferred(schema.fields.get(name), api)
    ]
    bytes_processed = sum(len(json.dumps({k: to_json(v) for k, v in row.items()})) for row in kept)
    bytes_written = 0
    if rows:
        config = destination.get("s3OutputFormatConfig") or {}
        body = encode(
            rows,
            columns,
            schema.fields,
            str(config.get("fileType", "JSON")),
            preserve_types=bool(config.get("preserveSourceDataTyping", False)),
            api=api,
        )
        key = output_key(destination, flow_name, execution_id, started, schema_version)
        try:
            s3.put_object(Bucket=str(destination["bucketName"]), Key=key, Body=body)
        except ClientError as error:
            raise TransferError(f"Cannot write to s3 bucket {destination['bucketName']}: {error}") from error
        bytes_written = len(body)
    message = f"{len(failed)} records failed (injected)" if failed else ""
    return TransferResult(len(rows), bytes_processed, bytes_written, len(failed), message)
