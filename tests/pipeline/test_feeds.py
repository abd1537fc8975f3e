"""On-prem feeds end to end on the sandbox: the real Glue job script reads the sandbox's SQLite
database, paged HTTP API and file drops, and the DAG registers and checks what landed."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.feeds import data
from sandbox.feeds.service import FeedSources, sources
from sandbox.provision import provision
from sandbox.runs import interval_starting_on, run_day
from tests.conftest import REPO
from tests.pipeline.conftest import partition_rows, query, task_states

CURATED = "gtm-lakehouse-dev-curated"
DATABASE = "onprem_dev"
SCHEMA = "onprem_ext"


@pytest.fixture
def feed_sources(sandbox: Any, pipeline_env: str) -> Iterator[FeedSources]:
    """The sandbox's sources, back to normal after the test whatever it injected."""
    service = sources(sandbox.service("/_sandbox/feeds/"))
    yield service
    service.reset()


def landed(aws: Any, table: str, day: dt.date) -> list[dict[str, Any]]:
    return partition_rows(aws("s3"), CURATED, f"onprem/{table}/load_date={day:%Y%m%d}/")


def partitions(glue: Any, table: str) -> dict[str, str]:
    found = glue.get_partitions(DatabaseName=DATABASE, TableName=table)["Partitions"]
    return {p["Values"][0]: p["StorageDescriptor"]["Location"] for p in found}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_database_feed_lands_its_window_registers_it_and_spectrum_reads_it(
    dags: Any, aws: Any, feed_sources: FeedSources
) -> None:
    dag = dags["onprem_feed__crm_territories"]
    day = dt.date(2025, 1, 14)
    start, end = interval_starting_on(dag, day)
    run = run_day(dag, day)
    assert run.state == "success", task_states(run)

    expected = {r["id"]: r for r in data.territories() if start <= r["updated_at"] < end}
    rows = landed(aws, "crm_territories", day)
    assert 0 < len(expected) < len(data.territories())
    assert sorted(r["id"] for r in rows) == sorted(expected)
    for row in rows:
        source = expected[row["id"]]
        assert (row["code"], row["name"], row["region"], row["quota"]) == (
            source["code"],
            source["name"],
            source["region"],
            source["quota"],
        )
        assert row["active"] == int(source["active"])
        assert row["updated_at"] == source["updated_at"]

    glue = aws("glue")
    table = glue.get_table(DatabaseName=DATABASE, Name="crm_territories")["Table"]
    columns = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    assert columns == {
        "id": "bigint",
        "code": "string",
        "name": "string",
        "region": "string",
        "manager_email": "string",
        "quota": "double",
        "active": "bigint",
        "updated_at": "timestamp",
    }
    assert [k["Name"] for k in table["PartitionKeys"]] == ["load_date"]
    # Each run writes a folder of its own; the partition is pointed at it once the load is audited.
    location = partitions(glue, "crm_territories")["20250114"]
    assert location.startswith(f"s3://{CURATED}/onprem/crm_territories/load_date=20250114/run=")

    by_region = query(
        aws("redshift-data"),
        f"SELECT region, COUNT(*), SUM(quota) FROM {SCHEMA}.crm_territories "
        "WHERE load_date = '20250114' GROUP BY region ORDER BY region",
    )
    truth: dict[str, list[float]] = {}
    for r in expected.values():
        truth.setdefault(r["region"], []).append(r["quota"])
    assert [(r[0], int(r[1])) for r in by_region] == [(k, len(v)) for k, v in sorted(truth.items())]
    for region, _, total in by_region:
        assert float(total) == pytest.approx(sum(truth[region]))


