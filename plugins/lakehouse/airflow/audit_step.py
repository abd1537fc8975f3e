"""The `audit_data` task both pipelines insert between landing a load and publishing it."""

from __future__ import annotations

from pathlib import Path

from lakehouse.airflow.dag_args import WINDOW_END, WINDOW_START, alert_notifier, aws_args, warehouse_args
from lakehouse.airflow.operators.quality import DataAuditOperator
from lakehouse.airflow.tuning import Tuning
from lakehouse.config import Environment
from lakehouse.plan.checks import AuditPlan
from lakehouse.sql import render_sql


def audit_steps(
    audit: AuditPlan | None,
    *,
    env: str,
    environment: Environment,
    sql_dir: Path,
    tuning: Tuning,
    location: str,
    load_id: str,
    partition_value: str,
    schema_task_id: str,
) -> list[DataAuditOperator]:
    """[audit_data], or [] for an object without checks (its DAG is then as before)."""
    if audit is None:
        return []
    results_schema = render_sql(
        sql_dir,
        "external_schema",
        external_schema=audit.results.external_schema,
        glue_database=audit.results.glue_database,
        spectrum_role_arn=environment.redshift.spectrum_role_arn,
        region=environment.region,
    )[0]
    return [
        DataAuditOperator(
            task_id="audit_data",
            audit=audit,
            location=location,
            load_id=load_id,
            partition_value=partition_value,
            interval_start=WINDOW_START,
            interval_end=WINDOW_END,
            schema_task_id=schema_task_id,
            results_schema_sql=results_schema,
            warning_notifier=alert_notifier(env, environment, "warning"),
            **warehouse_args(environment, tuning),
            **aws_args(environment),
        )
    ]
