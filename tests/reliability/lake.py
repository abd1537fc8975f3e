"""What the reliability cases assert with: the lake's state for one interval, and the alerts received.

Every case checks both sides of a fault: the data (the partition's Parquet rows against the emulated
org's records for the interval, one file, one Glue partition, Spectrum reading it) and the alerts
(exactly the expected ones, each once, in SNS and in the webhook receiver, with the DAG, task, run
id and the task's log link).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock
from urllib.parse import quote

from lakehouse.alerts.message import SNS_SUBJECT_MAX, one_line
from sandbox.runs import interval_starting_on
from tests.pipeline.conftest import RAW, partition_rows, query, task_states, window
from tests.reliability.conftest import sns_messages

G1 = "roche_salesforce_connector_profile1"
G2 = "roche_salesforce_connector_profile2"
PROFILE = {G1: "roche-salesforce-connector-profile1", G2: "roche-salesforce-connector-profile2"}
ACCOUNT = "sfdc_ingest__account"
ACCOUNT_FLOW = f"dev-{G1}-account"
HEADLINES = {
    "failure": "Task failed",
    "retry": "Task failed, will retry",
    "recovery": "Task recovered",
    "limited": "Salesforce API limit reached, runs paused",
    "warning": "Checks warned, load published",
}


def partitions(glue: Any, database: str, table: str) -> list[tuple[str, str]]:
    """Every registered (value, location) of a table; a value registered twice shows twice."""
    try:
        pages = glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table)
        return [
            (p["Values"][0], p["StorageDescriptor"]["Location"]) for page in pages for p in page["Partitions"]
        ]
    except glue.exceptions.EntityNotFoundException:
        return []


@dataclass(frozen=True)
class Interval:
    """One data interval of one object in one connector profile: where it lands and what it must hold."""

    dag: Any
    day: dt.date
    group: str
    table: str
    object_name: str
    timestamp_field: str | None  # None: a full load, every record of the org
    bookmark_col: str = "appflow_date_str"

    @property
    def value(self) -> str:
        start, _ = interval_starting_on(self.dag, self.day)
        return f"{start:%Y%m%d}"

    @property
    def prefix(self) -> str:
        return f"appflow/{self.group}/{self.table}/{self.bookmark_col}={self.value}/"

    @property
    def database(self) -> str:
        return f"{self.group}_dev"

    def expected(self, org: Callable[[str], Any]) -> dict[str, Any]:
        """What the emulated org holds for the interval, by Id: the truth the lake must match."""
        source = org(PROFILE[self.group])
        if self.timestamp_field is None:
            return {str(r["Id"]): r for r in source.records(self.object_name, include_deleted=True)}
        start, end = interval_starting_on(self.dag, self.day)
        return window(source, self.object_name, self.timestamp_field, start, end)

    def files(self, s3: Any) -> list[str]:
        return [o["Key"] for o in s3.list_objects_v2(Bucket=RAW, Prefix=self.prefix).get("Contents", [])]

    def rows(self, s3: Any) -> list[dict[str, Any]]:
        return partition_rows(s3, RAW, self.prefix)

    @property
    def flow_folder(self) -> str:
        """Where AppFlow writes this interval's loads, one folder per execution."""
        return f"{self.prefix}dev-{self.group}-{self.table}/"

    def registered(self, glue: Any) -> list[str]:
        """The locations registered for this interval's partition value (one, or none)."""
        return [loc for value, loc in partitions(glue, self.database, self.table) if value == self.value]

    def readable_rows(self, aws: Callable[[str], Any]) -> list[dict[str, Any]]:
        """The rows a reader gets: those of the load the catalog points at."""
        (location,) = self.registered(aws("glue"))
        return partition_rows(aws("s3"), RAW, location.removeprefix(f"s3://{RAW}/"))

    def spectrum_counts(self, redshift: Any) -> tuple[int, int]:
        """(rows, distinct ids) of the partition read through Spectrum, i.e. the Glue catalog."""
        sql = (
            f"SELECT COUNT(*), COUNT(DISTINCT id) FROM {self.group}_ext.{self.table} "
            f"WHERE {self.bookmark_col} = '{self.value}'"
        )
        ((rows, ids),) = query(redshift, sql)
        return int(rows), int(ids)

    def assert_landed_exactly(
        self, aws: Callable[[str], Any], org: Callable[[str], Any]
    ) -> list[dict[str, Any]]:
        """The interval holds every record of the org's window once: one file, in the one load folder
        the partition points at (earlier loads pruned), Spectrum reading the same count. Returns the
        rows."""
        expected = self.expected(org)
        assert expected, f"{self} has no records in the org: the case would prove nothing"
        rows = self.rows(aws("s3"))
        ids = [str(r["Id"]) for r in rows]
        assert len(ids) == len(set(ids)), f"{self.prefix}: duplicated Ids"
        assert sorted(ids) == sorted(expected), (
            f"{self.prefix}: missing {sorted(set(expected) - set(ids))}, extra {sorted(set(ids) - set(expected))}"
        )
        (file,) = self.files(aws("s3"))
        (location,) = self.registered(aws("glue"))
        assert location.startswith(f"s3://{RAW}/{self.flow_folder}"), location
        assert f"s3://{RAW}/{file}".startswith(location), (file, location)
        assert self.spectrum_counts(aws("redshift-data")) == (len(expected), len(expected))
        return rows

    def __str__(self) -> str:
        return f"{self.dag.dag_id} {self.group} {self.day}"


