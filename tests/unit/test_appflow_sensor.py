"""AppflowRunSensor on AppFlow's answers: failed records within a Successful run fail an ingest wait
(the lake would miss them unseen) and are handed on for the upsert's report to judge."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from lakehouse.airflow.sensors import appflow
from lakehouse.airflow.sensors.appflow import AppflowRunSensor

RECORD = {
    "executionId": "e-1",
    "executionStatus": "Successful",
    "executionResult": {
        "recordsProcessed": 40,
        "bytesWritten": 900,
        "errorInfo": {"putFailuresCount": 20, "executionMessage": "20 records failed (injected)"},
    },
}


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(appflow, "find_execution", lambda conn, flow, execution: RECORD)
    monkeypatch.setattr(AppflowRunSensor, "hook", type("Hook", (), {"conn": None})())


def sensor(max_failed_records: int | None) -> AppflowRunSensor:
    return AppflowRunSensor(
        task_id="wait_for_flow", flow_name="f", execution_id="e-1", max_failed_records=max_failed_records
    )


def test_an_ingest_wait_fails_on_failed_records(answered: None) -> None:
    with pytest.raises(AirflowFailException, match=r"ended Successful but 20 records failed .* 40 written"):
        sensor(0).poke({})


def test_an_upsert_wait_hands_the_failed_records_on(answered: None) -> None:
    result: Any = sensor(None).poke({})
    assert result.is_done
    assert result.xcom_value["records_failed"] == 20
    assert result.xcom_value["records_processed"] == 40
