"""The arguments of the generated ingest DAGs and of every task in them, as plain data.

The hand-written floor and the dag-factory YAML are both rendered from these specs, so all three
variants build the same operators with the same arguments, including the default_args' alert
callbacks (`lakehouse.airflow.dag_args.alert_callbacks`: one LakehouseAlertNotifier per DAG and
event) and the task-level limits (`max_active_tis_per_dag` on run_flow and register_table,
`max_failed_records=0` on wait_for_flow). The values are worked out here the way
`lakehouse.airflow.build` works them out (from the project's own plans and SQL templates), without
importing Airflow; `bench.check` then compares the loaded DAGs against the generated ones, so a
drift between this file and build.py fails the benchmark instead of skewing it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakehouse.config import load_config
from lakehouse.plan import DagPlan, ProfilePlan, plan_environment
from lakehouse.sql import render_sql

AMAZON = "airflow.providers.amazon.aws"
OPERATORS = {
    "run_flow": "lakehouse.airflow.operators.appflow.AppflowStartRunOperator",
    "wait_for_flow": "lakehouse.airflow.sensors.appflow.AppflowRunSensor",
    "has_records": f"{AMAZON}.operators.appflow.AppflowRecordsShortCircuitOperator",
    "discover_schema": "lakehouse.airflow.operators.catalog.SalesforceSchemaOperator",
    "register_table": "lakehouse.airflow.operators.catalog.GlueTableOperator",
    "check_data": "lakehouse.airflow.operators.checks.PartitionCheckOperator",
    "register_partition": "lakehouse.airflow.operators.catalog.GluePartitionOperator",
    "ensure_external_schema": f"{AMAZON}.operators.redshift_data.RedshiftDataOperator",
    "build_views": f"{AMAZON}.operators.redshift_data.RedshiftDataOperator",
    "prune_partition": "lakehouse.airflow.operators.prune.PartitionPruneOperator",
}
"""Task id -> operator class, in chain order (the same ten tasks per connector profile)."""


# The timings build.py passes: from lakehouse.airflow.tuning (Airflow options, section
# `lakehouse`; the children run without any, so its defaults, as floats) where that module
# exists, else the constants build.py had before it.
if importlib.util.find_spec("lakehouse.airflow.tuning") is not None:
    RUN_FLOW_TUNING: dict[str, Any] = {"update_propagation_seconds": 15.0}
    POKE_INTERVAL: float = 30.0
    POLL_INTERVAL: float = 5.0
else:
    RUN_FLOW_TUNING = {}
    POKE_INTERVAL = 30
    POLL_INTERVAL = 5
FLOW_TIMEOUT = 7200.0
ONE_AT_A_TIME = 1
"""lakehouse.airflow.dag_args.ONE_AT_A_TIME: max_active_tis_per_dag of run_flow and register_table."""
NOTIFIER = "lakehouse.airflow.alerting.LakehouseAlertNotifier"
"""The class of every alert callback; DagSpec.callbacks holds its keyword arguments."""
CALLBACK_EVENTS = {
    "on_failure_callback": "failure",
    "on_retry_callback": "retry",
    "on_success_callback": "recovery",
}
"""default_args callback key -> the notifier's `event`, as in dag_args.alert_callbacks."""


def jinja(expression: str) -> str:
    return "{{ " + expression + " }}"


@dataclass(frozen=True)
class TaskSpec:
    task_id: str
    operator: str
    kwargs: dict[str, Any]
    """Literal keyword arguments: str, int, float, bool, None or lists of str."""
    columns_from: str | None = None
    """register_table only: `columns` is the XCom output of this task id (same group)."""
    asset: tuple[str, str] | None = None
    """prune_partition only (the last step): outlets=[Asset(name, uri)]."""


@dataclass(frozen=True)
class GroupSpec:
    group_id: str
    tooltip: str
    tasks: list[TaskSpec]


@dataclass(frozen=True)
class DagSpec:
    dag_id: str
    cron: str
    start_date: dt.date
    tags: list[str]
    description: str
    doc_md: str
    owner: str
    retries: int
    retry_delay_minutes: int
    callbacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """default_args callback key -> keyword arguments of its NOTIFIER (one instance per DAG and
    key, shared by the tasks), e.g. {"on_failure_callback": {"environment": "dev", ...}}."""
    groups: list[GroupSpec] = field(default_factory=list)


def dag_specs(include_dir: Path, env: str) -> list[DagSpec]:
    config = load_config(include_dir / "config")
    if not config.ok:
        raise config.error()
    plans = [p for p in plan_environment(config, env) if p.direction == "ingest"]
    return [_dag(plan, include_dir / "sql") for plan in plans]


def _dag(plan: DagPlan, sql_dir: Path) -> DagSpec:
    if plan.schedule.kind != "cron" or plan.schedule.cron is None:
        raise ValueError(f"{plan.dag_id}: the benchmark workload uses cron schedules only")
    flow = plan.flow
    return DagSpec(
        dag_id=plan.dag_id,
        cron=plan.schedule.cron,
        start_date=flow.start_date,
        tags=plan.tags,
        description=flow.description,
        doc_md=plan.doc_md(),
        owner=flow.owner,
        retries=flow.retries,
        retry_delay_minutes=flow.retry_delay_minutes,
        callbacks=_callbacks(plan),
        groups=[GroupSpec(p.group_id, p.profile, _tasks(plan, p, sql_dir)) for p in plan.profiles],
    )


