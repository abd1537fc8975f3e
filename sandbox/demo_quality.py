"""The demo's data-quality part: one bad load blocked by the declared checks, then published once
the data is fixed, and the results table.

On the second day AppFlow lands a bad Account load in the first org (the sandbox's `null_field`
injection: an account without Name, which `flows.yaml` declares `not_null` with severity error).
The run fails at `audit_data`, and what readers see is printed before and after: the Glue
partitions, a digest of the files they point at and of `account_current` (equal: nothing was
published). The injection lasts one run, so the rerun of the interval, as an operator would clear
it once the source is fixed, loads the records as they are and publishes them. Last, the results
table `quality_ext.check_results` is queried through Spectrum: every check of every audited load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from typing import Any

from sandbox.backfill_scenario import Sandbox as Control
from sandbox.runs import run_day

BAD_LOAD_DAG = "sfdc_ingest__account"
BAD_FIELD = "Name"


def blocked_then_fixed(
    endpoint_url: str, dag: Any, day: dt.date, env: str, emit: Callable[[str], None] = print
) -> tuple[Any, int]:
    """Run `day` with a bad load (blocked), show nothing changed, rerun it fixed; returns the last
    run and how many things were not as they should be (0). `emit` takes each line shown (a demo
    worker sends them back to be printed in order)."""
    import boto3

    from lakehouse.config import load_config
    from lakehouse.config.names import slug
    from sandbox.demo import REPO
    from sandbox.readback import warehouse_target

    config = load_config(REPO / "include" / "config")
    environment = config.environments[env]
    profile = environment.connector_profiles[0]
    group = slug(profile)
    clients = {
        name: boto3.client(name, endpoint_url=endpoint_url) for name in ("s3", "glue", "redshift-data")
    }
    target = warehouse_target(environment)
    view = f"{environment.views_schema_for(profile)}.account_current"
    seen = _readers_see(clients, environment.glue_database_for(profile, env), "account", view, target)
    flow = f"{env}-{group}-account"
    Control(endpoint_url).inject(flow, "null_field", field=BAD_FIELD)  # any process may ask
    emit(f"  ! bad load injected: AppFlow will land an Account of {profile} without {BAD_FIELD}")
    t0 = time.monotonic()
    blocked = run_day(dag, day)
    audit = next(ti for ti in blocked.get_task_instances() if ti.task_id == f"{group}.audit_data")
    took = time.monotonic() - t0
    emit(f"  {dag.dag_id} [{day}]: {blocked.state}, {group}.audit_data {audit.state} ({took:.1f} s)")
    problems = int(blocked.state != "failed") + int(str(audit.state) != "failed")
    after = _readers_see(clients, environment.glue_database_for(profile, env), "account", view, target)
    same = after == seen
    emit(f"    published data unchanged: {same} (partitions {seen[0]}, files {seen[1]}, {view} {seen[2]})")
    problems += int(not same)
    t0 = time.monotonic()
    fixed = run_day(dag, day)
    took = time.monotonic() - t0
    emit(f"  {dag.dag_id} [{day}] rerun once the source is fixed: {fixed.state} ({took:.1f} s)")
    problems += int(fixed.state != "success")
    return fixed, problems


def _readers_see(
    clients: dict[str, Any], database: str, table: str, view: str, target: dict[str, str]
) -> tuple[str, str, str]:
    """Digests of what a reader of the table sees: its partitions, their files, the current view."""
    from sandbox.readback import run_query

    pages = clients["glue"].get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table)
    registered = sorted(
        (p["Values"][0], p["StorageDescriptor"]["Location"]) for page in pages for p in page["Partitions"]
    )
    files = hashlib.sha256()
    for _, location in registered:
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        for item in clients["s3"].list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
            files.update(item["Key"].encode())
            files.update(clients["s3"].get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
    # `view` is built from names the config model validated as identifiers.
    rows = run_query(clients["redshift-data"], target, f"SELECT * FROM {view} ORDER BY id")  # noqa: S608
    current = hashlib.sha256(repr(rows).encode()).hexdigest()[:12]
    listing = hashlib.sha256(repr(registered).encode()).hexdigest()[:12]
    return f"{len(registered)} @ {listing}", files.hexdigest()[:12], f"{len(rows)} rows @ {current}"


def report_checks(endpoint_url: str, env: str) -> None:
    """The results table through Spectrum: per object and org, the checks run and what failed."""
    import boto3

    from lakehouse.config import load_config
    from sandbox.demo import REPO
    from sandbox.readback import run_query, warehouse_target

    environment = load_config(REPO / "include" / "config").environments[env]
    quality = environment.quality
    if quality is None:
        return
    redshift = boto3.client("redshift-data", endpoint_url=endpoint_url)
    target = warehouse_target(environment)
    # `table` is built from a name the config model validated as an identifier.
    table = f"{quality.external_schema}.check_results"
    summary = (
        "SELECT object, profile, COUNT(DISTINCT load_id) AS loads, COUNT(*) AS outcomes, "  # noqa: S608
        "SUM(CASE WHEN passed THEN 0 ELSE 1 END) AS failed, "
        "SUM(CASE WHEN NOT published THEN 1 ELSE 0 END) AS blocked_outcomes "
        f"FROM {table} GROUP BY object, profile ORDER BY object, profile"
    )
    print(f"\n== Data-quality results ({table}, through Spectrum)")
    print(f"  {summary}")
    print(f"  {'object':<26} {'profile':<38} loads outcomes failed blocked")
    for row in run_query(redshift, target, summary):
        print(f"  {row[0]:<26} {row[1]:<38} {row[2]:>5} {row[3]:>8} {row[4]:>6} {row[5]:>7}")
    failed = (
        "SELECT interval_date, object, profile, check_name, severity, observed, published, detail "  # noqa: S608
        f"FROM {table} WHERE NOT passed ORDER BY interval_date, object, profile, check_name"
    )
    print(f"  failed checks: {failed}")
    for row in run_query(redshift, target, failed):
        verdict = "published" if row[6] in (True, "true") else "BLOCKED"
        print(f"    {row[0]} {row[1]} ({row[2]}) {row[3]} [{row[4]}] {verdict}: {row[7]}")
