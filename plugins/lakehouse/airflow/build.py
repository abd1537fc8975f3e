"""Map DagPlans onto DAGs: the provider's operators where they fit, ours where they do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow.providers.amazon.aws.operators.appflow import AppflowRecordsShortCircuitOperator
from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.sdk import (
    DAG,
    Asset,
    AssetAny,
    AssetOrTimeSchedule,
    BaseOperator,
    TaskGroup,
    chain,
)
from airflow.sdk.bases.timetable import BaseTimetable

from lakehouse.airflow.audit_step import audit_steps
from lakehouse.airflow.catalog_steps import CatalogTarget, catalog_steps
from lakehouse.airflow.dag_args import (
    ONE_AT_A_TIME,
    WINDOW_END,
    WINDOW_START,
    alert_notifier,
    asset,
    aws_args,
    jinja,
    task_defaults,
    timetable,
    warehouse_args,
)
from lakehouse.airflow.lineage_names import TableLineage, table_lineage
from lakehouse.airflow.operators.appflow import AppflowStartRunOperator
from lakehouse.airflow.operators.catalog import GluePartitionOperator, SalesforceSchemaOperator
from lakehouse.airflow.operators.checks import PartitionCheckOperator
from lakehouse.airflow.operators.prune import PartitionPruneOperator
from lakehouse.airflow.operators.snapshots import LatestSnapshotOperator
from lakehouse.airflow.operators.upsert import ResultsValidationOperator, UpsertReportOperator
from lakehouse.airflow.operators.versions import VersionKeepOperator
from lakehouse.airflow.sensors.appflow import AppflowRunSensor
from lakehouse.airflow.tuning import Tuning
from lakehouse.plan import DagPlan, ProfilePlan
from lakehouse.plan.assets import results_asset, table_asset
from lakehouse.plan.dags import RECONCILE_PARTITION, RECONCILE_PARTITION_FORMAT
from lakehouse.plan.pools import pool_name
from lakehouse.plan.views import required_columns, view_templates, view_values
from lakehouse.sql import render_sql


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
        default_args=task_defaults(plan.env, plan.environment, flow),
    ) as dag:
        for profile in plan.profiles:
            with TaskGroup(group_id=profile.group_id, tooltip=profile.profile):
                if plan.direction == "ingest":
                    _ingest(plan, profile, sql_dir, tuning)
                elif plan.direction == "reconcile":
                    _reconcile(plan, profile, tuning)
                else:
                    _upsert(plan, profile, tuning)
    return dag


def _ingest(plan: DagPlan, profile: ProfilePlan, sql_dir: Path, tuning: Tuning) -> None:
    """AppFlow writes each run into a folder of its own under the interval's path; that folder is
    checked (and, for a windowed load, given the versions an earlier load of the interval saw and
    this one no longer does), then the partition is pointed at it, then what earlier runs left is
    pruned. So readers switch from one load to the next at once, a failed rerun changes nothing,
    and no version a run saw is ever lost."""
    flow, env, aws = plan.flow, plan.environment, aws_args(plan.environment)
    group = profile.group_id
    value = jinja(f"data_interval_start.strftime('{plan.partition_format}')")
    partition_prefix = f"{profile.prefix}/{flow.bookmark_col}={value}"
    execution_id = jinja(f"ti.xcom_pull(task_ids='{group}.run_flow', key='execution_id')")
    # AppFlow's S3 layout: <bucketPrefix>/<flow name>/<execution id>/part-*.parquet
    load_location = f"s3://{profile.bucket}/{partition_prefix}/{profile.appflow_flow}/{execution_id}/"
    warehouse = {**warehouse_args(env, tuning), "wait_for_completion": True}
    schema = SalesforceSchemaOperator(
        task_id="discover_schema",
        connector_profile=profile.profile,
        object_name=flow.sf_object,
        data_transfer_api=flow.data_transfer_api,
        required_columns=required_columns(flow),
        **aws,
    )
    catalog = catalog_steps(
        CatalogTarget(
            glue_database=profile.glue_database,
            table=profile.table,
            location=profile.location,
            partition_column=flow.bookmark_col,
            external_schema=profile.external_schema,
            description=f"AppFlow ingestion table for {flow.sf_object} ({profile.profile})",
        ),
        columns=schema.output,
        partition_location=load_location,
        partition_value=value,
        environment=env,
        sql_dir=sql_dir,
        tuning=tuning,
    )
    wait = _wait_for_flow(profile, aws, tuning, max_failed_records=0)
    before_register: list[BaseOperator] = []
    after_register: list[BaseOperator] = []
    if flow.incremental_load:
        before_register.append(
            VersionKeepOperator(
                task_id="keep_versions",
                database=profile.glue_database,
                table=profile.table,
                value=value,
                location=load_location,
                **aws,
            )
        )
    else:
        after_register.append(
            LatestSnapshotOperator(
                task_id="point_latest",
                max_active_tis_per_dag=ONE_AT_A_TIME,
                database=profile.glue_database,
                table=profile.table,
                latest_table=profile.latest_table,
                lineage=(
                    table_lineage(
                        env, profile.glue_database, profile.table, profile.location, profile.external_schema
                    ),
                    table_lineage(
                        env,
                        profile.glue_database,
                        profile.latest_table,
                        profile.location,
                        profile.external_schema,
                    ),
                ),
                **aws,
            )
        )
    view_sql = [
        statement
        for template in view_templates(flow)
        for statement in render_sql(sql_dir, template, **view_values(flow, profile))
    ]
    chain(
        _run_flow(
            profile,
            aws,
            tuning,
            timestamp_field=flow.timestamp_field if flow.incremental_load else None,
            destination_prefix=partition_prefix,
            salesforce_source={
                "includeDeletedRecords": flow.include_deleted_records,
                "dataTransferApi": flow.data_transfer_api,
            },
            **_org_run_args(plan, profile, tuning),
        ),
        wait,
        AppflowRecordsShortCircuitOperator(
            task_id="has_records",
            flow_name=profile.appflow_flow,
            appflow_run_task_id=f"{group}.run_flow",
            **aws,
        ),
        schema,
        catalog.register_table,
        _check_data(load_location, wait, aws),
        # The audit reads the load through Spectrum, so the external schema comes before it; and it
        # audits the load as AppFlow landed it, before keep_versions adds the earlier load's rows.
        catalog.ensure_external_schema,
        *audit_steps(
            plan.audit(profile),
            env=plan.env,
            environment=env,
            sql_dir=sql_dir,
            tuning=tuning,
            location=load_location,
            load_id=execution_id,
            partition_value=value,
            schema_task_id=f"{group}.discover_schema",
        ),
        *before_register,
        catalog.register_partition,
        *after_register,
        RedshiftDataOperator(task_id="build_views", sql=view_sql, **warehouse, **aws),
        PartitionPruneOperator(
            task_id="prune_partition",
            database=profile.glue_database,
            table=profile.table,
            value=value,
            bucket=profile.bucket,
            prefix=partition_prefix + "/",
            outlets=[asset(table_asset(profile))],
            **aws,
        ),
    )


def _reconcile(plan: DagPlan, profile: ProfilePlan, tuning: Tuning) -> None:
    """An Id-only full load of the live records, registered in `<table>__live_ids` as of the
    interval's end: `<table>_current` then leaves out every Id whose last version is older and
    that the load does not hold (Salesforce purged it). The as_of is the interval's end, not the
    moment AppFlow reads: the read happens after it, so an Id missing then was gone by then, and
    a record created in between is in the load (docs/pipeline.md, "Hard deletes")."""
    aws = aws_args(plan.environment)
    as_of = jinja(f"data_interval_end.strftime('{RECONCILE_PARTITION_FORMAT}')")
    folder = jinja("data_interval_end.strftime('%Y%m%dT%H%M%S')")
    partition_prefix = f"{profile.live_ids_prefix}/{RECONCILE_PARTITION}={folder}"
    execution_id = jinja(f"ti.xcom_pull(task_ids='{profile.group_id}.run_flow', key='execution_id')")
    load_location = f"s3://{profile.bucket}/{partition_prefix}/{profile.live_ids_flow}/{execution_id}/"
    wait = _wait_for_flow(profile, aws, tuning, max_failed_records=0, flow_name=profile.live_ids_flow)
    chain(
        _run_flow(
            profile,
            aws,
            tuning,
            destination_prefix=partition_prefix,
            flow_name=profile.live_ids_flow,
            **_org_run_args(plan, profile, tuning),
        ),
        wait,
        _check_data(load_location, wait, aws),
        GluePartitionOperator(
            task_id="register_partition",
            database=profile.glue_database,
            table=profile.live_ids_table,
            location=load_location,
            value=as_of,
            lineage=_lineage(plan, profile, profile.live_ids_table, profile.live_ids_location),
            **aws,
        ),
        PartitionPruneOperator(
            task_id="prune_partition",
            database=profile.glue_database,
            table=profile.live_ids_table,
            value=as_of,
            bucket=profile.bucket,
            prefix=partition_prefix + "/",
            outlets=[asset(table_asset(profile))],
            **aws,
        ),
    )


def _run_flow(
    profile: ProfilePlan, aws: dict[str, Any], tuning: Tuning, *, flow_name: str | None = None, **run: Any
) -> AppflowStartRunOperator:
    """run_flow rewrites the shared flow between UpdateFlow and StartFlow: one at a time across runs."""
    return AppflowStartRunOperator(
        task_id="run_flow",
        flow_name=flow_name or profile.appflow_flow,
        max_active_tis_per_dag=ONE_AT_A_TIME,
        window_start=WINDOW_START,
        window_end=WINDOW_END,
        update_propagation_seconds=tuning.appflow_update_propagation_seconds,
        **run,
        **aws,
    )


def _check_data(location: str, wait: AppflowRunSensor, aws: dict[str, Any]) -> PartitionCheckOperator:
    return PartitionCheckOperator(
        task_id="check_data",
        location=location,
        expected_records=jinja(f"ti.xcom_pull(task_ids='{wait.task_id}')['records_processed']"),
        **aws,
    )


def _lineage(plan: DagPlan, profile: ProfilePlan, table: str, location: str) -> TableLineage:
    """The OpenLineage names of one of the profile's Glue tables."""
    return table_lineage(plan.environment, profile.glue_database, table, location, profile.external_schema)


