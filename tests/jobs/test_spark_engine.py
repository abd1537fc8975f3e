"""The spark engine against the python engine: the same feed through both lands the same rows, types
and partition files (the Parquet compared), on reruns, an empty window and a failure half-way.

Spark runs in local mode (pyspark 3.5.4 = Glue 5.0's, Java 17) with the JDBC drivers of Debian's
packages, configured the way the sandbox's Glue runner configures a glueetl run
(sandbox/glue_jobs/spark_env.py). One JVM for the module: the job's `run()` is called in-process,
which is what its entry script calls. Sources: a SQLite file and a real PostgreSQL 16 (the
python-engine tests' server, TLS front and throwaway CA: sslmode verify-full with `ca_pem`).
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pytest
from feed_job.arguments import parse_args
from feed_job.errors import FeedError
from feed_job.job import run

from sandbox.glue_jobs.executor import script_env
from sandbox.glue_jobs.spark_env import spark_environment
from sandbox.protocol import SandboxContext
from sandbox.server import Sandbox
from tests.jobs.test_feed_ingest import REGION, Env, objects, put_secret, read_partition
from tests.jobs.test_feed_ingest_postgres import Postgres, postgres, test_ca  # noqa: F401 - fixtures

pytestmark = pytest.mark.spark
JOBS = Path(__file__).resolve().parents[2] / "jobs"
BUCKET = "spark-lake"
WINDOW = ("2025-01-13T00:00:00Z", "2025-01-14T00:00:00Z")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with Sandbox(state_dir=tmp_path_factory.mktemp("sandbox")) as sandbox:
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        s3 = session.client("s3", endpoint_url=sandbox.endpoint_url)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield Env(sandbox, s3, session.client("secretsmanager", endpoint_url=sandbox.endpoint_url))


@pytest.fixture(scope="module")
def spark(env: Env) -> Iterator[Any]:
    """One local Spark (2 task slots) for the module, its tasks pointed at the sandbox like a
    glueetl run's; the job's package on the workers' path."""
    context = SandboxContext(endpoint_url=env.sandbox.endpoint_url, state_dir=str(env.sandbox.state_dir))
    run_dir = Path(tempfile.mkdtemp(prefix="spark-engine-"))
    settings = {**script_env(context), **spark_environment(run_dir, 2, [], [])}
    settings["PYTHONPATH"] = os.pathsep.join([str(JOBS), os.environ.get("PYTHONPATH", "")])
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings.items():
            if key.startswith(("AWS_", "PYSPARK", "SPARK_")) or key == "PYTHONPATH":
                patch.setenv(key, value)
        from pyspark.sql import SparkSession

        logging.getLogger("py4j").setLevel(logging.WARNING)  # its exit-time INFO lines outlive capture
        session = SparkSession.builder.getOrCreate()
        try:
            yield session
        finally:
            session.stop()


def feed(env: Env, engine: str, secret: str, table: str, target: str, run_id: str, **extra: str) -> Any:
    """One run of the job in-process (what feed_ingest.py's main calls): its summary, or its FeedError."""
    argv = ["--JOB_NAME", "spark_test", "--JOB_RUN_ID", run_id, "--source_kind", "database"]
    argv += ["--source_secret", secret, "--source_table", table, "--target_location", target]
    argv += ["--window_start", WINDOW[0], "--window_end", WINDOW[1], "--engine", engine]
    argv += ["--batch_rows", "50", "--rows_per_file", "120"]
    for key, value in extra.items():
        argv += [f"--{key}", value]
    try:
        return run(parse_args(argv))
    except FeedError as error:
        return error


def target(name: str, engine: str) -> str:
    return f"s3://{BUCKET}/onprem/{name}_{engine}/load_date=20250113/"


def landed(env: Env, location: str) -> pa.Table:
    table = read_partition(env, location)
    return table.sort_by("id") if table.num_rows else table


