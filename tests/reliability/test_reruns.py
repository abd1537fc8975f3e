"""Reruns and backfills of intervals that already succeeded: the lake ends the same, and no alert.

A rerun replaces the interval's load (AppFlow writes a new folder, the Glue partition is moved to
it once checked, the older folder is pruned), so clearing a good run or running a backfill twice
can neither lose nor duplicate a record. Nothing failed, so nothing may alert: not even a "recovered",
which a cleared task used to send (docs/alerts.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.runs import run_day
from tests.pipeline.conftest import query, task_states
from tests.reliability.lake import ACCOUNT, G1, G2, Inbox, Interval, account, clear_and_rerun

pytestmark = pytest.mark.airflow

CONTACT = "sfdc_ingest__contact"


def every_alert_on(include: Path) -> None:
    """Every flow alerts on retries and recoveries too: the rerun must still send nothing."""
    flows = include / "config" / "flows.yaml"
    text = flows.read_text()
    assert "defaults:\n" in text
    flows.write_text(text.replace("defaults:\n", "defaults:\n  alert_on_retry: 1\n  recovery_alerts: 1\n", 1))


def test_clearing_a_succeeded_run_lands_the_same_rows_once_and_sends_no_alert(
    dags_from: Callable[..., dict[str, Any]],
    aws: Callable[[str], Any],
    org: Callable[[str], Any],
    inbox: Inbox,
) -> None:
    dag = dags_from(every_alert_on)[ACCOUNT]
    assert all(task.on_success_callback for task in dag.tasks), "recovery alerts are on"
    day = dt.date(2025, 1, 12)
    intervals = [account(dag, day, G1), account(dag, day, G2)]

    run = run_day(dag, day)
    assert run.state == "success", task_states(run)
    first = {str(i): sorted(i.assert_landed_exactly(aws, org), key=lambda r: str(r["Id"])) for i in intervals}
    inbox.assert_none()

    again = clear_and_rerun(dag, run)
    assert again.state == "success", task_states(again)
    assert {ti.try_number for ti in again.get_task_instances()} == {2}, "every task ran again"
    for interval in intervals:
        rows = sorted(interval.assert_landed_exactly(aws, org), key=lambda r: str(r["Id"]))
        assert rows == first[str(interval)], "the same records with the same values"
    inbox.assert_none()


def contacts(dag: Any, day: dt.date, group: str) -> Interval:
    """Contacts: daily deltas windowed on SystemModstamp, intervals starting at 02:00 UTC."""
    return Interval(dag, day, group, "contact", "Contact", "SystemModstamp")


def one_org(include: Path) -> None:
    """Contacts of the first org only: half the tasks per run, the same code path (suite time)."""
    flows = include / "config" / "flows.yaml"
    text = flows.read_text()
    anchor = "  - name: Contact\n"
    assert anchor in text
    # Without the sample's relationship to Account: it warns (an alert) for contacts whose account
    # this test never loads, and the case counts alerts.
    relationship = re.compile(r"      - kind: relationships[^\n]*\n(?:        .*\n)+")
    assert relationship.search(text)
    flows.write_text(
        relationship.sub(
            "",
            text.replace(anchor, anchor + "    connector_profile: roche-salesforce-connector-profile1\n", 1),
            1,
        )
    )


def test_a_three_day_backfill_run_twice_holds_each_days_records_once(
    dags_from: Callable[..., dict[str, Any]],
    aws: Callable[[str], Any],
    org: Callable[[str], Any],
    inbox: Inbox,
) -> None:
    dag = dags_from(one_org)[CONTACT]
    days = [dt.date(2025, 1, 9), dt.date(2025, 1, 10), dt.date(2025, 1, 11)]
    intervals = [contacts(dag, day, G1) for day in days]
    landed: list[dict[str, list[Any]]] = []
    for _ in range(2):
        for day in days:
            run = run_day(dag, day)
            assert run.state == "success", task_states(run)
        landed.append({str(i): sorted(r["Id"] for r in i.assert_landed_exactly(aws, org)) for i in intervals})
    assert landed[0] == landed[1]
    ids = [i for interval in intervals for i in landed[1][str(interval)]]
    assert len(ids) == len(set(ids)), "a record is in the partition of its current timestamp only"
    ((rows, distinct),) = query(
        aws("redshift-data"),
        f"SELECT COUNT(*), COUNT(DISTINCT id) FROM {G1}.contact_current "
        f"WHERE appflow_date_str IN ({', '.join(repr(f'{d:%Y%m%d}') for d in days)})",
    )
    assert rows == distinct == len(ids), "the current-state view holds each record once"
    inbox.assert_none()
