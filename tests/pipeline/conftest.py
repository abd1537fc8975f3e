"""What the pipeline and reliability tests share: names and helpers. Their fixtures (one sandbox,
one Airflow metadata DB and the provisioned dev environment) are in tests/pipeline/fixtures.py,
registered once for the whole session by tests/conftest.py, so every suite that uses them shares
one instance of each (a fixture re-exported from two conftest files would be two).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sandbox.readback import parquet_rows, run_query

P1 = "roche-salesforce-connector-profile1"
TEST_FLOWS = """
  - name: Lead
    connector_profile: roche-salesforce-connector-profile1
    schedule_expression: "cron(0 0 ? * 5 *)"  # Thursdays: 2025-01-09 .. 16 holds the org's history
    start_date: 2025-01-09
    description: Leads with weekly windows for the deletes and history tests
"""
RAW = "gtm-lakehouse-dev-raw"
WAREHOUSE = {"WorkgroupName": "gtm-lakehouse-dev", "Database": "gtm"}


def window(
    org: Any, object_name: str, field: str, start: dt.datetime, end: dt.datetime, include_deleted: bool = True
) -> dict[str, Any]:
    """What Salesforce holds for the window, by Id: the truth a run must land (queryAll: the
    Recycle Bin too, as the flows read with include_deleted_records)."""
    return {
        str(r["Id"]): r
        for r in org.records(object_name, include_deleted=include_deleted)
        if r[field] is not None and start <= _utc(r[field]) < end
    }


def _utc(value: Any) -> dt.datetime:
    return (
        value
        if isinstance(value, dt.datetime)
        else dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    )


def partition_rows(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    """Every row of every Parquet file under a prefix."""
    return parquet_rows(s3, bucket, prefix)


def query(redshift: Any, sql: str) -> list[list[Any]]:
    """Rows of `sql` on the dev warehouse; a failed statement fails the test with its error."""
    return run_query(redshift, WAREHOUSE, sql)


def task_states(run: Any) -> dict[str, str]:
    """{task_id: state} of a DagRun, task ids with their connector-profile group."""
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
