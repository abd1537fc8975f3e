"""Lake -> Salesforce: results in S3 upserted into the org by the flow's id field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.pipeline.conftest import P1, task_states

DAG_ID = "sfdc_upsert__custom_salesforce_object"
RESULTS = "gtm-lakehouse-dev-results"
PREFIX = "prefix"
G1 = "roche_salesforce_connector_profile1"


@pytest.fixture
def results(aws: Any) -> Iterator[Any]:
    """Write a results file; whatever a test wrote is removed after it."""
    s3 = aws("s3")

    def write(rows: list[dict[str, Any]], name: str = "scores.jsonl") -> None:
        body = "\n".join(json.dumps(row) for row in rows).encode()
        s3.put_object(Bucket=RESULTS, Key=f"{PREFIX}/{name}", Body=body)

    yield write
    for item in s3.list_objects_v2(Bucket=RESULTS, Prefix=f"{PREFIX}/").get("Contents", []):
        s3.delete_object(Bucket=RESULTS, Key=item["Key"])


def by_external_id(org: Any) -> dict[str, dict[str, Any]]:
    return {
        str(r["External_Id__c"]): r
        for r in org.records("CustomSalesforceObject__c")
        if r.get("External_Id__c")
    }


def test_results_are_upserted_by_the_external_id(dags: Any, org: Any, results: Any) -> None:
    before = by_external_id(org(P1))
    existing = sorted(before)[0]
    results(
        [
            {"External_Id__c": existing, "Name": "Rescored", "Amount__c": 0.87},
            {"External_Id__c": "SCORE-NEW-1", "Name": "New score", "Amount__c": 0.42},
        ]
    )
    run = dags[DAG_ID].test()
    assert run.state == "success", task_states(run)
    after = by_external_id(org(P1))
    assert after[existing]["Id"] == before[existing]["Id"], "updated in place, not inserted again"
    assert (after[existing]["Name"], after[existing]["Amount__c"]) == ("Rescored", 0.87)
    assert (after["SCORE-NEW-1"]["Name"], after["SCORE-NEW-1"]["Amount__c"]) == ("New score", 0.42)
    assert len(after) == len(before) + 1


def test_a_results_column_unknown_to_salesforce_fails_before_anything_is_sent(
    dags: Any, org: Any, results: Any, aws: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    before = by_external_id(org(P1))
    results([{"External_Id__c": "SCORE-NEW-2", "Name": "x", "Scoree__c": 1.0}])
    flow = f"dev-{G1}-custom_salesforce_object"
    executions_before = len(aws("appflow").describe_flow_execution_records(flowName=flow)["flowExecutions"])
    run = dags[DAG_ID].test()
    states = task_states(run)
    assert run.state == "failed"
    assert states[f"{G1}.validate_results"] == "failed"
    assert states[f"{G1}.run_flow"] == "upstream_failed"
    assert (
        len(aws("appflow").describe_flow_execution_records(flowName=flow)["flowExecutions"])
        == executions_before
    )
    assert by_external_id(org(P1)) == before
    output = capfd.readouterr()
    assert "columns not in CustomSalesforceObject__c: Scoree__c" in output.out + output.err


def xcom(run: Any, task_id: str, key: str = "return_value") -> Any:
    """What a task of a finished run pushed (a failed task pushes its report under `report`)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        query = XComModel.get_many(run_id=run.run_id, dag_ids=run.dag_id, task_ids=task_id, key=key)
        row = session.scalars(query).first()
        return None if row is None else XComModel.deserialize_value(row)


def unnamed(n: int, tag: str) -> list[dict[str, Any]]:
    """New records without Name: the values fit their fields, so validation passes, but Salesforce
    refuses each insert (Name is required on create): failed records at write time."""
    return [{"External_Id__c": f"SCORE-{tag}-{i}", "Amount__c": float(i)} for i in range(n)]


ERRORS = f"s3://{RESULTS}/errors/custom_salesforce_object/dev-{G1}-custom_salesforce_object/"


def test_failed_records_under_the_threshold_are_reported_and_the_run_succeeds(
    dags: Any, org: Any, results: Any
) -> None:
    existing = sorted(by_external_id(org(P1)))[1]
    good = [
        {"External_Id__c": existing, "Name": "Rescored again", "Amount__c": 1.5},
        {"External_Id__c": "SCORE-OK-1", "Name": "Inserted", "Amount__c": 2.5},
    ]
    results([*good, *unnamed(2, "UNDER")])  # 2 failures; the flow tolerates 5
    run = dags[DAG_ID].test()
    assert run.state == "success", task_states(run)
    report = xcom(run, f"{G1}.report_records")
    assert (report["records_processed"], report["records_failed"]) == (2, 2)
    assert report["error_location"].startswith(ERRORS)
    assert report["error_location"].endswith(f"/{report['execution_id']}/")
    assert sorted(r["External_Id__c"] for r in report["failed_sample"]) == ["SCORE-UNDER-0", "SCORE-UNDER-1"]
    assert all(r["sf__Error"].startswith("REQUIRED_FIELD_MISSING") for r in report["failed_sample"])
    after = by_external_id(org(P1))
    assert (after[existing]["Name"], after[existing]["Amount__c"]) == ("Rescored again", 1.5)
    assert (after["SCORE-OK-1"]["Name"], after["SCORE-OK-1"]["Amount__c"]) == ("Inserted", 2.5)
    assert "SCORE-UNDER-0" not in after


def test_failed_records_above_the_threshold_fail_the_run_with_count_and_error_file(
    dags: Any, org: Any, results: Any, aws: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    results([{"External_Id__c": "SCORE-OK-2", "Name": "Kept", "Amount__c": 3.0}, *unnamed(6, "OVER")])
    run = dags[DAG_ID].test()
    states = task_states(run)
    assert run.state == "failed"
    assert states[f"{G1}.wait_for_flow"] == "success"
    assert states[f"{G1}.report_records"] == "failed"
    report = xcom(run, f"{G1}.report_records", key="report")
    assert (report["records_processed"], report["records_failed"]) == (1, 6)
    location = report["error_location"]
    assert location.startswith(ERRORS)
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    keys = [o["Key"] for o in aws("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]]
    body = aws("s3").get_object(Bucket=bucket, Key=keys[0])["Body"].read().decode()
    assert sorted(json.loads(line)["External_Id__c"] for line in body.splitlines()) == [
        f"SCORE-OVER-{i}" for i in range(6)
    ]
    output = capfd.readouterr()
    assert (
        f"6 records failed, more than the flow's max_failed_records 5 (1 written); failed records at {location}"
        in (output.out + output.err)
    )
    after = by_external_id(org(P1))
    assert after["SCORE-OK-2"]["Name"] == "Kept", "the records that did not fail are in the org"
    assert not any(key.startswith("SCORE-OVER-") for key in after)
