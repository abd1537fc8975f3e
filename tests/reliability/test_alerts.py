"""Failure alerts from real DAG runs on the sandbox, asserted on what SNS and the webhooks received.

Each test injects an AppFlow failure into one run (`retries: 0`, so its first failure is final)
and checks the alert, its fault handling, and that the run still fails with AppFlow's own error.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from sandbox.runs import interval_starting_on, run_day
from tests.pipeline.conftest import task_states
from tests.reliability.conftest import SECRET, TOKEN, sns_messages

pytestmark = pytest.mark.airflow

G1 = "roche_salesforce_connector_profile1"
DAG_ID = "sfdc_ingest__account"
FLOW = f"dev-{G1}-account"
TASK = f"{G1}.wait_for_flow"
APPFLOW_ERROR = "INVALID_SESSION_ID: Session expired or invalid"


def failing_run(dags: Any, sandbox: Any, day: dt.date) -> Any:
    """Run the account DAG for `day` with its AppFlow run ending in Error; the run must fail there."""
    sandbox.service("appflow").inject(FLOW, "fail", APPFLOW_ERROR)
    run = run_day(dags[DAG_ID], day)
    states = task_states(run)
    assert run.state == "failed", states
    assert states[TASK] == "failed"
    assert [t for t, s in states.items() if s == "failed"] == [TASK], "only wait_for_flow fails"
    return run


def new_sns(endpoint: str, before: int) -> list[dict[str, Any]]:
    return sns_messages(endpoint)[before:]


def test_a_failed_task_alerts_sns_and_every_webhook_once_in_its_format(
    dags: Any,
    sandbox: Any,
    pipeline_env: str,
    receiver: Any,
    webhooks_secret: Callable[..., None],
    capfd: pytest.CaptureFixture[str],
) -> None:
    webhooks_secret(alerts="generic", chat="slack", channel="teams")
    before = len(sns_messages(pipeline_env))
    day = dt.date(2025, 1, 8)
    run = failing_run(dags, sandbox, day)
    _, logical_date = interval_starting_on(dags[DAG_ID], day)
    log_path = f"/dags/{DAG_ID}/runs/{quote(run.run_id)}/tasks/{TASK}?try_number=1"

    sns = new_sns(pipeline_env, before)
    assert len(sns) == 1, sns
    text = sns[0]["message"]
    for expected in (
        f"DAG: {DAG_ID}",
        f"Task: {TASK}",
        f"Run: {run.run_id}",
        f"Logical date: {logical_date.isoformat()}",
        "Try: 1",
        APPFLOW_ERROR,
        log_path,
    ):
        assert expected in text, (expected, text)
    assert "\n" not in text.split("Error: ", 1)[1].split("\nLog:")[0], "the error is one line"
    assert sns[0]["subject"] == f"Task failed [dev]: {DAG_ID}.{TASK}"

    generic = receiver.requests("alerts")
    assert len(generic) == 1
    body = generic[0]["json"]
    assert body["event"] == "failure"
    assert (body["dag_id"], body["task_id"], body["run_id"]) == (DAG_ID, TASK, run.run_id)
    assert body["logical_date"] == logical_date.isoformat()
    assert body["try_number"] == 1
    assert APPFLOW_ERROR in body["error"]
    assert body["log_url"].endswith(log_path)

    slack = receiver.requests("chat")
    assert len(slack) == 1
    assert APPFLOW_ERROR in slack[0]["json"]["text"]
    assert slack[0]["json"]["blocks"][0]["type"] == "header"
    teams = receiver.requests("channel")
    assert len(teams) == 1
    card = teams[0]["json"]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["actions"][0]["url"].endswith(log_path)

    output = capfd.readouterr()
    logged = output.out + output.err
    assert TOKEN not in logged, "a webhook URL (its token) reached the output"
    assert "/_sandbox/webhooks/alerts" not in logged
    assert "Alert sent to webhook alerts (127.0.0.1, #" in logged, "the webhook is logged by name and host"


def test_a_webhook_answering_500_is_retried_and_sns_still_gets_the_alert(
    dags: Any,
    sandbox: Any,
    pipeline_env: str,
    receiver: Any,
    webhooks_secret: Callable[..., None],
    capfd: pytest.CaptureFixture[str],
) -> None:
    webhooks_secret(broken="slack", alerts="generic")
    receiver.set_behaviour("broken", status=500)
    before = len(sns_messages(pipeline_env))
    failing_run(dags, sandbox, dt.date(2025, 1, 7))

    assert len(receiver.requests("broken")) == 3, "three tries, then it gives up"
    assert len(receiver.requests("alerts")) == 1, "the other webhook is not held back"
    sns = new_sns(pipeline_env, before)
    assert len(sns) == 1
    assert APPFLOW_ERROR in sns[0]["message"]

    output = capfd.readouterr()
    logged = output.out + output.err
    assert "Alert NOT sent to webhook broken (127.0.0.1, #" in logged
    assert "after 3 tries: HTTP 500" in logged
    assert f"ended Error: {APPFLOW_ERROR}" in logged, "the task's own failure is still AppFlow's"
    assert TOKEN not in logged


def test_a_webhook_that_hangs_is_given_up_within_the_bound(
    dags: Any,
    sandbox: Any,
    pipeline_env: str,
    receiver: Any,
    webhooks_secret: Callable[..., None],
    capfd: pytest.CaptureFixture[str],
) -> None:
    webhooks_secret(slow="teams")
    # Longer than each try's timeout: webhook_timeout_seconds, 0.5 s on the sandbox (3 s on AWS).
    receiver.set_behaviour("slow", delay_seconds=1.5)
    before = len(sns_messages(pipeline_env))
    started = time.monotonic()
    failing_run(dags, sandbox, dt.date(2025, 1, 6))
    elapsed = time.monotonic() - started

    assert len(receiver.requests("slow")) == 3
    # three tries of 0.5 s and two short pauses, bounded by the 2 s deadline: the run's own
    # tasks aside, the alert path adds seconds, not the 3 x 5 s the webhook would take
    assert elapsed < 20, f"the alert path held the worker {elapsed:.1f} s"
    assert len(new_sns(pipeline_env, before)) == 1
    output = capfd.readouterr()
    assert "Alert NOT sent to webhook slow" in output.out + output.err
    assert "timed out" in output.out + output.err


@pytest.mark.parametrize(
    ("secret", "note"),
    [
        (None, f"webhooks: secret '{SECRET}' could not be read (ResourceNotFoundException)"),
        ("{not json", "webhooks: the webhook secret is not JSON"),
    ],
    ids=["missing", "not-json"],  # other shapes: tests/unit/test_alerts.py
)
def test_a_missing_or_malformed_secret_still_sends_sns_with_a_note(
    dags: Any,
    sandbox: Any,
    pipeline_env: str,
    receiver: Any,
    set_secret: Callable[[str | None], None],
    secret: str | None,
    note: str,
) -> None:
    set_secret(secret)
    before = len(sns_messages(pipeline_env))
    failing_run(dags, sandbox, dt.date(2025, 1, 5))
    sns = new_sns(pipeline_env, before)
    assert len(sns) == 1
    assert APPFLOW_ERROR in sns[0]["message"]
    assert f"Note: {note}" in sns[0]["message"]
    assert receiver.store.names() == {}


def test_sns_failing_leaves_the_webhooks_working(
    dags: Any,
    sandbox: Any,
    topic_sns: Any,
    alert_topic: str,
    receiver: Any,
    webhooks_secret: Callable[..., None],
    capfd: pytest.CaptureFixture[str],
) -> None:
    webhooks_secret(alerts="generic")
    topic_sns.delete_topic(TopicArn=alert_topic)
    try:
        failing_run(dags, sandbox, dt.date(2025, 1, 4))
    finally:
        topic_sns.create_topic(Name=alert_topic.rsplit(":", 1)[1])
    assert len(receiver.requests("alerts")) == 1
    output = capfd.readouterr()
    assert f"Alert NOT published to SNS {alert_topic}" in output.out + output.err
    assert f"ended Error: {APPFLOW_ERROR}" in output.out + output.err
