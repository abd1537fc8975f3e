"""A backfill of every object of `dev` through the REST API on the real scheduler, against orgs whose
daily API allowance is far too small, with the orgs' clocks moved to their next midnight whenever
the allowance is spent (sandbox/backfill_scenario.py; `make bench-backfill` runs it at a year).

Proves, on `make airflow`'s stack (tests/stack.py): no org ever has more AppFlow runs at once than
its pool has slots; no org day spends more than its allowance; runs paused by the limit finish
after the reset without spending a retry; every interval lands exactly once (one file, no
duplicate Id, no missing record or partition); the pools exist as the config sizes them, and a
scheduled run's tasks outweigh a backfill's.

Select it with `pytest -m airflow tests/pipeline/test_backfill_limits.py` (one day of every object:
6 DAG runs; 6.5 min on 2 cores busy with other work, load 10-12).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from lakehouse.config import load_config
from lakehouse.plan import plan_environment
from sandbox import backfill_scenario as scenario
from tests.conftest import REPO
from tests.pipeline.conftest import RAW, partition_rows
from tests.stack import READY_TIMEOUT, Stack, answers_ok, running_stack

pytestmark = [pytest.mark.airflow, pytest.mark.timeout(600)]

FIRST = LAST = dt.date(2025, 1, 14)  # logical dates (interval starts) of the backfill
ALLOWANCE = 2  # API requests per org day; each run here spends 1 (REST, <= 2,000 records)
PROFILES = ("roche-salesforce-connector-profile1", "roche-salesforce-connector-profile2")
SLOTS = {PROFILES[0]: 2, PROFILES[1]: 1}
"""Fewer than the org's flows (3 and 2; one execution per flow at a time), so the pools bind."""
LIMITS = f"""
    salesforce_limits:
      {PROFILES[0]}:
        concurrent_runs: {SLOTS[PROFILES[0]]}
      {PROFILES[1]}:
        concurrent_runs: {SLOTS[PROFILES[1]]}
"""


