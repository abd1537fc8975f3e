"""GlueCrawlerOperator + GlueCrawlerSensor and GlueJobOperator in a DAG, in eu-west-1 and us-east-1:
the crawl ends, the catalog of that region (and only that one) holds the crawled tables with the
types Glue's classifiers give, and the job runs in its own region."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.fidelity.conftest import REGIONS, task_states
from tests.fidelity.dags.fidelity_glue import CRAWLER, DAYS, JOB, bucket_for, database_for, land

pytestmark = pytest.mark.airflow


def _columns(table: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]


@pytest.fixture(scope="module")
def runs(fidelity_dags: dict[str, Any], regional: Callable[[str, str], Any]) -> dict[str, Any]:
    for region in REGIONS:
        land(regional("s3", region), region)
    return {region: fidelity_dags[f"fidelity_glue_{region.replace('-', '_')}"].test() for region in REGIONS}


@pytest.mark.parametrize("region", REGIONS)
def test_the_crawl_ends_and_catalogs_tables_partitions_and_types(
    runs: dict[str, Any], regional: Callable[[str, str], Any], region: str
) -> None:
    run = runs[region]
    assert str(run.state) == "success", task_states(run)
    glue = regional("glue", region)
    database = database_for(region)
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName=database)["TableList"]}
    assert sorted(tables) == ["contacts", "events", "sales"]

    sales = tables["sales"]
    assert _columns(sales) == [
        ("id", "string"),
        ("amount", "double"),
        ("quantity", "int"),
        ("closedat", "timestamp"),
    ]
    assert [k["Name"] for k in sales["PartitionKeys"]] == ["dt"]
    assert sales["Parameters"]["classification"] == "parquet"
    assert sales["StorageDescriptor"]["Location"] == f"s3://{bucket_for(region)}/sales/"
    assert sales["Parameters"]["UPDATED_BY_CRAWLER"] == CRAWLER

    contacts = tables["contacts"]  # a header row, then numbers and booleans: typed columns
    assert _columns(contacts) == [
        ("id", "bigint"),
        ("email", "string"),
        ("score", "double"),
        ("active", "boolean"),
    ]
    assert [k["Name"] for k in contacts["PartitionKeys"]] == ["region", "dt"]
    assert contacts["Parameters"]["skip.header.line.count"] == "1"

    events = tables["events"]  # JSON lines; 4,000,000,000 does not fit an int; plain folders
    assert _columns(events) == [("event", "string"), ("count", "bigint"), ("meta", "struct<ip:string>")]
    assert [k["Name"] for k in events["PartitionKeys"]] == ["partition_0"]

    for name, values in (("sales", [[d] for d in DAYS]), ("contacts", [["emea", d] for d in DAYS])):
        partitions = glue.get_partitions(DatabaseName=database, TableName=name)["Partitions"]
        assert sorted(p["Values"] for p in partitions) == values

    crawler = glue.get_crawler(Name=CRAWLER)["Crawler"]
    assert (crawler["State"], crawler["LastCrawl"]["Status"]) == ("READY", "SUCCEEDED")
    metrics = glue.get_crawler_metrics(CrawlerNameList=[CRAWLER])["CrawlerMetricsList"][0]
    assert metrics["TablesCreated"] == 3


def test_each_region_has_its_own_crawler_catalog_and_job_runs(
    runs: dict[str, Any], regional: Callable[[str, str], Any]
) -> None:
    for region, other in (REGIONS, tuple(reversed(REGIONS))):
        assert str(runs[region].state) == "success", task_states(runs[region])
        glue, s3 = regional("glue", region), regional("s3", region)
        assert regional("glue", other).get_crawler(Name=CRAWLER)["Crawler"]["DatabaseName"] == database_for(
            other
        )
        with pytest.raises(ClientError, match="EntityNotFoundException"):
            glue.get_database(Name=database_for(other))
        body = s3.get_object(Bucket=bucket_for(region), Key="job-output/region.txt")["Body"].read()
        assert body.decode() == region, "the job's script runs with its own region"
        (job_run,) = glue.get_job_runs(JobName=JOB)["JobRuns"]
        assert job_run["JobRunState"] == "SUCCEEDED"
        with pytest.raises(ClientError, match="EntityNotFoundException"):
            regional("glue", other).get_job_run(JobName=JOB, RunId=job_run["Id"])
