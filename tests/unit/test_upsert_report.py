"""The failed-record sample an upsert reports (log and XCom) hides the flow's PII columns."""

from __future__ import annotations

from lakehouse.airflow.operators.upsert import MASK, masked


def test_pii_values_are_masked_at_any_depth_whatever_the_case() -> None:
    record = {
        "error": "REQUIRED_FIELD_MISSING",
        "record": {"External_Id__c": "A-1", "email": "jane@example.com", "Phone": "+41 61 000"},
        "related": [{"EMAIL": "john@example.com", "Score__c": 3}],
    }

    assert masked(record, ["Email", "Phone"]) == {
        "error": "REQUIRED_FIELD_MISSING",
        "record": {"External_Id__c": "A-1", "email": MASK, "Phone": MASK},
        "related": [{"EMAIL": MASK, "Score__c": 3}],
    }


def test_without_pii_columns_the_sample_is_unchanged() -> None:
    record = {"record": {"Email": "jane@example.com"}}
    assert masked(record, []) == record
