"""Backfill and rerun through the real scheduler: `make airflow`'s stack (tests/stack.py) driven by
the REST API only, as an operator would from the UI or with curl.

`sfdc_ingest__opportunity_dev` (one connector profile, full snapshots) is unpaused, which makes the
scheduler start its latest scheduled interval (catchup is off); once that run is done, a backfill
(POST /api/v2/backfills) runs 2025-01-13 and 2025-01-14, then one of its runs is cleared
(POST .../dagRuns/{run_id}/clear) and reruns. The lake must then hold, for each interval, exactly
one Parquet file whose rows are the org's Opportunities, and one Glue partition pointing at it.

Select it with `pytest -m airflow tests/pipeline/test_backfill_rest.py` (~105 s on 2 cores: ~18 s
stack start, ~70 s for the four runs, ~15 s to stop).
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.pipeline.conftest import P1, RAW, partition_rows
from tests.stack import (
    READY_TIMEOUT,
    Stack,
    answers_ok,
    assert_sigint_stops_every_process,
    call,
    running_stack,
)

pytestmark = [pytest.mark.airflow, pytest.mark.timeout(420)]

DAG_ID = "sfdc_ingest__opportunity_dev"
GROUP = "roche_salesforce_connector_profile1"
DATABASE, TABLE = f"{GROUP}_dev", "opportunity_dev"
PREFIX = f"appflow/{GROUP}/opportunity_dev/appflow_date_str="
FROM, TO = "2025-01-13T00:00:00Z", "2025-01-14T00:00:00Z"  # logical dates = interval starts (UTC)
DAYS = ["20250113", "20250114"]
RUN_TIMEOUT = 150.0
BAD = {"failed", "up_for_retry", "upstream_failed"}  # retries wait 5 minutes (flows.yaml): fail now


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("backfill-rest")) as running:
        yield running


@pytest.fixture(scope="module")
def token(stack: Stack) -> str:
    return stack.login()


class Api:
    def __init__(self, stack: Stack, token: str) -> None:
        self.stack, self.token = stack, token
        self.dag = f"{stack.url}/api/v2/dags/{DAG_ID}"

    def __call__(self, url: str, method: str = "GET", body: Any = None) -> Any:
        return call(url, method, body, self.token)

    def runs(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self(self.dag + "/dagRuns?limit=100&order_by=logical_date")["dag_runs"]
        return found

    def task_instances(self, run_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self(f"{self.dag}/dagRuns/{run_id}/taskInstances")["task_instances"]
        return found

    def wait_for_success(self, run_id: str) -> dict[str, Any]:
        """The run once it succeeded; a failed task fails the test at once, with its log."""

        def finished() -> dict[str, Any] | None:
            for ti in self.task_instances(run_id):
                if ti["state"] in BAD:
                    log = self(
                        f"{self.dag}/dagRuns/{run_id}/taskInstances/{ti['task_id']}/logs/{ti['try_number']}"
                    )
                    pytest.fail(f"{run_id}: {ti['task_id']} is {ti['state']}:\n{log['content']}"[-8000:])
            run: dict[str, Any] = self(f"{self.dag}/dagRuns/{run_id}")
            assert run["state"] != "failed", run
            return run if run["state"] == "success" else None

        return self.stack.wait(f"{DAG_ID} run {run_id} to succeed", finished, RUN_TIMEOUT, every=1.0)


def _s3_and_glue(stack: Stack) -> tuple[Any, Any]:
    endpoint = stack.sandbox_url
    return (
        boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-1"),
        boto3.client("glue", endpoint_url=endpoint, region_name="eu-west-1"),
    )


def _org_opportunities(stack: Stack) -> dict[str, dict[str, Any]]:
    """The org's Opportunities by Id, from the sandbox's control endpoint (it runs in another process)."""
    query = urllib.parse.urlencode({"connectorProfileName": P1, "object": "Opportunity"})
    records = call(f"{stack.sandbox_url}/_sandbox/appflow/records?{query}")["records"]
    return {str(r["Id"]): r for r in records}


def _partition_files(s3: Any, day: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=RAW, Prefix=f"{PREFIX}{day}/").get("Contents", [])
    return [item["Key"] for item in listed]


def _glue_partitions(glue: Any) -> list[tuple[str, str]]:
    found = glue.get_partitions(DatabaseName=DATABASE, TableName=TABLE)["Partitions"]
    return [(p["Values"][0], p["StorageDescriptor"]["Location"]) for p in found]


def _when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_backfill_then_clear_leaves_one_partition_per_interval(stack: Stack, token: str) -> None:
    api = Api(stack, token)
    stack.wait(f"{DAG_ID} to be parsed", lambda: answers_ok(api.dag, token), READY_TIMEOUT)

    # 1. Unpausing starts the latest scheduled interval (catchup=False), and the backfill starts
    # at once beside it with the REST API's default of 10 active runs: Airflow 3 counts backfill
    # runs apart from the DAG's max_active_runs, so three runs of one flow overlap. The flow's
    # rewrite (run_flow) is limited to one at a time across runs; the lake must come out right.
    assert api(api.dag, "PATCH", {"is_paused": False})["is_paused"] is False
    # The backfill is created once the scheduler has created its run, so that the runs overlap
    # whatever the timing: the scheduled one has only been created, not run. (On SQLite, the
    # stack's DB before PostgreSQL, the two writes raced: the scheduler's commit failed with
    # StaleDataError and the backfill request got a 503 "database is locked".)
    stack.wait(
        f"{DAG_ID}'s scheduled run", lambda: [r for r in api.runs() if r["run_type"] == "scheduled"], 60
    )

    # 2. The backfill: from/to are logical dates (interval starts), both included; the run ids
    # name the run_after (interval end): backfill__2025-01-14... is the interval 2025-01-13.
    request = {"dag_id": DAG_ID, "from_date": FROM, "to_date": TO}
    planned = api(f"{stack.url}/api/v2/backfills/dry_run", "POST", request)["backfills"]
    assert [_when(b["logical_date"]) for b in planned] == [_when(FROM), _when(TO)], planned
    backfill = api(f"{stack.url}/api/v2/backfills", "POST", request)
    assert backfill["max_active_runs"] > 1, backfill

    def backfill_runs() -> list[dict[str, Any]] | None:
        runs = [r for r in api.runs() if r["run_type"] == "backfill"]
        return runs if len(runs) == 2 else None

    runs = stack.wait("the backfill's two runs", backfill_runs, READY_TIMEOUT)
    scheduled = stack.wait(
        "the scheduled run",
        lambda: [r for r in api.runs() if r["run_type"] == "scheduled"] or None,
        READY_TIMEOUT,
    )
    assert len(scheduled) == 1, scheduled
    done = [api.wait_for_success(r["dag_run_id"]) for r in runs]
    latest = api.wait_for_success(scheduled[0]["dag_run_id"])
    latest_day = _when(latest["data_interval_start"]).strftime("%Y%m%d")
    assert [_when(r["data_interval_start"]).strftime("%Y%m%d") for r in done] == DAYS, done
    assert [_when(r["data_interval_end"]) - _when(r["data_interval_start"]) for r in done] == [
        dt.timedelta(days=1)
    ] * 2

    s3, glue = _s3_and_glue(stack)
    before = {day: _partition_files(s3, day) for day in DAYS}

    # 3. Rerun the first interval as the UI's "Clear" on a run does.
    rerun = done[0]["dag_run_id"]
    cleared = api(f"{api.dag}/dagRuns/{rerun}/clear", "POST", {"dry_run": False})
    assert cleared["state"] == "queued", cleared
    again = api.wait_for_success(rerun)
    assert _when(again["end_date"]) > _when(done[0]["end_date"])
    tries = {ti["task_id"].rpartition(".")[2]: ti["try_number"] for ti in api.task_instances(rerun)}
    assert tries["run_flow"] == tries["check_data"] == 2, tries

    # 4. The lake: one file per interval with the org's rows, one Glue partition per interval.
    expected = _org_opportunities(stack)
    assert expected
    for day in DAYS:
        files = _partition_files(s3, day)
        assert len(files) == 1, f"{day}: {files}"
        assert files[0].endswith(".parquet"), files
        rows = partition_rows(s3, RAW, f"{PREFIX}{day}/")
        assert sorted(r["Id"] for r in rows) == sorted(expected), day
        assert all(r["Name"] == expected[r["Id"]]["Name"] for r in rows), day
    assert _partition_files(s3, DAYS[0]) != before[DAYS[0]], "the rerun wrote a new file, the old one went"
    assert _partition_files(s3, DAYS[1]) == before[DAYS[1]], "the other interval is untouched"
    # each partition points at the folder of its interval's one remaining load
    registered = dict(_glue_partitions(glue))
    assert sorted(registered) == sorted([*DAYS, latest_day])
    for day in DAYS:
        (file,) = _partition_files(s3, day)
        assert f"s3://{RAW}/{file}".startswith(registered[day]), (day, registered[day])
        assert registered[day].startswith(f"s3://{RAW}/{PREFIX}{day}/dev-{GROUP}-opportunity_dev/")


def test_sigint_stops_every_process(stack: Stack, token: str) -> None:
    """Last in this module: it stops the stack the other test used."""
    assert_sigint_stops_every_process(stack)
