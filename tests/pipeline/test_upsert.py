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
