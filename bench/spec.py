"""The arguments of the generated Salesforce DAGs and of every task in them, as plain data.

The hand-written floor and the dag-factory YAML are both rendered from these specs, so all three
variants build the same operators with the same arguments: the ingest DAGs (with the data-quality
audit, keep_versions or point_latest, the views' SQL as build.py renders it) and the reconciliation
DAGs of the incremental objects, the default_args (owner, retries, the priority weight strategy and
the alert callbacks: one LakehouseAlertNotifier per DAG and event), the task-level limits (the
org's pool and `max_active_tis_per_dag` on run_flow, `max_failed_records=0` on wait_for_flow), the
Salesforce-limit arguments of run_flow and the lineage names the catalog steps carry.

The values are worked out the way `lakehouse.airflow.build` works them out, from the project's own
plans, plan helpers (`lakehouse.plan.views`, `.pools`, `.assets`, `DagPlan.audit`), lineage names
and SQL templates, without importing Airflow: this module is what the variants are rendered from,
so it must not pay (or hide) Airflow's cost itself. `bench.check` then compares the loaded DAGs
against the generated ones, so a drift between this file and build.py fails the benchmark instead
of skewing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakehouse.airflow.lineage_names import table_lineage
from lakehouse.config import load_config
from lakehouse.plan import DagPlan, ProfilePlan, plan_environment
from lakehouse.plan.assets import table_asset
from lakehouse.plan.dags import RECONCILE_PARTITION, RECONCILE_PARTITION_FORMAT
from lakehouse.plan.pools import pool_name
from lakehouse.plan.views import required_columns, view_templates, view_values
from lakehouse.sql import render_sql

AMAZON = "airflow.providers.amazon.aws"
OURS = "lakehouse.airflow"
OPERATORS = {
    "run_flow": f"{OURS}.operators.appflow.AppflowStartRunOperator",
    "wait_for_flow": f"{OURS}.sensors.appflow.AppflowRunSensor",
    "has_records": f"{AMAZON}.operators.appflow.AppflowRecordsShortCircuitOperator",
    "discover_schema": f"{OURS}.operators.catalog.SalesforceSchemaOperator",
    "register_table": f"{OURS}.operators.catalog.GlueTableOperator",
    "check_data": f"{OURS}.operators.checks.PartitionCheckOperator",
    "ensure_external_schema": f"{AMAZON}.operators.redshift_data.RedshiftDataOperator",
    "audit_data": f"{OURS}.operators.quality.DataAuditOperator",
    "keep_versions": f"{OURS}.operators.versions.VersionKeepOperator",
    "register_partition": f"{OURS}.operators.catalog.GluePartitionOperator",
    "point_latest": f"{OURS}.operators.snapshots.LatestSnapshotOperator",
    "build_views": f"{AMAZON}.operators.redshift_data.RedshiftDataOperator",
    "prune_partition": f"{OURS}.operators.prune.PartitionPruneOperator",
}
"""Task id -> operator class. A task id means the same operator in every direction (the
reconciliation DAGs reuse run_flow, wait_for_flow, check_data, register_partition, prune_partition)."""

MODELLED_DIRECTIONS = ("ingest", "reconcile")
"""The DAGs the workload's flows.yaml plans; an upsert flow would need its own tasks here."""

# lakehouse.airflow.tuning.Tuning's defaults (the benchmark's children set no `lakehouse` Airflow
# options), as the floats Tuning.from_airflow_config reads them as. That module imports Airflow,
# so the values are restated; bench.check fails the benchmark if they drift.
UPDATE_PROPAGATION_SECONDS = 15.0
POKE_INTERVAL = 30.0
"""appflow_poke_interval_seconds: wait_for_flow's poke interval and run_flow's poll interval."""
FLOW_TIMEOUT = 7200.0
"""appflow_timeout_seconds: wait_for_flow's timeout and run_flow's hand_on_after_seconds."""
POLL_INTERVAL = 5.0
"""redshift_poll_interval_seconds."""
LIMIT_WAIT_SECONDS = 900.0
"""salesforce_limit_wait_seconds."""
ONE_AT_A_TIME = 1
"""lakehouse.airflow.dag_args.ONE_AT_A_TIME: max_active_tis_per_dag of run_flow, register_table and
point_latest."""

