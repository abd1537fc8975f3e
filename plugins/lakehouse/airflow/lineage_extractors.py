"""OpenLineage extractors for provider operators that report no datasets of their own.

The Amazon provider's RedshiftDataOperator (9.39.0) reports its SQL to the hook lineage collector,
but its hook gives OpenLineage no database information, so the events carry the SQL text and no
dataset. This extractor parses the operator's SQL with OpenLineage's SQL parser (the provider's
`SQLParser`, Redshift dialect, without querying the warehouse) and names the tables as
OpenLineage does: `redshift://{workgroup or cluster}.{region}:5439`, `{database}.{schema}.{table}`.
So the views built from the external tables (`<profile>.<table>_current`, and any other SQL of
include/sql/) get their edges without a change to the DAGs.

Registered with the Airflow option `[openlineage] extractors` (the deployment sets it: MWAA's
configuration, `make airflow`, the demo and tests through sandbox/airflow_env.py).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.openlineage.extractors import OperatorLineage
from airflow.providers.openlineage.extractors.base import BaseExtractor

from lakehouse.airflow.lineage_names import Warehouse, warehouse


def sql_lineage(sql: str | list[str], where: Warehouse) -> OperatorLineage[Any, Any]:
    """Inputs and outputs of `sql` by parsing alone (no metadata query reaches the warehouse)."""
    from airflow.providers.openlineage.sqlparser import DatabaseInfo, SQLParser

    info = DatabaseInfo(
        scheme="redshift", authority=where.namespace.removeprefix("redshift://"), database=where.database
    )
    parser = SQLParser(dialect="redshift", default_schema="public")
    return parser.generate_openlineage_metadata_from_sql(
        sql=sql,
        hook=None,  # type: ignore[arg-type]  # only used with use_connection=True
        database_info=info,
        database=where.database,
        use_connection=False,
    )


def operator_warehouse(operator: Any) -> Warehouse:
    return warehouse(
        getattr(operator, "workgroup_name", None),
        getattr(operator, "cluster_identifier", None),
        getattr(operator, "region_name", None),
        str(operator.database),
    )


class RedshiftDataExtractor(BaseExtractor):
    @classmethod
    def get_operator_classnames(cls) -> list[str]:
        return ["RedshiftDataOperator"]

    def _execute_extraction(self) -> OperatorLineage[Any, Any] | None:
        return OperatorLineage()  # datasets are reported once the statement ran (extract_on_complete)

    def extract_on_complete(self, task_instance: Any) -> OperatorLineage[Any, Any] | None:
        return sql_lineage(self.operator.sql, operator_warehouse(self.operator))
