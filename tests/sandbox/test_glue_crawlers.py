"""Glue crawlers through unmodified boto3: what a crawl catalogs (tables, partitions, types), how
the SchemaChangePolicy and grouping options change it, and the crawler's states and errors."""

from __future__ import annotations

import gzip
import io
import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from sandbox.glue_crawlers.formats import FileSample, classify
from sandbox.glue_crawlers.layout import FoundFile, Grouping, plan_tables
from sandbox.server import Sandbox

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/crawler"
BUCKET = "crawler-lake"


@pytest.fixture(scope="module")
def crawlers(sandbox: Sandbox) -> Iterator[Any]:
    """The crawler service with crawls of a tenth of a second (AWS: about a minute)."""
    service: Any = sandbox.service("/_sandbox/glue-crawlers/")
    saved = service.start_seconds, service.stop_seconds
    service.start_seconds = service.stop_seconds = 0.05
    yield service
    service.start_seconds, service.stop_seconds = saved


@pytest.fixture(scope="module")
def lake(aws_client: Callable[[str], Any], crawlers: Any) -> Any:
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return s3


@pytest.fixture(scope="module")
def glue(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("glue")


def _parquet(**columns: list[Any]) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


def _crawl(glue: Any, name: str, database: str, paths: list[str], **options: Any) -> dict[str, Any]:
    """Create (or update) a crawler, run it to READY, return it."""
    definition = {
        "Name": name,
        "Role": ROLE,
        "DatabaseName": database,
        "Targets": {"S3Targets": [{"Path": p} for p in paths]},
        **options,
    }
    if definition["Name"] in glue.list_crawlers()["CrawlerNames"]:
        glue.update_crawler(**definition)
    else:
        glue.create_crawler(**definition)
    glue.start_crawler(Name=name)
    return _wait_ready(glue, name)


def _wait_ready(glue: Any, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        crawler: dict[str, Any] = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY":
            return crawler
        time.sleep(0.02)
    raise AssertionError(f"crawler {name} did not end")


def _tables(glue: Any, database: str) -> dict[str, dict[str, Any]]:
    return {t["Name"]: t for t in glue.get_tables(DatabaseName=database)["TableList"]}


def _columns(table: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]


def test_dissimilar_partitions_make_tables_of_their_own_unless_schemas_are_combined(
    lake: Any, glue: Any
) -> None:
    """The guide's example: {A, B} under year=2017 and {C, D} under year=2018."""
    lake.put_object(Bucket=BUCKET, Key="table1/year=2017/data1.json", Body=b'{"A": 1, "B": 2}\n')
    lake.put_object(Bucket=BUCKET, Key="table1/year=2018/data2.json", Body=b'{"C": 3, "D": 4}\n')

    _crawl(glue, "split", "split_db", [f"s3://{BUCKET}/table1/"])
    assert sorted(_tables(glue, "split_db")) == ["year_2017", "year_2018"]

    combine = json.dumps({"Version": 1.0, "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"}})
    _crawl(glue, "combined", "combined_db", [f"s3://{BUCKET}/table1/"], Configuration=combine)
    (table,) = _tables(glue, "combined_db").values()
    assert table["Name"] == "table1"
    assert _columns(table) == [("a", "int"), ("b", "int"), ("c", "int"), ("d", "int")]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "string"}]


def test_a_new_column_updates_the_table_or_only_adds_the_partition_under_log(lake: Any, glue: Any) -> None:
    lake.put_object(
        Bucket=BUCKET, Key="evolve/dt=1/a.parquet", Body=_parquet(a=[1], b=["x"], c=[1.0], d=[True])
    )
    for name, behaviour in (("evolve-update", "UPDATE_IN_DATABASE"), ("evolve-log", "LOG")):
        policy = {"UpdateBehavior": behaviour, "DeleteBehavior": "LOG"}
        _crawl(
            glue, name, f"{name.replace('-', '_')}_db", [f"s3://{BUCKET}/evolve/"], SchemaChangePolicy=policy
        )
    lake.put_object(
        Bucket=BUCKET,
        Key="evolve/dt=2/a.parquet",
        Body=_parquet(a=[2], b=["y"], c=[2.0], d=[False], e=["new"]),
    )
    for name in ("evolve-update", "evolve-log"):
        glue.start_crawler(Name=name)
        _wait_ready(glue, name)

    updated = _tables(glue, "evolve_update_db")["evolve"]
    assert [c for c, _ in _columns(updated)] == ["a", "b", "c", "d", "e"]
    logged = _tables(glue, "evolve_log_db")["evolve"]
    assert [c for c, _ in _columns(logged)] == ["a", "b", "c", "d"], "LOG leaves the table as it was"
    for database in ("evolve_update_db", "evolve_log_db"):
        partitions = glue.get_partitions(DatabaseName=database, TableName="evolve")["Partitions"]
        assert sorted(p["Values"] for p in partitions) == [["1"], ["2"]], "new partitions are always added"
    metrics = glue.get_crawler_metrics(CrawlerNameList=["evolve-update"])["CrawlerMetricsList"][0]
    assert (metrics["TablesCreated"], metrics["TablesUpdated"]) == (0, 1)


