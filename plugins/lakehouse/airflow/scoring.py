"""The ML scoring example as a DAG: Account ingest Asset -> warehouse -> score -> results zone ->
results Asset -> the upsert DAG into CustomSalesforceObject__c (lakehouse.scoring has the formula
and the plan; this module only runs them).

The scores are read through the Redshift Data API (the provider's RedshiftDataHook), page by page,
and spooled to a temporary file before one upload, so memory does not grow with the number of
accounts. Each run writes the complete current-state scores to one key and removes every other
file in its folder: a rerun, or a second trigger by the other org's ingest, leaves the same single
file for the same warehouse state, and the upsert never sends stale scores.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.sdk import DAG, get_parsing_context

from lakehouse.airflow.connections import s3_client
from lakehouse.airflow.dag_args import asset, aws_args, task_defaults, warehouse_args
from lakehouse.airflow.dagfile import current_env, loaded_config, strict
from lakehouse.airflow.operators.warehouse import WarehouseQueryOperator
from lakehouse.airflow.tuning import Tuning
from lakehouse.scoring import SCORING_DAG_ID, ScoringPlan, plan_scoring, score_record
from lakehouse.scoring.formula import field_value

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SPOOL_BYTES = 8 << 20
"""Results up to this size stay in memory; larger ones spill to a temporary file."""


class AccountScoringOperator(WarehouseQueryOperator):
    """Score every row of `sql` and replace the results under `results_prefix` with one JSON-lines
    file at `results_key`. Returns how many records were written and where."""

    template_fields: Sequence[str] = aws_template_fields()

    def __init__(
        self,
        *,
        sql: str,
        results_bucket: str,
        results_prefix: str,
        results_key: str,
        results_dataset_prefix: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`results_dataset_prefix`: the results location the upsert reads (lineage names it)."""
        super().__init__(**kwargs)
        if not results_key.startswith(results_prefix):
            raise ValueError(f"{results_key} must lie under {results_prefix}: each run replaces that folder")
        self.sql = sql
        self.results_bucket = results_bucket
        self.results_prefix = results_prefix
        self.results_key = results_key
        self.results_dataset_prefix = results_dataset_prefix or results_prefix

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The current-state view (parsed from the query) -> the results the upsert sends."""
        from lakehouse.airflow.lineage import lineage, s3_prefix_dataset
        from lakehouse.airflow.lineage_extractors import operator_warehouse, sql_lineage

        read = sql_lineage(self.sql, operator_warehouse(self))
        return lineage(
            inputs=read.inputs, outputs=[s3_prefix_dataset(self.results_bucket, self.results_dataset_prefix)]
        )

    def execute(self, context: Any) -> dict[str, Any]:
        statement_id = self.run_query(self.sql)
        records = 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            columns: list[str] = []
            for page in self.result_pages(statement_id):
                columns = columns or [column["name"].lower() for column in page["ColumnMetadata"]]
                for fields in page["Records"]:
                    row = dict(zip(columns, (field_value(f) for f in fields), strict=True))
                    spool.write((json.dumps(score_record(row)) + "\n").encode())
                    records += 1
            spool.seek(0)
            s3 = s3_client(self)
            s3.upload_fileobj(spool, self.results_bucket, self.results_key)
        removed = self._remove_others(s3)
        location = f"s3://{self.results_bucket}/{self.results_key}"
        self.log.info("Scored %s records into %s (removed %s older files)", records, location, removed)
        return {"records": records, "location": location, "statement_id": statement_id}

    def _remove_others(self, s3: S3Client) -> int:
        """Delete every file of this DAG's folder but the one just written (earlier runs' results)."""
        removed = 0
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.results_bucket, Prefix=self.results_prefix
        )
        for page in pages:
            stale = [
                {"Key": item["Key"]} for item in page.get("Contents", []) if item["Key"] != self.results_key
            ]
            if stale:
                s3.delete_objects(Bucket=self.results_bucket, Delete={"Objects": stale, "Quiet": True})  # type: ignore[typeddict-item]
                removed += len(stale)
        return removed


def build_scoring_dag(plan: ScoringPlan, tuning: Tuning | None = None) -> DAG:
    tuning = tuning or Tuning()
    target, environment = plan.target, plan.target.environment
    with DAG(
        dag_id=plan.dag_id,
        schedule=[asset(plan.source_asset)],
        start_date=dt.datetime.combine(target.flow.start_date, dt.time(), tzinfo=dt.UTC),
        catchup=False,
        max_active_runs=1,
        tags=["lakehouse", plan.env, "ml", "scoring", target.flow.sf_object],
        description=f"Example ML scores of {plan.source.flow.sf_object} for {target.flow.sf_object}",
        doc_md=plan.doc_md(),
        default_args=task_defaults(target.env, environment, target.flow),
    ) as dag:
        AccountScoringOperator(
            task_id="score_accounts",
            sql=plan.sql,
            **warehouse_args(environment, tuning),
            results_bucket=plan.results_bucket,
            results_prefix=plan.results_prefix,
            results_key=plan.results_key,
            results_dataset_prefix=plan.target_profile.prefix,
            outlets=[asset(plan.results_asset)],
            **aws_args(environment),
        )
    return dag


def generate_scoring(dag_file: str) -> dict[str, DAG]:
    """The scoring DAG of the current environment, or nothing when it lacks the upsert flow (or the
    Account ingest of that flow's org). Reads config files only: no network at parse time. Strict
    mode (LAKEHOUSE_STRICT=1) fails on any config problem, like the flows' DAG files."""
    wanted = get_parsing_context().dag_id
    if wanted is not None and wanted != SCORING_DAG_ID:
        return {}  # a worker running a DAG of another file
    config = loaded_config(dag_file)
    if strict() and not config.ok:
        raise config.error()
    plan = plan_scoring(config, current_env())
    if plan is None:
        return {}
    return {plan.dag_id: build_scoring_dag(plan, Tuning.from_airflow_config())}