@pytest.fixture(scope="module")
def include_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample config with `retries: 0` (a failure must fail now) and pools of SLOTS slots."""
    import shutil

    include = tmp_path_factory.mktemp("backfill-limits") / "include"
    shutil.copytree(REPO / "include", include)
    flows = include / "config" / "flows.yaml"
    flows.write_text(flows.read_text().replace("  retries: 2\n", "  retries: 0\n", 1))
    environments = include / "config" / "environments.yaml"
    text = environments.read_text()
    start = text.index("    # What the lakehouse may spend of each org")
    end = text.index("        concurrent_runs: 4\n", start) + len("        concurrent_runs: 4\n")
    assert text[start:end].count("salesforce_limits:") == 1
    assert "quality:" not in text[start:end]
    environments.write_text(text[:start] + LIMITS.lstrip("\n") + text[end:])
    return include


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, include_dir: Path) -> Iterator[Stack]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW__LAKEHOUSE__SALESFORCE_LIMIT_WAIT_SECONDS", "5")
        patch.setenv("AIRFLOW__LAKEHOUSE__APPFLOW_POKE_INTERVAL_SECONDS", "2")
        with running_stack(
            tmp_path_factory.mktemp("stack"), parallelism=4, include_dir=include_dir
        ) as running:
            yield running


@pytest.fixture(scope="module")
def outcome(stack: Stack, include_dir: Path) -> tuple[scenario.Outcome, scenario.Airflow]:
    token = stack.login()
    airflow = scenario.Airflow(stack.url, token)
    plans = [
        p for p in plan_environment(load_config(include_dir / "config"), "dev") if p.direction == "ingest"
    ]
    for plan in plans:
        url = f"{stack.url}/api/v2/dags/{plan.dag_id}"
        stack.wait(f"{plan.dag_id} parsed", lambda url=url: answers_ok(url, token), READY_TIMEOUT)
    result = scenario.run(
        airflow,
        scenario.Sandbox(stack.sandbox_url),
        [p.dag_id for p in plans],
        PROFILES,
        FIRST,
        LAST,
        allowance=ALLOWANCE,
        timeout=480,
        on_wait=lambda: None if stack.launcher.poll() is None else pytest.fail(stack.output()),
    )
    return result, airflow


def test_every_run_succeeds_without_a_retry_and_the_orgs_limits_held(
    outcome: tuple[scenario.Outcome, scenario.Airflow],
) -> None:
    result, airflow = outcome
    for dag_id, runs in result.runs.items():
        assert [r["state"] for r in runs] == ["success"] * len(runs), (dag_id, runs)
        for run in runs:
            tries = {
                ti["task_id"]: ti["try_number"] for ti in airflow.task_instances(dag_id, run["dag_run_id"])
            }
            assert max(tries.values()) <= 1, (dag_id, run["dag_run_id"], tries)
    for profile, state in result.limits.items():
        assert state["peakConcurrentRuns"] <= SLOTS[profile], (profile, state)
        assert all(spent <= ALLOWANCE for spent in state["spent"].values()), (profile, state)
        # the allowance ran out, runs were refused and waited, the org's midnight let them through
        assert sum(state["refused"].values()) > 0, (profile, state)
        assert result.resets[profile] >= 1
        assert len(state["spent"]) >= 2, "the requests spread over more than one org day"


def test_every_interval_landed_exactly_once(
    outcome: tuple[scenario.Outcome, scenario.Airflow], stack: Stack, include_dir: Path
) -> None:
    result, _ = outcome
    sandbox = scenario.Sandbox(stack.sandbox_url)
    s3 = boto3.client("s3", endpoint_url=stack.sandbox_url, region_name="eu-west-1")
    glue = boto3.client("glue", endpoint_url=stack.sandbox_url, region_name="eu-west-1")
    landed = 0
    for plan in plan_environment(load_config(include_dir / "config"), "dev"):
        if plan.direction != "ingest":
            continue
        backfills = [r for r in result.runs[plan.dag_id] if r["run_type"] == "backfill"]
        assert len(backfills) == (LAST - FIRST).days + 1, plan.dag_id
        for profile in plan.profiles:
            records = sandbox.records(profile.profile, plan.flow.sf_object)
            partitions = {
                p["Values"][0]: p["StorageDescriptor"]["Location"]
                for p in glue.get_partitions(DatabaseName=profile.glue_database, TableName=profile.table)[
                    "Partitions"
                ]
            }
            for run in backfills:
                start, end = _when(run["data_interval_start"]), _when(run["data_interval_end"])
                value = f"{start:%Y%m%d}"
                prefix = f"{profile.prefix}/{plan.flow.bookmark_col}={value}/"
                expected = sorted(
                    str(r["Id"])
                    for r in records
                    if not plan.flow.incremental_load
                    or start <= _when(str(r[plan.flow.timestamp_field])) < end
                )
                assert expected, (
                    f"{plan.dag_id} {profile.profile} {value}: nothing to land, the case proves nothing"
                )
                files = [o["Key"] for o in s3.list_objects_v2(Bucket=RAW, Prefix=prefix).get("Contents", [])]
                assert len(files) == 1, (prefix, files)
                ids = [str(row["Id"]) for row in partition_rows(s3, RAW, prefix)]
                assert len(ids) == len(set(ids)), f"{prefix}: duplicated Ids"
                assert sorted(ids) == expected, f"{prefix}: missing {set(expected) - set(ids)}"
                assert f"s3://{RAW}/{files[0]}".startswith(partitions[value]), (value, partitions)
                landed += len(ids)
    assert landed > 0
    print(
        f"landed {landed} records; {scenario.requests_per_thousand_records(result.limits, landed):.1f} requests per 1,000"
    )


def test_pools_and_priority_weights_are_visible_in_the_api(
    outcome: tuple[scenario.Outcome, scenario.Airflow],
) -> None:
    result, airflow = outcome
    pools = {p["name"]: p for p in airflow("/api/v2/pools")["pools"]}
    for profile in PROFILES:
        pool = pools["salesforce__" + profile.replace("-", "_")]
        assert pool["slots"] == SLOTS[profile]
        assert pool["include_deferred"] is True
    dag_id = "sfdc_ingest__account"
    weights: dict[str, set[int]] = {"backfill": set(), "scheduled": set()}
    for run in result.runs[dag_id]:
        for ti in airflow.task_instances(dag_id, run["dag_run_id"]):
            if ti["task_id"].endswith(".run_flow") and run["run_type"] in weights:
                weights[run["run_type"]].add(ti["priority_weight"])
    assert weights["scheduled"], result.runs[dag_id]
    assert min(weights["scheduled"]) > max(weights["backfill"]), weights


def _when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
