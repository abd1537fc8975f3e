"""The Redshift Data API on DuckDB, through boto3 against the running sandbox.

Spectrum is the point: tables registered in Glue by awswrangler (as the DAGs register them) are
queried through an external schema, with partitions and schema evolution behaving as in Redshift.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import awswrangler as wr
import boto3
import pandas as pd
import pytest

from sandbox.server import Sandbox

WORKGROUP = "sandbox-wg"
BUCKET = "rsd-lake"
GLUE_DB = "rsd_salesforce"


@pytest.fixture(scope="module")
def aws(sandbox: Sandbox) -> Iterator[boto3.Session]:
    """A boto3 session for the sandbox (conftest's session fixture); awswrangler takes it as is."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL", sandbox.endpoint_url)
        yield boto3.Session(region_name="eu-west-1")


@pytest.fixture(scope="module")
def lake(aws: boto3.Session) -> str:
    """One Glue table `account`, partitioned by `dt`, with one partition loaded."""
    aws.client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    wr.catalog.create_database(GLUE_DB, boto3_session=aws)
    frame = pd.DataFrame(
        {
            "id": ["001A", "001B", "001B"],
            "name": ["Acme", "Globex", "Globex Corp"],
            "lastmodifieddate": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-01 12:00"]),
            "employees": [10, 20, 25],
        }
    )
    path = f"s3://{BUCKET}/account/"
    wr.s3.to_parquet(frame, f"{path}dt=2024-01-01/part-0.parquet", boto3_session=aws)
    wr.catalog.create_parquet_table(
        database=GLUE_DB,
        table="account",
        path=path,
        columns_types={
            "id": "string",
            "name": "string",
            "lastmodifieddate": "timestamp",
            "employees": "bigint",
        },
        partitions_types={"dt": "date"},
        boto3_session=aws,
    )
    wr.catalog.add_parquet_partitions(
        database=GLUE_DB,
        table="account",
        partitions_values={f"{path}dt=2024-01-01/": ["2024-01-01"]},
        boto3_session=aws,
    )
    return path


@pytest.fixture(scope="module")
def workgroup(aws: boto3.Session) -> str:
    """The serverless warehouse the statements run on: the Data API refuses one that does not exist."""
    serverless = aws.client("redshift-serverless")
    serverless.create_namespace(namespaceName=WORKGROUP, dbName="dev")
    serverless.create_workgroup(workgroupName=WORKGROUP, namespaceName=WORKGROUP)
    return WORKGROUP


@pytest.fixture(scope="module")
def rsd(aws: boto3.Session, lake: str, workgroup: str) -> Any:
    client = aws.client("redshift-data")
    done = run(
        client,
        "create external schema if not exists spectrum from data catalog database "
        f"'{GLUE_DB}' iam_role 'arn:aws:iam::123456789012:role/spectrum' region 'eu-west-1'",
    )
    assert done["Status"] == "FINISHED", done.get("Error")
    return client


def run(client: Any, sql: str | list[str], **kwargs: Any) -> dict[str, Any]:
    """Submit and poll DescribeStatement until the statement ends, as a client of Redshift must."""
    target = {"WorkgroupName": WORKGROUP, "Database": "dev", **kwargs}
    if isinstance(sql, list):
        submitted = client.batch_execute_statement(Sqls=sql, **target)
    else:
        submitted = client.execute_statement(Sql=sql, **target)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        described: dict[str, Any] = client.describe_statement(Id=submitted["Id"])
        if described["Status"] in {"FINISHED", "FAILED", "ABORTED"}:
            return described
        time.sleep(0.02)
    raise AssertionError(f"statement {submitted['Id']} did not end")


def rows(client: Any, statement_id: str) -> list[list[Any]]:
    """Every page of the result, each field as its one typed value."""
    out: list[list[Any]] = []
    kwargs: dict[str, Any] = {"Id": statement_id}
    while True:
        page = client.get_statement_result(**kwargs)
        out += [[None if f.get("isNull") else next(iter(f.values())) for f in rec] for rec in page["Records"]]
        if "NextToken" not in page:
            return out
        kwargs["NextToken"] = page["NextToken"]


def test_external_schema_table_is_queryable_with_typed_fields_and_metadata(rsd: Any) -> None:
    done = run(rsd, "SELECT id, name, lastmodifieddate, employees, dt FROM spectrum.account ORDER BY name")

    assert done["Status"] == "FINISHED"
    assert done["HasResultSet"]
    assert done["ResultRows"] == 3
    result = rsd.get_statement_result(Id=done["Id"])
    metadata = [(c["name"], c["typeName"]) for c in result["ColumnMetadata"]]
    assert metadata == [
        ("id", "varchar"),
        ("name", "varchar"),
        ("lastmodifieddate", "timestamp"),
        ("employees", "int8"),
        ("dt", "date"),
    ]
    assert result["TotalNumRows"] == 3
    assert result["Records"][0] == [
        {"stringValue": "001A"},
        {"stringValue": "Acme"},
        {"stringValue": "2024-01-01 10:00:00"},
        {"longValue": 10},
        {"stringValue": "2024-01-01"},
    ]


def test_partition_added_later_is_visible_and_older_files_read_a_new_column_as_null(
    rsd: Any, aws: boto3.Session, lake: str
) -> None:
    wr.catalog.add_column(GLUE_DB, "account", "industry", "string", column_comment="", boto3_session=aws)
    later = pd.DataFrame(
        {
            "id": ["001C"],
            "name": ["Initech"],
            "lastmodifieddate": pd.to_datetime(["2024-01-02 09:00"]),
            "employees": [5],
            "industry": ["Software"],
        }
    )
    wr.s3.to_parquet(later, f"{lake}dt=2024-01-02/part-0.parquet", boto3_session=aws)
    wr.catalog.add_parquet_partitions(
        GLUE_DB, "account", {f"{lake}dt=2024-01-02/": ["2024-01-02"]}, boto3_session=aws
    )

    done = run(rsd, "SELECT dt, COUNT(*), COUNT(industry) FROM spectrum.account GROUP BY dt ORDER BY dt")

    assert done["Status"] == "FINISHED", done.get("Error")
    assert rows(rsd, done["Id"]) == [["2024-01-01", 3, 0], ["2024-01-02", 1, 1]]


def test_views_deduplicate_with_row_number_and_no_schema_binding(rsd: Any) -> None:
    done = run(
        rsd,
        [
            "CREATE SCHEMA IF NOT EXISTS analytics",
            """CREATE OR REPLACE VIEW analytics.account_latest AS
               SELECT id, name, employees FROM (
                 SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY lastmodifieddate DESC) AS rn
                 FROM spectrum.account) WHERE rn = 1
               WITH NO SCHEMA BINDING""",
        ],
    )
    assert done["Status"] == "FINISHED", done.get("Error")
    assert [s["Status"] for s in done["SubStatements"]] == ["FINISHED", "FINISHED"]

    latest = run(rsd, "SELECT id, name, employees FROM analytics.account_latest WHERE id = '001B'")

    assert rows(rsd, latest["Id"]) == [["001B", "Globex Corp", 25]]


def test_results_are_paged_with_next_token(rsd: Any) -> None:
    done = run(rsd, "SELECT i, i * 0.5 AS half, i % 2 = 0 AS even FROM range(2500) t(i) ORDER BY i")

    first = rsd.get_statement_result(Id=done["Id"])
    assert first["TotalNumRows"] == 2500
    assert len(first["Records"]) == 1000
    assert "NextToken" in first
    assert first["Records"][1] == [{"longValue": 1}, {"stringValue": "0.5"}, {"booleanValue": False}]
    everything = rows(rsd, done["Id"])
    assert len(everything) == 2500
    assert everything[-1][0] == 2499


def test_sql_error_is_failed_with_the_engine_message(rsd: Any) -> None:
    done = run(rsd, "SELECT * FROM spectrum.no_such_table")

    assert done["Status"] == "FAILED"
    assert "no_such_table" in done["Error"]
    assert "does not exist" in done["Error"]
    with pytest.raises(rsd.exceptions.ValidationException):
        rsd.get_statement_result(Id=done["Id"])


def test_batch_runs_in_one_transaction_and_rolls_back_on_error(rsd: Any) -> None:
    done = run(
        rsd,
        [
            "CREATE TABLE public.batch_probe (id INT)",
            "INSERT INTO public.batch_probe VALUES (1), (2)",
            "SELECT * FROM missing_table",
        ],
    )

    assert done["Status"] == "FAILED"
    assert "missing_table" in done["Error"]
    assert [s["Status"] for s in done["SubStatements"]] == ["FINISHED", "FINISHED", "FAILED"]
    assert run(rsd, "SELECT * FROM public.batch_probe")["Status"] == "FAILED"

    ok = run(rsd, ["CREATE TABLE public.batch_ok (id INT)", "INSERT INTO public.batch_ok VALUES (1), (2)"])
    assert ok["Status"] == "FINISHED"
    assert ok["SubStatements"][1]["ResultRows"] == 2
    counted = run(rsd, "SELECT COUNT(*) FROM public.batch_ok")
    assert rows(rsd, counted["Id"]) == [[2]]
    second = rsd.describe_statement(Id=f"{ok['Id']}:2")
    assert second["Status"] == "FINISHED"
    assert second["QueryString"].startswith("INSERT")


def test_parameters_list_and_cancel(rsd: Any) -> None:
    done = run(
        rsd,
        "SELECT name FROM spectrum.account WHERE id = :account_id",
        Parameters=[{"name": "account_id", "value": "001A"}],
        StatementName="by-id",
    )
    assert rows(rsd, done["Id"]) == [["Acme"]]
    listed = rsd.list_statements(StatementName="by-id")["Statements"]
    assert [s["Id"] for s in listed] == [done["Id"]]

    slow = rsd.execute_statement(
        WorkgroupName=WORKGROUP, Database="dev", Sql="SELECT COUNT(*) FROM range(100000000) a, range(1000) b"
    )
    time.sleep(0.3)
    assert rsd.cancel_statement(Id=slow["Id"])["Status"] is True
    deadline = time.monotonic() + 10
    while rsd.describe_statement(Id=slow["Id"])["Status"] not in {"ABORTED", "FINISHED", "FAILED"}:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert rsd.describe_statement(Id=slow["Id"])["Status"] == "ABORTED"


def test_unknown_statement_is_resource_not_found(rsd: Any) -> None:
    with pytest.raises(rsd.exceptions.ResourceNotFoundException):
        rsd.describe_statement(Id="00000000-0000-0000-0000-000000000000")


@pytest.mark.airflow
def test_provider_redshift_data_operator_waits_and_returns_results(
    rsd: Any, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = {"endpoint_url": sandbox.endpoint_url, "region_name": "eu-west-1"}
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps({"conn_type": "aws", "extra": extra}))
    from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator

    operator = RedshiftDataOperator(
        task_id="spectrum_count",
        workgroup_name=WORKGROUP,
        database="dev",
        sql="SELECT COUNT(*) AS n FROM spectrum.account",
        wait_for_completion=True,
        poll_interval=1,
        return_sql_result=True,
    )
    results = operator.execute({})  # type: ignore[arg-type]

    assert results[0]["Records"][0][0]["longValue"] >= 3
    assert results[0]["ColumnMetadata"][0]["name"] == "n"


def test_an_injected_failure_fails_the_next_matching_statement_once(
    sandbox: Sandbox, aws: boto3.Session, workgroup: str
) -> None:
    """The control endpoint the reliability suite uses for a transient warehouse error."""
    import urllib.request

    client = aws.client("redshift-data")
    request = urllib.request.Request(
        f"{sandbox.endpoint_url}/_sandbox/redshift-data/inject",
        data=json.dumps({"match": "injected_view", "message": "ERROR: 1023 transient"}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response) == {"pending": 1}
    assert run(client, "select 1")["Status"] == "FINISHED", "a statement that does not match runs"
    failed = run(
        client, ["create schema if not exists inj", "create view inj.injected_view as select 1 as x"]
    )
    assert (failed["Status"], failed["Error"]) == ("FAILED", "ERROR: 1023 transient")
    assert [s["Status"] for s in failed["SubStatements"]] == ["FINISHED", "FAILED"]
    again = run(client, ["create schema if not exists inj", "create view inj.injected_view as select 1 as x"])
    assert again["Status"] == "FINISHED", "one injection fails one statement"
