"""Read back what a pipeline landed: Parquet rows under an S3 prefix, and a query's rows through
the Redshift Data API. The demo prints them and the tests assert on them, so both read the lake
the same way a user would, through the sandbox's AWS APIs.
"""

from __future__ import annotations

import io
import time
from typing import Any

FINAL_STATES = {"FINISHED", "FAILED", "ABORTED"}


def parquet_rows(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    """Every row of every Parquet file under `prefix`, in key order."""
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    for key in _keys(s3, bucket, prefix):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        rows += pq.read_table(io.BytesIO(body)).to_pylist()
    return rows


def rows_per_partition(s3: Any, bucket: str, prefix: str) -> dict[str, int]:
    """{partition directory: rows} under a table's prefix, from the files' footers only."""
    import pyarrow.parquet as pq

    counts: dict[str, int] = {}
    for key in _keys(s3, bucket, prefix + "/"):
        partition = key[len(prefix) + 1 :].split("/", 1)[0]
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        counts[partition] = counts.get(partition, 0) + pq.read_metadata(io.BytesIO(body)).num_rows
    return dict(sorted(counts.items()))


def run_statement(redshift: Any, target: dict[str, str], sql: str, timeout: float = 30.0) -> str:
    """Execute `sql` on the warehouse `target` (WorkgroupName or ClusterIdentifier, Database) and
    wait for it; returns the statement id. A failed statement raises with its error."""
    statement: str = redshift.execute_statement(Sql=sql, **target)["Id"]
    deadline = time.monotonic() + timeout
    while (described := redshift.describe_statement(Id=statement))["Status"] not in FINAL_STATES:
        if time.monotonic() > deadline:
            raise TimeoutError(f"statement {statement} still {described['Status']} after {timeout} s: {sql}")
        time.sleep(0.05)
    if described["Status"] != "FINISHED":
        raise RuntimeError(f"{sql}: {described['Status']}: {described.get('Error')}")
    return statement


def run_query(redshift: Any, target: dict[str, str], sql: str, timeout: float = 30.0) -> list[list[Any]]:
    """`run_statement`, then its rows as lists of values, NULL as None."""
    statement = run_statement(redshift, target, sql, timeout)
    records = redshift.get_statement_result(Id=statement)["Records"]
    return [[None if f.get("isNull") else next(iter(f.values())) for f in record] for record in records]


def warehouse_target(environment: Any) -> dict[str, str]:
    """The Redshift Data API's target arguments for an environment's warehouse."""
    redshift = environment.redshift
    if redshift.workgroup_name:
        return {"WorkgroupName": redshift.workgroup_name, "Database": redshift.database}
    return {
        "ClusterIdentifier": redshift.cluster_identifier,
        "DbUser": redshift.db_user,
        "Database": redshift.database,
    }


def _keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return keys
