"""Registering a partition adds it, or moves it to a rerun's new load in one catalog update."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import awswrangler as wr
import boto3
import pytest

from lakehouse.aws.catalog import ensure_table, partition_location, register_partitions
from sandbox.server import Sandbox
from tests.sandbox.conftest import REGION

DB, TABLE = "catalog_moves", "account"
ROOT = "s3://lake/appflow/account/"


@pytest.fixture
def session(sandbox: Sandbox) -> Iterator[boto3.Session]:
    before = wr.config.glue_endpoint_url
    wr.config.glue_endpoint_url = sandbox.endpoint_url
    yield boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    wr.config.glue_endpoint_url = before


@pytest.fixture
def table(session: boto3.Session, aws_client: Callable[[str], Any]) -> Iterator[None]:
    ensure_table(
        session,
        database=DB,
        table=TABLE,
        location=ROOT,
        columns={"id": "string", "name": "string"},
        partition_column="appflow_date_str",
        description="test",
    )
    yield
    aws_client("glue").delete_database(Name=DB)


def load(day: str, execution: str) -> str:
    return f"{ROOT}appflow_date_str={day}/dev-flow/{execution}/"


@pytest.mark.usefixtures("table")
def test_a_rerun_moves_the_partition_and_keeps_the_rest_of_it(
    session: boto3.Session, aws_client: Any
) -> None:
    first = {load("20250114", "a"): "20250114", load("20250115", "b"): "20250115"}
    assert register_partitions(session, database=DB, table=TABLE, partitions=first) == 2
    assert register_partitions(session, database=DB, table=TABLE, partitions=first) == 0  # idempotent

    glue = aws_client("glue")
    before = glue.get_partition(DatabaseName=DB, TableName=TABLE, PartitionValues=["20250114"])["Partition"]
    rerun = {load("20250114", "c"): "20250114"}
    assert register_partitions(session, database=DB, table=TABLE, partitions=rerun) == 1
    assert partition_location(session, database=DB, table=TABLE, value="20250114") == load("20250114", "c")
    assert partition_location(session, database=DB, table=TABLE, value="20250115") == load("20250115", "b")
    assert partition_location(session, database=DB, table=TABLE, value="20250116") is None

    after = glue.get_partition(DatabaseName=DB, TableName=TABLE, PartitionValues=["20250114"])["Partition"]
    assert after["StorageDescriptor"] == {**before["StorageDescriptor"], "Location": load("20250114", "c")}
    assert after.get("Parameters") == before.get("Parameters")
    values = [
        p["Values"] for p in aws_client("glue").get_partitions(DatabaseName=DB, TableName=TABLE)["Partitions"]
    ]
    assert sorted(values) == [["20250114"], ["20250115"]], "moved, not added twice"