def account(dag: Any, day: dt.date, group: str = G1) -> Interval:
    """Accounts: daily deltas windowed on SystemModstamp, both connector profiles."""
    return Interval(dag, day, group, "account", "Account", "SystemModstamp")


def clear_and_rerun(dag: Any, run: Any) -> Any:
    """Clear every task of a finished run and run them again in that same run, as the UI's Clear does.

    `dag.test()` (`run_day`) clears the interval's task instances with Airflow's own clear (history
    recorded, `max_tries` raised) and then deletes the run and creates a new one whose tasks start
    again at try 1. An operator's Clear keeps the run: its tasks run again on their next try number.
    So here the run is kept and requeued (what the scheduler does with a cleared run), and `dag.test`
    drives it; returns the run, refreshed.
    """
    from airflow.models import dagrun as dagrun_module
    from airflow.models.dagbag import DBDagBag
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from sqlalchemy import select

    with create_session() as session:
        stored = DBDagBag().get_dag_for_run(dag_run=run, session=session)
        # Airflow's clear takes each task's retries from the run's DAG in the metadata DB: it must be
        # the DAG that ran, or the clear is not the one an operator would make.
        assert stored is not None
        assert {t.task_id: t.retries for t in stored.tasks} == {t.task_id: t.retries for t in dag.tasks}

    def same_run(*, dag: Any, session: Any, **_: Any) -> Any:
        kept = session.scalar(
            select(dagrun_module.DagRun).where(
                dagrun_module.DagRun.dag_id == dag.dag_id, dagrun_module.DagRun.run_id == run.run_id
            )
        )
        assert kept is not None, f"run {run.run_id} is gone"
        kept.dag = dag
        kept.state, kept.end_date = DagRunState.RUNNING, None
        kept.clear_number = (kept.clear_number or 0) + 1
        session.commit()
        return kept

    with mock.patch.object(dagrun_module, "get_or_create_dagrun", same_run):
        again = dag.test(logical_date=run.logical_date)
    assert again.run_id == run.run_id
    return again


def failed_tasks(run: Any) -> list[str]:
    return sorted(task for task, state in task_states(run).items() if state == "failed")


@dataclass
class Inbox:
    """The alerts one test receives: SNS messages after its start, and the generic webhook `alerts`."""

    endpoint: str
    receiver: Any
    sns_before: int = 0

    def sns(self) -> list[dict[str, Any]]:
        return sns_messages(self.endpoint)[self.sns_before :]

    def webhook(self) -> list[dict[str, Any]]:
        return [request["json"] for request in self.receiver.requests("alerts")]

    def reset(self) -> None:
        """Forget what was received so far (checked already)."""
        self.sns_before = len(sns_messages(self.endpoint))
        self.receiver.clear("alerts")

    def assert_none(self) -> None:
        assert self.sns() == [], [m["subject"] for m in self.sns()]
        assert self.webhook() == [], [(b["event"], b["task_id"]) for b in self.webhook()]

    def assert_exactly(self, *expected: tuple[str, str, str, Any]) -> list[dict[str, Any]]:
        """Exactly these alerts, each once: (event, dag_id, task_id, run) in SNS and in the webhook.

        Each carries the DAG, task and run id and the link to that try's log. Returns the webhook
        bodies in the order of `expected`.
        """
        sns, bodies = self.sns(), self.webhook()
        got_sns = sorted(_headline(m) for m in sns)
        want_sns = sorted(f"{HEADLINES[event]} [dev]: {dag}.{task}" for event, dag, task, _ in expected)
        assert got_sns == want_sns, [m["message"] for m in sns]
        got_hooks = sorted((b["event"], b["dag_id"], b["task_id"], b["run_id"]) for b in bodies)
        want_hooks = sorted((event, dag, task, run.run_id) for event, dag, task, run in expected)
        assert got_hooks == want_hooks, bodies
        ordered = []
        for event, dag, task, run in expected:
            (body,) = [b for b in bodies if (b["event"], b["task_id"]) == (event, task)]
            (message,) = [m for m in sns if _headline(m) == f"{HEADLINES[event]} [dev]: {dag}.{task}"]
            assert message["subject"] == one_line(_headline(message), SNS_SUBJECT_MAX, "...")
            log_path = f"/dags/{dag}/runs/{quote(run.run_id)}/tasks/{task}?try_number={body['try_number']}"
            assert body["log_url"].endswith(log_path), body["log_url"]
            for fact in (f"DAG: {dag}", f"Task: {task}", f"Run: {run.run_id}", log_path):
                assert fact in message["message"], (fact, message["message"])
            ordered.append(body)
        return ordered


def _headline(message: dict[str, Any]) -> str:
    """The message's first line: the subject before SNS's 100-character limit cut it."""
    return str(message["message"]).split("\n", 1)[0]
