"""The environment every local Airflow component gets.

Everything is passed as environment variables rather than an airflow.cfg, so the same values reach
the api-server, scheduler, dag-processor, triggerer and the task processes the LocalExecutor
starts, and a temp AIRFLOW_HOME (tests) needs no file but the login file (the metadata DB's
cluster lives there too: sandbox.airflow_local.metadata_db).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sandbox.airflow_env import lineage_env

REGION = "eu-west-1"
LOGIN_USER = "admin"
LOGIN_PASSWORD = "admin"  # noqa: S105 (a documented local-only login, as in README.md)
PASSWORDS_FILE = "simple_auth_manager_passwords.json"
JWT_SECRET_FILE = "jwt_secret"  # noqa: S105 (a file name)
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
HOST = "127.0.0.1"

# Variables that would point Airflow or boto3 somewhere else than this stack and the sandbox.
_DROPPED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE", "AIRFLOW_CONFIG")


@dataclass(frozen=True)
class LocalAirflow:
    """Where the stack lives and what it talks to."""

    repo: Path
    home: Path
    endpoint_url: str
    database_url: str  # the metadata DB (sandbox.airflow_local.metadata_db); holds its password
    api_port: int = 8080
    lakehouse_env: str = "dev"
    parallelism: int = 4

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"


def aws_connection(endpoint_url: str) -> str:
    """`aws_default` as Airflow reads it from AIRFLOW_CONN_AWS_DEFAULT: the sandbox, eu-west-1."""
    return json.dumps(
        {"conn_type": "aws", "extra": {"endpoint_url": endpoint_url, "region_name": REGION}},
        separators=(",", ":"),
    )


def jwt_secret(home: Path) -> str:
    """One secret per AIRFLOW_HOME: the scheduler signs task tokens the api-server must accept."""
    path = home / JWT_SECRET_FILE
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def write_login(home: Path) -> Path:
    """The SimpleAuthManager passwords file with the documented login (admin / admin).

    The auth manager only generates a random password for users missing from this file, so writing
    it first gives a login that README.md can state.
    """
    path = home / PASSWORDS_FILE
    path.write_text(json.dumps({LOGIN_USER: LOGIN_PASSWORD}) + "\n")
    path.chmod(0o600)
    return path


def plugins_folder(local: LocalAirflow) -> Path:
    """The repo's plugins/ (as on MWAA) once it has an .airflowignore; an empty folder until then.

    Airflow's plugin manager imports every .py file under the plugins folder as a top-level module
    named after the file: plugins/lakehouse/__main__.py is imported as `__main__` and its
    `raise SystemExit(main())` kills the scheduler, dag-processor and triggerer at start. An
    .airflowignore listing `lakehouse/` (the package defines no AirflowPlugin) prevents that; the
    package itself is importable through PYTHONPATH either way.
    """
    plugins = local.repo / "plugins"
    if (plugins / ".airflowignore").exists():
        return plugins
    empty = local.home / "plugins"
    empty.mkdir(parents=True, exist_ok=True)
    return empty


def python_path(repo: Path, existing: str) -> str:
    """plugins/ first (as MWAA puts plugins.zip on the path), then the repo (for `sandbox`)."""
    entries = [str(repo / "plugins"), str(repo), *filter(None, existing.split(os.pathsep))]
    return os.pathsep.join(dict.fromkeys(entries))


def airflow_env(local: LocalAirflow, base: Mapping[str, str]) -> dict[str, str]:
    """`base` (usually os.environ) plus what makes Airflow run on this repo and the sandbox."""
    env = {key: value for key, value in base.items() if key not in _DROPPED}
    env.pop("AIRFLOW__CORE__UNIT_TEST_MODE", None)  # set by the test suite; it swaps in test settings
    env.update(
        {
            "PYTHONPATH": python_path(local.repo, base.get("PYTHONPATH", "")),
            "LAKEHOUSE_ENV": local.lakehouse_env,
            "AIRFLOW_HOME": str(local.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(local.repo / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins_folder(local)),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(local.parallelism),
            # PostgreSQL, as on MWAA; Airflow derives the async URL (postgresql+asyncpg) from it
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": local.database_url,
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{LOGIN_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(local.home / PASSWORDS_FILE),
            "AIRFLOW__API__HOST": HOST,
            "AIRFLOW__API__PORT": str(local.api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": local.api_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{local.api_url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": jwt_secret(local.home),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",  # its server would bind 0.0.0.0
            # the LocalExecutor's workers fork from a forkserver that has imported what every task
            # imports (lakehouse.airflow.task_preload says why)
            "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
            "AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD": "lakehouse.airflow.task_preload",
            # lakehouse.airflow.tuning: the sandbox's AppFlow has no propagation delay to wait out
            "AIRFLOW__LAKEHOUSE__APPFLOW_UPDATE_PROPAGATION_SECONDS": "1",
            "AIRFLOW__LAKEHOUSE__APPFLOW_POKE_INTERVAL_SECONDS": "5",
            "AIRFLOW__LAKEHOUSE__REDSHIFT_POLL_INTERVAL_SECONDS": "1",
            # a run refused for the org's API limit tries again after this (the sandbox's org
            # clock only moves when told: POST /_sandbox/appflow/clock)
            "AIRFLOW__LAKEHOUSE__SALESFORCE_LIMIT_WAIT_SECONDS": "5",
            "AIRFLOW_CONN_AWS_DEFAULT": aws_connection(local.endpoint_url),
            # boto3 / awswrangler calls that bypass the connection still reach the sandbox only
            "AWS_ENDPOINT_URL": local.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            # OpenLineage: every task's events as JSON lines under AIRFLOW_HOME (docs/lineage.md)
            **lineage_env(local.home / "lineage" / "events.jsonl", f"lakehouse-{local.lakehouse_env}"),
        }
    )
    # a timing the caller set (a test's shorter wait, say) wins over the stack's defaults
    env.update({k: v for k, v in base.items() if k.startswith("AIRFLOW__LAKEHOUSE__")})
    return env
