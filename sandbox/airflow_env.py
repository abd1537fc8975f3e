"""The environment that points Airflow at the sandbox: only endpoints and timings differ from AWS.

Used by the demo, the end-to-end tests and the local Airflow, so all three run the DAGs the same way.
"""

from __future__ import annotations

import json

# Waiting is the same code as on AWS, with shorter intervals: the sandbox answers in milliseconds.
FAST_TIMINGS = {
    "AIRFLOW__LAKEHOUSE__APPFLOW_UPDATE_PROPAGATION_SECONDS": "0",
    "AIRFLOW__LAKEHOUSE__APPFLOW_POKE_INTERVAL_SECONDS": "0.5",
    "AIRFLOW__LAKEHOUSE__APPFLOW_TIMEOUT_SECONDS": "120",
    "AIRFLOW__LAKEHOUSE__REDSHIFT_POLL_INTERVAL_SECONDS": "0.2",
    "AIRFLOW__LAKEHOUSE__GLUE_POLL_INTERVAL_SECONDS": "0.5",
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
    }