def assert_same_partition(env: Env, python_target: str, spark_target: str, run_ids: dict[str, str]) -> None:
    """Rows, types (the Parquet schema) and files: every object is one of its run's parts."""
    ours, theirs = landed(env, python_target), landed(env, spark_target)
    assert theirs.schema == ours.schema
    assert theirs.to_pylist() == ours.to_pylist()
    for location, engine in ((python_target, "python"), (spark_target, "spark")):
        names = [key.rsplit("/", 1)[-1] for key in objects(env, location)]
        assert names, location
        assert all(n.startswith(f"part-{run_ids[engine]}-") and n.endswith(".parquet") for n in names)


# --- SQLite ------------------------------------------------------------------------------------


def make_sqlite(path: Path, rows: list[tuple[Any, ...]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE accounts (id INTEGER, name TEXT, amount REAL, updated_at TEXT)")
        db.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?)", rows)


def sqlite_rows(count: int, day: str = "2025-01-13") -> list[tuple[Any, ...]]:
    return [
        (i, f"account {i}", i * 1.5 if i % 7 else None, f"{day}T{i % 24:02d}:{i % 60:02d}:00Z")
        for i in range(1, count + 1)
    ]


def test_sqlite_same_rows_types_and_files_and_reruns_replace(env: Env, spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    make_sqlite(path, [*sqlite_rows(300), (999, "yesterday", 1.0, "2025-01-12T23:59:59.999Z")])
    secret = put_secret(env, f"crm-{secrets.token_hex(4)}", {"url": f"sqlite:///{path}"})
    runs = {"python": "jr_py1", "spark": "jr_sp1"}
    split = {"partition_column": "id", "lower_bound": "1", "upper_bound": "300", "num_partitions": "3"}
    for engine, run_id in runs.items():
        extra = {"timestamp_column": "updated_at", **(split if engine == "spark" else {})}
        summary = feed(env, engine, secret, "accounts", target("accounts", engine), run_id, **extra)
        assert isinstance(summary, dict), summary
        assert summary["rows"] == 300
    assert_same_partition(env, target("accounts", "python"), target("accounts", "spark"), runs)
    assert landed(env, target("accounts", "spark")).schema.field("updated_at").type == pa.timestamp(
        "us", "UTC"
    )

    with sqlite3.connect(path) as db:  # the day changes; both reruns replace, neither appends
        db.execute("DELETE FROM accounts WHERE id > 200")
    reruns = {"python": "jr_py2", "spark": "jr_sp2"}
    for engine, run_id in reruns.items():
        extra = {"timestamp_column": "updated_at", **(split if engine == "spark" else {})}
        summary = feed(env, engine, secret, "accounts", target("accounts", engine), run_id, **extra)
        assert summary["rows"] == 200
        assert summary["replaced_objects"] >= 1
    assert_same_partition(env, target("accounts", "python"), target("accounts", "spark"), reruns)


def test_empty_window_empties_the_partition_on_both(env: Env, spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    make_sqlite(path, sqlite_rows(20, day="2025-01-10"))
    secret = put_secret(env, f"crm-{secrets.token_hex(4)}", {"url": f"sqlite:///{path}"})
    for engine in ("python", "spark"):
        location = target("stale", engine)
        bucket, _, key = location[len("s3://") :].partition("/")
        env.s3.put_object(Bucket=bucket, Key=key + "part-old-00000.parquet", Body=b"old")
        summary = feed(
            env, engine, secret, "accounts", location, f"jr_e{engine}", timestamp_column="updated_at"
        )
        assert summary["rows"] == 0, summary
        assert summary["files"] == []
        assert objects(env, location) == []


# --- PostgreSQL --------------------------------------------------------------------------------

PG_TABLE = """
CREATE TABLE sales.orders (
    id bigint PRIMARY KEY, small smallint, qty integer, ratio real, score double precision,
    label text, note varchar(20), price numeric(10, 2), big numeric, paid boolean, day date,
    at_local timestamp, updated_at timestamptz, ref uuid, doc jsonb, raw json
)"""
PG_ROWS = """
INSERT INTO sales.orders
SELECT g, (g % 300)::smallint, g * 10, g / 4.0, g / 3.0, 'order ' || g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END,
       (g * 1.25)::numeric(10, 2), g * 1000.5, g % 2 = 0, DATE '2025-01-01' + (g % 30),
       TIMESTAMP '2025-01-13 00:00:00' + g * INTERVAL '1 minute',
       TIMESTAMPTZ '2025-01-12 23:00:00+00' + g * INTERVAL '1 minute',
       md5(g::text)::uuid, jsonb_build_object('g', g, 'tag', 'é'), ('{"g":  ' || g || '}')::json
FROM generate_series(1, 400) g"""


@pytest.fixture(scope="module")
def orders(postgres: Postgres) -> str:  # noqa: F811 - the imported fixture
    postgres.sql(PG_TABLE, PG_ROWS)
    return "sales.orders"


def test_postgres_same_types_partitioned_read_over_verified_tls(
    env: Env,
    spark: Any,
    postgres: Postgres,  # noqa: F811
    orders: str,
) -> None:
    secret = put_secret(env, f"pg-{secrets.token_hex(4)}", {"url": postgres.url(), "ca_pem": postgres.ca_pem})
    runs = {"python": "jr_pgpy", "spark": "jr_pgsp"}
    results = {
        "python": feed(env, "python", secret, orders, target("orders", "python"), runs["python"],
                       timestamp_column="updated_at"),
        "spark": feed(env, "spark", secret, orders, target("orders", "spark"), runs["spark"],
                      timestamp_column="updated_at", partition_column="id", lower_bound="1",
                      upper_bound="400", num_partitions="2"),
    }  # fmt: skip
    for summary in results.values():
        assert isinstance(summary, dict), summary
        assert summary["rows"] == 341  # ids 1 .. 59 are updated on the 12th, outside the window
    assert results["spark"]["partitions"] == 2
    assert_same_partition(env, target("orders", "python"), target("orders", "spark"), runs)
    schema = landed(env, target("orders", "spark")).schema
    assert schema.field("price").type == pa.decimal128(10, 2)
    assert schema.field("small").type == pa.int16()
    assert schema.field("at_local").type == pa.timestamp("us")
    assert landed(env, target("orders", "spark")).column("raw")[0].as_py() == '{"g":60}'
    assert postgres.password not in str(results)


def test_postgres_predicates_split_the_read(
    env: Env,
    spark: Any,
    postgres: Postgres,  # noqa: F811
    orders: str,
) -> None:
    secret = put_secret(env, f"pg-{secrets.token_hex(4)}", {"url": postgres.url(), "ca_pem": postgres.ca_pem})
    summary = feed(env, "spark", secret, orders, target("orders_pred", "spark"), "jr_pred",
                   predicates='["paid", "NOT paid"]')  # fmt: skip
    assert isinstance(summary, dict), summary
    assert summary["partitions"] == 2
    assert summary["rows"] == 400
    assert sorted(landed(env, target("orders_pred", "spark")).column("id").to_pylist()) == list(range(1, 401))


def test_failure_half_way_publishes_nothing_on_both(
    env: Env,
    spark: Any,
    postgres: Postgres,  # noqa: F811
) -> None:
    """A value that cannot land (a numeric beyond decimal(38, 18)) in the table's last rows: parts of
    the first rows are written before it is read; both engines fail and leave the last good load."""
    postgres.sql(
        "CREATE TABLE sales.broken (id bigint, amount numeric)",
        "INSERT INTO sales.broken SELECT g, g FROM generate_series(1, 500) g",
        "INSERT INTO sales.broken VALUES (501, 1e30)",
    )
    secret = put_secret(env, f"pg-{secrets.token_hex(4)}", {"url": postgres.url(), "ca_pem": postgres.ca_pem})
    for engine in ("python", "spark"):
        location = target("broken", engine)
        bucket, _, key = location[len("s3://") :].partition("/")
        env.s3.put_object(Bucket=bucket, Key=key + "part-lastgood-00000.parquet", Body=b"last good")
        extra = (
            {"partition_column": "id", "lower_bound": "1", "upper_bound": "501", "num_partitions": "2"}
            if engine == "spark"
            else {}
        )
        error = feed(env, engine, secret, "sales.broken", location, f"jr_broken{engine}", **extra)
        assert isinstance(error, FeedError), error
        assert "amount" in str(error) or "Decimal" in str(error), str(error)
        assert [k.rsplit("/", 1)[-1] for k in objects(env, location)] == ["part-lastgood-00000.parquet"]
        assert postgres.password not in str(error)