def test_deleted_files_delete_or_deprecate_what_the_crawler_made(lake: Any, glue: Any) -> None:
    for day in ("1", "2"):
        lake.put_object(Bucket=BUCKET, Key=f"gone/orders/dt={day}/a.parquet", Body=_parquet(id=[day]))
    lake.put_object(Bucket=BUCKET, Key="gone/refunds/r.parquet", Body=_parquet(id=["r"], amount=[1.0]))
    policies = {"gone-delete": "DELETE_FROM_DATABASE", "gone-deprecate": "DEPRECATE_IN_DATABASE"}
    paths = [f"s3://{BUCKET}/gone/orders/", f"s3://{BUCKET}/gone/refunds/"]
    for name, behaviour in policies.items():
        policy = {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": behaviour}
        _crawl(glue, name, name.replace("-", "_"), paths, SchemaChangePolicy=policy)
    lake.delete_object(Bucket=BUCKET, Key="gone/orders/dt=1/a.parquet")
    lake.delete_object(Bucket=BUCKET, Key="gone/refunds/r.parquet")
    for name in policies:
        glue.start_crawler(Name=name)
        _wait_ready(glue, name)

    deleted = _tables(glue, "gone_delete")
    assert sorted(deleted) == ["orders"]
    partitions = glue.get_partitions(DatabaseName="gone_delete", TableName="orders")["Partitions"]
    assert [p["Values"] for p in partitions] == [["2"]]
    deprecated = _tables(glue, "gone_deprecate")
    assert "DEPRECATED_BY_CRAWLER" in deprecated["refunds"]["Parameters"]
    assert "DEPRECATED_BY_CRAWLER" not in deprecated["orders"]["Parameters"]


def test_csv_header_heuristics_single_files_exclusions_and_table_prefix(lake: Any, glue: Any) -> None:
    lake.put_object(Bucket=BUCKET, Key="raw/numbers.csv", Body=b"1,2.5,true\n3,4.5,false\n")
    lake.put_object(Bucket=BUCKET, Key="raw/people/p.csv", Body=b"name,city\nada,paris\nalan,london\n")
    lake.put_object(Bucket=BUCKET, Key="raw/people/_tmp/skip.csv", Body=b"x,y\n1,2\n")
    lake.put_object(Bucket=BUCKET, Key="raw/logs/l.json.gz", Body=gzip.compress(b'{"level": "info"}\n'))
    _crawl(
        glue,
        "raw",
        "raw_db",
        [f"s3://{BUCKET}/raw/numbers.csv", f"s3://{BUCKET}/raw/people/", f"s3://{BUCKET}/raw/logs/"],
        TablePrefix="raw_",
    )
    glue.update_crawler(
        Name="raw", Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/raw/people/", "Exclusions": ["_tmp/**"]}]}
    )
    glue.start_crawler(Name="raw")
    _wait_ready(glue, "raw")
    tables = _tables(glue, "raw_db")

    numbers = tables["raw_numbers_csv"]  # a file include path: a table named after the file, no header row
    assert _columns(numbers) == [("col0", "bigint"), ("col1", "double"), ("col2", "boolean")]
    assert numbers["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/raw/numbers.csv"
    people = tables["raw_people"]  # every value text: the first row is not a header (Glue's rule)
    assert _columns(people) == [("col0", "string"), ("col1", "string")]
    assert people["StorageDescriptor"]["SerdeInfo"]["Parameters"] == {"field.delim": ","}
    logs = tables["raw_logs"]
    assert (logs["Parameters"]["classification"], logs["Parameters"]["compressionType"]) == ("json", "gzip")


def test_states_stop_errors_history_and_regions(
    sandbox: Sandbox, crawlers: Any, lake: Any, glue: Any, aws_client: Callable[[str], Any]
) -> None:
    lake.put_object(Bucket=BUCKET, Key="slow/a.parquet", Body=_parquet(id=["a"]))
    glue.create_crawler(
        Name="slow",
        Role=ROLE,
        DatabaseName="slow_db",
        Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/slow/"}]},
    )
    request = urllib.request.Request(
        f"{sandbox.endpoint_url}/_sandbox/glue-crawlers/timing",
        data=json.dumps({"start_seconds": 2, "stop_seconds": 0.05}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["start_seconds"] == 2
    try:
        glue.start_crawler(Name="slow")
        assert glue.get_crawler(Name="slow")["Crawler"]["State"] == "RUNNING"
        for call in (
            lambda: glue.start_crawler(Name="slow"),
            lambda: glue.update_crawler(Name="slow", Description="x"),
        ):
            with pytest.raises(ClientError, match="CrawlerRunningException"):
                call()
        glue.stop_crawler(Name="slow")
        with pytest.raises(ClientError, match="CrawlerStoppingException"):
            glue.stop_crawler(Name="slow")
        stopped = _wait_ready(glue, "slow")
    finally:
        crawlers.start_seconds = 0.05
    assert stopped["LastCrawl"]["Status"] == "CANCELLED"
    with pytest.raises(ClientError, match="EntityNotFoundException"):
        glue.get_table(DatabaseName="slow_db", Name="slow")
    glue.start_crawler(Name="slow")
    assert _wait_ready(glue, "slow")["LastCrawl"]["Status"] == "SUCCEEDED"
    history = glue.list_crawls(CrawlerName="slow")["Crawls"]
    assert [c["State"] for c in history] == ["COMPLETED", "STOPPED"]
    assert json.loads(history[0]["Summary"]) == {"TABLE": {"ADD": {"Count": 1}}}
    with pytest.raises(ClientError, match="CrawlerNotRunningException"):
        glue.stop_crawler(Name="slow")

    with pytest.raises(ClientError, match="InvalidInputException"):  # incremental crawls must only log
        glue.create_crawler(
            Name="incremental",
            Role=ROLE,
            Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/slow/"}]},
            RecrawlPolicy={"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"},
        )
    glue.create_crawler(
        Name="missing-bucket",
        Role=ROLE,
        DatabaseName="nothing",
        Targets={"S3Targets": [{"Path": "s3://no-such-bucket/x/"}]},
    )
    glue.start_crawler(Name="missing-bucket")
    failed = _wait_ready(glue, "missing-bucket")["LastCrawl"]
    assert failed["Status"] == "FAILED"
    assert "NoSuchBucket" in failed["ErrorMessage"]

    other = _other_region(sandbox)  # crawlers are regional
    with pytest.raises(ClientError, match="EntityNotFoundException"):
        other.get_crawler(Name="slow")
    assert other.list_crawlers()["CrawlerNames"] == []


def _other_region(sandbox: Sandbox) -> Any:
    import boto3

    return boto3.session.Session().client(
        "glue",
        endpoint_url=sandbox.endpoint_url,
        region_name="ap-southeast-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


# The rules as pure functions ------------------------------------------------------------------


def _sample(name: str, body: bytes) -> FileSample:
    return FileSample(name, len(body), lambda n: body[:n], lambda kind: (pa.schema([]), 0))


def test_json_and_csv_classifiers_type_values_as_glue_does() -> None:
    json_lines = (
        b'{"n": 1, "big": 5000000000, "x": 1.5, "ok": true, "tags": ["a"], "at": "2025-01-01T00:00:00Z"}\n'
    )
    schema = classify(_sample("a.json", json_lines))
    assert schema is not None
    assert schema.classification == "json"
    assert dict(schema.columns) == {
        "n": "int",
        "big": "bigint",
        "x": "double",
        "ok": "boolean",
        "tags": "array<string>",
        "at": "string",
    }
    piped = classify(_sample("a.psv", b"id|amount|day\n1|2.5|2025-01-01\n2|3|2025-01-02\n"))
    assert piped is not None
    assert piped.classification == "csv"
    assert list(piped.columns) == [("id", "bigint"), ("amount", "double"), ("day", "string")]
    assert dict(piped.parameters)["delimiter"] == "|"
    quoted = classify(_sample("q.csv", b'"id","name"\n"1","a, b"\n"2","c"\n'))
    assert quoted is not None
    assert quoted.storage.serde == "org.apache.hadoop.hive.serde2.OpenCSVSerde"
    assert classify(_sample("one.csv", b"just one column\nanother\n")) is None  # CSV needs two columns


def test_partitions_of_mixed_depth_or_keys_are_separate_tables() -> None:
    schema = classify(_sample("a.json", b'{"a": 1}\n'))
    assert schema is not None
    files = [
        FoundFile(("year=2024",), "a.json", schema, 10),
        FoundFile(("year=2025",), "b.json", schema, 10),
        FoundFile(("other", "deeper"), "c.json", schema, 10),
    ]
    plans = plan_tables("s3://b/root", "root", files, Grouping())
    assert sorted(p.name for p in plans) == ["other", "year_2024", "year_2025"]
    level = plan_tables("s3://b/root", "root", files[:2], Grouping(table_level=2, include_level=2))
    assert [(p.name, p.partition_keys) for p in level] == [("root", ["year"])]