NOTIFIER = f"{OURS}.alerting.LakehouseAlertNotifier"
"""The class of every alert callback and of run_flow's and audit_data's own alerts."""
CALLBACK_EVENTS = {
    "on_failure_callback": "failure",
    "on_retry_callback": "retry",
    "on_success_callback": "recovery",
}
"""default_args callback key -> the notifier's `event`, as in dag_args.alert_callbacks."""


def jinja(expression: str) -> str:
    """A run-time template, as lakehouse.airflow.dag_args.jinja writes it."""
    return "{{ " + expression + " }}"


WINDOW_START = jinja("data_interval_start.isoformat()")
WINDOW_END = jinja("data_interval_end.isoformat()")


@dataclass(frozen=True)
class Call:
    """An object the DAG file builds by calling `target` (an import path) with these arguments: a
    notifier, an Asset, a timetable, the weight strategy, a plan's dataclass. The hand-written
    floor writes it as a call, dag-factory as a `__type__` mapping."""

    target: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.target.rpartition(".")[2]


WEIGHT_RULE = Call(f"{OURS}.priority.ScheduledBeforeBackfill")
"""default_args' weight_rule (dag_args.task_defaults): today's runs before a backfill's."""


def timedelta_kwargs(delta: dt.timedelta) -> dict[str, int]:
    """A timedelta in the largest whole unit, as a person writes it: minutes=5, hours=1, days=7."""
    seconds = int(delta.total_seconds())
    if seconds != delta.total_seconds():
        raise ValueError(f"{delta!r}: the specs use whole seconds only")
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds and seconds % size == 0:
            return {unit: seconds // size}
    return {"seconds": seconds}


def as_call(value: Any) -> Any:
    """A value with every dataclass instance in it (the AuditPlan, TableLineage, ...) turned into
    the Call that builds it again, so the renderers only meet literals, containers and Calls."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        return Call(
            f"{cls.__module__}.{cls.__qualname__}",
            kwargs={f.name: as_call(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init},
        )
    if isinstance(value, tuple):
        return tuple(as_call(v) for v in value)
    if isinstance(value, list):
        return [as_call(v) for v in value]
    if isinstance(value, dict):
        return {k: as_call(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class TaskSpec:
    task_id: str
    operator: str
    kwargs: dict[str, Any]
    """Keyword arguments: literals (str, int, float, bool, None, timedelta), lists, tuples and
    dicts of them, and Calls."""
    columns_from: str | None = None
    """register_table only: `columns` is the XCom output of this task id (same group)."""


@dataclass(frozen=True)
class GroupSpec:
    group_id: str
    tooltip: str
    tasks: list[TaskSpec]
    """In chain order: each task is downstream of the one before."""


@dataclass(frozen=True)
class DagSpec:
    dag_id: str
    timetable: Call
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

    @property
    def tasks(self) -> int:
        return sum(len(g.tasks) for g in self.groups)


def dag_specs(include_dir: Path, env: str) -> list[DagSpec]:
    """Every DAG the generated Salesforce files build for `env`, sorted by DAG id (as planned)."""
    config = load_config(include_dir / "config")
    if not config.ok:
        raise config.error()
    plans = plan_environment(config, env)
    unmodelled = sorted({p.direction for p in plans} - set(MODELLED_DIRECTIONS))
    if unmodelled:
        raise ValueError(f"bench.spec does not model {', '.join(unmodelled)} DAGs")
    return [_dag(plan, include_dir / "sql") for plan in plans]


def _dag(plan: DagPlan, sql_dir: Path) -> DagSpec:
    flow = plan.flow
    groups = []
    for profile in plan.profiles:
        tasks = _ingest(plan, profile, sql_dir) if plan.direction == "ingest" else _reconcile(plan, profile)
        groups.append(GroupSpec(profile.group_id, profile.profile, tasks))
    planned = [name for name, _ in plan.tasks]
    for group in groups:
        if [t.task_id for t in group.tasks] != planned:
            # plan.tasks is what the DAG's docs list; build.py chains the same steps
            raise ValueError(
                f"{plan.dag_id}: spec builds {[t.task_id for t in group.tasks]}, plan has {planned}"
            )
    return DagSpec(
        dag_id=plan.dag_id,
        timetable=_timetable(plan),
        start_date=flow.start_date,
        tags=plan.tags,
        description=flow.description,
        doc_md=plan.doc_md(),
        owner=flow.owner,
        retries=flow.retries,
        retry_delay_minutes=flow.retry_delay_minutes,
        callbacks=_callbacks(plan),
        groups=groups,
    )


def _timetable(plan: DagPlan) -> Call:
    """As dag_args.timetable: data-interval timetables on a cron or a fixed interval."""
    schedule = plan.schedule
    if schedule.kind == "cron" and schedule.cron:
        return Call("airflow.sdk.CronDataIntervalTimetable", (schedule.cron,), {"timezone": "UTC"})
    if schedule.kind == "interval" and schedule.interval_seconds:
        return Call(
            "airflow.sdk.DeltaDataIntervalTimetable", (dt.timedelta(seconds=schedule.interval_seconds),)
        )
    raise ValueError(f"{plan.dag_id}: the benchmark models cron and interval schedules only")


def _notifier_kwargs(plan: DagPlan, event: str) -> dict[str, Any]:
    """dag_args.alert_notifier's arguments: the environment's SNS topic and webhooks, names only."""
    env = plan.environment
    return {
        "environment": plan.env,
        "sns_topic_arn": env.alerts.sns_topic_arn,
        "webhook_secret": env.alerts.webhook_secret,
        "aws_conn_id": env.aws_conn_id,
        "region_name": env.region,
        "event": event,
    }


def _notifier(plan: DagPlan, event: str) -> Call:
    return Call(NOTIFIER, kwargs=_notifier_kwargs(plan, event))


def _callbacks(plan: DagPlan) -> dict[str, dict[str, Any]]:
    """As dag_args.alert_callbacks: failure always, retry with `alert_on_retry`, recovery with
    `recovery_alerts`."""
    flow = plan.flow
    wanted = {
        "on_failure_callback": True,
        "on_retry_callback": flow.alert_on_retry,
        "on_success_callback": flow.recovery_alerts,
    }
    return {key: _notifier_kwargs(plan, CALLBACK_EVENTS[key]) for key, on in wanted.items() if on}


def _aws(plan: DagPlan) -> dict[str, Any]:
    """dag_args.aws_args."""
    return {"aws_conn_id": plan.environment.aws_conn_id, "region_name": plan.environment.region}


def _warehouse(plan: DagPlan) -> dict[str, Any]:
    """dag_args.warehouse_args: the Redshift Data API target and its poll interval."""
    redshift = plan.environment.redshift
    return {
        "database": redshift.database,
        "workgroup_name": redshift.workgroup_name,
        "cluster_identifier": redshift.cluster_identifier,
        "db_user": redshift.db_user,
        "poll_interval": POLL_INTERVAL,
    }


def _task(plan: DagPlan, task_id: str, columns_from: str | None = None, **kwargs: Any) -> TaskSpec:
    """Every task takes the environment's AWS connection and region (build.py's `**aws`)."""
    return TaskSpec(task_id, OPERATORS[task_id], {**kwargs, **_aws(plan)}, columns_from)


def _lineage(plan: DagPlan, profile: ProfilePlan, table: str, location: str) -> Call:
    """The OpenLineage names of one of the profile's Glue tables (catalog steps, point_latest)."""
    names = table_lineage(plan.environment, profile.glue_database, table, location, profile.external_schema)
    call = as_call(names)
    assert isinstance(call, Call)
    return call