def test_an_api_feed_follows_the_pages_of_its_window(dags: Any, aws: Any, feed_sources: FeedSources) -> None:
    dag = dags["onprem_feed__hcp_registry"]
    day = dt.date(2025, 1, 13)
    start, end = interval_starting_on(dag, day)
    run = run_day(dag, day)
    assert run.state == "success", task_states(run)

    expected = {r["hcp_id"]: r for r in data.professionals() if start <= utc(r["updated_at"]) < end}
    assert len(expected) > 10, "more than one page of the API (10 records a page)"
    rows = landed(aws, "hcp_registry", day)
    assert sorted(r["hcp_id"] for r in rows) == sorted(expected)
    for row in rows:
        source = expected[row["hcp_id"]]
        for key in ("first_name", "last_name", "specialty", "city", "licensed"):
            assert row[key] == source[key], key
        assert row["updated_at"] == utc(source["updated_at"])
    counted = query(
        aws("redshift-data"),
        f"SELECT COUNT(*), COUNT(DISTINCT hcp_id) FROM {SCHEMA}.hcp_registry WHERE load_date = '20250113'",
    )
    assert [[int(v) for v in counted[0]]] == [[len(expected), len(expected)]]


def test_a_files_feed_lands_the_days_drop(dags: Any, aws: Any, feed_sources: FeedSources) -> None:
    dag = dags["onprem_feed__sales_targets"]  # cron(0 6 * * ? *): the interval starts at 06:00
    day = dt.date(2025, 1, 14)
    assert interval_starting_on(dag, day)[0] == dt.datetime(2025, 1, 14, 6, tzinfo=dt.UTC)
    run = run_day(dag, day)
    assert run.state == "success", task_states(run)

    rows = landed(aws, "sales_targets", day)
    key = ("region", "product")
    assert sorted(rows, key=lambda r: (r["region"], r["product"])) == sorted(
        data.sales_targets(day), key=lambda r: (r["region"], r["product"])
    )
    assert len({tuple(r[k] for k in key) for r in rows}) == len(rows)
    assert "20250114" in partitions(aws("glue"), "sales_targets")


def test_a_rerun_replaces_the_partition(dags: Any, aws: Any, feed_sources: FeedSources) -> None:
    dag = dags["onprem_feed__crm_territories"]
    day = dt.date(2025, 1, 13)
    prefix = "onprem/crm_territories/load_date=20250113/"
    first = run_day(dag, day)
    keys_once = [o["Key"] for o in aws("s3").list_objects_v2(Bucket=CURATED, Prefix=prefix)["Contents"]]
    rows_once = landed(aws, "crm_territories", day)
    second = run_day(dag, day)
    assert (first.state, second.state) == ("success", "success")
    keys_twice = [o["Key"] for o in aws("s3").list_objects_v2(Bucket=CURATED, Prefix=prefix)["Contents"]]
    rows_twice = landed(aws, "crm_territories", day)
    assert len(keys_once) == len(keys_twice) == 1
    assert keys_once != keys_twice, "the rerun wrote its own file and deleted the first run's"
    assert sorted(rows_twice, key=lambda r: r["id"]) == sorted(rows_once, key=lambda r: r["id"])
    assert len(rows_twice) == len({r["id"] for r in rows_twice}) > 0
    assert list(partitions(aws("glue"), "crm_territories")).count("20250113") == 1
    counted = query(
        aws("redshift-data"),
        f"SELECT COUNT(*) FROM {SCHEMA}.crm_territories WHERE load_date = '20250113'",
    )
    assert int(counted[0][0]) == len(rows_once)


def test_a_failing_source_fails_the_glue_run_and_the_task_with_its_message(
    dags: Any, aws: Any, sandbox: Any, feed_sources: FeedSources, capfd: pytest.CaptureFixture[str]
) -> None:
    feed_sources.fail_api(500, "registry database is down")
    dag = dags["onprem_feed__hcp_registry"]
    run = run_day(dag, dt.date(2025, 1, 15))
    states = task_states(run)
    assert run.state == "failed"
    assert states["run_job"] == "failed"
    assert states["discover_schema"] == "upstream_failed"

    glue_run = aws("glue").get_job_runs(JobName="dev-feed-hcp_registry")["JobRuns"][0]
    assert glue_run["JobRunState"] == "FAILED"
    reason = glue_run["ErrorMessage"]
    assert reason.startswith("FeedError: GET ")
    assert reason.endswith("failed after 4 attempts, last: HTTP 500 Internal Server Error")
    assert "/api/v1/professionals (page 1)" in reason
    output = capfd.readouterr()
    assert f"Glue job dev-feed-hcp_registry run {glue_run['Id']} ended FAILED: {reason}" in (
        output.out + output.err
    )
    assert landed(aws, "hcp_registry", dt.date(2025, 1, 15)) == []


