"""The scoring example's formula and plan (lakehouse.scoring): pure, from the sample config."""

from __future__ import annotations

import dataclasses

import pytest

from lakehouse.config import load_config
from lakehouse.scoring import account_score, plan_scoring, score_record
from lakehouse.scoring.formula import field_value
from tests.conftest import SAMPLE_CONFIG

P1 = "roche_salesforce_connector_profile1"


@pytest.mark.parametrize(
    ("revenue", "employees", "rating", "score"),
    [
        (None, None, None, 0.0),
        (250_000.0, 5_000, "Hot", 100.0),
        (1e9, 10**6, "Hot", 100.0),  # the caps saturate
        (125_000.0, 0, "Cold", 25.0),
        (0.0, 2_500, "Warm", 25.0),
        (-5.0, -1, "Unknown", 0.0),
        (100_000.0, 1_234, "Warm", 37.4),  # 100 * (0.5 * 0.4 + 0.3 * 0.2468 + 0.2 * 0.5) = 37.404
    ],
)
def test_account_score(
    revenue: float | None, employees: int | None, rating: str | None, score: float
) -> None:
    assert account_score(revenue, employees, rating) == score


def test_score_record_is_keyed_by_the_account_id_with_a_bounded_name() -> None:
    row = {
        "id": "001A",
        "name": "N" * 100,
        "annualrevenue": 250_000.0,
        "numberofemployees": None,
        "rating": "Hot",
    }
    assert score_record(row) == {"External_Id__c": "001A", "Name": "N" * 80, "Score__c": 70.0}
    assert score_record({"id": "001B", "name": None})["Name"] == "001B"


def test_field_value_reads_redshift_data_fields() -> None:
    assert [
        field_value(f)
        for f in ({"stringValue": "a"}, {"longValue": 3}, {"isNull": True}, {"doubleValue": 1.5})
    ] == [
        "a",
        3,
        None,
        1.5,
    ]


def test_plan_reads_the_upsert_orgs_account_view_and_writes_the_upsert_flows_results() -> None:
    plan = plan_scoring(load_config(SAMPLE_CONFIG), "dev")
    assert plan is not None
    assert plan.sql == (
        f"SELECT id, name, annualrevenue, numberofemployees, rating FROM {P1}.account_current ORDER BY id"
    )
    assert (plan.source_asset.name, plan.source_asset.uri) == (
        f"{P1}_dev.account",
        f"s3://gtm-lakehouse-dev-raw/appflow/{P1}/account",
    )
    assert (plan.results_asset.name, plan.results_asset.uri) == (
        f"dev-{P1}-custom_salesforce_object.results",
        "s3://gtm-lakehouse-dev-results/prefix",
    )
    assert (plan.results_bucket, plan.results_key) == (
        "gtm-lakehouse-dev-results",
        "prefix/ml_scoring/account_scores.jsonl",
    )
    assert plan.results_key.startswith(plan.results_prefix)


def test_no_plan_without_the_upsert_flow() -> None:
    config = load_config(SAMPLE_CONFIG)
    without = dataclasses.replace(config, flows=[f for f in config.flows if f.direction == "ingest"])
    assert plan_scoring(without, "dev") is None
    assert plan_scoring(config, "staging") is None