def _outlets(profile: ProfilePlan) -> list[Call]:
    """prune_partition publishes the table's Asset (lakehouse.plan.assets.table_asset)."""
    ref = table_asset(profile)
    return [Call("airflow.sdk.Asset", kwargs={"name": ref.name, "uri": ref.uri})]


def _execution_id(profile: ProfilePlan) -> str:
    return jinja(f"ti.xcom_pull(task_ids='{profile.group_id}.run_flow', key='execution_id')")


def _run_flow(plan: DagPlan, profile: ProfilePlan, *, flow_name: str, **run: Any) -> TaskSpec:
    """build._run_flow with build._org_run_args: the org's pool, what a refusal for its daily API
    limit does, one run at a time."""
    return _task(
        plan,
        "run_flow",
        flow_name=flow_name,
        max_active_tis_per_dag=ONE_AT_A_TIME,
        window_start=WINDOW_START,
        window_end=WINDOW_END,
        update_propagation_seconds=UPDATE_PROPAGATION_SECONDS,
        **run,
        pool=pool_name(profile.profile),
        poll_interval=POKE_INTERVAL,
        hand_on_after_seconds=FLOW_TIMEOUT,
        limit_wait_seconds=LIMIT_WAIT_SECONDS,
        connector_profile=profile.profile,
        limit_alert=_notifier(plan, "limited"),
        limit_alert_bucket=plan.environment.buckets.raw,
    )


