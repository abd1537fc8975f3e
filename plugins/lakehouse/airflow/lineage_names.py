"""The names of our lineage datasets, kept apart from OpenLineage's classes (lakehouse.airflow.lineage)
so the DAGs can carry them without importing OpenLineage while they are parsed. Plain data, no
Airflow import either: the parse benchmark's specs (bench/spec.py) build the same values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lakehouse.config import Environment

REDSHIFT_PORT = 5439
EXTRACTORS = "lakehouse.airflow.lineage_extractors.RedshiftDataExtractor"
"""The value of the Airflow option `[openlineage] extractors` (lakehouse.airflow.lineage_extractors)."""


@dataclass(frozen=True)
class Warehouse:
    """Where the SQL runs, for naming Redshift datasets."""

    identifier: str
    """The workgroup (serverless) or the cluster identifier."""
    region: str
    database: str

    @property
    def namespace(self) -> str:
        return f"redshift://{self.identifier}.{self.region}:{REDSHIFT_PORT}"

    def table_name(self, schema: str, table: str) -> str:
        return f"{self.database}.{schema}.{table}"


def warehouse(workgroup: str | None, cluster: str | None, region: str | None, database: str) -> Warehouse:
    return Warehouse(identifier=str(workgroup or cluster), region=str(region), database=database)


@dataclass(frozen=True)
class TableLineage:
    """What names one catalogued table: its S3 location, Glue table and Spectrum external table."""

    region: str
    account_id: str
    glue_database: str
    table: str
    location: str
    """s3://bucket/prefix/ of the table"""
    warehouse: Warehouse
    external_schema: str

    @property
    def glue_namespace(self) -> str:
        return f"arn:aws:glue:{self.region}:{self.account_id}"

    @property
    def glue_name(self) -> str:
        return f"table/{self.glue_database}/{self.table}"


def table_lineage(
    environment: Environment, glue_database: str, table: str, location: str, external_schema: str
) -> TableLineage:
    """The lineage names of one catalogued table of `environment`."""
    redshift = environment.redshift
    return TableLineage(
        region=environment.region,
        account_id=environment.account_id,
        glue_database=glue_database,
        table=table,
        location=location,
        warehouse=warehouse(
            redshift.workgroup_name, redshift.cluster_identifier, environment.region, redshift.database
        ),
        external_schema=external_schema,
    )


def table_prefix(key: str) -> str:
    """The table's key prefix of a partition, load or file key: the path above its first
    `column=value` folder (`appflow/p/account/appflow_date_str=20250115/flow/id/` -> `appflow/p/account`)."""
    parts = [part for part in key.strip("/").split("/") if part]
    for index, part in enumerate(parts):
        if "=" in part:
            return "/".join(parts[:index])
    return "/".join(parts)
