"""Create in the sandbox what Terraform creates on AWS, before any DAG runs.

Delegates to `python -m sandbox provision` (sandbox/provision.py): the stack only decides when it
runs. Until that module exists the stack still starts, without the resources, and says so.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path

from sandbox.airflow_local.processes import Supervisor


def available() -> bool:
    return importlib.util.find_spec("sandbox.provision") is not None


def command(endpoint_url: str, config_dir: Path, env_name: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sandbox",
        "provision",
        "--endpoint",
        endpoint_url,
        "--config-dir",
        str(config_dir),
        "--env",
        env_name,
    ]


def provision(
    supervisor: Supervisor,
    endpoint_url: str,
    config_dir: Path,
    env_name: str,
    env: Mapping[str, str],
    repo: Path,
    timeout: float = 120.0,
) -> bool:
    """True when provisioned; False when sandbox/provision.py is not there yet. Raises on failure."""
    if not available():
        supervisor.say("provision", "sandbox/provision.py not found: skipped (DAG runs will miss resources)")
        return False
    code = supervisor.run("provision", command(endpoint_url, config_dir, env_name), env, repo, timeout)
    if code != 0:
        raise RuntimeError(f"provisioning failed (exit {code}); see its output above")
    return True
