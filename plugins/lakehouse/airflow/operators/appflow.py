"""Start an AppFlow run for one data interval, hold the org's pool slot while it runs, and hand its
execution id on.

The provider's AppflowRun*Operators wait inside the worker for the whole flow and window by
calendar day only. Here the run is windowed by the DAG run's data interval and the flow's S3
prefix is pointed at the interval's partition. After StartFlow the task defers (the triggerer
polls the execution, no worker slot is held) until the execution ends: the org's Airflow pool
counts deferred tasks, so its slots bound the AppFlow runs reading or writing the org at once,
and `max_active_tis_per_dag=1` keeps one run of a flow at a time (the flow is rewritten per run).
`wait_for_flow` (AppflowRunSensor) then judges how the execution ended.

A run Salesforce refused because the org's daily API allowance is spent (REQUEST_LIMIT_EXCEEDED)
is a state, not a failure: the task says so in its log, alerts once per org and day, waits
(deferred, no retry spent) and starts the interval again, until a run gets through.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any, NoReturn

from airflow.providers.amazon.aws.hooks.appflow import AppflowHook
from airflow.providers.amazon.aws.hooks.s3 import S3Hook
from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.providers.standard.triggers.temporal import TimeDeltaTrigger

from lakehouse.airflow.alerting import LakehouseAlertNotifier
from lakehouse.airflow.triggers.appflow import RUNNING, STILL_RUNNING, AppflowExecutionTrigger
from lakehouse.aws.appflow_requests import find_execution, update_flow_request, window_filter
from lakehouse.aws.salesforce_limits import claim_daily_alert, is_request_limit
from lakehouse.config.names import slug

QUICK_END_SECONDS = 10.0
"""How long run_flow watches a new execution itself before deferring (a refusal, an empty window
or the sandbox's runs end within it)."""
QUICK_POLL_SECONDS = 0.5
"""How often run_flow looks while it watches itself, or the poll interval when that is shorter."""
MIN_DEFERRAL_SECONDS = 30.0
"""The shortest wait handed to the triggerer. Airflow 3.3.1 fails a deferred task whose trigger
fires before the scheduler has processed the exit of the process that deferred (it finds the task
queued again and reports it "killed externally"); on a busy machine that exit takes seconds. So a
shorter wait is slept in the worker, and the execution trigger's first look is this late."""


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
        poll_interval: float = 30,
        hand_on_after_seconds: float = 7200,
        limit_wait_seconds: float = 900,
        connector_profile: str | None = None,
        limit_alert: LakehouseAlertNotifier | None = None,
        limit_alert_bucket: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`hand_on_after_seconds`: an execution still running then is handed to wait_for_flow,
        whose timeout cancels it (and fails); `limit_alert` is sent once per org (`connector_profile`)
        and day, claimed in `limit_alert_bucket` (salesforce_limits.claim_daily_alert)."""
        super().__init__(**kwargs)
        self.flow_name = flow_name
        self.timestamp_field = timestamp_field
        self.window_start = window_start
        self.window_end = window_end
        self.destination_prefix = destination_prefix
        self.source_prefix = source_prefix
        self.salesforce_source = salesforce_source
        self.update_propagation_seconds = update_propagation_seconds
        self.poll_interval = poll_interval
        self.hand_on_after_seconds = hand_on_after_seconds
        self.limit_wait_seconds = limit_wait_seconds
        self.connector_profile = connector_profile
        self.limit_alert = limit_alert
        self.limit_alert_bucket = limit_alert_bucket

    def execute(self, context: Any) -> str:
        return self._run_until_ended(context)

    def execution_ended(self, context: Any, event: dict[str, Any]) -> str:
        """Resumed by the trigger: the execution ended (or still runs after the hand-on time)."""
        if self._refused_for_the_limit(context, event):
            self._wait_for_the_allowance()
            return self._run_until_ended(context)
        return self._handed_on(event)

    def limit_wait_over(self, context: Any, event: Any = None) -> str:
        """Resumed after a long wait for the org's allowance (see _wait_for_the_allowance)."""
        return self._run_until_ended(context)

    def _run_until_ended(self, context: Any) -> str:
        """Start the interval's execution and follow it to its end: one that ends within
        QUICK_END_SECONDS is judged here, a longer one in the triggerer (the task defers, keeping
        its pool slot). A refusal for the org's API limit waits and starts the interval again."""
        while True:
            self.log.info("Starting flow %s for this run's interval", self.flow_name)
            execution_id = self._start(context)
            short = self.hand_on_after_seconds <= MIN_DEFERRAL_SECONDS  # the sandbox's timeouts
            event = self._ended_within(
                execution_id, self.hand_on_after_seconds if short else QUICK_END_SECONDS
            )
            if event is None and short:
                event = {"status": STILL_RUNNING, "message": "", "execution_id": execution_id}
            if event is None:
                self._defer_until_ended(execution_id)
            if not self._refused_for_the_limit(context, event):
                return self._handed_on(event)
            self._wait_for_the_allowance()

    def _ended_within(self, execution_id: str, seconds: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + seconds
        while True:
            record = find_execution(self.hook.conn, self.flow_name, execution_id)
            status = (record or {}).get("executionStatus")
            if record is not None and status not in RUNNING:
                message = record.get("executionResult", {}).get("errorInfo", {}).get("executionMessage", "")
                return {"status": status, "message": message, "execution_id": execution_id}
            if time.monotonic() >= deadline:
                return None
            time.sleep(min(QUICK_POLL_SECONDS, self.poll_interval))

    def _refused_for_the_limit(self, context: Any, event: dict[str, Any]) -> bool:
        """Whether the execution ended in Salesforce's REQUEST_LIMIT_EXCEEDED (then logged, alerted)."""
        message = str(event.get("message") or "")
        if event.get("status") != "Error" or not is_request_limit(message):
            return False
        self.log.warning(
            "Salesforce refused execution %s of %s: the org's daily API allowance is spent (%s). "
            "This is not a failure: the interval will be started again in %.0f s, without spending "
            "a retry, until the allowance is back.",
            *(event["execution_id"], self.flow_name, message, self.limit_wait_seconds),
        )
        self._alert_limit(context, message)
        return True

    def _wait_for_the_allowance(self) -> None:
        """A long wait defers (no worker slot; the pool slot is kept: the org has nothing to give
        other runs); a short one (the sandbox's) is slept here, see MIN_DEFERRAL_SECONDS."""
        if self.limit_wait_seconds >= MIN_DEFERRAL_SECONDS:
            self.defer(
                trigger=TimeDeltaTrigger(dt.timedelta(seconds=self.limit_wait_seconds)),
                method_name="limit_wait_over",
            )
        time.sleep(self.limit_wait_seconds)

    def _handed_on(self, event: dict[str, Any]) -> str:
        execution_id, status = str(event["execution_id"]), event.get("status")
        if status == STILL_RUNNING:
            self.log.info(
                "Execution %s still runs after %.0f s: wait_for_flow takes over",
                *(execution_id, self.hand_on_after_seconds),
            )
        else:
            self.log.info("Execution %s of %s ended %s", execution_id, self.flow_name, status)
        return execution_id

    def _start(self, context: Any) -> str:
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

    def _defer_until_ended(self, execution_id: str) -> NoReturn:
        self.defer(
            trigger=AppflowExecutionTrigger(
                flow_name=self.flow_name,
                execution_id=execution_id,
                aws_conn_id=self.aws_conn_id,
                region_name=self.region_name,
                poll_interval=self.poll_interval,
                first_look_seconds=max(self.poll_interval, MIN_DEFERRAL_SECONDS),
                deadline_seconds=self.hand_on_after_seconds,
            ),
            method_name="execution_ended",
        )

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Salesforce object -> the table's S3 prefix (ingest), or the results' S3 prefix -> the
        Salesforce object (upsert), read from the flow as this run left it."""
        from lakehouse.airflow.lineage import lineage, s3_prefix_dataset, salesforce_dataset, salesforce_host

        client = self.hook.conn
        flow = client.describe_flow(flowName=self.flow_name)
        source = flow["sourceFlowConfig"]
        destination = flow["destinationFlowConfigList"][0]

        def side(config: Any, properties_key: str) -> Any:
            kind = config["connectorType"]
            properties = config[properties_key][kind]
            if kind == "Salesforce":
                host = salesforce_host(client, str(config["connectorProfileName"]))
                return salesforce_dataset(host, str(properties["object"]))
            return s3_prefix_dataset(str(properties["bucketName"]), str(properties.get("bucketPrefix", "")))

        return lineage(
            inputs=[side(source, "sourceConnectorProperties")],
            outputs=[side(destination, "destinationConnectorProperties")],
        )

    def _alert_limit(self, context: Any, message: str) -> None:
        """One alert per org and (UTC) day, however many of its runs are paused."""
        if self.limit_alert is None or not self.limit_alert_bucket or not self.connector_profile:
            return
        profile = self.connector_profile
        note = f"{self.flow_name}: {message}"
        s3 = S3Hook(aws_conn_id=self.aws_conn_id, region_name=self.region_name).conn
        day = dt.datetime.now(dt.UTC).date()
        if not claim_daily_alert(s3, self.limit_alert_bucket, slug(profile), day, note):
            self.log.info("The org of %s was already reported at its limit today: no alert", profile)
            return
        self.limit_alert({**context, "exception": f"{profile}: {message} (runs paused until it resets)"})
