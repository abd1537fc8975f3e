"""What every generated DAG shares, whichever builder makes it (Salesforce flows, on-prem feeds,
the scoring example): data-interval timetables, the templated window, task defaults with the
alert callbacks, and the AWS and warehouse arguments of an environment's operators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import Asset, CronDataIntervalTimetable, DeltaDataIntervalTimetable
from airflow.sdk.bases.timetable import BaseTimetable

from lakehouse.airflow.alerting import LakehouseAlertNotifier
from lakehouse.airflow.priority import ScheduledBeforeBackfill
from lakehouse.airflow.tuning import Tuning
from lakehouse.alerts.message import Event
from lakehouse.config import Environment
from lakehouse.config.dag_settings import DagSettings
from lakehouse.config.schedule import Schedule
from lakehouse.plan.assets import AssetRef


def jinja(expression: str) -> str:
    """A run-time template; written without f-string brace doubling, which hides typos."""
    return "{{ " + expression + " }}"


ONE_AT_A_TIME = 1
"""For tasks that rewrite a shared resource (the AppFlow flow's filter and prefix between
UpdateFlow and StartFlow; the Glue table's columns; a Glue job with MaxConcurrentRuns 1).
max_active_runs=1 does not cover backfill runs, which Airflow 3 counts apart (a REST backfill
runs 10 at once by default), and a scheduled run may overlap a backfill; a task-level limit holds
across all runs of the DAG."""

WINDOW_START = jinja("data_interval_start.isoformat()")
WINDOW_END = jinja("data_interval_end.isoformat()")


def timetable(schedule: Schedule) -> BaseTimetable | None:
    """Data-interval timetables, so each run owns [start, end) for its window and partition."""
    if schedule.kind == "cron" and schedule.cron:
        return CronDataIntervalTimetable(schedule.cron, timezone="UTC")
    if schedule.kind == "interval" and schedule.interval_seconds:
        return DeltaDataIntervalTimetable(dt.timedelta(seconds=schedule.interval_seconds))
    return None


def asset(ref: AssetRef) -> Asset:
    return Asset(name=ref.name, uri=ref.uri)


def task_defaults(env: str, environment: Environment, settings: DagSettings) -> dict[str, Any]:
    """default_args from a flow's or feed's settings: retries with exponential backoff capped at an
    hour, today's runs before a backfill's (lakehouse.airflow.priority), and the alert callbacks."""
    return {
        "weight_rule": ScheduledBeforeBackfill(),
        "owner": settings.owner,
        "retries": settings.retries,
        "retry_delay": dt.timedelta(minutes=settings.retry_delay_minutes),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(hours=1),
        **alert_callbacks(env, environment, settings),
    }


def alert_notifier(env: str, environment: Environment, event: Event) -> LakehouseAlertNotifier:
    """A notifier of the environment's SNS topic and webhooks; it holds names only. `warning` is what
    an audit sends for failed `warn` checks, from the task itself, as it then succeeds and no
    callback fires; `limited` is what run_flow sends when the org's allowance is spent."""
    alerts = environment.alerts
    return LakehouseAlertNotifier(
        environment=env,
        sns_topic_arn=alerts.sns_topic_arn,
        webhook_secret=alerts.webhook_secret,
        aws_conn_id=environment.aws_conn_id,
        region_name=environment.region,
        event=event,
    )


def alert_callbacks(env: str, environment: Environment, settings: DagSettings) -> dict[str, Any]:
    """Task-level callbacks (default_args) that alert SNS and the webhooks; see alerting.py.

    One notifier per DAG and event, shared by its tasks; it holds names only, so parsing makes no
    call. Retries alert only with `alert_on_retry`, recoveries with `recovery_alerts`.
    """
    callbacks: dict[str, Any] = {"on_failure_callback": alert_notifier(env, environment, "failure")}
    if settings.alert_on_retry:
        callbacks["on_retry_callback"] = alert_notifier(env, environment, "retry")
    if settings.recovery_alerts:
        callbacks["on_success_callback"] = alert_notifier(env, environment, "recovery")
    return callbacks


def aws_args(environment: Environment) -> dict[str, Any]:
    return {"aws_conn_id": environment.aws_conn_id, "region_name": environment.region}


def warehouse_args(environment: Environment, tuning: Tuning) -> dict[str, Any]:
    """The Redshift Data API target (serverless workgroup or cluster) and how often to poll it."""
    redshift = environment.redshift
    return {
        "database": redshift.database,
        "workgroup_name": redshift.workgroup_name,
        "cluster_identifier": redshift.cluster_identifier,
        "db_user": redshift.db_user,
        "poll_interval": tuning.redshift_poll_interval_seconds,
    }
