"""`make airflow` end to end: the same launcher (`python -m sandbox.airflow_local`) on free ports with
a temp AIRFLOW_HOME and sandbox state dir; the REST API with the documented login lists the
project's DAGs with no import error, runs a triggered DAG run's first task through the scheduler and
the LocalExecutor; SIGINT to the launcher then leaves no process behind.

Select it with `pytest -m airflow tests/sandbox/test_local_airflow.py` (~40 s on 2 cores).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from lakehouse.config import load_config
from lakehouse.plan.inventory import environment_dag_ids
from sandbox.provision import WEBHOOK_PATH
from tests.conftest import REPO, SAMPLE_CONFIG
from tests.reliability.conftest import sns_messages
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
    """The sample config with `retries: 0`, so a failing task fails (and alerts) now, not after the
    sample's five-minute retry delay."""
    base = tmp_path_factory.mktemp("local-airflow")
    include = base / "include"
    shutil.copytree(REPO / "include", include)
    flows = include / "config" / "flows.yaml"
    flows.write_text(flows.read_text().replace("  retries: 2\n", "  retries: 0\n", 1))
    with running_stack(base, include_dir=include) as running:
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


def test_a_write_waits_for_a_lock_held_longer_than_sqlites_default(stack: Stack, token: str) -> None:
    """Every component writes to one SQLite file. A write that meets another's lock waits for it
    (sandbox/airflow_local/sqlite.py) instead of failing after sqlite3's default 5 s, which on a busy
    machine turned a backfill request into a 503."""
    held_for = 7.0  # longer than sqlite3's default timeout of 5 s
    answered: dict[str, Any] = {}

    def create_variable() -> None:
        body = {"key": "lakehouse_lock_probe", "value": "waited"}
        try:
            answered["body"] = call(stack.url + "/api/v2/variables", "POST", body, token)
        except urllib.error.HTTPError as error:
            answered["error"] = f"{error.code}: {error.read()[:300]!r}"

    locker = sqlite3.connect(stack.home / "airflow.db", timeout=30, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")  # the write lock, as a long scheduler transaction holds it
        writer = threading.Thread(target=create_variable)
        began = time.monotonic()
        writer.start()
        time.sleep(held_for)
        assert writer.is_alive(), f"the write did not wait for the lock: {answered}"
        locker.execute("COMMIT")
    finally:
        locker.close()
    writer.join(30)
    assert answered.get("body", {}).get("value") == "waited", answered
    assert time.monotonic() - began >= held_for
    assert call(stack.url + "/api/v2/variables/lakehouse_lock_probe", token=token)["value"] == "waited"


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


def test_a_failed_task_alerts_sns_and_the_webhook_with_a_log_link_that_opens_its_log(
    stack: Stack, token: str
) -> None:
    """The run above has no results to upsert, so `validate_results` fails for real (retries: 0)
    under the scheduler: the alert reaches SNS and the webhook receiver once, and its link opens
    that try's log on this api-server."""
    sandbox = stack.sandbox_url
    received = stack.wait("the webhook alert", lambda: _webhook_alerts(sandbox), RUN_TIMEOUT)
    (alert,) = received
    assert alert["event"] == "failure"
    assert alert["dag_id"] == DAG_TO_RUN
    assert alert["task_id"].endswith("validate_results")
    assert "no results under" in alert["error"]
    link = urllib.parse.urlsplit(alert["log_url"])
    assert f"{link.scheme}://{link.netloc}" == stack.url
    dag_id, run_id, task_id = _ui_log_path(link.path)
    try_number = urllib.parse.parse_qs(link.query)["try_number"][0]
    assert (dag_id, run_id, task_id) == (alert["dag_id"], alert["run_id"], alert["task_id"])
    with urllib.request.urlopen(alert["log_url"], timeout=10) as page:  # the UI route the link opens
        assert page.status == 200
    api = f"{stack.url}/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}"
    log = call(f"{api}/taskInstances/{task_id}/logs/{try_number}", token=token)
    assert "no results under" in json.dumps(log["content"]), "the linked try's log holds the error"
    topic = load_config(SAMPLE_CONFIG).environments["dev"].alerts.sns_topic_arn
    published = [m for m in sns_messages(sandbox, topic) if DAG_TO_RUN in m["message"]]
    assert len(published) == 1, published
    assert alert["log_url"] in published[0]["message"]


def _webhook_alerts(sandbox: str) -> list[dict[str, Any]] | None:
    requests = call(f"{sandbox}{WEBHOOK_PATH}/requests")
    return [r["json"] for r in requests] or None


def _ui_log_path(path: str) -> tuple[str, str, str]:
    """(dag, run, task) of the UI's task-log route, /dags/<dag>/runs/<run>/tasks/<task>."""
    parts = path.strip("/").split("/")
    assert parts[0::2] == ["dags", "runs", "tasks"], path
    return parts[1], urllib.parse.unquote(parts[3]), parts[5]


def test_sigint_stops_every_process(stack: Stack, token: str) -> None:
    """Last in this module: it stops the stack the other tests used."""
    assert_sigint_stops_every_process(stack)
