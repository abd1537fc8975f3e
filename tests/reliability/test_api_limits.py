"""Salesforce's daily API limit is a state, not a failure.

The org's allowance is spent: AppFlow's run ends in Error with REQUEST_LIMIT_EXCEEDED. run_flow
says so in its log, alerts once per org and day, waits (deferred: no retry spent, its pool slot
kept) and starts the interval again; once the org's day turns (its clock, moved here as a
simulated reset) the run gets through and the interval lands exactly once. Other errors fail as
before (tests/pipeline/test_ingest.py, tests/reliability/test_alerts.py).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.runs import run_day
from sandbox.salesforce.limits import DEFAULT_DAILY_ALLOWANCE, org_day
from tests.pipeline.conftest import RAW, task_states
from tests.reliability.lake import ACCOUNT, ACCOUNT_FLOW, G1, PROFILE, Inbox, account

pytestmark = pytest.mark.airflow
RUN_FLOW = f"{G1}.run_flow"
CLAIMS = "_lakehouse/salesforce-limits/"
DAY = dt.date(2025, 1, 12)


@pytest.fixture
def spent_org(sandbox: Any, org: Callable[[str], Any], aws: Callable[[str], Any]) -> Iterator[Any]:
    """Profile 1's org with today's allowance spent (and no limit alert sent yet today); its clock
    and allowance are put back after the test."""
    s3 = aws("s3")
    for item in s3.list_objects_v2(Bucket=RAW, Prefix=CLAIMS).get("Contents", []):
        s3.delete_object(Bucket=RAW, Key=item["Key"])
    limits = sandbox.service("appflow").api.runner.limits
    source = org(PROFILE[G1])
    clock = source.clock
    spent = limits.report(PROFILE[G1])["spent"].get(org_day(clock).isoformat(), 0)
    limits.set_allowance(PROFILE[G1], max(spent, 1))
    if spent == 0:
        limits.spend(PROFILE[G1], org_day(clock), 1)
    yield source
    limits.set_allowance(PROFILE[G1], DEFAULT_DAILY_ALLOWANCE)
    source.set_clock(clock)


def _reset_after_refusals(sandbox: Any, source: Any, refusals: int) -> threading.Thread:
    """Move the org's clock past its midnight once `refusals` runs of the day were refused."""
    limits = sandbox.service("appflow").api.runner.limits
    day = org_day(source.clock)
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if limits.report(PROFILE[G1])["refused"].get(day.isoformat(), 0) >= refusals:
                source.set_clock(midnight + dt.timedelta(seconds=1))
                return
            time.sleep(0.1)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def landed_nothing_after(dags: Any, aws: Callable[[str], Any]) -> Iterator[None]:
    """The lake is shared by the session's tests: what this test lands of its interval goes after it."""
    yield
    target = account(dags[ACCOUNT], DAY)
    s3 = aws("s3")
    for key in target.files(s3):
        s3.delete_object(Bucket=RAW, Key=key)
    if target.registered(aws("glue")):
        aws("glue").delete_partition(
            DatabaseName=target.database, TableName=target.table, PartitionValues=[target.value]
        )


@pytest.mark.usefixtures("landed_nothing_after")
def test_a_run_refused_for_the_api_limit_waits_for_the_reset_and_lands_once(
    dags: Any, sandbox: Any, aws: Callable[[str], Any], org: Callable[[str], Any],
    spent_org: Any, inbox: Inbox, capfd: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    dag = dags[ACCOUNT]
    target = account(dag, DAY)
    before = len(aws("appflow").describe_flow_execution_records(flowName=ACCOUNT_FLOW)["flowExecutions"])
    mover = _reset_after_refusals(sandbox, spent_org, refusals=2)

    run = run_day(dag, DAY)
    mover.join(5)

    assert run.state == "success", task_states(run)
    (run_flow,) = [ti for ti in run.get_task_instances() if ti.task_id == RUN_FLOW]
    assert run_flow.try_number == 1, "waiting for the allowance spent no retry"
    records = aws("appflow").describe_flow_execution_records(flowName=ACCOUNT_FLOW)["flowExecutions"]
    ours = records[: len(records) - before]  # newest first
    assert [r["executionStatus"] for r in ours] == ["Successful", "Error", "Error"], ours
    for refused in ours[1:]:
        assert "REQUEST_LIMIT_EXCEEDED" in refused["executionResult"]["errorInfo"]["executionMessage"]
    target.assert_landed_exactly(aws, org)  # every record once, one file, one partition

    log = capfd.readouterr()
    assert "the org's daily API allowance is spent" in log.out + log.err
    assert "without spending a retry" in log.out + log.err
    # two refusals, one alert (per org and day), from run_flow; no failure alert
    (alert,) = inbox.assert_exactly(("limited", ACCOUNT, RUN_FLOW, run))
    assert "REQUEST_LIMIT_EXCEEDED" in alert["error"]
    assert PROFILE[G1] in alert["error"]