SPARK_FEED = """\
  - name: CrmTerritoriesSpark
    description: The CRM's territories again, read by the spark engine
    source:
      kind: database
      secret: gtm-lakehouse/{env}/feeds/crm-db
      table: territories
      timestamp_column: updated_at
    target_table: crm_territories_spark
    engine: spark
    workers: {type: G.1X, count: 3}
    spark: {partition_column: id, lower_bound: 1, upper_bound: 40, num_partitions: 2}
"""


@pytest.fixture
def spark_feed_dag(pipeline_env: str) -> Iterator[Any]:
    """The sample's database feed as a second feed on engine spark (its Glue job provisioned as
    Terraform makes it: glueetl, 3 G.1X workers, the engine's arguments), parsed from dags/ again."""
    from airflow.dag_processing.dagbag import DagBag

    config = Path(os.environ["LAKEHOUSE_INCLUDE_DIR"]) / "config"
    feeds = config / "feeds.yaml"
    original = feeds.read_text()
    feeds.write_text(original + SPARK_FEED)
    try:
        provision(pipeline_env, config, "dev")
        bag = DagBag(str(REPO / "dags"))
        assert bag.import_errors == {}
        yield bag.dags["onprem_feed__crm_territories_spark"]
    finally:
        feeds.write_text(original)


@pytest.mark.spark
def test_a_spark_feed_runs_the_same_dag_and_lands_the_same_partition(
    dags: Any, aws: Any, spark_feed_dag: Any, feed_sources: FeedSources
) -> None:
    """engine: spark changes the Glue job, not the DAG: same tasks, same catalog steps and check;
    the partition holds the python engine's rows with its types, and Spectrum reads them."""
    python_dag = dags["onprem_feed__crm_territories"]
    assert list(spark_feed_dag.task_ids) == list(python_dag.task_ids)
    day = dt.date(2025, 1, 14)
    runs = [run_day(python_dag, day), run_day(spark_feed_dag, day)]
    assert [r.state for r in runs] == ["success", "success"], [task_states(r) for r in runs]

    ours = sorted(landed(aws, "crm_territories", day), key=lambda r: r["id"])
    spark = sorted(landed(aws, "crm_territories_spark", day), key=lambda r: r["id"])
    assert spark == ours
    assert len(ours) > 0
    glue = aws("glue")
    columns = {
        name: glue.get_table(DatabaseName=DATABASE, Name=name)["Table"]["StorageDescriptor"]["Columns"]
        for name in ("crm_territories", "crm_territories_spark")
    }
    assert columns["crm_territories_spark"] == columns["crm_territories"]
    job_run = glue.get_job_runs(JobName="dev-feed-crm_territories_spark")["JobRuns"][0]
    assert (job_run["WorkerType"], job_run["NumberOfWorkers"]) == ("G.1X", 3)
    assert job_run["Arguments"]["--engine"] == "spark"
    keys = [o["Key"] for o in aws("s3").list_objects_v2(
        Bucket=CURATED, Prefix="onprem/crm_territories_spark/load_date=20250114/")["Contents"]]  # fmt: skip
    assert {k.rsplit("-", 2)[-2] for k in keys} <= {"00000", "00001"}, "one file set per Spark partition"
    counted = query(
        aws("redshift-data"),
        f"SELECT COUNT(*) FROM {SCHEMA}.crm_territories_spark WHERE load_date = '20250114'",
    )
    assert int(counted[0][0]) == len(ours)
