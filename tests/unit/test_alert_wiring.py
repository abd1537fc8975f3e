"""How build.py wires the alert notifier into every generated DAG, and the callback boundary."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest

from lakehouse.airflow.alerting import LakehouseAlertNotifier
from lakehouse.airflow.build import build_dag
from lakehouse.config import load_config
from lakehouse.plan import DagPlan, plan_environment
from tests.conftest import REPO, SAMPLE_CONFIG


def plans() -> list[DagPlan]:
    return plan_environment(load_config(SAMPLE_CONFIG), "dev")


def callbacks(task: Any, kind: str) -> list[Any]:
    value = getattr(task, kind)
    return list(value) if isinstance(value, list | tuple) else [value] if value else []


def test_every_task_of_every_dag_alerts_on_failure_only_by_default() -> None:
    for plan in plans():
        dag = build_dag(plan, REPO / "include" / "sql")
        notifiers = {id(n) for t in dag.tasks for n in callbacks(t, "on_failure_callback")}
        assert len(notifiers) == 1, f"{dag.dag_id}: one shared notifier"
        for task in dag.tasks:
            (notifier,) = callbacks(task, "on_failure_callback")
            assert isinstance(notifier, LakehouseAlertNotifier)
            assert notifier.event == "failure"
            assert notifier.sns_topic_arn == plan.environment.alerts.sns_topic_arn
            assert notifier.webhook_secret == plan.environment.alerts.webhook_secret
            assert callbacks(task, "on_retry_callback") == []
            assert callbacks(task, "on_success_callback") == []


def test_flow_keys_add_retry_and_recovery_alerts() -> None:
    plan = plans()[0]
    flow = plan.flow.model_copy(update={"alert_on_retry": True, "recovery_alerts": True})
    dag = build_dag(dataclasses.replace(plan, flow=flow), REPO / "include" / "sql")
    task = dag.tasks[0]
    assert [n.event for n in callbacks(task, "on_retry_callback")] == ["retry"]
    assert [n.event for n in callbacks(task, "on_success_callback")] == ["recovery"]


class _Ti:
    dag_id, task_id, run_id, try_number = "d", "t", "r", 1
    log_url = "http://x/dags/d/runs/r/tasks/t?try_number=1"


def notifier(event: Any = "failure") -> LakehouseAlertNotifier:
    return LakehouseAlertNotifier(
        environment="dev",
        sns_topic_arn="arn:aws:sns:eu-west-1:111111111111:t",
        webhook_secret="s",
        aws_conn_id="aws_default",
        region_name="eu-west-1",
        event=event,
    )


def test_nothing_raises_out_of_the_callback(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def broken(self: Any, context: Any) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(LakehouseAlertNotifier, "notify", broken)
    notifier()({"ti": _Ti(), "exception": ValueError("the task's own error")})
    output = capfd.readouterr()
    assert "Alert (failure) could not be sent" in output.out + output.err


class _Task:
    retries = 2


class _RuntimeTi(_Ti):
    """What the success callback sees: try number, max_tries and the task's retries."""

    task = _Task()

    def __init__(self, try_number: int, max_tries: int) -> None:
        self.try_number, self.max_tries = try_number, max_tries


@pytest.mark.parametrize(
    ("try_number", "max_tries", "sent"),
    [
        (1, 2, False),  # first try of a new TI (max_tries = retries)
        (2, 2, True),  # automatic retry after try 1 failed
        (3, 2, True),  # second retry
        (2, 3, False),  # cleared after try 1 (succeeded or failed): max_tries = 1 + retries
        (3, 3, True),  # that cleared series' own retry
        (5, 6, False),  # cleared again after try 4
    ],
)
def test_recovery_is_sent_only_when_the_previous_try_failed_and_was_retried(
    try_number: int, max_tries: int, sent: bool
) -> None:
    assert notifier("recovery").should_send({"ti": _RuntimeTi(try_number, max_tries)}) is sent


def test_recovery_is_not_sent_when_the_series_cannot_be_told() -> None:
    ti = _Ti()
    ti.try_number = 2  # no max_tries, no task: a cleared task looks the same
    assert not notifier("recovery").should_send({"ti": ti})
    assert notifier("failure").should_send({"ti": _Ti()})


def test_unreachable_aws_is_logged_not_raised_and_bounded(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """SNS and Secrets Manager both refuse connections: a note, two error lines, no raise."""
    dead = {"conn_type": "aws", "extra": {"endpoint_url": "http://127.0.0.1:9", "region_name": "eu-west-1"}}
    monkeypatch.setenv("AIRFLOW_CONN_DEAD_AWS", json.dumps(dead))
    alerting = LakehouseAlertNotifier(
        environment="dev",
        sns_topic_arn="arn:aws:sns:eu-west-1:111111111111:t",
        webhook_secret="s",
        aws_conn_id="dead_aws",
        region_name="eu-west-1",
    )
    started = time.monotonic()
    alerting({"ti": _Ti(), "exception": ValueError("the task's own error")})
    assert time.monotonic() - started < 15
    output = capfd.readouterr()
    logged = output.out + output.err
    assert "secret 's' could not be read (EndpointConnectionError)" in logged
    assert "Alert NOT published to SNS arn:aws:sns:eu-west-1:111111111111:t" in logged
    assert "could not be sent" not in logged, "expected failures are handled narrowly, not at the boundary"
