"""The demo's reverse path: after the ingest runs, score the accounts and push the scores back.

`run_scores(bag.dags, endpoint_url, env)` is called by the demo once the Account ingest has
landed (it needs the Account current-state view): it runs the scoring DAG (warehouse -> results
zone, which under the scheduler triggers the upsert through the results Asset) and the upsert DAG
with `dag.test()`, then prints what the emulated Salesforce org now holds, read back through the
sandbox's AppFlow control endpoint, beside the warehouse values the score was computed from.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHOWN = 5


def run_scores(
    dags: Mapping[str, Any],
    endpoint_url: str,
    env: str,
    config_dir: Path | None = None,
    emit: Callable[[str], None] = print,
) -> int:
    """Run the scoring and upsert DAGs and show a few scored records (each line to `emit`); 1 if a
    run failed, else 0."""
    from lakehouse.config import load_config
    from lakehouse.scoring import plan_scoring

    plan = plan_scoring(load_config(config_dir or REPO / "include" / "config"), env)
    if plan is None or plan.dag_id not in dags:
        emit(f"\nNo scoring example in '{env}' (it needs the CustomSalesforceObject__c upsert flow)")
        return 0
    emit(f"\n== ML scores back to Salesforce ({plan.dag_id} -> {plan.target.dag_id})")
    for dag_id in (plan.dag_id, plan.target.dag_id):
        started = time.monotonic()
        run = dags[dag_id].test()
        emit(f"  {dag_id}: {run.state} ({time.monotonic() - started:.1f} s)")
        if run.state != "success":
            return 1
        if dag_id == plan.target.dag_id:
            report = _xcom(run, f"{plan.target_profile.group_id}.report_records")
            emit(
                f"    upsert: {report['records_processed']} records processed, "
                f"{report['records_failed']} failed (threshold {report['max_failed_records']})"
            )
    _show(plan, endpoint_url, emit)
    return 0


def _show(plan: Any, endpoint_url: str, emit: Callable[[str], None]) -> None:
    import boto3

    from sandbox.readback import run_query, warehouse_target

    environment = plan.target.environment
    redshift = boto3.client("redshift-data", endpoint_url=endpoint_url, region_name=environment.region)
    accounts = {str(row[0]): row[1:] for row in run_query(redshift, warehouse_target(environment), plan.sql)}
    query = urllib.parse.urlencode(
        {"connectorProfileName": plan.target_profile.profile, "object": plan.target.flow.sf_object}
    )
    url = f"{endpoint_url}/_sandbox/appflow/records?{query}"
    with urllib.request.urlopen(url, timeout=30) as reply:  # noqa: S310 - the local sandbox's own URL
        records = json.load(reply)["records"]
    scored = sorted(
        (r for r in records if str(r.get("External_Id__c")) in accounts),
        key=lambda r: (-float(r["Score__c"] or 0), str(r["External_Id__c"])),
    )
    object_name, profile = plan.target.flow.sf_object, plan.target_profile.profile
    emit(f"  {object_name} in {profile}: {len(scored)} of {len(accounts)} accounts scored; top {SHOWN}:")
    header = f"{'External_Id__c':<20} {'Name':<24} {'Score__c':>8}"
    emit(f"    {header}   <- AnnualRevenue, NumberOfEmployees, Rating in {plan.view}")
    for record in scored[:SHOWN]:
        _, revenue, employees, rating = accounts[str(record["External_Id__c"])]
        emit(
            f"    {record['External_Id__c']:<20} {str(record['Name'])[:24]:<24} {record['Score__c']:>8.2f}"
            f"   <- {revenue}, {employees}, {rating}"
        )


def _xcom(run: Any, task_id: str) -> dict[str, Any]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = session.scalars(
            XComModel.get_many(run_id=run.run_id, dag_ids=run.dag_id, task_ids=task_id)
        ).first()
        value: dict[str, Any] = XComModel.deserialize_value(row) if row is not None else {}
        return value
