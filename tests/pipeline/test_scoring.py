"""Lake -> score -> Salesforce on the sandbox: the Account ingest, the scoring DAG and the upsert
DAG in a row, asserting that what the org holds is the formula applied to the warehouse's rows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.runs import run_day
from tests.pipeline.conftest import P1, query, task_states

G1 = "roche_salesforce_connector_profile1"
RESULTS = "gtm-lakehouse-dev-results"
UPSERT = "sfdc_upsert__custom_salesforce_object"
SCORING = "ml_scoring__account"
FLOW = f"dev-{G1}-custom_salesforce_object"


@pytest.fixture
def clean_results(aws: Any) -> Iterator[Any]:
    """The results zone of the upsert flow, emptied after the test (the next upsert run reads it all)."""
    s3 = aws("s3")
    yield s3
    for item in s3.list_objects_v2(Bucket=RESULTS, Prefix="prefix/").get("Contents", []):
        s3.delete_object(Bucket=RESULTS, Key=item["Key"])


def expected_score(revenue: float | None, employees: int | None, rating: str | None) -> float:
    """The documented formula, written out again here so the test does not trust the code it checks."""
    revenue_part = min(max(revenue or 0.0, 0.0) / 250_000, 1.0)
    employees_part = min(max(employees or 0, 0) / 5_000, 1.0)
    rating_part = {"Hot": 1.0, "Warm": 0.5}.get(rating or "", 0.0)
    return round(100 * (0.5 * revenue_part + 0.3 * employees_part + 0.2 * rating_part), 2)


def executions(aws: Any) -> int:
    return len(aws("appflow").describe_flow_execution_records(flowName=FLOW)["flowExecutions"])


def test_scores_upserted_into_the_org_equal_the_formula_on_the_warehouse_rows(
    dags: Any, aws: Any, org: Any, clean_results: Any
) -> None:
    ingest = run_day(dags["sfdc_ingest__account"], dt.date(2025, 1, 15))
    assert ingest.state == "success", task_states(ingest)

    scoring = dags[SCORING].test()
    assert scoring.state == "success", task_states(scoring)
    rows = query(
        aws("redshift-data"),
        f"SELECT id, name, annualrevenue, numberofemployees, rating FROM {G1}.account_current ORDER BY id",
    )
    expected = {str(r[0]): (str(r[1]), expected_score(r[2], r[3], r[4])) for r in rows}
    assert len(expected) > 10
    assert len({score for _, score in expected.values()}) > 5, "a score that tells accounts apart"

    written = clean_results.get_object(Bucket=RESULTS, Key="prefix/ml_scoring/account_scores.jsonl")
    lines = [json.loads(line) for line in written["Body"].read().decode().splitlines()]
    assert {r["External_Id__c"]: (r["Name"], r["Score__c"]) for r in lines} == expected
    assert _results_asset_events(scoring) == [f"{FLOW}.results"]

    upsert = dags[UPSERT].test()
    assert upsert.state == "success", task_states(upsert)
    in_org = {
        str(r["External_Id__c"]): (r["Name"], r["Score__c"])
        for r in org(P1).records("CustomSalesforceObject__c")
        if r["External_Id__c"] in expected
    }
    assert in_org == expected

    rerun = dags[SCORING].test()
    assert rerun.state == "success", task_states(rerun)
    keys = [o["Key"] for o in clean_results.list_objects_v2(Bucket=RESULTS, Prefix="prefix/")["Contents"]]
    assert keys == ["prefix/ml_scoring/account_scores.jsonl"], "a rerun replaces the results"


def _results_asset_events(run: Any) -> list[str]:
    """Names of the Assets a run updated: what triggers the upsert DAG under the scheduler."""
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        events = session.scalars(
            select(AssetEvent).where(
                AssetEvent.source_dag_id == run.dag_id, AssetEvent.source_run_id == run.run_id
            )
        ).all()
        return [event.asset.name for event in events]


def test_a_results_value_of_the_wrong_type_fails_before_anything_is_sent(
    dags: Any, aws: Any, org: Any, clean_results: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    bad = [
        {"External_Id__c": "SCORE-TYPE-1", "Name": "Typed", "Score__c": "high"},
        {"External_Id__c": "SCORE-TYPE-2", "Name": "Typed", "Score__c": 0.5, "Active__c": "yes"},
    ]
    key = "prefix/ml_scoring/bad.jsonl"
    clean_results.put_object(Bucket=RESULTS, Key=key, Body="\n".join(json.dumps(r) for r in bad).encode())
    before, started = org(P1).records("CustomSalesforceObject__c"), executions(aws)

    run = dags[UPSERT].test()
    states = task_states(run)
    assert run.state == "failed"
    assert states[f"{G1}.validate_results"] == "failed"
    assert states[f"{G1}.run_flow"] == "upstream_failed"
    assert executions(aws) == started, "no AppFlow run started"
    assert org(P1).records("CustomSalesforceObject__c") == before
    output = capfd.readouterr()
    text = output.out + output.err
    assert "values that do not fit their fields in columns Active__c, Score__c" in text
    assert f"Score__c (percent): 1 value, e.g. 'high' at s3://{RESULTS}/{key}:1 (text, not a number)" in text
    assert f"Active__c (boolean): 1 value, e.g. 'yes' at s3://{RESULTS}/{key}:2" in text
