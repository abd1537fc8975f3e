"""Map FeedPlans onto DAGs: the feed's Glue job, then the catalog and Spectrum steps the
Salesforce DAGs use, so a feed's table is registered and exposed the same way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.sdk import DAG, Asset, chain

from lakehouse.airflow.build import (
    ONE_AT_A_TIME,
    WINDOW_END,
    WINDOW_START,
    environment_alert_callbacks,
    timetable,
)
from lakehouse.airflow.operators.catalog import GluePartitionOperator, GlueTableOperator
from lakehouse.airflow.operators.feeds import (
    FeedGlueJobOperator,
    FeedPartitionCheckOperator,
    ParquetSchemaOperator,
)
from lakehouse.airflow.tuning import Tuning
from lakehouse.plan.feeds import PARTITION_FORMAT, FeedPlan
from lakehouse.sql import render_sql

PARTITION_VALUE = "{{ data_interval_start.strftime('" + PARTITION_FORMAT + "') }}"
"""The run's partition (YYYYMMDD of its data interval start, UTC): the job's target, the drop
folder a files feed reads, and the Glue partition value."""


def build_feed_dag(plan: FeedPlan, sql_dir: Path, tuning: Tuning | None = None) -> DAG:
    tuning = tuning or Tuning()
    feed, environment = plan.feed, plan.environment
    aws: dict[str, Any] = {"aws_conn_id": environment.aws_conn_id, "region_name": environment.region}
    redshift = environment.redshift
    warehouse: dict[str, Any] = {
        "database": redshift.database,
        "workgroup_name": redshift.workgroup_name,
        "cluster_identifier": redshift.cluster_identifier,
        "db_user": redshift.db_user,
        "poll_interval": tuning.redshift_poll_interval_seconds,
    }
    partition_location = plan.partition_location(PARTITION_VALUE)
    with DAG(
        dag_id=plan.dag_id,
        schedule=timetable(plan.schedule),
        start_date=plan.start_date,
        catchup=False,
        max_active_runs=1,
        tags=plan.tags,
        description=feed.description,
        doc_md=plan.doc_md(),
        default_args={
            "owner": feed.owner,
            "retries": feed.retries,
            "retry_delay": dt.timedelta(minutes=feed.retry_delay_minutes),
            "retry_exponential_backoff": True,
            "max_retry_delay": dt.timedelta(hours=1),
            **environment_alert_callbacks(
                plan.env,
                environment,
                alert_on_retry=feed.alert_on_retry,
                recovery_alerts=feed.recovery_alerts,
            ),
        },
    ) as dag:
        schema = ParquetSchemaOperator(
            task_id="discover_schema", location=partition_location, partition_column=feed.partition_col, **aws
        )
        chain(
            FeedGlueJobOperator(
                task_id="run_job",
                job_name=plan.glue_job,
                script_args=plan.script_args(WINDOW_START, WINDOW_END, PARTITION_VALUE),
                wait_for_completion=True,
                deferrable=False,
                verbose=False,
                stop_job_run_on_kill=True,
                job_poll_interval=tuning.glue_poll_interval_seconds,
                # The job's MaxConcurrentRuns is 1 and a backfill escapes max_active_runs.
                max_active_tis_per_dag=ONE_AT_A_TIME,
                **aws,
            ),
            schema,
            GlueTableOperator(
                task_id="register_table",
                max_active_tis_per_dag=ONE_AT_A_TIME,
                database=plan.glue_database,
                table=plan.table,
                location=plan.location,
                partition_column=feed.partition_col,
                columns=schema.output,
                description=f"On-prem feed {feed.name}: {feed.description}",
                **aws,
            ),
            GluePartitionOperator(
                task_id="register_partition",
                database=plan.glue_database,
                table=plan.table,
                location=partition_location,
                value=PARTITION_VALUE,
                **aws,
            ),
            RedshiftDataOperator(
                task_id="ensure_external_schema",
                sql=render_sql(
                    sql_dir,
                    "external_schema",
                    external_schema=plan.external_schema,
                    glue_database=plan.glue_database,
                    spectrum_role_arn=redshift.spectrum_role_arn,
                    region=environment.region,
                )[0],
                wait_for_completion=True,
                **warehouse,
                **aws,
            ),
            FeedPartitionCheckOperator(
                task_id="check_data",
                location=partition_location,
                partition_value=PARTITION_VALUE,
                count_sql=render_sql(
                    sql_dir,
                    "partition_count",
                    external_schema=plan.external_schema,
                    table=plan.table,
                    partition_col=feed.partition_col,
                )[0],
                outlets=[Asset(name=plan.asset_name, uri=plan.location.rstrip("/"))],
                **warehouse,
                **aws,
            ),
        )
    return dag
