"""`lakehouse dags` and `lakehouse schema`, and the schema files the YAML points editors at."""

from __future__ import annotations

import json

import pytest

from lakehouse.cli import main
from lakehouse.schema import schemas
from tests.conftest import SAMPLE_CONFIG


def test_dags_lists_schedule_and_tasks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dags", str(SAMPLE_CONFIG), "--env", "dev", "--json"]) == 0
    rows = {row["dag_id"]: row for row in json.loads(capsys.readouterr().out)}
    assert sorted(rows) == [
        "ml_scoring__account",
        "onprem_feed__crm_territories",
        "onprem_feed__hcp_registry",
        "onprem_feed__sales_targets",
        "sfdc_ingest__account",
        "sfdc_ingest__contact",
        "sfdc_ingest__opportunity_dev",
        "sfdc_reconcile__account",
        "sfdc_reconcile__contact",
        "sfdc_upsert__custom_salesforce_object",
    ]
    assert rows["sfdc_reconcile__account"]["airflow_schedule"] == "every 7 days from the start date"
    assert rows["sfdc_ingest__contact"]["airflow_schedule"] == "cron '0 2 * * *' (UTC)"
    assert rows["onprem_feed__sales_targets"]["glue_job"] == "dev-feed-sales_targets"
    assert rows["onprem_feed__sales_targets"]["airflow_schedule"] == "cron '0 6 * * *' (UTC)"
    assert rows["sfdc_upsert__custom_salesforce_object"]["trigger"] == "results"
    assert rows["ml_scoring__account"]["schedule"] == "asset:roche_salesforce_connector_profile1_dev.account"
    assert rows["sfdc_upsert__custom_salesforce_object"]["tasks"] == [
        f"roche_salesforce_connector_profile1.{t}"
        for t in ("validate_results", "run_flow", "wait_for_flow", "report_records")
    ]


def test_unknown_environment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dags", str(SAMPLE_CONFIG), "--env", "qa"]) == 1
    assert "'qa' is not defined" in capsys.readouterr().err


def test_committed_schema_files_are_current() -> None:
    for name, schema in schemas().items():
        committed = json.loads((SAMPLE_CONFIG / "schema" / name).read_text())
        assert committed == json.loads(json.dumps(schema)), f"run `make schema` to refresh {name}"


def test_schema_rejects_unknown_keys_for_editors() -> None:
    flows = schemas()["flows.schema.json"]
    assert flows["$defs"]["Flow"]["additionalProperties"] is False
    assert flows["$defs"]["Flow"]["required"] == ["name"]
