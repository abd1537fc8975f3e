"""The emulated org's daily API allowance and AppFlow's concurrency quota, through unmodified boto3.

A run spends the requests its records take (sandbox/salesforce/limits.py), the org refuses past
its allowance with Salesforce's REQUEST_LIMIT_EXCEEDED, and the allowance comes back at the
org's midnight; StartFlow past the quota of concurrent runs is AWS's ServiceQuotaExceededException.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.appflow.salesforce_api import chosen_api
from sandbox.appflow.service import AppflowService
from sandbox.salesforce.limits import DEFAULT_DAILY_ALLOWANCE, api_calls

LIMITS = "/_sandbox/appflow/limits"


@pytest.mark.parametrize(
    ("records", "api", "calls"),
    [
        (0, "REST_SYNC", 1),  # a query that finds nothing is still one request
        (2_000, "REST_SYNC", 1),
        (2_001, "REST_SYNC", 2),
        (999_999, None, 500),  # AUTOMATIC below 1,000,000: REST, 2,000 a batch
        (999_999, "AUTOMATIC", 500),
        (1_000_000, "AUTOMATIC", 2 + 20),  # Bulk API 2.0: job, poll, 50,000 a result page
        (0, "BULKV2", 3),
        (120_000, "BULKV2", 2 + 3),
    ],
)
def test_requests_a_run_spends(records: int, api: str | None, calls: int) -> None:
    source = {} if api is None else {"dataTransferApi": api}
    assert api_calls(records, chosen_api(source, records)) == calls


def test_unknown_transfer_api_is_refused() -> None:
    with pytest.raises(ValueError, match="dataTransferApi"):
        chosen_api({"dataTransferApi": "SOAP"}, 10)


@pytest.fixture
def org_state(
    appflow_service: AppflowService, profile: str, control: Callable[..., dict[str, Any]]
) -> Iterator[None]:
    """The session's org shared with other tests: its clock, allowance and quota put back after."""
    org = appflow_service.org(profile)
    clock = org.clock
    yield
    org.set_clock(clock)
    control("POST", LIMITS, {"dailyApiCalls": DEFAULT_DAILY_ALLOWANCE, "concurrentRuns": 1_000})


def _rest_flow(flow_request: Any, name: str) -> dict[str, Any]:
    request: dict[str, Any] = flow_request(name, "Contact", f"raw/limits/{name}", ["Id", "Name"])
    request["sourceFlowConfig"]["sourceConnectorProperties"]["Salesforce"]["dataTransferApi"] = "REST_SYNC"
    return request


@pytest.mark.usefixtures("org_state")
def test_the_org_refuses_past_its_allowance_and_resets_at_its_midnight(
    appflow: Any, appflow_service: AppflowService, profile: str, flow_request: Any,
    wait_for_run: Any, control: Callable[..., dict[str, Any]],
) -> None:  # fmt: skip
    org = appflow_service.org(profile)
    # A day of its own: the session's other tests spend this org's allowance on the default day.
    day = datetime(2025, 3, 14, 22, 0, tzinfo=UTC)
    org.set_clock(day)
    control("POST", LIMITS, {"connectorProfileName": profile, "dailyApiCalls": 2})
    appflow.create_flow(**_rest_flow(flow_request, "limits-contact"))

    def run() -> dict[str, Any]:
        execution_id = appflow.start_flow(flowName="limits-contact")["executionId"]
        return wait_for_run("limits-contact", execution_id)

    # 60 Contacts through REST: one request a run; the third run of the day is refused
    assert [run()["executionStatus"] for _ in range(2)] == ["Successful", "Successful"]
    refused = run()
    assert refused["executionStatus"] == "Error"
    message = refused["executionResult"]["errorInfo"]["executionMessage"]
    assert "REQUEST_LIMIT_EXCEEDED" in message
    assert "TotalRequests Limit exceeded" in message
    usage = control("GET", f"{LIMITS}?connectorProfileName={profile}")
    assert usage["day"] == "2025-03-14"
    assert usage["spent"]["2025-03-14"] == 2  # never more than the allowance
    assert usage["refused"]["2025-03-14"] == 1

    # still the same day an hour later; past midnight (the org's clock) the allowance is back
    org.set_clock(day + timedelta(hours=1, minutes=59))
    assert run()["executionStatus"] == "Error"
    org.set_clock(day + timedelta(hours=2))
    assert run()["executionStatus"] == "Successful"
    usage = control("GET", f"{LIMITS}?connectorProfileName={profile}")
    assert {day: usage["spent"].get(day) for day in ("2025-03-14", "2025-03-15")} == {
        "2025-03-14": 2,
        "2025-03-15": 1,
    }
    assert usage["refused"].get("2025-03-14") == 2
    assert "2025-03-15" not in usage["refused"]


@pytest.mark.usefixtures("org_state")
def test_startflow_past_the_concurrency_quota_is_service_quota_exceeded(
    appflow: Any, appflow_service: AppflowService, profile: str, flow_request: Any,
    wait_for_run: Any, control: Callable[..., dict[str, Any]],
) -> None:  # fmt: skip
    control("POST", LIMITS, {"concurrentRuns": 1})
    for name in ("quota-a", "quota-b"):
        appflow.create_flow(**_rest_flow(flow_request, name))
    appflow_service.inject("quota-a", "hang")
    hanging = appflow.start_flow(flowName="quota-a")["executionId"]
    with pytest.raises(ClientError) as refused:
        appflow.start_flow(flowName="quota-b")
    assert refused.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 402
    assert appflow.describe_flow_execution_records(flowName="quota-b")["flowExecutions"] == []

    appflow.cancel_flow_executions(flowName="quota-a", executionIds=[hanging])
    wait_for_run("quota-a", hanging)
    started = appflow.start_flow(flowName="quota-b")["executionId"]
    assert wait_for_run("quota-b", started)["executionStatus"] == "Successful"
    assert control("GET", f"{LIMITS}?connectorProfileName={profile}")["peakConcurrentRuns"] >= 1
