"""Start an AppFlow run for one data interval and hand its execution id on.

The provider's AppflowRun*Operators wait inside the worker for the whole flow and window by
calendar day only. Here the run is windowed by the DAG run's data interval, the flow's S3 prefix
is pointed at the interval's partition, and waiting is a separate reschedule sensor
(AppflowRunSensor) so no worker slot is held while Salesforce is read.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from airflow.providers.amazon.aws.hooks.appflow import AppflowHook
from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields

from lakehouse.aws.appflow_requests import update_flow_request, window_filter


class AppflowStartRunOperator(AwsBaseOperator[AppflowHook]):
    """Rewrite the flow for this run (window, prefixes, the Salesforce source settings the config
    pins), start it, push `execution_id` to XCom.

    The XCom key is the provider's, so its AppflowRecordsShortCircuitOperator reads it.
    """

    aws_hook_class = AppflowHook
    template_fields: Sequence[str] = aws_template_fields(
        "flow_name", "window_start", "window_end", "destination_prefix", "source_prefix"
    )
    ui_color = "#2bccbd"

    def __init__(
        self,
        *,
        flow_name: str,
        timestamp_field: str | None = None,
        window_start: str | None = None,
        window_end: str | None = None,
        destination_prefix: str | None = None,
        source_prefix: str | None = None,
        salesforce_source: dict[str, Any] | None = None,
        update_propagation_seconds: float = 15,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.flow_name = flow_name
        self.timestamp_field = timestamp_field
        self.window_start = window_start
        self.window_end = window_end
        self.destination_prefix = destination_prefix
        self.source_prefix = source_prefix
        self.salesforce_source = salesforce_source
        self.update_propagation_seconds = update_propagation_seconds

    def execute(self, context: Any) -> str:
        client = self.hook.conn
        described = client.describe_flow(flowName=self.flow_name)
        filter_task = None
        if self.timestamp_field:
            if not (self.window_start and self.window_end):
                raise ValueError(f"{self.task_id}: an incremental run needs window_start and window_end")
            filter_task = window_filter(
                described["sourceFlowConfig"]["connectorType"],
                self.timestamp_field,
                dt.datetime.fromisoformat(self.window_start),
                dt.datetime.fromisoformat(self.window_end),
            )
        request = update_flow_request(
            described,
            filter_task=filter_task,
            destination_prefix=self.destination_prefix,
            source_prefix=self.source_prefix,
            salesforce_source=self.salesforce_source,
        )
        client.update_flow(**request)
        # On-demand flows may start with the previous definition right after an update (the
        # provider waits for the same reason, AppflowBaseOperator.UPDATE_PROPAGATION_TIME).
        time.sleep(self.update_propagation_seconds)
        execution_id: str = client.start_flow(flowName=self.flow_name)["executionId"]
        self.log.info("Started flow %s, execution %s", self.flow_name, execution_id)
        context["ti"].xcom_push(key="execution_id", value=execution_id)
        return execution_id