def _wait_for_flow(plan: DagPlan, profile: ProfilePlan, *, flow_name: str) -> TaskSpec:
    """build._wait_for_flow with max_failed_records=0, as both directions pass it."""
    return _task(
        plan,
        "wait_for_flow",
        flow_name=flow_name,
        execution_id=_execution_id(profile),
        max_failed_records=0,
        poke_interval=POKE_INTERVAL,
        timeout=FLOW_TIMEOUT,
        retries=0,
    )


def _check_data(plan: DagPlan, profile: ProfilePlan, location: str) -> TaskSpec:
    wait = f"{profile.group_id}.wait_for_flow"
    return _task(
        plan,
        "check_data",
        location=location,
        expected_records=jinja(f"ti.xcom_pull(task_ids='{wait}')['records_processed']"),
    )


def _external_schema_sql(plan: DagPlan, sql_dir: Path, external_schema: str, glue_database: str) -> str:
    return render_sql(
        sql_dir,
        "external_schema",
        external_schema=external_schema,
        glue_database=glue_database,
        spectrum_role_arn=plan.environment.redshift.spectrum_role_arn,
        region=plan.environment.region,
    )[0]


def _ingest(plan: DagPlan, profile: ProfilePlan, sql_dir: Path) -> list[TaskSpec]:
    """build._ingest's chain, task for task."""
    flow = plan.flow
    group = profile.group_id
    value = jinja(f"data_interval_start.strftime('{plan.partition_format}')")
    partition_prefix = f"{profile.prefix}/{flow.bookmark_col}={value}"
    execution_id = _execution_id(profile)
    load_location = f"s3://{profile.bucket}/{partition_prefix}/{profile.appflow_flow}/{execution_id}/"
    warehouse = _warehouse(plan)
    lineage = _lineage(plan, profile, profile.table, profile.location)
    view_sql = [
        statement
        for template in view_templates(flow)
        for statement in render_sql(sql_dir, template, **view_values(flow, profile))
    ]
    tasks = [
        _run_flow(
            plan,
            profile,
            flow_name=profile.appflow_flow,
            timestamp_field=flow.timestamp_field if flow.incremental_load else None,
            destination_prefix=partition_prefix,
            salesforce_source={
                "includeDeletedRecords": flow.include_deleted_records,
                "dataTransferApi": flow.data_transfer_api,
            },
        ),
        _wait_for_flow(plan, profile, flow_name=profile.appflow_flow),
        _task(plan, "has_records", flow_name=profile.appflow_flow, appflow_run_task_id=f"{group}.run_flow"),
        _task(
            plan,
            "discover_schema",
            connector_profile=profile.profile,
            object_name=flow.sf_object,
            data_transfer_api=flow.data_transfer_api,
            required_columns=required_columns(flow),
        ),
        _task(
            plan,
            "register_table",
            columns_from="discover_schema",
            max_active_tis_per_dag=ONE_AT_A_TIME,
            database=profile.glue_database,
            table=profile.table,
            location=profile.location,
            partition_column=flow.bookmark_col,
            description=f"AppFlow ingestion table for {flow.sf_object} ({profile.profile})",
            lineage=lineage,
        ),
        _check_data(plan, profile, load_location),
        _task(
            plan,
            "ensure_external_schema",
            sql=_external_schema_sql(plan, sql_dir, profile.external_schema, profile.glue_database),
            wait_for_completion=True,
            **warehouse,
        ),
    ]
    audit = plan.audit(profile)
    if audit is not None:  # lakehouse.airflow.audit_step.audit_steps
        tasks.append(
            _task(
                plan,
                "audit_data",
                audit=as_call(audit),
                location=load_location,
                load_id=execution_id,
                partition_value=value,
                interval_start=WINDOW_START,
                interval_end=WINDOW_END,
                schema_task_id=f"{group}.discover_schema",
                results_schema_sql=_external_schema_sql(
                    plan, sql_dir, audit.results.external_schema, audit.results.glue_database
                ),
                warning_notifier=_notifier(plan, "warning"),
                **warehouse,
            )
        )
    if flow.incremental_load:
        tasks.append(
            _task(
                plan,
                "keep_versions",
                database=profile.glue_database,
                table=profile.table,
                value=value,
                location=load_location,
            )
        )
    tasks.append(
        _task(
            plan,
            "register_partition",
            database=profile.glue_database,
            table=profile.table,
            location=load_location,
            value=value,
            lineage=lineage,
        )
    )
    if not flow.incremental_load:
        tasks.append(
            _task(
                plan,
                "point_latest",
                max_active_tis_per_dag=ONE_AT_A_TIME,
                database=profile.glue_database,
                table=profile.table,
                latest_table=profile.latest_table,
                lineage=(lineage, _lineage(plan, profile, profile.latest_table, profile.location)),
            )
        )
    tasks += [
        _task(plan, "build_views", sql=view_sql, wait_for_completion=True, **warehouse),
        _task(
            plan,
            "prune_partition",
            database=profile.glue_database,
            table=profile.table,
            value=value,
            bucket=profile.bucket,
            prefix=partition_prefix + "/",
            outlets=_outlets(profile),
        ),
    ]
    return tasks


