"""RedshiftDataOperator on a serverless workgroup (eu-west-1) and a provisioned cluster (us-east-1):
create a table, load it, read it back with return_sql_result."""

from __future__ import annotations

import datetime as dt

from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.sdk import DAG, chain

WORKGROUP = {"region": "eu-west-1", "workgroup_name": "fidelity-wg"}
CLUSTER = {"region": "us-east-1", "cluster_identifier": "fidelity-cluster", "db_user": "awsuser"}
SQL = [
    "CREATE TABLE IF NOT EXISTS public.region_check (region VARCHAR(32), loaded_at TIMESTAMP)",
    "DELETE FROM public.region_check",
]


def make_dag(target: dict[str, str]) -> DAG:
    region = target["region"]
    where = {key: value for key, value in target.items() if key != "region"}
    with DAG(
        dag_id=f"fidelity_redshift_{region.replace('-', '_')}",
        schedule=None,
        start_date=dt.datetime(2025, 1, 1),
        catchup=False,
        tags=["fidelity"],
    ) as dag:
        prepare = RedshiftDataOperator(
            task_id="prepare", database="dev", sql=SQL, region_name=region, poll_interval=0.2, **where
        )
        load = RedshiftDataOperator(
            task_id="load",
            database="dev",
            sql=f"INSERT INTO public.region_check VALUES ('{region}', GETDATE())",
            region_name=region,
            poll_interval=0.2,
            **where,
        )
        read = RedshiftDataOperator(
            task_id="read",
            database="dev",
            sql="SELECT region, COUNT(*) AS n FROM public.region_check GROUP BY region",
            region_name=region,
            poll_interval=0.2,
            return_sql_result=True,
            **where,
        )
        chain(prepare, load, read)
    return dag


for _target in (WORKGROUP, CLUSTER):
    globals()[f"fidelity_redshift_{_target['region'].replace('-', '_')}"] = make_dag(_target)
