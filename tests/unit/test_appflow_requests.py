"""The UpdateFlow request a run sends: our window and prefix, everything Terraform owns kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.session import Session

from lakehouse.aws.appflow_requests import find_execution, update_flow_request, window_filter

DESCRIBED: dict[str, Any] = {
    "flowArn": "arn:aws:appflow:eu-west-1:111111111111:flow/dev-p1-account",
    "flowName": "dev-p1-account",
    "flowStatus": "Active",
    "description": "Account",
    "triggerConfig": {
        "triggerType": "Scheduled",
        "triggerProperties": {"Scheduled": {"scheduleExpression": "rate(1days)"}},
    },
    "sourceFlowConfig": {
        "connectorType": "Salesforce",
        "connectorProfileName": "p1",
        "sourceConnectorProperties": {"Salesforce": {"object": "Account"}},
    },
    "destinationFlowConfigList": [
        {
            "connectorType": "S3",
            "destinationConnectorProperties": {
                "S3": {
                    "bucketName": "raw",
                    "bucketPrefix": "old",
                    "s3OutputFormatConfig": {"fileType": "PARQUET"},
                }
            },
        }
    ],
    "tasks": [
        {
            "taskType": "Filter",
            "connectorOperator": {"Salesforce": "PROJECTION"},
            "sourceFields": ["Id", "Name"],
        },
        {
            "taskType": "Map",
            "connectorOperator": {"Salesforce": "NO_OP"},
            "sourceFields": ["Id"],
            "destinationField": "Id",
        },
        {
            "taskType": "Filter",
            "connectorOperator": {"Salesforce": "BETWEEN"},
            "sourceFields": ["LastModifiedDate"],
        },
    ],
    "createdAt": 1,
    "lastRunExecutionDetails": {},
}


def test_window_is_the_data_interval_with_exclusive_bounds() -> None:
    start = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    task = window_filter("Salesforce", "LastModifiedDate", start, start + dt.timedelta(days=1))
    assert task["taskProperties"]["LOWER_BOUND"] == str(int(start.timestamp() * 1000) - 1)
    assert task["taskProperties"]["UPPER_BOUND"] == str(int(start.timestamp() * 1000) + 86_400_000)


def test_update_replaces_our_filter_keeps_projection_and_maps_and_is_valid_for_botocore() -> None:
    new_filter = window_filter(
        "Salesforce",
        "LastModifiedDate",
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    )
    request = update_flow_request(
        DESCRIBED, filter_task=new_filter, destination_prefix="appflow/p1/account/appflow_date_str=20260101"
    )
    ops = [(t["taskType"], t["connectorOperator"]["Salesforce"]) for t in request["tasks"]]
    assert ops == [("Filter", "PROJECTION"), ("Map", "NO_OP"), ("Filter", "BETWEEN")]
    assert request["tasks"][-1] is not DESCRIBED["tasks"][-1]
    assert request["triggerConfig"] == {"triggerType": "OnDemand"}
    s3 = request["destinationFlowConfigList"][0]["destinationConnectorProperties"]["S3"]
    assert s3["bucketPrefix"] == "appflow/p1/account/appflow_date_str=20260101"
    assert (
        DESCRIBED["destinationFlowConfigList"][0]["destinationConnectorProperties"]["S3"]["bucketPrefix"]
        == "old"
    )
    # botocore validates the request against AppFlow's model, as the real client would.
    client = Session().create_client(
        "appflow", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    client.meta.events.register("before-send.appflow.UpdateFlow", lambda **_: _Stop())
    with pytest.raises(_RequestBuiltError):
        client.update_flow(**request)


class _RequestBuiltError(Exception):
    pass


class _Stop:
    def __init__(self) -> None:
        raise _RequestBuiltError


def test_a_flow_without_s3_destination_is_refused() -> None:
    described = {
        **DESCRIBED,
        "destinationFlowConfigList": [
            {"connectorType": "Salesforce", "destinationConnectorProperties": {"Salesforce": {"object": "X"}}}
        ],
    }
    with pytest.raises(ValueError, match="no S3 destination"):
        update_flow_request(described, filter_task=None, destination_prefix="p")


class _PagedClient:
    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.requests: list[dict[str, Any]] = []

    def describe_flow_execution_records(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        return self.pages[len(self.requests) - 1]


def test_find_execution_pages_until_it_finds_the_id() -> None:
    client = _PagedClient(
        [
            {"flowExecutions": [{"executionId": "a"}], "nextToken": "t1"},
            {"flowExecutions": [{"executionId": "b", "executionStatus": "Successful"}]},
        ]
    )
    assert find_execution(client, "f", "b") == {"executionId": "b", "executionStatus": "Successful"}
    assert client.requests == [
        {"flowName": "f", "maxResults": 100},
        {"flowName": "f", "maxResults": 100, "nextToken": "t1"},
    ]
    assert find_execution(_PagedClient([{"flowExecutions": []}]), "f", "x") is None
