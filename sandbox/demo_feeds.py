"""The demo's on-prem feed part: every feed DAG over the demo days, then what landed.

Each run is the real Glue job script reading the sandbox's SQLite database, HTTP API or file drop
(`sandbox.provision.provision` creates the feeds' Glue database, jobs, secrets and file drops).
The feeds read no Salesforce org, so the demo runs them beside the orgs' timeline on its workers
(`feed_chains`: one chain of runs per feed, in day order); `report_feeds` then prints each run and,
per feed, the rows of each partition in S3, the Glue partitions, and a Spectrum count per partition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def feed_plans(include_dir: Path, env: str) -> list[Any]:
    from lakehouse.config import load_config
    from lakehouse.plan.feeds import plan_feeds

    return plan_feeds(load_config(include_dir / "config"), env)


def feed_chains(plans: Sequence[Any], days: Sequence[dt.date]) -> list[list[tuple[str, dt.date]]]:
    """Per feed DAG, its runs (the interval that starts on each day), in order."""
    return [[(plan.dag_id, day) for day in days] for plan in plans]


def report_feeds(
    outcomes: Sequence[Any], endpoint_url: str, plans: Sequence[Any], env: str, days: Sequence[dt.date]
) -> int:
    """Print the runs (`RunOutcome`s, in feed and day order) and what landed; returns the failed runs."""
    if not plans:
        print(f"\nNo on-prem feeds for environment '{env}'")
        return 0
    print(f"\nRunning {len(plans)} on-prem feed DAGs (Glue jobs) over {days[0]} .. {days[-1]}")
    for outcome in outcomes:
        print(outcome.summary())
    _report(endpoint_url, plans, plans[0].environment)
    return sum(outcome.problems for outcome in outcomes)


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
