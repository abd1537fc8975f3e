"""The demo's proof that the warehouse equals the org: per object and org, Salesforce's live count
beside the `_current` view's count (they must be equal), and the history of the records the demo
deleted, merged, restored and hard-deleted, read through Spectrum as an analyst would."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HISTORY_COLUMNS = ("id", "name", "isdeleted", "masterrecordid", "valid_from", "valid_to", "is_current")


def report_truth(endpoint_url: str, env: str, orgs: Sequence[Any], changes: Any) -> int:
    """Print the counts and the history rows; returns how many counts differ (0 when all agree)."""
    import boto3

    from lakehouse.config import load_config
    from lakehouse.plan import plan_environment
    from sandbox.readback import run_query, warehouse_target

    config = load_config(REPO / "include" / "config")
    environment = config.environments[env]
    redshift = boto3.client("redshift-data", endpoint_url=endpoint_url, region_name=environment.region)
    target = warehouse_target(environment)
    by_profile = {org.profile: org for org in orgs}
    print("\n== The warehouse equals the org (live records in Salesforce beside <table>_current)")
    differ = 0
    ingests = [plan for plan in plan_environment(config, env) if plan.direction == "ingest"]
    for plan in ingests:
        for profile in plan.profiles:
            live = len(by_profile[profile.profile].records(plan.flow.sf_object))
            # The view name is built from validated identifiers (lakehouse.plan).
            sql = f"SELECT COUNT(*) FROM {profile.view('current')}"  # noqa: S608
            current = int(run_query(redshift, target, sql)[0][0])
            verdict = "equal" if live == current else "DIFFERENT"
            differ += live != current
            view = profile.view("current")
            print(
                f"  {plan.flow.sf_object:<12} {profile.profile}: {live} live, {current} in {view}: {verdict}"
            )
    watched = [rid for rid in (changes.merged, *changes.deleted, changes.hard_deleted) if rid]
    if watched:
        plan = next(
            p
            for p in plan_environment(config, env)
            if p.flow.sf_object == "Account" and p.direction == "ingest"
        )
        profile = next(p for p in plan.profiles if p.profile == changes.org.profile)
        ids = ", ".join(f"'{rid}'" for rid in watched)  # Salesforce ids the org generated
        sql = (
            f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {profile.view('history')} "  # noqa: S608
            f"WHERE id IN ({ids}) ORDER BY id, valid_from"
        )
        print(f"\n  History of the changed accounts: {sql}")
        print("    " + " | ".join(HISTORY_COLUMNS))
        for row in run_query(redshift, target, sql):
            print("    " + " | ".join("" if value is None else str(value) for value in row))
    return differ
