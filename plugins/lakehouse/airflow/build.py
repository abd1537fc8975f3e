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
    TaskGroup,
    chain,
)
from airflow.sdk.bases.timetable import BaseTimetable

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
from lakehouse.airflow.operators.appflow import AppflowStartRunOperator
from lakehouse.airflow.operators.catalog import (
    SalesforceSchemaOperator,
)
from lakehouse.airflow.operators.checks import PartitionCheckOperator
from lakehouse.airflow.operators.prune import PartitionPruneOperator
from lakehouse.airflow.operators.upsert import ResultsValidationOperator, UpsertReportOperator
from lakehouse.airflow.sensors.appflow import AppflowRunSensor
from lakehouse.airflow.tuning import Tuning
from lakehouse.plan import DagPlan, ProfilePlan
from lakehouse.plan.assets import results_asset, table_asset
from lakehouse.plan.pools import pool_name
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
                else:
                    _upsert(plan, profile, tuning)
    return dag


def _ingest(plan: DagPlan, profile: ProfilePlan, sql_dir: Path, tuning: Tuning) -> None:
    """AppFlow writes each run into a folder of its own under the interval's path; that folder is
    checked, then the partition is pointed at it, then what earlier runs left is pruned. So
    readers switch from one load to the next at once, and a failed rerun changes nothing."""
    flow, env, aws = plan.flow, plan.environment, aws_args(plan.environment)
    group = profile.group_id
    value = jinja(f"data_interval_start.strftime('{plan.partition_format}')")
    partition_prefix = f"{profile.prefix}/{flow.bookmark_col}={value}"
    execution_id = jinja(f"ti.xcom_pull(task_ids='{group}.run_flow', key='execution_id')")
    # AppFlow's S3 layout: <bucketPrefix>/<flow name>/<execution id>/part-*.parquet
    load_location = f"s3://{profile.bucket}/{partition_prefix}/{profile.appflow_flow}/{execution_id}/"
    warehouse = {**warehouse_args(env, tuning), "wait_for_completion": True}
    view_values = {
        "views_schema": env.views_schema_for(profile.profile),
        "table": profile.table,
        "external_schema": profile.external_schema,
        "timestamp_column": flow.timestamp_field.lower(),
        "bookmark_col": flow.bookmark_col,
    }
    schema = SalesforceSchemaOperator(
        task_id="discover_schema", connector_profile=profile.profile, object_name=flow.sf_object, **aws
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
    chain(
        AppflowStartRunOperator(
            task_id="run_flow",
            flow_name=profile.appflow_flow,
            max_active_tis_per_dag=ONE_AT_A_TIME,
            timestamp_field=flow.timestamp_field if flow.incremental_load else None,
            window_start=WINDOW_START,
            window_end=WINDOW_END,
            destination_prefix=partition_prefix,
            update_propagation_seconds=tuning.appflow_update_propagation_seconds,
            **_org_run_args(plan, profile, tuning),
            **aws,
        ),
        wait := _wait_for_flow(profile, aws, tuning, max_failed_records=0),
        AppflowRecordsShortCircuitOperator(
            task_id="has_records",
            flow_name=profile.appflow_flow,
            appflow_run_task_id=f"{group}.run_flow",
            **aws,
        ),
        schema,
        catalog.register_table,
        PartitionCheckOperator(
            task_id="check_data",
            location=load_location,
            expected_records=jinja(f"ti.xcom_pull(task_ids='{wait.task_id}')['records_processed']"),
            **aws,
        ),
        catalog.register_partition,
        catalog.ensure_external_schema,
        RedshiftDataOperator(
            task_id="build_views",
            sql=render_sql(sql_dir, "current_state_view", **view_values),
            **warehouse,
            **aws,
        ),
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
    profile: ProfilePlan, aws: dict[str, Any], tuning: Tuning, max_failed_records: int | None = None
) -> AppflowRunSensor:
    """Ingest passes 0: a record AppFlow failed to write would be missing from the lake unseen."""
    execution_id = jinja(f"ti.xcom_pull(task_ids='{profile.group_id}.run_flow', key='execution_id')")
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
