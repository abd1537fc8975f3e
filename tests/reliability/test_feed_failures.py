"""A feed's Glue job failing for real (its source table is gone): one alert to SNS and to the
webhook, naming the job's own error, and the partition an earlier run landed stays as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.feeds.service import FeedSources, sources
from sandbox.runs import run_day
from tests.pipeline.conftest import partition_rows, query, task_states
from tests.reliability.conftest import sns_messages

DAG_ID = "onprem_feed__crm_territories"
CURATED = "gtm-lakehouse-dev-curated"
PREFIX = "onprem/crm_territories/load_date=20250112/"
SOURCE_ERROR = "no such table: territories"


@pytest.fixture
def feed_sources(sandbox: Any, pipeline_env: str) -> Iterator[FeedSources]:
    service = sources(sandbox.service("/_sandbox/feeds/"))
    yield service
    service.reset()


def keys(aws: Any) -> list[str]:
    listed = aws("s3").list_objects_v2(Bucket=CURATED, Prefix=PREFIX)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_a_failed_glue_job_alerts_once_and_keeps_the_previous_partition(
    dags: Any,
    aws: Any,
    pipeline_env: str,
    receiver: Any,
    webhooks_secret: Callable[..., None],
    feed_sources: FeedSources,
    capfd: pytest.CaptureFixture[str],
) -> None:
    webhooks_secret(alerts="generic")
    day = dt.date(2025, 1, 12)
    good = run_day(dags[DAG_ID], day)
    assert good.state == "success", task_states(good)
    files_before, rows_before = keys(aws), partition_rows(aws("s3"), CURATED, PREFIX)
    assert files_before
    assert rows_before
    receiver.clear()
    sns_before = len(sns_messages(pipeline_env))

    feed_sources.hide_table()
    run = run_day(dags[DAG_ID], day)
    states = task_states(run)
    assert run.state == "failed"
    assert [task for task, state in states.items() if state == "failed"] == ["run_job"]

    sns = sns_messages(pipeline_env)[sns_before:]
    assert len(sns) == 1, sns
    assert sns[0]["subject"] == f"Task failed [dev]: {DAG_ID}.run_job"
    for expected in (f"DAG: {DAG_ID}", "Task: run_job", f"Run: {run.run_id}", SOURCE_ERROR):
        assert expected in sns[0]["message"], (expected, sns[0]["message"])
    webhook = receiver.requests("alerts")
    assert len(webhook) == 1
    body = webhook[0]["json"]
    assert (body["event"], body["dag_id"], body["task_id"]) == ("failure", DAG_ID, "run_job")
    assert (
        "ended FAILED: FeedError: reading sqlite table territories failed: " + SOURCE_ERROR in body["error"]
    )

    assert keys(aws) == files_before, "the failed run left the earlier run's file in place"
    assert partition_rows(aws("s3"), CURATED, PREFIX) == rows_before
    counted = query(
        aws("redshift-data"),
        "SELECT COUNT(*) FROM onprem_ext.crm_territories WHERE load_date = '20250112'",
    )
    assert int(counted[0][0]) == len(rows_before)
    output = capfd.readouterr()
    assert "sqlite:///" not in output.out + output.err, "the database URL (a secret) reached the log"
