"""The local Airflow stack (`make airflow`, i.e. `python -m sandbox.airflow_local`) for tests.

`running_stack()` starts the launcher on free ports with a temp AIRFLOW_HOME and sandbox state dir
and stops it (SIGINT, as Ctrl-C does) afterwards; `Stack.call()` speaks the REST API;
`assert_sigint_stops_every_process()` checks that nothing the launcher started is left behind.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from sandbox.airflow_local.aws_sandbox import ENDPOINT_FILE
from sandbox.airflow_local.processes import proc_stat
from sandbox.airflow_local.settings import LOGIN_PASSWORD, LOGIN_USER
from sandbox.airflow_local.stack import PIDS_FILE, free_port
from tests.conftest import REPO

READY_TIMEOUT = 90.0
REQUEST_TIMEOUT = 30.0  # the api-server answers in well under a second; 2 busy cores stretch that
COMPONENTS = {
    *("sandbox", "provision", "postgres", "db-migrate"),
    *("api-server", "scheduler", "dag-processor", "triggerer"),
}

T = TypeVar("T")


def call(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    """One JSON request; HTTP errors raise urllib.error.HTTPError."""
    request = urllib.request.Request(
        url, method=method, data=None if body is None else json.dumps(body).encode()
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
        return json.loads(response.read() or b"null")


def answers(url: str) -> bool:
    """Whether anything answers HTTP at `url` (an error status counts)."""
    try:
        call(url)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def answers_ok(url: str, token: str) -> bool:
    try:
        call(url, token=token)
    except urllib.error.HTTPError:
        return False
    return True


@dataclass
class Stack:
    launcher: subprocess.Popen[bytes]
    home: Path
    url: str
    log: Path
    sandbox_state_dir: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    @property
    def sandbox_url(self) -> str:
        """The endpoint of the sandbox the launcher started (it writes it once the sandbox answers)."""
        return (self.sandbox_state_dir / ENDPOINT_FILE).read_text().strip()

    def wait(self, what: str, check: Callable[[], T | None], timeout: float, every: float = 0.5) -> T:
        """`check()`'s first truthy result; fails the test on timeout or if the launcher exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.launcher.poll() is not None:
                pytest.fail(
                    f"the launcher exited ({self.launcher.returncode}) waiting for {what}:\n{self.output()}"
                )
            result = check()
            if result:
                return result
            time.sleep(every)
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}:\n{self.output()}")

    def login(self) -> str:
        """A JWT from POST /auth/token with the documented login, once the API answers."""
        self.wait("the API", lambda: answers(self.url + "/api/v2/monitor/health"), READY_TIMEOUT)
        body = {"username": LOGIN_USER, "password": LOGIN_PASSWORD}
        token: str = call(self.url + "/auth/token", "POST", body)["access_token"]
        return token


@contextmanager
def running_stack(base: Path, parallelism: int = 2, include_dir: Path | None = None) -> Iterator[Stack]:
    """The launcher on free ports, AIRFLOW_HOME and sandbox state under `base`; stopped on exit.

    The DAGs read `include_dir` (config and SQL), else the repository's include/: said explicitly,
    so no LAKEHOUSE_INCLUDE_DIR left in this process's environment by another test leaks in.
    """
    env = {k: v for k, v in os.environ.items() if k != "LAKEHOUSE_INCLUDE_DIR"}
    if include_dir is not None:
        env["LAKEHOUSE_INCLUDE_DIR"] = str(include_dir)
    home, log, state = base / "airflow-home", base / "launcher.log", base / "sandbox"
    port = free_port()
    argv = [sys.executable, "-m", "sandbox.airflow_local", "--home", str(home), "--api-port", str(port)]
    argv += ["--sandbox-port", "0", "--sandbox-state-dir", str(state), "--parallelism", str(parallelism)]
    with log.open("wb") as out:
        launcher = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield Stack(launcher, home, f"http://127.0.0.1:{port}", log, state)
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGINT)  # what Ctrl-C does
            try:
                launcher.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait(10)


def processes_with(marker: str) -> list[str]:
    """Every live process whose environment or command line names `marker` (the temp AIRFLOW_HOME)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            text = (entry / "environ").read_bytes() + (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = proc_stat(int(entry.name))
        if marker.encode() in text and fields is not None and fields[0] != "Z":
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name}: {command[:120]}")
    return found


def alive(pid: int) -> bool:
    fields = proc_stat(pid)
    return fields is not None and fields[0] != "Z"


def assert_sigint_stops_every_process(stack: Stack) -> float:
    """SIGINT to the launcher: exit 0, every component and child gone; returns the seconds it took."""
    started: dict[str, int] = json.loads((stack.home / PIDS_FILE).read_text())["started"]
    assert set(started) >= COMPONENTS, started
    began = time.monotonic()
    stack.launcher.send_signal(signal.SIGINT)
    assert stack.launcher.wait(60) == 0, stack.output()
    stopped_in = time.monotonic() - began
    assert not [name for name, pid in started.items() if alive(pid)], started
    deadline = time.monotonic() + 5
    while (left := processes_with(str(stack.home))) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"left behind after {stopped_in:.1f} s: {left}"
    return stopped_in
