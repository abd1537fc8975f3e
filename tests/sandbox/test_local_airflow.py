"""`make airflow` end to end: the same launcher (`python -m sandbox.airflow_local`) on free ports with
a temp AIRFLOW_HOME and sandbox state dir; the REST API with the documented login lists the
project's DAGs with no import error, runs a triggered DAG run's first task through the scheduler and
the LocalExecutor; SIGINT to the launcher then leaves no process behind.

Select it with `pytest -m airflow tests/sandbox/test_local_airflow.py` (~50 s on 2 cores).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lakehouse.config import load_config
from lakehouse.plan import plan_environment
from sandbox.airflow_local.settings import LOGIN_PASSWORD, LOGIN_USER
from sandbox.airflow_local.stack import PIDS_FILE, free_port
from tests.conftest import REPO, SAMPLE_CONFIG

pytestmark = [pytest.mark.airflow, pytest.mark.timeout(240)]

DAG_TO_RUN = "sfdc_upsert__custom_salesforce_object"  # manual only: unpausing adds no scheduled run
RAN = {"success", "failed", "up_for_retry", "skipped", "upstream_failed", "up_for_reschedule", "deferred"}
READY_TIMEOUT = 90.0
RUN_TIMEOUT = 60.0


@dataclass
class Stack:
    launcher: subprocess.Popen[bytes]
    home: Path
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


def _wait(what: str, check: Callable[[], Any], timeout: float, stack: Stack) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.launcher.poll() is not None:
            pytest.fail(
                f"the launcher exited ({stack.launcher.returncode}) waiting for {what}:\n{stack.output()}"
            )
        result = check()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}:\n{stack.output()}")


def _call(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    request = urllib.request.Request(
        url, method=method, data=None if body is None else json.dumps(body).encode()
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _answers(url: str) -> bool:
    try:
        _call(url)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def _processes_with(marker: str) -> list[str]:
    """Every live process whose environment or command line names `marker` (the temp AIRFLOW_HOME)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            text = (entry / "environ").read_bytes() + (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if marker.encode() in text and state != "Z":
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name}: {command[:120]}")
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("local-airflow")
    home, log = base / "airflow-home", base / "launcher.log"
    port = free_port()
    argv = [sys.executable, "-m", "sandbox.airflow_local", "--home", str(home), "--api-port", str(port)]
    argv += ["--sandbox-port", "0", "--sandbox-state-dir", str(base / "sandbox"), "--parallelism", "2"]
    with log.open("wb") as out:
        launcher = subprocess.Popen(
            argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    running = Stack(launcher, home, f"http://127.0.0.1:{port}", log)
    try:
        yield running
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGINT)  # what Ctrl-C does
            try:
                launcher.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait(10)


@pytest.fixture(scope="module")
def token(stack: Stack) -> str:
    _wait("the API", lambda: _answers(stack.url + "/api/v2/monitor/health"), READY_TIMEOUT, stack)
    login = {"username": LOGIN_USER, "password": LOGIN_PASSWORD}
    access_token: str = _call(stack.url + "/auth/token", "POST", login)["access_token"]
    return access_token


def test_dags_listed_without_import_errors(stack: Stack, token: str) -> None:
    expected = {plan.dag_id for plan in plan_environment(load_config(SAMPLE_CONFIG), "dev")}

    def listed() -> set[str] | None:
        found = {dag["dag_id"] for dag in _call(stack.url + "/api/v2/dags?limit=100", token=token)["dags"]}
        return found if expected <= found else None

    assert _wait("the DAGs to be parsed", listed, READY_TIMEOUT, stack) == expected
    errors = _call(stack.url + "/api/v2/importErrors", token=token)
    assert errors["total_entries"] == 0, errors


def test_triggered_run_is_scheduled_and_runs_a_task(stack: Stack, token: str) -> None:
    dag = f"{stack.url}/api/v2/dags/{DAG_TO_RUN}"
    _wait("the DAG", lambda: _answers_ok(dag, token), READY_TIMEOUT, stack)
    assert _call(dag, "PATCH", {"is_paused": False}, token)["is_paused"] is False
    run = _call(dag + "/dagRuns", "POST", {"logical_date": None}, token)
    run_url = f"{dag}/dagRuns/{run['dag_run_id']}"

    def task_ran() -> list[dict[str, Any]]:
        instances = _call(run_url + "/taskInstances", token=token)["task_instances"]
        return [ti for ti in instances if ti["state"] in RAN]

    ran = _wait("a task instance to run", task_ran, RUN_TIMEOUT, stack)
    assert _call(run_url, token=token)["state"] != "queued"
    first = ran[0]
    assert first["task_id"].endswith("validate_results"), ran
    log = _call(f"{run_url}/taskInstances/{first['task_id']}/logs/{first['try_number']}", token=token)
    assert log["content"], "the api-server read no task log"


def _answers_ok(url: str, token: str) -> bool:
    try:
        _call(url, token=token)
    except urllib.error.HTTPError:
        return False
    return True


def test_sigint_stops_every_process(stack: Stack, token: str) -> None:
    """Last in this module: it stops the stack the other tests used."""
    started: dict[str, int] = json.loads((stack.home / PIDS_FILE).read_text())["started"]
    assert {
        "sandbox",
        "provision",
        "db-migrate",
        "api-server",
        "scheduler",
        "dag-processor",
        "triggerer",
    } <= set(started), started
    began = time.monotonic()
    stack.launcher.send_signal(signal.SIGINT)
    assert stack.launcher.wait(60) == 0, stack.output()
    stopped_in = time.monotonic() - began
    assert not [name for name, pid in started.items() if _alive(pid)], started
    deadline = time.monotonic() + 5
    while (left := _processes_with(str(stack.home))) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"left behind after {stopped_in:.1f} s: {left}"