def _org_run_args(plan: DagPlan, profile: ProfilePlan, tuning: Tuning) -> dict[str, Any]:
    """run_flow's share of the org: a slot of its pool (held, deferred, while the execution runs),
    and what a refusal for the org's daily API limit does (wait, alert once a day, start again)."""
    return {
        "pool": pool_name(profile.profile),
        "poll_interval": tuning.appflow_poke_interval_seconds,
        "hand_on_after_seconds": tuning.appflow_timeout_seconds,
        "limit_wait_seconds": tuning.salesforce_limit_wait_seconds,
        "connector_profile": profile.profile,
        "limit_alert": alert_notifier(plan.env, plan.environment, "limited"),
        "limit_alert_bucket": plan.environment.buckets.raw,
    }


def _wait_for_flow(
    profile: ProfilePlan,
    aws: dict[str, Any],
    tuning: Tuning,
    max_failed_records: int | None = None,
    flow_name: str | None = None,
) -> AppflowRunSensor:
    """Ingest passes 0: a record AppFlow failed to write would be missing from the lake unseen."""
    execution_id = jinja(f"ti.xcom_pull(task_ids='{profile.group_id}.run_flow', key='execution_id')")
    return AppflowRunSensor(
        task_id="wait_for_flow",
        flow_name=flow_name or profile.appflow_flow,
        execution_id=execution_id,
        max_failed_records=max_failed_records,
        poke_interval=tuning.appflow_poke_interval_seconds,
        timeout=tuning.appflow_timeout_seconds,
        retries=0,
        **aws,
    )


def _upsert(plan: DagPlan, profile: ProfilePlan, tuning: Tuning) -> None:
    flow, aws = plan.flow, aws_args(plan.environment)
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
            **_org_run_args(plan, profile, tuning),
            **aws,
        ),
        wait := _wait_for_flow(profile, aws, tuning),
        UpsertReportOperator(
            task_id="report_records",
            flow_name=profile.appflow_flow,
            result=wait.output,
            max_failed_records=flow.max_failed_records,
            masked_fields=flow.pii_columns,
            **aws,
        ),
    )
