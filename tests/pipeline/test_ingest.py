"""Salesforce -> lake -> Spectrum, end to end on the sandbox, asserting on what landed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sandbox.runs import interval_starting_on, run_day
from tests.pipeline.conftest import P1, RAW, partition_rows, query, task_states, window

G1 = "roche_salesforce_connector_profile1"
DB1 = f"{G1}_dev"
ACCOUNT_PREFIX = f"appflow/{G1}/account"


def partitions(glue: Any, database: str, table: str) -> dict[str, str]:
    try:
        found = glue.get_partitions(DatabaseName=database, TableName=table)["Partitions"]
    except glue.exceptions.EntityNotFoundException:
        return {}
    return {p["Values"][0]: p["StorageDescriptor"]["Location"] for p in found}


def test_a_run_lands_exactly_its_window_registers_it_and_spectrum_reads_it(
    dags: Any, aws: Any, org: Any
) -> None:
    dag = dags["sfdc_ingest__account"]
    day = dt.date(2025, 1, 14)
    start, end = interval_starting_on(dag, day)
    run = run_day(dag, day)
    assert run.state == "success", task_states(run)

    expected = window(org(P1), "Account", "SystemModstamp", start, end)
    rows = partition_rows(aws("s3"), RAW, f"{ACCOUNT_PREFIX}/appflow_date_str=20250114/")
    assert 0 < len(expected) < 60
    assert sorted(r["Id"] for r in rows) == sorted(expected)
    for row in rows:
        assert start <= row["SystemModstamp"] < end
        assert row["Name"] == expected[row["Id"]]["Name"]

    glue = aws("glue")
    table = glue.get_table(DatabaseName=DB1, Name="account")["Table"]
    columns = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    assert columns["id"] == "string"
    assert columns["lastmodifieddate"] == "timestamp"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["appflow_date_str"]
    # the partition points at this run's own folder, AppFlow's <flow>/<execution id>/
    flow = f"dev-{G1}-account"
    newest = aws("appflow").describe_flow_execution_records(flowName=flow)["flowExecutions"][0]
    execution = newest["executionId"]
    assert partitions(glue, DB1, "account")["20250114"] == (
        f"s3://{RAW}/{ACCOUNT_PREFIX}/appflow_date_str=20250114/{flow}/{execution}/"
    )

    redshift = aws("redshift-data")
    by_partition = query(
        redshift,
        f"SELECT COUNT(*), COUNT(DISTINCT id) FROM {G1}_ext.account WHERE appflow_date_str = '20250114'",
    )
    assert by_partition == [[len(expected), len(expected)]]


def test_rerunning_an_interval_replaces_its_partition(dags: Any, aws: Any) -> None:
    dag = dags["sfdc_ingest__account"]
    day = dt.date(2025, 1, 13)
    first = run_day(dag, day)
    prefix = f"{ACCOUNT_PREFIX}/appflow_date_str=20250113/"
    rows_once = partition_rows(aws("s3"), RAW, prefix)
    second = run_day(dag, day)
    assert (first.state, second.state) == ("success", "success")
    rows_twice = partition_rows(aws("s3"), RAW, prefix)
    assert sorted(r["Id"] for r in rows_twice) == sorted(r["Id"] for r in rows_once)
    keys = aws("s3").list_objects_v2(Bucket=RAW, Prefix=prefix)["Contents"]
    assert len(keys) == 1, "the rerun must replace the partition, not add a second file"
    assert list(partitions(aws("glue"), DB1, "account")).count("20250113") == 1


def test_three_day_backfill_gives_one_partition_per_day_and_a_current_state_view(
    dags: Any, aws: Any, org: Any
) -> None:
    dag = dags["sfdc_ingest__contact"]  # windowed on SystemModstamp, intervals start at 02:00
    days = [dt.date(2025, 1, 12), dt.date(2025, 1, 13), dt.date(2025, 1, 14)]
    # Run once: the same backfill run twice is tests/reliability/test_reruns.py's case.
    for day in days:
        assert run_day(dag, day).state == "success"
    prefix = f"appflow/{G1}/contact"
    landed = {day: partition_rows(aws("s3"), RAW, f"{prefix}/appflow_date_str={day:%Y%m%d}/") for day in days}
    for day in days:
        start, end = interval_starting_on(dag, day)
        assert sorted(r["Id"] for r in landed[day]) == sorted(
            window(org(P1), "Contact", "SystemModstamp", start, end)
        )
    assert set(partitions(aws("glue"), DB1, "contact")) >= {f"{d:%Y%m%d}" for d in days}
    ids = {r["Id"] for rows in landed.values() for r in rows}
    current = query(aws("redshift-data"), f"SELECT COUNT(*), COUNT(DISTINCT id) FROM {G1}.contact_current")
    assert current[0][0] == current[0][1] >= len(ids)


def test_an_interval_without_records_skips_registration(dags: Any, aws: Any) -> None:
    dag = dags["sfdc_ingest__account"]
    run = run_day(dag, dt.date(2025, 2, 1))  # after the org's last day: nothing modified
    states = task_states(run)
    assert run.state == "success"
    assert states[f"{G1}.has_records"] == "success"
    assert states[f"{G1}.register_partition"] == "skipped"
    assert states[f"{G1}.check_data"] == "skipped"
    assert "20250201" not in partitions(aws("glue"), DB1, "account")
    assert (
        aws("s3")
        .list_objects_v2(Bucket=RAW, Prefix=f"{ACCOUNT_PREFIX}/appflow_date_str=20250201/")
        .get("KeyCount")
        == 0
    )


def test_a_field_added_in_salesforce_becomes_a_column_and_old_partitions_still_read(
    dags: Any, aws: Any, org: Any
) -> None:
    from sandbox.salesforce.schema import FieldSpec

    dag = dags["sfdc_ingest__opportunity_dev"]  # full snapshots: every record in every partition
    assert run_day(dag, dt.date(2025, 1, 13)).state == "success"
    org(P1).add_field("Opportunity", FieldSpec(name="Score__c", type="double"))
    assert run_day(dag, dt.date(2025, 1, 14)).state == "success"

    table = aws("glue").get_table(DatabaseName=DB1, Name="opportunity_dev")["Table"]
    assert "score__c" in {c["Name"] for c in table["StorageDescriptor"]["Columns"]}
    counts = query(
        aws("redshift-data"),
        f"SELECT appflow_date_str, COUNT(*), COUNT(score__c) FROM {G1}_ext.opportunity_dev "
        "WHERE appflow_date_str IN ('20250113', '20250114') GROUP BY 1 ORDER BY 1",
    )
    assert [row[0] for row in counts] == ["20250113", "20250114"]
    assert counts[0][1] == counts[1][1] > 0  # the older partition still reads, without the column


def test_an_appflow_error_fails_the_run_with_appflows_message(
    dags: Any, aws: Any, sandbox: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    dag = dags["sfdc_ingest__account"]
    sandbox.service("appflow").inject(
        f"dev-{G1}-account", "fail", "INVALID_SESSION_ID: Session expired or invalid"
    )
    run = run_day(dag, dt.date(2025, 1, 10))
    states = task_states(run)
    assert run.state == "failed"
    assert states[f"{G1}.wait_for_flow"] == "failed"
    assert states[f"{G1}.register_partition"] in {"upstream_failed", "skipped"}
    assert "20250110" not in partitions(aws("glue"), DB1, "account")
    # dag.test() runs the task in this process, so its log (where operators read the failure) is our output.
    output = capfd.readouterr()
    assert f"AppFlow flow dev-{G1}-account execution" in output.out + output.err, (
        "the failure names the flow and its execution"
    )
    assert "ended Error: INVALID_SESSION_ID: Session expired or invalid" in output.out + output.err


@pytest.fixture
def short_flow_timeout(monkeypatch: pytest.MonkeyPatch) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import REPO

    monkeypatch.setenv("AIRFLOW__LAKEHOUSE__APPFLOW_TIMEOUT_SECONDS", "3")
    return DagBag(str(REPO / "dags")).dags


def test_a_hung_flow_times_out_and_is_cancelled(short_flow_timeout: Any, sandbox: Any, aws: Any) -> None:
    dag = short_flow_timeout["sfdc_ingest__account"]
    flow = f"dev-{G1}-account"
    sandbox.service("appflow").inject(flow, "hang")
    run = run_day(dag, dt.date(2025, 1, 9))
    assert run.state == "failed"
    assert task_states(run)[f"{G1}.wait_for_flow"] == "failed"
    records = aws("appflow").describe_flow_execution_records(flowName=flow)["flowExecutions"]
    assert records[0]["executionStatus"] == "Canceled"
