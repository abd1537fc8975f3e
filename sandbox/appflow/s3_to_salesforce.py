"""S3 -> Salesforce: read every CSV / JSON-lines file under the source prefix, map columns to
fields, write each record into the org (UPSERT on idFieldNames, INSERT, or UPDATE).

A record that Salesforce refuses is a failed record, with the org's status code: INVALID_FIELD,
INVALID_TYPE_ON_FIELD_IN_RECORD (a value of the wrong type, a restricted picklist value, a malformed
email), STRING_TOO_LONG (longer than the field's length), REQUIRED_FIELD_MISSING (e.g. no Name when
the upsert inserts), or the `partial` injection's UNKNOWN_EXCEPTION on every third record. With
`failOnFirstDestinationError` the run stops and ends in Error; otherwise the run goes on and ends
Successful with `errorInfo.putFailuresCount`. Failed records are written, one JSON object a
line with the record's fields plus `sf__Error`, to
`s3://{errorHandlingConfig.bucketName}/{bucketPrefix}/{flowName}/{executionId}/failed-records.json`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sandbox.appflow.files import FileFormatError, decode
from sandbox.appflow.s3 import join_key, list_keys
from sandbox.appflow.tasks import TaskPlan, plan_tasks
from sandbox.appflow.transfer import TransferError, TransferResult, injected_failure
from sandbox.salesforce import RecordRejectedError, SalesforceOrg, UnknownObjectError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def _read_source(s3: S3Client, source: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    bucket = str(source["bucketName"])
    file_type = str((source.get("s3InputFormatConfig") or {}).get("s3InputFileType", "CSV"))
    records: list[dict[str, Any]] = []
    size = 0
    try:
        for key in list_keys(s3, bucket, str(source.get("bucketPrefix", ""))):
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            size += len(body)
            records += decode(body, file_type, key)
    except ClientError as error:
        raise TransferError(f"Cannot read s3 bucket {bucket}: {error}") from error
    except FileFormatError as error:
        raise TransferError(str(error)) from error
    return records, size


def _mapped(record: dict[str, Any], plan: TaskPlan) -> dict[str, Any]:
    source = {k: v for k, v in record.items() if plan.projection is None or k in plan.projection}
    return {destination: source.get(name) for name, destination in plan.columns(list(source))}


def _write_failures(
    s3: S3Client, handling: dict[str, Any], flow_name: str, execution_id: str, failed: list[dict[str, Any]]
) -> str:
    bucket = handling.get("bucketName")
    if not bucket or not failed:
        return ""
    key = join_key(str(handling.get("bucketPrefix", "")), flow_name, execution_id, "failed-records.json")
    body = "".join(json.dumps(item, default=str) + "\n" for item in failed).encode()
    try:
        s3.put_object(Bucket=str(bucket), Key=key, Body=body)
    except ClientError as error:
        raise TransferError(f"Cannot write failed records to s3 bucket {bucket}: {error}") from error
    return f"s3://{bucket}/{key}"


def run_s3_to_salesforce(
    org: SalesforceOrg,
    definition: dict[str, Any],
    *,
    flow_name: str,
    execution_id: str,
    s3: S3Client,
    partial: bool = False,
) -> TransferResult:
    source = definition["sourceFlowConfig"]["sourceConnectorProperties"]["S3"]
    destination = definition["destinationFlowConfigList"][0]["destinationConnectorProperties"]["Salesforce"]
    object_name = str(destination["object"])
    operation = str(destination.get("writeOperationType", "INSERT"))
    if operation not in {"UPSERT", "INSERT", "UPDATE"}:
        raise TransferError(f"writeOperationType {operation} is not supported by the sandbox")
    id_fields = [str(name) for name in destination.get("idFieldNames") or []]
    handling: dict[str, Any] = destination.get("errorHandlingConfig") or {}
    try:
        org.describe(object_name)
    except UnknownObjectError as error:
        raise TransferError(str(error)) from error
    plan = plan_tasks(definition.get("tasks", []), "S3")
    records, size = _read_source(s3, source)
    failed: list[dict[str, Any]] = []
    written = 0
    for index, record in enumerate(records):
        values = _mapped(record, plan)
        try:
            if partial and injected_failure(index, len(records)):
                raise RecordRejectedError("UNKNOWN_EXCEPTION", "injected failure")
            _write(org, object_name, values, operation, id_fields)
            written += 1
        except RecordRejectedError as error:
            failed.append({**values, "sf__Error": str(error)})
            if handling.get("failOnFirstDestinationError"):
                location = _write_failures(s3, handling, flow_name, execution_id, failed)
                message = f"Record {index + 1} failed {error.code} {error.message} {location}".strip()
                raise TransferError(
                    message, TransferResult(written, size, 0, len(failed), message)
                ) from error
    location = _write_failures(s3, handling, flow_name, execution_id, failed)
    message = f"{len(failed)} records failed {location}".strip() if failed else ""
    return TransferResult(written, size, 0, len(failed), message)


def _write(
    org: SalesforceOrg, object_name: str, values: dict[str, Any], operation: str, ids: list[str]
) -> None:
    if operation == "INSERT":
        org.upsert(object_name, {k: v for k, v in values.items() if k != "Id"}, ["Id"])
        return
    keys = ids or ["Id"]
    if operation == "UPDATE":
        existing = [r for r in org.records(object_name) if all(r.get(k) == values.get(k) for k in keys)]
        if not existing:
            raise RecordRejectedError("ENTITY_IS_DELETED", f"no {object_name} matches {keys}")
    org.upsert(object_name, values, keys)
