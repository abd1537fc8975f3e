"""Retry and recovery alerts on a real run, and no false "recovered" when a succeeded task is cleared.

The flow asks for both (`alert_on_retry: 1`, `recovery_alerts: 1`, `retries: 1`); the warehouse
fails `build_views` once with a transient error (the sandbox's one-shot Redshift Data injection),
so the task's first try fails and is retried, and the retry succeeds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.runs import run_day
from tests.pipeline.conftest import task_states
from tests.reliability.lake import G1, Inbox, Interval, clear_and_rerun

pytestmark = pytest.mark.airflow

OPPORTUNITY = "sfdc_ingest__opportunity_dev"
BUILD_VIEWS = f"{G1}.build_views"
TRANSIENT = (
    "ERROR: 1023 DETAIL: Serializable isolation violation on table - 142367, "
    "transactions forming the cycle are: 6731, 6733 (pid:30114)"
)


def retry_and_recovery_alerts(include: Path) -> None:
    flows = include / "config" / "flows.yaml"
    text = flows.read_text()
    anchor = "  - name: OpportunityDev\n"
    assert anchor in text
    flows.write_text(
        text.replace(anchor, anchor + "    retries: 1\n    alert_on_retry: 1\n    recovery_alerts: 1\n", 1)
    )


@pytest.fixture
def retrying_dag(dags_from: Callable[..., dict[str, Any]]) -> Any:
    dag = dags_from(retry_and_recovery_alerts)[OPPORTUNITY]
    for task in dag.tasks:
        assert task.retries == (0 if task.task_id.endswith("wait_for_flow") else 1)
        # The flow's shortest delay is a minute (retry_delay_minutes >= 1); the retry path is the same.
        task.retry_delay = dt.timedelta(seconds=1)
    return dag


def test_a_task_failing_once_sends_one_retry_alert_and_one_recovery_then_a_rerun_sends_none(
    retrying_dag: Any, sandbox: Any, aws: Callable[[str], Any], org: Callable[[str], Any], inbox: Inbox
) -> None:
    day = dt.date(2025, 1, 6)
    target = Interval(retrying_dag, day, G1, "opportunity_dev", "Opportunity", None)
    sandbox.service("redshift-data").inject("opportunity_dev_current AS", TRANSIENT)

    run = run_day(retrying_dag, day)
    assert run.state == "success", task_states(run)
    (ti,) = [t for t in run.get_task_instances() if t.task_id == BUILD_VIEWS]
    assert ti.try_number == 2, "the first try failed and the retry succeeded"
    target.assert_landed_exactly(aws, org)
    retry, recovery = inbox.assert_exactly(
        ("retry", OPPORTUNITY, BUILD_VIEWS, run), ("recovery", OPPORTUNITY, BUILD_VIEWS, run)
    )
    assert (retry["try_number"], recovery["try_number"]) == (1, 2)
    assert "Serializable isolation violation" in retry["error"]
    assert recovery["error"] == ""
    assert recovery["log_url"].endswith("?try_number=2")

    # Clearing the succeeded run (the UI's Clear) runs every task again on a later try number: that
    # is no recovery, and must not say so (it did: docs/alerts.md, "Recovery messages").
    inbox.reset()
    rerun = clear_and_rerun(retrying_dag, run)
    assert rerun.state == "success", task_states(rerun)
    tries = {t.task_id.split(".")[-1]: t.try_number for t in rerun.get_task_instances()}
    assert tries["build_views"] == 3
    assert tries["check_data"] == 2
    target.assert_landed_exactly(aws, org)
    inbox.assert_none()
