"""`make airflow` end to end: the same launcher (`python -m sandbox.airflow_local`) on free ports with
a temp AIRFLOW_HOME and sandbox state dir; the REST API with the documented login lists the
project's DAGs with no import error, runs a triggered DAG run's first task through the scheduler and
the LocalExecutor; SIGINT to the launcher then leaves no process behind.

Select it with `pytest -m airflow tests/sandbox/test_local_airflow.py` (~40 s on 2 cores).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lakehouse.config import load_config
from lakehouse.plan.inventory import environment_dag_ids
from tests.conftest import SAMPLE_CONFIG
from tests.stack import (
    READY_TIMEOUT,
    Stack,
    answers_ok,
    assert_sigint_stops_every_process,
    call,
    running_stack,
)

pytestmark = [pytest.mark.airflow, pytest.mark.timeout(240)]

DAG_TO_RUN = "sfdc_upsert__custom_salesforce_object"  # runs on its results Asset: unpausing adds no run
RAN = {"success", "failed", "up_for_retry", "skipped", "upstream_failed", "up_for_reschedule", "deferred"}
RUN_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("local-airflow")) as running:
        yield running


@pytest.fixture(scope="module")
def token(stack: Stack) -> str:
    return stack.login()


def test_dags_listed_without_import_errors(stack: Stack, token: str) -> None:
    expected = set(environment_dag_ids(load_config(SAMPLE_CONFIG), "dev"))
    assert len(expected) == 8  # 3 ingest, 1 upsert, 3 on-prem feeds, the scoring example

    def listed() -> set[str] | None:
        found = {dag["dag_id"] for dag in call(stack.url + "/api/v2/dags?limit=100", token=token)["dags"]}
        return found if expected <= found else None

    assert stack.wait("the DAGs to be parsed", listed, READY_TIMEOUT) == expected
    errors = call(stack.url + "/api/v2/importErrors", token=token)
    assert errors["total_entries"] == 0, errors


def test_triggered_run_is_scheduled_and_runs_a_task(stack: Stack, token: str) -> None:
    dag = f"{stack.url}/api/v2/dags/{DAG_TO_RUN}"
    stack.wait("the DAG", lambda: answers_ok(dag, token), READY_TIMEOUT)
    assert call(dag, "PATCH", {"is_paused": False}, token)["is_paused"] is False
    run = call(dag + "/dagRuns", "POST", {"logical_date": None}, token)
    run_url = f"{dag}/dagRuns/{run['dag_run_id']}"

    def task_ran() -> list[dict[str, Any]]:
        instances = call(run_url + "/taskInstances", token=token)["task_instances"]
        return [ti for ti in instances if ti["state"] in RAN]

    ran = stack.wait("a task instance to run", task_ran, RUN_TIMEOUT)
    assert call(run_url, token=token)["state"] != "queued"
    first = ran[0]
    assert first["task_id"].endswith("validate_results"), ran
    log = call(f"{run_url}/taskInstances/{first['task_id']}/logs/{first['try_number']}", token=token)
    assert log["content"], "the api-server read no task log"


def test_sigint_stops_every_process(stack: Stack, token: str) -> None:
    """Last in this module: it stops the stack the other tests used."""
    assert_sigint_stops_every_process(stack)
