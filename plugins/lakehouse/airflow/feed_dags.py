"""Map FeedPlans onto DAGs: the feed's Glue job, then the catalog and Spectrum steps the
Salesforce DAGs use, so a feed's table is registered and exposed the same way."""

from __future__ import annotations

from pathlib import Path

from airflow.sdk import DAG, chain

from lakehouse.airflow.audit_step import audit_steps
from lakehouse.airflow.catalog_steps import CatalogTarget, catalog_steps
from lakehouse.airflow.dag_args import (
    ONE_AT_A_TIME,
    WINDOW_END,
    WINDOW_START,
    asset,
    aws_args,
    jinja,
    task_defaults,
    timetable,
    warehouse_args,
)
from lakehouse.airflow.operators.feeds import (
    FeedGlueJobOperator,
    FeedPartitionCheckOperator,
    ParquetSchemaOperator,
)
from lakehouse.airflow.operators.prune import PartitionPruneOperator
from lakehouse.airflow.tuning import Tuning
from lakehouse.plan.feeds import PARTITION_FORMAT, FeedPlan
from lakehouse.sql import render_sql

PARTITION_VALUE = "{{ data_interval_start.strftime('" + PARTITION_FORMAT + "') }}"
"""The run's partition (YYYYMMDD of its data interval start, UTC): the job's target, the drop
folder a files feed reads, and the Glue partition value."""
RUN_TOKEN = jinja("macros.uuid.uuid4().hex[:16]")
"""Rendered once per try of run_job: each try writes a folder of its own (`run=<token>/`)."""
LOAD_LOCATION = jinja("ti.xcom_pull(task_ids='run_job', key='target_location')")
LOAD_ID = jinja("ti.xcom_pull(task_ids='run_job', key='load_id')")


def build_feed_dag(plan: FeedPlan, sql_dir: Path, tuning: Tuning | None = None) -> DAG:
    tuning = tuning or Tuning()
    feed, environment = plan.feed, plan.environment
    aws = aws_args(environment)
    target_location = plan.load_location(PARTITION_VALUE, RUN_TOKEN)
    with DAG(
        dag_id=plan.dag_id,
        schedule=timetable(plan.schedule),
        start_date=plan.start_date,
        catchup=False,
        max_active_runs=1,
        tags=plan.tags,
        description=feed.description,
        doc_md=plan.doc_md(),
        default_args=task_defaults(plan.env, environment, feed),
    ) as dag:
        schema = ParquetSchemaOperator(
            task_id="discover_schema", location=LOAD_LOCATION, partition_column=feed.partition_col, **aws
        )
        catalog = catalog_steps(
            CatalogTarget(
                glue_database=plan.glue_database,
                table=plan.table,
                location=plan.location,
                partition_column=feed.partition_col,
                external_schema=plan.external_schema,
                description=f"On-prem feed {feed.name}: {feed.description}",
            ),
            columns=schema.output,
            partition_location=LOAD_LOCATION,
            partition_value=PARTITION_VALUE,
            environment=environment,
            sql_dir=sql_dir,
            tuning=tuning,
        )
        chain(
            FeedGlueJobOperator(
                task_id="run_job",
                job_name=plan.glue_job,
                script_args=plan.script_args(WINDOW_START, WINDOW_END, PARTITION_VALUE, target_location),
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
            catalog.register_table,
            catalog.ensure_external_schema,
            *audit_steps(
                plan.audit(),
                env=plan.env,
                environment=environment,
                sql_dir=sql_dir,
                tuning=tuning,
                location=LOAD_LOCATION,
                load_id=LOAD_ID,
                partition_value=PARTITION_VALUE,
                schema_task_id="discover_schema",
            ),
            catalog.register_partition,
            FeedPartitionCheckOperator(
                task_id="check_data",
                location=LOAD_LOCATION,
                partition_value=PARTITION_VALUE,
                count_sql=render_sql(
                    sql_dir,
                    "partition_count",
                    external_schema=plan.external_schema,
                    table=plan.table,
                    partition_col=feed.partition_col,
                )[0],
                **warehouse_args(environment, tuning),
                **aws,
            ),
            PartitionPruneOperator(
                task_id="prune_partition",
                database=plan.glue_database,
                table=plan.table,
                value=PARTITION_VALUE,
                bucket=plan.bucket,
                prefix=plan.partition_prefix(PARTITION_VALUE),
                outlets=[asset(plan.asset)],
                **aws,
            ),
        )
    return dag
