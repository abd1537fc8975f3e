"""The trigger run_flow defers on: it reports how an execution ended, or that it still runs at its
deadline, polling DescribeFlowExecutionRecords off the triggerer's event loop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lakehouse.airflow.triggers.appflow import STILL_RUNNING, AppflowExecutionTrigger

pytestmark = pytest.mark.airflow
FLOW = "dev-roche_salesforce_connector_profile1-opportunity_dev"


def _first_event(trigger: AppflowExecutionTrigger) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("the trigger ended without an event")

    return asyncio.run(asyncio.wait_for(first(), timeout=30))


def _trigger(execution_id: str, deadline: float) -> AppflowExecutionTrigger:
    return AppflowExecutionTrigger(
        flow_name=FLOW,
        execution_id=execution_id,
        aws_conn_id="aws_default",
        region_name="eu-west-1",
        poll_interval=0.2,
        first_look_seconds=0.2,
        deadline_seconds=deadline,
    )


def test_the_trigger_reports_the_end_or_that_the_execution_still_runs(
    pipeline_env: str, sandbox: Any, aws: Any
) -> None:
    appflow = aws("appflow")
    finished = appflow.start_flow(flowName=FLOW)["executionId"]
    assert _first_event(_trigger(finished, deadline=20)) == {
        "status": "Successful",
        "message": "",
        "execution_id": finished,
    }

    sandbox.service("appflow").inject(FLOW, "hang")
    hanging = appflow.start_flow(flowName=FLOW)["executionId"]
    try:
        event = _first_event(_trigger(hanging, deadline=1))
        assert event == {"status": STILL_RUNNING, "message": "", "execution_id": hanging}
    finally:
        appflow.cancel_flow_executions(flowName=FLOW, executionIds=[hanging])

    # a serialised trigger (what the triggerer stores) is the same trigger
    path, kwargs = _trigger(finished, 5).serialize()
    assert path == "lakehouse.airflow.triggers.appflow.AppflowExecutionTrigger"
    assert AppflowExecutionTrigger(**kwargs).serialize() == (path, kwargs)
