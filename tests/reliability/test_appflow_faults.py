"""AppFlow faults on real ingest runs: an error, records failed within a run, a hung execution.

For each: the run fails at `wait_for_flow` before anything is registered, one failure alert goes
to SNS and to the webhook, and a rerun once the fault is gone lands exactly the interval's records.
When the interval had landed before, the failed rerun leaves that load registered and readable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from sandbox.runs import run_day
from tests.pipeline.conftest import task_states
from tests.reliability.lake import ACCOUNT, ACCOUNT_FLOW, G1, G2, Inbox, Interval, account, failed_tasks

pytestmark = pytest.mark.airflow

OPPORTUNITY = "sfdc_ingest__opportunity_dev"
OPPORTUNITY_FLOW = f"dev-{G1}-opportunity_dev"
WAIT = f"{G1}.wait_for_flow"
APPFLOW_ERROR = "CONNECTOR_AUTHENTICATION: Salesforce session expired or invalid"


def opportunities(dag: Any, day: dt.date) -> Interval:
    """Full daily snapshots of one org: the interval's records are all of the org's records."""
    return Interval(dag, day, G1, "opportunity_dev", "Opportunity", None)


def test_an_appflow_error_registers_nothing_alerts_once_and_a_rerun_lands_the_interval(
    dags: Any, sandbox: Any, aws: Callable[[str], Any], org: Callable[[str], Any], inbox: Inbox
) -> None:
    dag, day = dags[ACCOUNT], dt.date(2025, 1, 11)
    failing, other = account(dag, day, G1), account(dag, day, G2)
    sandbox.service("appflow").inject(ACCOUNT_FLOW, "fail", APPFLOW_ERROR)

    run = run_day(dag, day)
    assert run.state == "failed"
    assert failed_tasks(run) == [WAIT]
    states = task_states(run)
    assert {states[f"{G1}.{t}"] for t in ("has_records", "register_partition", "check_data")} == {
        "upstream_failed"
    }
    assert failing.files(aws("s3")) == [], "AppFlow's error wrote nothing"
    assert failing.registered(aws("glue")) == [], "no partition registered for a failed load"
    other.assert_landed_exactly(aws, org)  # the other org's load is not held back
    (alert,) = inbox.assert_exactly(("failure", ACCOUNT, WAIT, run))
    assert APPFLOW_ERROR in alert["error"]
    assert alert["try_number"] == 1

    inbox.reset()
    rerun = run_day(dag, day)  # the injected fault was one-shot: the org answers again
    assert rerun.state == "success", task_states(rerun)
    failing.assert_landed_exactly(aws, org)
    other.assert_landed_exactly(aws, org)
    inbox.assert_none()


def test_records_failed_within_a_run_fail_the_load_instead_of_being_lost(
    dags: Any, sandbox: Any, aws: Callable[[str], Any], org: Callable[[str], Any], inbox: Inbox
) -> None:
    """AppFlow ends such a run Successful with errorInfo.putFailuresCount; the lake must not take it
    as complete (check_data alone could not tell: it counts rows against records *processed*)."""
    dag, day = dags[OPPORTUNITY], dt.date(2025, 1, 3)
    target = opportunities(dag, day)
    expected = target.expected(org)
    sandbox.service("appflow").inject(OPPORTUNITY_FLOW, "partial")

    run = run_day(dag, day)
    assert run.state == "failed"
    assert failed_tasks(run) == [WAIT]
    assert task_states(run)[f"{G1}.register_partition"] == "upstream_failed"
    assert target.registered(aws("glue")) == [], "an incomplete partition must not be registered"
    written = {r["Id"] for r in target.rows(aws("s3"))}
    lost = len(expected) - len(written)
    assert lost > 0, "the injection made AppFlow drop records"
    assert written < set(expected), "what was written is part of the interval, nothing else"
    (alert,) = inbox.assert_exactly(("failure", OPPORTUNITY, WAIT, run))
    assert f"ended Successful but {lost} records failed" in alert["error"]
    assert f"{len(written)} written" in alert["error"]

    inbox.reset()
    rerun = run_day(dag, day)
    assert rerun.state == "success", task_states(rerun)
    rows = target.assert_landed_exactly(aws, org)  # the partial file was replaced, not added to
    assert len(rows) == len(expected)
    inbox.assert_none()


def test_a_hung_execution_times_out_is_cancelled_alerts_once_and_a_rerun_lands(
    dags: Any,
    dags_from: Callable[..., dict[str, Any]],
    sandbox: Any,
    aws: Callable[[str], Any],
    org: Callable[[str], Any],
    inbox: Inbox,
) -> None:
    quick = dags_from(AIRFLOW__LAKEHOUSE__APPFLOW_TIMEOUT_SECONDS="2")[OPPORTUNITY]
    day = dt.date(2025, 1, 4)
    target = opportunities(quick, day)
    sandbox.service("appflow").inject(OPPORTUNITY_FLOW, "hang")

    run = run_day(quick, day)
    assert run.state == "failed"
    assert failed_tasks(run) == [WAIT]
    executions = aws("appflow").describe_flow_execution_records(flowName=OPPORTUNITY_FLOW)["flowExecutions"]
    hung = executions[0]  # newest first
    assert hung["executionStatus"] == "Canceled", hung
    assert target.files(aws("s3")) == []
    assert target.registered(aws("glue")) == []
    (alert,) = inbox.assert_exactly(("failure", OPPORTUNITY, WAIT, run))
    assert "AirflowSensorTimeout" in alert["error"], alert["error"]

    inbox.reset()
    rerun = run_day(dags[OPPORTUNITY], day)
    assert rerun.state == "success", task_states(rerun)
    target.assert_landed_exactly(aws, org)
    inbox.assert_none()


def test_a_failed_rerun_leaves_the_landed_load_registered_and_readable(
    dags: Any, sandbox: Any, aws: Callable[[str], Any], org: Callable[[str], Any], inbox: Inbox
) -> None:
    """A rerun of a landed interval whose AppFlow run drops records: AppFlow has written a partial
    file into the interval's path, but readers keep the previous load whole, through the catalog and
    Spectrum, until a good rerun replaces it; that rerun then removes both older folders."""
    dag, day = dags[OPPORTUNITY], dt.date(2025, 1, 20)
    target = opportunities(dag, day)
    assert run_day(dag, day).state == "success"
    landed = target.assert_landed_exactly(aws, org)
    (location,) = target.registered(aws("glue"))
    inbox.reset()

    sandbox.service("appflow").inject(OPPORTUNITY_FLOW, "partial")
    run = run_day(dag, day)
    assert run.state == "failed"
    assert failed_tasks(run) == [WAIT]
    assert len(target.files(aws("s3"))) == 2, "the partial file sits beside the landed one"
    assert target.registered(aws("glue")) == [location], "the partition still points at the landed load"
    assert sorted(map(str, target.readable_rows(aws))) == sorted(map(str, landed))
    assert target.spectrum_counts(aws("redshift-data")) == (len(landed), len(landed))
    inbox.assert_exactly(("failure", OPPORTUNITY, WAIT, run))

    inbox.reset()
    rerun = run_day(dag, day)
    assert rerun.state == "success", task_states(rerun)
    target.assert_landed_exactly(aws, org)  # one file: the landed and the partial load are pruned
    assert target.registered(aws("glue")) != [location]
    inbox.assert_none()
