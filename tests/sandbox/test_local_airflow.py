"""`make airflow` end to end: the same launcher (`python -m sandbox.airflow_local`) on free ports with
a temp AIRFLOW_HOME and sandbox state dir; the REST API with the documented login lists the
project's DAGs with no import error, runs a triggered DAG run's first task through the scheduler and
the LocalExecutor; SIGINT to the launcher then leaves no process behind.

Select it with `pytest -m airflow tests/sandbox/test_local_airflow.py` (~40 s on 2 cores).
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from lakehouse.config import load_config
from lakehouse.plan.inventory import environment_dag_ids
from sandbox.airflow_local.metadata_db import libpq_url, running_url
from sandbox.airflow_local.processes import proc_stat
from sandbox.provision import WEBHOOK_PATH
from tests.conftest import REPO, SAMPLE_CONFIG
from tests.reliability.conftest import sns_messages
from tests.stack import (
    READY_TIMEOUT,
    Stack,
    answers_ok,
    assert_sigint_stops_every_process,
    call,
    processes_with,
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
    assert len(expected) == 10  # 3 ingest, 2 reconciliations, 1 upsert, 3 on-prem feeds, the scoring example

    def listed() -> set[str] | None:
        found = {dag["dag_id"] for dag in call(stack.url + "/api/v2/dags?limit=100", token=token)["dags"]}
        return found if expected <= found else None

    assert stack.wait("the DAGs to be parsed", listed, READY_TIMEOUT) == expected
    errors = call(stack.url + "/api/v2/importErrors", token=token)
    assert errors["total_entries"] == 0, errors


def test_the_components_share_the_stacks_postgresql_metadata_db(stack: Stack, token: str) -> None:
    """A Variable written through the api-server is a row of the PostgreSQL cluster in
    AIRFLOW_HOME/postgres, read back as its `airflow` role (Fernet-encrypted, as Airflow stores
    Variables): no component fell back to SQLite."""
    body = {"key": "lakehouse_db_probe", "value": "in postgres"}
    assert call(stack.url + "/api/v2/variables", "POST", body, token)["value"] == "in postgres"
    database_url = running_url(stack.home)
    assert database_url is not None, "no running metadata DB in AIRFLOW_HOME/postgres"
    connection = psycopg2.connect(libpq_url(database_url))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT val, is_encrypted FROM variable WHERE key = %s", ("lakehouse_db_probe",))
            ((stored, encrypted),) = cursor.fetchall()
    finally:
        connection.close()
    assert encrypted, "the value is stored in the clear"  # Airflow's Fernet key
    assert stored != "in postgres"
    assert call(stack.url + "/api/v2/variables/lakehouse_db_probe", token=token)["value"] == "in postgres"
    assert not list(stack.home.glob("*.db")), "a SQLite file appeared in AIRFLOW_HOME"


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


def test_the_executors_workers_fork_from_a_forkserver_that_preloaded_the_tasks_imports(
    stack: Stack, token: str
) -> None:
    """After a task ran (the test before): the LocalExecutor's workers are children of the
    scheduler's forkserver, and that forkserver has loaded awswrangler's pyarrow
    (lakehouse.airflow.task_preload), so a task forked from a worker starts with it."""
    ours = {int(line.partition(":")[0]) for line in processes_with(str(stack.home))}
    forked = {pid for pid in ours if b"multiprocessing.forkserver" in _cmdline(pid)}  # and its children
    servers = [pid for pid in forked if _parent(pid) not in forked]
    assert len(servers) == 1, {pid: _cmdline(_parent(pid))[:80] for pid in servers}
    assert b"airflow scheduler" in _cmdline(_parent(servers[0]))
    # the workers: the forkserver's children (setproctitle does not rename a forkserver's child)
    assert [pid for pid in ours if _parent(pid) == servers[0]], "no LocalExecutor worker"
    maps = Path(f"/proc/{servers[0]}/maps").read_text()
    assert "libarrow" in maps, "the forkserver did not import pyarrow: no preload"


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")


def _parent(pid: int) -> int:
    fields = proc_stat(pid)
    assert fields is not None, f"process {pid} is gone"
    return int(fields[1])


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
