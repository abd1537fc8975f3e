"""Register a landed partition and expose its table through Spectrum: the steps the Salesforce
and the on-prem feed DAGs share, so a table from either path is catalogued the same way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.sdk import BaseOperator

from lakehouse.airflow.dag_args import ONE_AT_A_TIME, aws_args, warehouse_args
from lakehouse.airflow.lineage_names import table_lineage
from lakehouse.airflow.operators.catalog import GluePartitionOperator, GlueTableOperator
from lakehouse.airflow.tuning import Tuning
from lakehouse.config import Environment
from lakehouse.sql import render_sql


@dataclass(frozen=True)
class CatalogTarget:
    """Where a table lives: its Glue database, name and S3 location, and its Spectrum schema."""

    glue_database: str
    table: str
    location: str
    partition_column: str
    external_schema: str
    description: str


class CatalogSteps(NamedTuple):
    """The three steps; a caller chains them in this order (`*steps`) or puts its own between."""

    register_table: BaseOperator
    register_partition: BaseOperator
    ensure_external_schema: BaseOperator


def catalog_steps(
    target: CatalogTarget,
    *,
    columns: Any,
    partition_location: str,
    partition_value: str,
    environment: Environment,
    sql_dir: Path,
    tuning: Tuning,
) -> CatalogSteps:
    """register_table, register_partition and ensure_external_schema, for the caller to chain.

    `columns` is the upstream schema task's output; the partition's location and value are
    templates rendered per run from its data interval.
    """
    aws = aws_args(environment)
    names = table_lineage(
        environment, target.glue_database, target.table, target.location, target.external_schema
    )
    return CatalogSteps(
        GlueTableOperator(
            task_id="register_table",
            max_active_tis_per_dag=ONE_AT_A_TIME,
            database=target.glue_database,
            table=target.table,
            location=target.location,
            partition_column=target.partition_column,
            columns=columns,
            description=target.description,
            lineage=names,
            **aws,
        ),
        GluePartitionOperator(
            task_id="register_partition",
            database=target.glue_database,
            table=target.table,
            location=partition_location,
            value=partition_value,
            lineage=names,
            **aws,
        ),
        RedshiftDataOperator(
            task_id="ensure_external_schema",
            sql=render_sql(
                sql_dir,
                "external_schema",
                external_schema=target.external_schema,
                glue_database=target.glue_database,
                spectrum_role_arn=environment.redshift.spectrum_role_arn,
                region=environment.region,
            )[0],
            wait_for_completion=True,
            **warehouse_args(environment, tuning),
            **aws,
        ),
    )
