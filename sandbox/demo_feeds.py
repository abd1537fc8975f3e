"""The demo's on-prem feed part: every feed DAG over the demo days, then what landed.

`run_feeds(dags, endpoint_url, include_dir, env, days)` is called by the demo after it has pointed
Airflow at the sandbox and provisioned the environment (`sandbox.provision.provision` creates the
feeds' Glue database, jobs, secrets and file drops too). Each run is the real Glue job script
reading the sandbox's SQLite database, HTTP API or file drop; afterwards it prints, per feed, the
rows of each partition in S3, the Glue partitions, and a Spectrum count per partition.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEMO_DAYS = (dt.date(2025, 1, 13), dt.date(2025, 1, 14), dt.date(2025, 1, 15))


def run_feeds(
    dags: Mapping[str, Any],
    endpoint_url: str,
    include_dir: Path,
    env: str = "dev",
    days: Sequence[dt.date] = DEMO_DAYS,
) -> int:
    """Run every feed DAG of `env` for each day and print what landed; returns the failed runs."""
    from lakehouse.config import load_config
    from lakehouse.plan.feeds import plan_feeds
    from sandbox.runs import run_day

    config = load_config(include_dir / "config")
    plans = plan_feeds(config, env)
    if not plans:
        print(f"\nNo on-prem feeds for environment '{env}'")
        return 0
    print(f"\nRunning {len(plans)} on-prem feed DAGs (Glue jobs) over {days[0]} .. {days[-1]}")
    failed = 0
    for plan in plans:
        for day in days:
            started = time.monotonic()
            run = run_day(dags[plan.dag_id], day)
            interval = f"{run.data_interval_start:%Y-%m-%d %H:%M} .. {run.data_interval_end:%Y-%m-%d %H:%M}"
            print(f"  {plan.dag_id} [{interval}): {run.state} ({time.monotonic() - started:.1f} s)")
            failed += run.state != "success"
    _report(endpoint_url, plans, config.environments[env])
    return failed


def _report(endpoint_url: str, plans: Sequence[Any], environment: Any) -> None:
    import boto3

    from sandbox.readback import rows_per_partition, run_query, warehouse_target

    s3 = boto3.client("s3", endpoint_url=endpoint_url)
    glue = boto3.client("glue", endpoint_url=endpoint_url)
    redshift = boto3.client("redshift-data", endpoint_url=endpoint_url)
    for plan in plans:
        print(f"\n== {plan.feed.name} ({plan.dag_id}, Glue job {plan.glue_job})")
        print(f"  S3 {plan.location}")
        for partition, rows in rows_per_partition(s3, plan.bucket, plan.prefix).items():
            print(f"    {partition}: {rows} rows")
        try:
            found = glue.get_partitions(DatabaseName=plan.glue_database, TableName=plan.table)["Partitions"]
        except glue.exceptions.EntityNotFoundException:
            print(f"  Glue {plan.asset_name}: not registered")
            continue
        print(f"  Glue {plan.asset_name}: partitions {sorted(p['Values'][0] for p in found)}")
        column = plan.feed.partition_col
        # Every name here was validated as an identifier by the config model.
        sql = (
            f"SELECT {column}, COUNT(*) AS rows_read FROM {plan.external_schema}.{plan.table} "  # noqa: S608
            f"GROUP BY {column} ORDER BY {column}"
        )
        print(f"  Spectrum: {sql}")
        print(f"    -> {run_query(redshift, warehouse_target(environment), sql)}")
