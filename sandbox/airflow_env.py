"""The environment that points Airflow at the sandbox: only endpoints and timings differ from AWS.

Used by the demo, the end-to-end tests and the local Airflow, so all three run the DAGs the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

from lakehouse.airflow.lineage_names import EXTRACTORS

# Waiting is the same code as on AWS, with shorter intervals: the sandbox answers in milliseconds.
FAST_TIMINGS = {
    "AIRFLOW__LAKEHOUSE__APPFLOW_UPDATE_PROPAGATION_SECONDS": "0",
    # The sandbox's runs end in milliseconds: look often, so no task waits on a poll interval.
    "AIRFLOW__LAKEHOUSE__APPFLOW_POKE_INTERVAL_SECONDS": "0.1",
    "AIRFLOW__LAKEHOUSE__APPFLOW_TIMEOUT_SECONDS": "120",
    "AIRFLOW__LAKEHOUSE__REDSHIFT_POLL_INTERVAL_SECONDS": "0.05",
    "AIRFLOW__LAKEHOUSE__GLUE_POLL_INTERVAL_SECONDS": "0.2",
    # The sandbox's webhook receiver answers in milliseconds: a try that waits 0.5 s has hung.
    "AIRFLOW__LAKEHOUSE__WEBHOOK_TIMEOUT_SECONDS": "0.5",
    "AIRFLOW__LAKEHOUSE__WEBHOOK_BACKOFF_SECONDS": "0.05",
    "AIRFLOW__LAKEHOUSE__WEBHOOK_DEADLINE_SECONDS": "2",
    "AIRFLOW__LAKEHOUSE__SALESFORCE_LIMIT_WAIT_SECONDS": "1",
}


def airflow_env(endpoint_url: str, region: str = "eu-west-1") -> dict[str, str]:
    """Variables for an Airflow process whose `aws_default` connection is the sandbox."""
    connection = {"conn_type": "aws", "extra": {"endpoint_url": endpoint_url, "region_name": region}}
    return {
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(connection),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": region,
        **FAST_TIMINGS,
        "AIRFLOW__OPENLINEAGE__EXTRACTORS": EXTRACTORS,
    }


def lineage_env(events_file: Path, namespace: str) -> dict[str, str]:
    """OpenLineage's file transport: every event as one JSON line of `events_file` (a local
    stand-in for the HTTP transport MWAA sends to Marquez, DataHub or DataZone: docs/lineage.md).
    Set before Airflow starts: the provider decides at start-up whether it emits at all."""
    events_file.parent.mkdir(parents=True, exist_ok=True)
    transport = {"type": "file", "log_file_path": str(events_file), "append": True}
    return {
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(transport),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": namespace,
        "AIRFLOW__OPENLINEAGE__EXTRACTORS": EXTRACTORS,
        # emit from a thread of the task's process, not a fork of it: cheaper, and the listener's
        # documented safe path (a fork shares the task runner's supervisor socket)
        "AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD": "True",
    }