def _reconcile(plan: DagPlan, profile: ProfilePlan) -> list[TaskSpec]:
    """build._reconcile's chain: the Id-only load registered in `<table>__live_ids` as of the
    interval's end."""
    as_of = jinja(f"data_interval_end.strftime('{RECONCILE_PARTITION_FORMAT}')")
    folder = jinja("data_interval_end.strftime('%Y%m%dT%H%M%S')")
    partition_prefix = f"{profile.live_ids_prefix}/{RECONCILE_PARTITION}={folder}"
    load_location = (
        f"s3://{profile.bucket}/{partition_prefix}/{profile.live_ids_flow}/{_execution_id(profile)}/"
    )
    return [
        _run_flow(plan, profile, flow_name=profile.live_ids_flow, destination_prefix=partition_prefix),
        _wait_for_flow(plan, profile, flow_name=profile.live_ids_flow),
        _check_data(plan, profile, load_location),
        _task(
            plan,
            "register_partition",
            database=profile.glue_database,
            table=profile.live_ids_table,
            location=load_location,
            value=as_of,
            lineage=_lineage(plan, profile, profile.live_ids_table, profile.live_ids_location),
        ),
        _task(
            plan,
            "prune_partition",
            database=profile.glue_database,
            table=profile.live_ids_table,
            value=as_of,
            bucket=profile.bucket,
            prefix=partition_prefix + "/",
            outlets=_outlets(profile),
        ),
    ]
