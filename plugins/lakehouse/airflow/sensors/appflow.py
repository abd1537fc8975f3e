"""Wait for one AppFlow execution, found by id, without holding a worker slot.

Tracking by execution id (not "the latest run") is what the provider's waiter lacks when several
runs are listed (apache/airflow#33461); a terminal error fails at once with AppFlow's own message
instead of being retried, because retrying the wait cannot change a finished run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.providers.amazon.aws.hooks.appflow import AppflowHook
from airflow.providers.amazon.aws.sensors.base_aws import AwsBaseSensor
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.sdk import PokeReturnValue
from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout

from lakehouse.aws.appflow_requests import find_execution


class AppflowRunSensor(AwsBaseSensor[AppflowHook]):
    aws_hook_class = AppflowHook
    template_fields: Sequence[str] = aws_template_fields("flow_name", "execution_id")
    ui_color = "#33ffec"

    def __init__(
        self, *, flow_name: str, execution_id: str, max_failed_records: int | None = None, **kwargs: Any
    ) -> None:
        """`max_failed_records`: more failed records than this fail the wait (ingest: 0, since a
        record AppFlow could not write is missing from the lake); None hands them on in the XCom
        for a later task to judge (upsert: UpsertReportOperator and the flow's threshold)."""
        kwargs.setdefault("mode", "reschedule")
        super().__init__(**kwargs)
        self.flow_name = flow_name
        self.execution_id = execution_id
        self.max_failed_records = max_failed_records

    def poke(self, context: Any) -> PokeReturnValue | bool:
        record = find_execution(self.hook.conn, self.flow_name, self.execution_id)
        if record is None:
            self.log.info("Execution %s of %s not listed yet", self.execution_id, self.flow_name)
            return False
        status = record.get("executionStatus")
        if status == "InProgress":
            return False
        result = record.get("executionResult", {})
        if status == "Successful":
            failed = int(result.get("errorInfo", {}).get("putFailuresCount", 0))
            if self.max_failed_records is not None and failed > self.max_failed_records:
                # AppFlow calls such a run Successful; the lake would silently miss these records,
                # and check_data (rows = records processed) could not see it. Fail before anything
                # is registered; a rerun of the interval replaces the partial partition.
                message = result.get("errorInfo", {}).get("executionMessage") or "no message from AppFlow"
                written = int(result.get("recordsProcessed", 0))
                raise AirflowFailException(
                    f"AppFlow flow {self.flow_name} execution {self.execution_id} ended {status} but "
                    f"{failed} records failed (at most {self.max_failed_records} allowed), "
                    f"{written} written: {message}"
                )
            return PokeReturnValue(
                is_done=True,
                xcom_value={
                    "execution_id": self.execution_id,
                    "records_processed": int(result.get("recordsProcessed", 0)),
                    "bytes_written": int(result.get("bytesWritten", 0)),
                    "records_failed": failed,
                },
            )
        message = result.get("errorInfo", {}).get("executionMessage") or "no message from AppFlow"
        raise AirflowFailException(
            f"AppFlow flow {self.flow_name} execution {self.execution_id} ended {status}: {message}"
        )

    def execute(self, context: Any) -> Any:
        try:
            return super().execute(context)
        except AirflowSensorTimeout:
            # StopFlow does not apply to on-demand flows; a running execution is cancelled.
            self.log.error(
                "Cancelling hung execution %s of %s after the timeout", self.execution_id, self.flow_name
            )
            self.hook.conn.cancel_flow_executions(flowName=self.flow_name, executionIds=[self.execution_id])
            raise
