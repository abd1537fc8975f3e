"""Each profile's AppFlow tasks share its pool; today's runs outrank a backfill's; the pools come
from environments.yaml's salesforce_limits (`lakehouse pools`)."""

from __future__ import annotations

import json

import pytest

from lakehouse.airflow.build import build_dag
from lakehouse.airflow.priority import NOT_BACKFILL_BONUS, ScheduledBeforeBackfill
from lakehouse.cli import main
from lakehouse.config import load_config
from lakehouse.plan import plan_environment
from lakehouse.plan.pools import pool_name
from tests.conftest import REPO, SAMPLE_CONFIG

APPFLOW_TASKS = {"run_flow"}
"""run_flow holds its slot (deferred) while its execution runs; wait_for_flow only reads the end."""


def test_every_appflow_run_takes_a_slot_of_its_profiles_pool() -> None:
    seen = set()
    for plan in plan_environment(load_config(SAMPLE_CONFIG), "dev"):
        dag = build_dag(plan, REPO / "include" / "sql")
        for profile in plan.profiles:
            for name in APPFLOW_TASKS:
                task = dag.get_task(f"{profile.group_id}.{name}")
                assert task.pool == pool_name(profile.profile), task.task_id
                assert task.pool_slots == 1
                seen.add(task.pool)
        others = [t for t in dag.tasks if t.task_id.rpartition(".")[2] not in APPFLOW_TASKS]
        assert all(t.pool == "default_pool" for t in others), dag.dag_id
        assert all(isinstance(t.weight_rule, ScheduledBeforeBackfill) for t in dag.tasks), dag.dag_id
    assert seen == {
        "salesforce__roche_salesforce_connector_profile1",
        "salesforce__roche_salesforce_connector_profile2",
    }


def test_pools_command_sizes_each_pool_from_salesforce_limits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pools", str(SAMPLE_CONFIG), "--env", "dev"]) == 0
    pools = json.loads(capsys.readouterr().out)
    # profile1 has its own limits in the sample; profile2 takes the defaults
    assert {name: p["slots"] for name, p in pools.items()} == {
        "salesforce__roche_salesforce_connector_profile1": 4,
        "salesforce__roche_salesforce_connector_profile2": 5,
    }
    assert all(p["include_deferred"] is True for p in pools.values())  # run_flow keeps its slot deferred
    assert main(["pools", str(SAMPLE_CONFIG), "--env", "nope"]) == 1


@pytest.mark.airflow
def test_a_backfill_runs_tasks_weigh_less_than_a_scheduled_runs() -> None:
    """Airflow's own TaskInstance, as the scheduler creates it (run id only, no DAG run yet)."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.serialization.serialized_objects import DagSerialization

    plan = next(p for p in plan_environment(load_config(SAMPLE_CONFIG), "dev") if p.direction == "ingest")
    dag = DagSerialization.from_dict(DagSerialization.to_dict(build_dag(plan, REPO / "include" / "sql")))
    group = plan.profiles[0].group_id
    run_flow, prune = dag.get_task(f"{group}.run_flow"), dag.get_task(f"{group}.prune_partition")

    def weight(task: object, run_id: str) -> int:
        return int(TaskInstance(task=task, run_id=run_id, dag_version_id=None).priority_weight)  # type: ignore[arg-type]

    scheduled = "scheduled__2025-01-15T00:00:00+00:00"
    backfill = "backfill__2025-01-14T00:00:00+00:00"
    steps = len(plan.tasks)  # downstream: itself and every task after it
    assert weight(run_flow, backfill) == steps
    assert weight(run_flow, scheduled) == steps + NOT_BACKFILL_BONUS
    assert weight(run_flow, "manual__2025-01-15") == steps + NOT_BACKFILL_BONUS
    assert weight(prune, scheduled) > weight(run_flow, backfill)  # any task of today's run first
