"""Guard and report an S3 -> Salesforce upsert: check the results before anything is sent,
and surface failed records (and fail above the flow's threshold) after the run.

Salesforce refuses bad values record by record, and AppFlow still calls such a run Successful: the
refused records only show as a count and an error file. So the values are checked first, in
bounded memory (lakehouse.aws.results_check), and after the run the count, a sample of the failed
records and the error file's location are put where an operator looks: the log, the XCom, the
failure message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from airflow.providers.amazon.aws.hooks.appflow import AppflowHook
from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.sdk.exceptions import AirflowFailException

from lakehouse.airflow.connections import s3_client
from lakehouse.aws.results_check import ResultsCheck, csv_rows, file_format, json_lines, split_lines
from lakehouse.aws.salesforce_types import describe_salesforce_fields

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CHUNK_BYTES = 1 << 20
"""Read size per S3 request chunk: memory stays at a chunk plus one line, whatever the file size."""
SAMPLE_RECORDS = 5
"""Failed records quoted in the log and the XCom: enough to see why, small enough for an XCom."""


def _keys(s3: S3Client, bucket: str, prefix: str) -> Iterator[str]:
    """Object keys under a prefix, page by page (a prefix may hold more keys than fit in memory)."""
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if not item["Key"].endswith("/") and item.get("Size", 1) > 0:
                yield item["Key"]


def _split(location: str) -> tuple[str, str]:
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    return bucket, prefix


MASK = "***"


def masked(value: Any, fields: Sequence[str]) -> Any:
    """`value` with the values of `fields` (any depth, names compared case-insensitively, as
    Salesforce does) replaced by MASK: a failed record may wrap the record in an error envelope."""
    names = {name.lower() for name in fields}
    if not names:
        return value
    if isinstance(value, dict):
        return {k: MASK if str(k).lower() in names else masked(v, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(item, fields) for item in value]
    return value


class ResultsValidationOperator(AwsBaseOperator[AppflowHook]):
    """Fail before AppFlow runs when the results cannot be upserted: unknown or read-only
    columns, upsert fields missing or not upsertable, values that do not fit their fields.

    The message names the columns, with the first offending values and their file and line.
    """

    aws_hook_class = AppflowHook
    template_fields: Sequence[str] = aws_template_fields("location", "flow_name")

    def __init__(
        self,
        *,
        location: str,
        connector_profile: str,
        object_name: str,
        upsert_fields: Sequence[str],
        flow_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.location = location
        self.connector_profile = connector_profile
        self.object_name = object_name
        self.upsert_fields = list(upsert_fields)
        self.flow_name = flow_name

    def _input_format(self) -> str | None:
        """The format AppFlow will read the files with (the flow's s3InputFileType)."""
        if self.flow_name is None:
            return None
        flow = self.hook.conn.describe_flow(flowName=self.flow_name)
        s3 = flow["sourceFlowConfig"]["sourceConnectorProperties"].get("S3", {})
        file_type = (s3.get("s3InputFormatConfig") or {}).get("s3InputFileType")
        return str(file_type) if file_type else None

    def execute(self, context: Any) -> dict[str, Any]:
        fields = describe_salesforce_fields(self.hook.conn, self.connector_profile, self.object_name)
        check = ResultsCheck(self.object_name, fields, self.upsert_fields)
        flow_format = self._input_format()
        s3 = s3_client(self)
        bucket, prefix = _split(self.location)
        for key in _keys(s3, bucket, prefix):
            path = f"s3://{bucket}/{key}"
            kind = file_format(key, flow_format)
            lines = split_lines(s3.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(CHUNK_BYTES))
            check.add_file(
                path, json_lines(lines) if kind == "JSON" else csv_rows(lines), typed=kind == "JSON"
            )
        if check.files == 0:
            # Retryable: a producer may still be writing; the other problems are not.
            raise ValueError(f"no results under {self.location}")
        summary = check.summary()
        self.log.info("Results under %s: %s", self.location, json.dumps(summary))
        problems = check.problems()
        if problems:
            raise AirflowFailException(f"{self.location}: " + "; ".join(problems))
        return summary

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """It reads the results the upsert will send."""
        from lakehouse.airflow.lineage import lineage, s3_dataset

        return lineage(inputs=[s3_dataset(self.location)])


class UpsertReportOperator(AwsBaseOperator[AppflowHook]):
    """Records processed and failed by the upsert's execution; with failures, the error file's
    location (the flow's errorHandlingConfig) and a sample of its records. More failures than
    `max_failed_records` fail the task, without retry: a rerun of the report cannot change them.
    """

    aws_hook_class = AppflowHook
    template_fields: Sequence[str] = aws_template_fields("result", "flow_name")

    def __init__(
        self,
        *,
        flow_name: str,
        result: Any,
        max_failed_records: int,
        masked_fields: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        """`masked_fields`: the flow's PII columns, whose values the sample shows as '***' (it goes
        to the task log and the XCom, which more people read than the object itself)."""
        super().__init__(**kwargs)
        self.flow_name = flow_name
        self.result = result
        self.max_failed_records = max_failed_records
        self.masked_fields = list(masked_fields)

    def _error_prefix(self, execution_id: str) -> tuple[str, str] | None:
        """(bucket, prefix) of the execution's failed records, from the flow's errorHandlingConfig.

        AppFlow writes them under `<bucketPrefix>/<flowName>/<executionId>/`; when nothing is there
        (another layout), the configured prefix itself is reported, still where to look.
        """
        flow = self.hook.conn.describe_flow(flowName=self.flow_name)
        for destination in flow.get("destinationFlowConfigList", []):
            connectors: dict[str, Any] = dict(destination.get("destinationConnectorProperties", {}))
            for properties in connectors.values():
                handling = properties.get("errorHandlingConfig") or {}
                if handling.get("bucketName"):
                    base = str(handling.get("bucketPrefix", "")).strip("/")
                    prefix = "/".join(p for p in (base, self.flow_name, execution_id) if p) + "/"
                    return str(handling["bucketName"]), prefix
        return None

    def _sample(self, s3: S3Client, bucket: str, prefix: str) -> list[Any]:
        """The first failed records, read line by line: the error file may be large."""
        sample: list[Any] = []
        for key in _keys(s3, bucket, prefix):
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            for row in json_lines(split_lines(body.iter_chunks(CHUNK_BYTES))):
                sample.append(
                    masked(dict(row.values), self.masked_fields)
                    if row.values is not None
                    else f"{key}:{row.line}: {row.error}"
                )
                if len(sample) >= SAMPLE_RECORDS:
                    body.close()
                    return sample
        return sample

    def execute(self, context: Any) -> dict[str, Any]:
        result = dict(self.result)
        failed = int(result.get("records_failed", 0))
        processed = int(result.get("records_processed", 0))
        report: dict[str, Any] = {
            **result,
            "records_processed": processed,
            "records_failed": failed,
            "max_failed_records": self.max_failed_records,
            "error_location": None,
            "failed_sample": [],
        }
        if failed:
            where = self._error_prefix(str(result.get("execution_id", "")))
            if where is not None:
                s3 = s3_client(self)
                bucket, prefix = where
                sample = self._sample(s3, bucket, prefix)
                if not sample:
                    prefix = prefix.split(f"{self.flow_name}/", 1)[0]
                report["error_location"] = f"s3://{bucket}/{prefix}"
                report["failed_sample"] = sample
        self.log.info(
            "Upsert of %s: %s records processed, %s failed (threshold %s)",
            self.flow_name,
            processed,
            failed,
            self.max_failed_records,
        )
        if failed:
            self.log.warning(
                "Failed records written to %s; first %s: %s",
                report["error_location"] or "no error location (the flow has no errorHandlingConfig)",
                len(report["failed_sample"]),
                json.dumps(report["failed_sample"], default=str),
            )
        if failed > self.max_failed_records:
            context["ti"].xcom_push(key="report", value=report)
            first = report["failed_sample"][0] if report["failed_sample"] else {}
            reason = first.get("sf__Error") if isinstance(first, dict) else first
            raise AirflowFailException(
                f"{failed} records failed, more than the flow's max_failed_records {self.max_failed_records} "
                f"({processed} written); failed records at {report['error_location'] or 'no error location'}"
                + (f"; first error: {reason}" if reason else "")
            )
        return report
