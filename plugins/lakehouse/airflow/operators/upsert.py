"""Guard and report an S3 -> Salesforce upsert: check the results before anything is sent,
and fail on failed records above the flow's threshold after the run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.providers.amazon.aws.hooks.appflow import AppflowHook
from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.sdk import BaseOperator

from lakehouse.airflow.connections import wrangler_session
from lakehouse.aws.salesforce_types import describe_salesforce_fields


class ResultsValidationOperator(AwsBaseOperator[AppflowHook]):
    """Columns of the results must be writable fields of the object, upsert fields upsertable."""

    aws_hook_class = AppflowHook
    template_fields: Sequence[str] = aws_template_fields("location")

    def __init__(
        self,
        *,
        location: str,
        connector_profile: str,
        object_name: str,
        upsert_fields: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.location = location
        self.connector_profile = connector_profile
        self.object_name = object_name
        self.upsert_fields = list(upsert_fields)

    def execute(self, context: Any) -> dict[str, Any]:
        import awswrangler as wr

        described = describe_salesforce_fields(self.hook.conn, self.connector_profile, self.object_name)
        fields = {f.name: f for f in described}
        session = wrangler_session(self.aws_conn_id, self.region_name)
        objects = wr.s3.list_objects(self.location, boto3_session=session)
        if not objects:
            raise ValueError(f"no results under {self.location}")
        columns: set[str] = set()
        for path in objects:
            reader = wr.s3.read_csv if path.endswith(".csv") else wr.s3.read_json
            kwargs: dict[str, Any] = {"nrows": 1} if path.endswith(".csv") else {"lines": True, "nrows": 1}
            columns |= set(reader(path, boto3_session=session, **kwargs).columns)
        unknown = sorted(columns - set(fields))
        not_upsertable = sorted(f for f in self.upsert_fields if f in fields and not fields[f].upsertable)
        missing = sorted(f for f in self.upsert_fields if f not in columns)
        problems = []
        if unknown:
            problems.append(f"columns not in {self.object_name}: {', '.join(unknown)}")
        if missing:
            problems.append(f"upsert fields missing from the results: {', '.join(missing)}")
        if not_upsertable:
            problems.append(
                f"upsert fields Salesforce does not accept as upsert keys: {', '.join(not_upsertable)}"
            )
        if problems:
            raise ValueError(f"{self.location}: " + "; ".join(problems))
        return {"files": len(objects), "columns": sorted(columns)}


class UpsertReportOperator(BaseOperator):
    template_fields: Sequence[str] = ("result",)

    def __init__(self, *, result: Any, max_failed_records: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result = result
        self.max_failed_records = max_failed_records

    def execute(self, context: Any) -> dict[str, Any]:

        result = dict(self.result)
        failed = int(result.get("records_failed", 0))
        self.log.info("Upsert processed %s records, %s failed", result.get("records_processed"), failed)
        if failed > self.max_failed_records:
            raise ValueError(
                f"{failed} records failed (threshold {self.max_failed_records}); AppFlow wrote them to the "
                "flow's error location"
            )
        return result
