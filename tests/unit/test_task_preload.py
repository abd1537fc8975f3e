"""lakehouse.airflow.task_preload: what the LocalExecutor's forkserver imports before it forks the
workers (the stack's use of it: tests/sandbox/test_local_airflow.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from sandbox.airflow_local.settings import LocalAirflow, airflow_env
from tests.conftest import REPO

PRELOAD = {
    "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
    "AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD": "lakehouse.airflow.task_preload",
}

PROBE = """
import json, sys, threading
import lakehouse.airflow.task_preload as preload
print(json.dumps({
    "missing": [m for m in preload.MODULES if m not in sys.modules],
    "threads": [t.name for t in threading.enumerate()],
}))
"""


def test_the_preload_imports_every_module_it_names_and_starts_no_thread() -> None:
    """A thread (or a client holding a connection) in the forkserver would be copied, half-owned,
    into every worker it forks; the preload must be imports only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__CORE__UNIT_TEST")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"missing": [], "threads": ["MainThread"]}


def test_the_local_stack_and_compose_preload_the_same_way(tmp_path: Path) -> None:
    local = LocalAirflow(REPO, tmp_path, "http://127.0.0.1:1", "postgresql://u:p@127.0.0.1:1/airflow")
    env = airflow_env(local, {})
    assert {k: env[k] for k in PRELOAD} == PRELOAD
    compose = yaml.safe_load((REPO / "docker-compose.yaml").read_text())
    shared = compose["x-airflow-env"]
    assert {k: shared[k] for k in PRELOAD} == PRELOAD
