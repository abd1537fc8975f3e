"""Map DagPlans onto DAGs: the provider's operators where they fit, ours where they do not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from airflow.providers.amazon.aws.operators.appflow import AppflowRecordsShortCircuitOperator
from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.providers.amazon.aws.operators.s3 import S3DeleteObjectsOperator
from airflow.sdk import (
    DAG,
    Asset,
    AssetAny,
    AssetOrTimeSchedule,
    CronDataIntervalTimetable,
    DeltaDataIntervalTimetable,
    TaskGroup,
    chain,
)
from airflow.sdk.bases.timetable import BaseTimetable

from lakehouse.airflow.alerting import LakehouseAlertNotifier
from lakehouse.airflow.operators.appflow import AppflowStartRunOperator
from lakehouse.airflow.operators.catalog import (
    GluePartitionOperator,
    GlueTableOperator,
    SalesforceSchemaOperator,
)
from lakehouse.airflow.operators.checks import PartitionCheckOperator
from lakehouse.airflow.operators.upsert import ResultsValidationOperator, UpsertReportOperator
from lakehouse.airflow.sensors.appflow import AppflowRunSensor
from lakehouse.airflow.tuning import Tuning
from lakehouse.config import Environment
from lakehouse.config.schedule import Schedule
from lakehouse.plan import DagPlan, ProfilePlan
from lakehouse.plan.assets import AssetRef, results_asset, table_asset
from lakehouse.sql import render_sql


def _jinja(expression: str) -> str:
    """A run-time template; written without f-string brace doubling, which hides typos."""
    return "{{ " + expression + " }}"


ONE_AT_A_TIME = 1
"""For tasks that rewrite a shared resource (the AppFlow flow's filter and prefix between
UpdateFlow and StartFlow; the Glue table's columns). max_active_runs=1 does not cover backfill
runs, which Airflow 3 counts apart (a REST backfill runs 10 at once by default), and a scheduled
run may overlap a backfill; a task-level limit holds across all runs of the DAG. AppFlow takes the
flow's definition when an execution starts, so the executions themselves may overlap."""

WINDOW_START = _jinja("data_interval_start.isoformat()")
WINDOW_END = _jinja("data_interval_end.isoformat()")


def timetable(schedule: Schedule) -> BaseTimetable | None:
    """Data-interval timetables, so each run owns [start, end) for its window and partition."""
    if schedule.kind == "cron" and schedule.cron:
        return CronDataIntervalTimetable(schedule.cron, timezone="UTC")
    if schedule.kind == "interval" and schedule.interval_seconds:
        return DeltaDataIntervalTimetable(dt.timedelta(seconds=schedule.interval_seconds))
    return None


def asset(ref: AssetRef) -> Asset:
    return Asset(name=ref.name, uri=ref.uri)


def dag_schedule(plan: DagPlan) -> BaseTimetable | Asset | AssetAny | None:
    """The flow's timetable; an upsert with `trigger: results` also runs (with `na`: only runs)
    when its results Asset is updated, i.e. as soon as a producer has replaced the results."""
    time_based = timetable(plan.schedule)
    if plan.direction != "upsert" or plan.flow.trigger != "results":
        return time_based
    assets = [asset(results_asset(profile)) for profile in plan.profiles]
    condition = assets[0] if len(assets) == 1 else AssetAny(*assets)
    return condition if time_based is None else AssetOrTimeSchedule(timetable=time_based, assets=condition)


def build_dag(plan: DagPlan, sql_dir: Path, tuning: Tuning | None = None) -> DAG:
    tuning = tuning or Tuning()
    flow = plan.flow
    with DAG(
        dag_id=plan.dag_id,
        schedule=dag_schedule(plan),
        start_date=plan.start_date,
        catchup=False,
        max_active_runs=1,
        tags=plan.tags,
        description=flow.description,
        doc_md=plan.doc_md(),
        default_args={
            "owner": flow.owner,
            "retries": flow.retries,
            "retry_delay": dt.timedelta(minutes=flow.retry_delay_minutes),
            "retry_exponential_backoff": True,
            "max_retry_delay": dt.timedelta(hours=1),
            **alert_callbacks(plan),
        },
    ) as dag:
        for profile in plan.profiles:
            with TaskGroup(group_id=profile.group_id, tooltip=profile.profile):
                if plan.direction == "ingest":
                    _ingest(plan, profile, sql_dir, tuning)
                else:
                    _upsert(plan, profile, tuning)
    return dag


def alert_callbacks(plan: DagPlan) -> dict[str, Any]:
    """Task-level callbacks (default_args) that alert SNS and the webhooks; see alerting.py.

    One notifier per DAG and event, shared by its tasks; it holds names only, so parsing makes no
    call. Retries alert only when the flow sets `alert_on_retry`, recoveries with `recovery_alerts`.
    """
    return environment_alert_callbacks(
        plan.env,
        plan.environment,
        alert_on_retry=plan.flow.alert_on_retry,
        recovery_alerts=plan.flow.recovery_alerts,
    )


def environment_alert_callbacks(
    env: str, environment: Environment, *, alert_on_retry: bool, recovery_alerts: bool
) -> dict[str, Any]:
    """The callbacks of `alert_callbacks` for any DAG of `env` (the feed DAGs use it directly)."""
    alerts = environment.alerts

    def notifier(event: Literal["failure", "retry", "recovery"]) -> LakehouseAlertNotifier:
        return LakehouseAlertNotifier(
            environment=env,
            sns_topic_arn=alerts.sns_topic_arn,
            webhook_secret=alerts.webhook_secret,
            aws_conn_id=environment.aws_conn_id,
            region_name=environment.region,
            event=event,
        )

    callbacks: dict[str, Any] = {"on_failure_callback": notifier("failure")}
    if alert_on_retry:
        callbacks["on_retry_callback"] = notifier("retry")
    if recovery_alerts:
        callbacks["on_success_callback"] = notifier("recovery")
    return callbacks


def _aws(plan: DagPlan) -> dict[str, Any]:
    return {"aws_conn_id": plan.environment.aws_conn_id, "region_name": plan.environment.region}


def _ingest(plan: DagPlan, profile: ProfilePlan, sql_dir: Path, tuning: Tuning) -> None:
    flow, env, aws = plan.flow, plan.environment, _aws(plan)
    group = profile.group_id
    value = _jinja(f"data_interval_start.strftime('{plan.partition_format}')")
    partition_prefix = f"{profile.prefix}/{flow.bookmark_col}={value}"
    partition_location = f"s3://{profile.bucket}/{partition_prefix}/"
    redshift = env.redshift
    warehouse: dict[str, Any] = {
        "database": redshift.database,
        "workgroup_name": redshift.workgroup_name,
        "cluster_identifier": redshift.cluster_identifier,
        "db_user": redshift.db_user,
        "wait_for_completion": True,
        "poll_interval": tuning.redshift_poll_interval_seconds,
    }
    sql_values = {
        "external_schema": profile.external_schema,
        "glue_database": profile.glue_database,
        "spectrum_role_arn": redshift.spectrum_role_arn,
        "region": env.region,
    }
    view_values = {
        "views_schema": env.views_schema_for(profile.profile),
        "table": profile.table,
        "external_schema": profile.external_schema,
        "timestamp_column": flow.timestamp_field.lower(),
        "bookmark_col": flow.bookmark_col,
    }
    chain(
        S3DeleteObjectsOperator(
            task_id="prepare_partition", bucket=profile.bucket, prefix=partition_prefix + "/", **aws
        ),
        AppflowStartRunOperator(
            task_id="run_flow",
            flow_name=profile.appflow_flow,
            max_active_tis_per_dag=ONE_AT_A_TIME,
            timestamp_field=flow.timestamp_field if flow.incremental_load else None,
            window_start=WINDOW_START,
            window_end=WINDOW_END,
            destination_prefix=partition_prefix,
            update_propagation_seconds=tuning.appflow_update_propagation_seconds,
            **aws,
        ),
        wait := _wait_for_flow(profile, aws, tuning, max_failed_records=0),
        AppflowRecordsShortCircuitOperator(
            task_id="has_records",
            flow_name=profile.appflow_flow,
            appflow_run_task_id=f"{group}.run_flow",
            **aws,
        ),
        schema := SalesforceSchemaOperator(
            task_id="discover_schema", connector_profile=profile.profile, object_name=flow.sf_object, **aws
        ),
        GlueTableOperator(
            task_id="register_table",
            max_active_tis_per_dag=ONE_AT_A_TIME,
            database=profile.glue_database,
            table=profile.table,
            location=profile.location,
            partition_column=flow.bookmark_col,
            columns=schema.output,
            description=f"AppFlow ingestion table for {flow.sf_object} ({profile.profile})",
            **aws,
        ),
        GluePartitionOperator(
            task_id="register_partition",
            database=profile.glue_database,
            table=profile.table,
            location=partition_location,
            value=value,
            **aws,
        ),
        RedshiftDataOperator(
            task_id="ensure_external_schema",
            sql=render_sql(sql_dir, "external_schema", **sql_values)[0],
            **warehouse,
            **aws,
        ),
        RedshiftDataOperator(
            task_id="build_views",
            sql=render_sql(sql_dir, "current_state_view", **view_values),
            **warehouse,
            **aws,
        ),
        PartitionCheckOperator(
            task_id="check_data",
            location=partition_location,
            expected_records=_jinja(f"ti.xcom_pull(task_ids='{wait.task_id}')['records_processed']"),
            outlets=[asset(table_asset(profile))],
            **aws,
        ),
    )


def _wait_for_flow(
    profile: ProfilePlan, aws: dict[str, Any], tuning: Tuning, max_failed_records: int | None = None
) -> AppflowRunSensor:
    """Ingest passes 0: a record AppFlow failed to write would be missing from the lake unseen."""
    execution_id = _jinja(f"ti.xcom_pull(task_ids='{profile.group_id}.run_flow', key='execution_id')")
    return AppflowRunSensor(
        task_id="wait_for_flow",
        flow_name=profile.appflow_flow,
        execution_id=execution_id,
        max_failed_records=max_failed_records,
        poke_interval=tuning.appflow_poke_interval_seconds,
        timeout=tuning.appflow_timeout_seconds,
        retries=0,
        **aws,
    )


def _upsert(plan: DagPlan, profile: ProfilePlan, tuning: Tuning) -> None:
    flow, aws = plan.flow, _aws(plan)
    chain(
        ResultsValidationOperator(
            task_id="validate_results",
            location=profile.location,
            connector_profile=profile.profile,
            object_name=flow.sf_object,
            upsert_fields=flow.upsert_field_list,
            flow_name=profile.appflow_flow,
            **aws,
        ),
        AppflowStartRunOperator(
            task_id="run_flow",
            flow_name=profile.appflow_flow,
            max_active_tis_per_dag=ONE_AT_A_TIME,
            update_propagation_seconds=tuning.appflow_update_propagation_seconds,
            **aws,
        ),
        wait := _wait_for_flow(profile, aws, tuning),
        UpsertReportOperator(
            task_id="report_records",
            flow_name=profile.appflow_flow,
            result=wait.output,
            max_failed_records=flow.max_failed_records,
            **aws,
        ),
    )
