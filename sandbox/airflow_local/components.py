"""The command lines of the four Airflow components, each bound to 127.0.0.1.

`--skip-serve-logs` keeps the scheduler and triggerer from starting their log servers, which bind
every interface; the api-server reads task logs from AIRFLOW_HOME/logs on this machine anyway.
The dag-processor serves no logs and has no such flag.
"""

from __future__ import annotations

import sys

from sandbox.airflow_local.settings import HOST, LocalAirflow


def airflow(*args: str) -> list[str]:
    """`airflow ...` with the launcher's interpreter, so the venv's Airflow runs whatever PATH says."""
    return [sys.executable, "-m", "airflow", *args]


def migrate() -> list[str]:
    return airflow("db", "migrate")


def import_pools(pools_file: str) -> list[str]:
    """`airflow pools import`: creates or updates each pool of the file (the others are kept)."""
    return airflow("pools", "import", pools_file)


API_SERVER = "api-server"
STOP_STAGE = {API_SERVER: 1}
"""The api-server stops after the others: it serves the Execution API their running tasks report to."""


def components(local: LocalAirflow) -> dict[str, list[str]]:
    """Name -> argv, in start order."""
    return {
        "dag-processor": airflow("dag-processor"),
        "scheduler": airflow("scheduler", "--skip-serve-logs"),
        "triggerer": airflow("triggerer", "--skip-serve-logs"),
        API_SERVER: airflow("api-server", "--host", HOST, "--port", str(local.api_port), "--workers", "1"),
    }
