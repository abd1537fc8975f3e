"""The AWS sandbox the stack talks to: the one already running for the state dir, or a new one.

A sandbox started here is a child of the launcher and stops with it; one that was already running
(`make up` in another terminal) is left alone.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from sandbox.airflow_local.processes import Supervisor
from sandbox.airflow_local.readiness import answers

PID_FILE = "sandbox.pid"  # written by `python -m sandbox up` (sandbox/__main__.py)
ENDPOINT_FILE = "endpoint"
HEALTH_PATH = "/_sandbox/health"
SANDBOX_STOP_STAGE = 9  # last: tasks that are finishing still call AWS


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid > 0


def running_endpoint(state_dir: Path) -> str | None:
    """The endpoint of a live sandbox that answers for `state_dir`, else None."""
    pid_file, endpoint_file = state_dir / PID_FILE, state_dir / ENDPOINT_FILE
    try:
        pid = int(pid_file.read_text().strip() or 0)
        endpoint = endpoint_file.read_text().strip()
    except (OSError, ValueError):
        return None
    if _pid_alive(pid) and answers(endpoint + HEALTH_PATH):
        return endpoint
    return None


def ensure_sandbox(
    supervisor: Supervisor,
    state_dir: Path,
    port: int,
    env: Mapping[str, str],
    repo: Path,
    timeout: float = 60.0,
) -> tuple[str, bool]:
    """(endpoint, started_here). Port 0 lets the sandbox pick a free port (tests)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    endpoint = running_endpoint(state_dir)
    if endpoint is not None:
        return endpoint, False
    (state_dir / ENDPOINT_FILE).unlink(missing_ok=True)  # left by a sandbox that was killed
    argv = [sys.executable, "-m", "sandbox", "up", "--port", str(port), "--state-dir", str(state_dir)]
    child = supervisor.start("sandbox", argv, env, repo, stop_stage=SANDBOX_STOP_STAGE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.running():
        endpoint = running_endpoint(state_dir)
        if endpoint is not None:
            return endpoint, True
        time.sleep(0.2)
    raise RuntimeError(f"the sandbox did not answer within {timeout:.0f} s (see its output above)")