def _callbacks(plan: DagPlan) -> dict[str, dict[str, Any]]:
    """As dag_args.alert_callbacks: failure always, retry with `alert_on_retry`, recovery with
    `recovery_alerts`."""
    flow, env = plan.flow, plan.environment
    wanted = {
        "on_failure_callback": True,
        "on_retry_callback": flow.alert_on_retry,
        "on_success_callback": flow.recovery_alerts,
    }
    return {
        key: {
            "environment": plan.env,
            "sns_topic_arn": env.alerts.sns_topic_arn,
            "webhook_secret": env.alerts.webhook_secret,
            "aws_conn_id": env.aws_conn_id,
            "region_name": env.region,
            "event": CALLBACK_EVENTS[key],
        }
        for key, on in wanted.items()
        if on
    }


def _tasks(plan: DagPlan, profile: ProfilePlan, sql_dir: Path) -> list[TaskSpec]:
    flow, env = plan.flow, plan.environment
    aws = {"aws_conn_id": env.aws_conn_id, "region_name": env.region}
    group = profile.group_id
    value = jinja(f"data_interval_start.strftime('{plan.partition_format}')")
    partition_prefix = f"{profile.prefix}/{flow.bookmark_col}={value}"
    execution_id = jinja(f"ti.xcom_pull(task_ids='{group}.run_flow', key='execution_id')")
    load_location = f"s3://{profile.bucket}/{partition_prefix}/{profile.appflow_flow}/{execution_id}/"
    redshift = env.redshift
    warehouse = {
        "database": redshift.database,
        "workgroup_name": redshift.workgroup_name,
        "cluster_identifier": redshift.cluster_identifier,
        "db_user": redshift.db_user,
        "wait_for_completion": True,
        "poll_interval": POLL_INTERVAL,
    }
    external_sql = render_sql(
        sql_dir,
        "external_schema",
        external_schema=profile.external_schema,
        glue_database=profile.glue_database,
        spectrum_role_arn=redshift.spectrum_role_arn,
        region=env.region,
    )[0]
    views_sql = render_sql(
        sql_dir,
        "current_state_view",
        views_schema=env.views_schema_for(profile.profile),
        table=profile.table,
        external_schema=profile.external_schema,
        timestamp_column=flow.timestamp_field.lower(),
        bookmark_col=flow.bookmark_col,
    )
    kwargs: dict[str, dict[str, Any]] = {
        "run_flow": {
            "flow_name": profile.appflow_flow,
            "max_active_tis_per_dag": ONE_AT_A_TIME,
            "timestamp_field": flow.timestamp_field if flow.incremental_load else None,
            "window_start": jinja("data_interval_start.isoformat()"),
            "window_end": jinja("data_interval_end.isoformat()"),
            "destination_prefix": partition_prefix,
            **RUN_FLOW_TUNING,
        },
        "wait_for_flow": {
            "flow_name": profile.appflow_flow,
            "execution_id": execution_id,
            "max_failed_records": 0,
            "poke_interval": POKE_INTERVAL,
            "timeout": FLOW_TIMEOUT,
            "retries": 0,
        },
        "has_records": {"flow_name": profile.appflow_flow, "appflow_run_task_id": f"{group}.run_flow"},
        "discover_schema": {"connector_profile": profile.profile, "object_name": flow.sf_object},
        "register_table": {
            "max_active_tis_per_dag": ONE_AT_A_TIME,
            "database": profile.glue_database,
            "table": profile.table,
            "location": profile.location,
            "partition_column": flow.bookmark_col,
            "description": f"AppFlow ingestion table for {flow.sf_object} ({profile.profile})",
        },
        "register_partition": {
            "database": profile.glue_database,
            "table": profile.table,
            "location": load_location,
            "value": value,
        },
        "ensure_external_schema": {"sql": external_sql, **warehouse},
        "build_views": {"sql": views_sql, **warehouse},
        "check_data": {
            "location": load_location,
            "expected_records": jinja(f"ti.xcom_pull(task_ids='{group}.wait_for_flow')['records_processed']"),
        },
        "prune_partition": {
            "database": profile.glue_database,
            "table": profile.table,
            "value": value,
            "bucket": profile.bucket,
            "prefix": partition_prefix + "/",
        },
    }
    tasks = []
    for task_id, operator in OPERATORS.items():
        tasks.append(
            TaskSpec(
                task_id=task_id,
                operator=operator,
                kwargs={**kwargs[task_id], **aws},
                columns_from="discover_schema" if task_id == "register_table" else None,
                asset=(
                    (f"{profile.glue_database}.{profile.table}", profile.location.rstrip("/"))
                    if task_id == "prune_partition"
                    else None
                ),
            )
        )
    return tasks
