"""Glue job runs that run the real script against the sandbox's S3, through boto3 and the provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import awswrangler as wr
import boto3
import pytest

from sandbox.airflow_env import airflow_env
from sandbox.glue_jobs.service import GlueJobService
from sandbox.server import Sandbox
from tests.metadata_db import copy_migrated_db

BUCKET = "glue-artifacts"
ROLE = "arn:aws:iam::123456789012:role/glue"

WRITER = textwrap.dedent(
    """
    import sys
    import awswrangler as wr
    import pandas as pd

    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    row = {"job": args["--JOB_NAME"], "run": args["--JOB_RUN_ID"], "n": int(args["--n"])}
    frame = pd.DataFrame([row])
    wr.s3.to_parquet(frame, args["--output"] + "out.parquet")
    print("wrote", args["--output"])
    """
)
FAILING = "import sys\nprint('starting')\nraise ValueError('bad input in ' + sys.argv[2])\n"
SLEEPER = "import time\ntime.sleep(60)\n"


@pytest.fixture(scope="module")
def aws(sandbox: Sandbox) -> Iterator[boto3.Session]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL", sandbox.endpoint_url)
        session = boto3.Session(region_name="eu-west-1")
        session.client("s3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        yield session


def create_job(aws: boto3.Session, name: str, script: str, **kwargs: Any) -> Any:
    key = f"scripts/{name}.py"
    aws.client("s3").put_object(Bucket=BUCKET, Key=key, Body=script.encode())
    glue = aws.client("glue")
    glue.create_job(
        Name=name,
        Role=ROLE,
        Command={"Name": "pythonshell", "ScriptLocation": f"s3://{BUCKET}/{key}", "PythonVersion": "3.9"},
        **kwargs,
    )
    return glue


def wait(glue: Any, name: str, run_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run: dict[str, Any] = glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]
        if run["JobRunState"] in {"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED"}:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not end")


def test_script_runs_against_sandbox_s3_and_writes_parquet(aws: boto3.Session) -> None:
    glue = create_job(aws, "writer", WRITER, DefaultArguments={"--n": "1", "--output": "s3://nowhere/"})
    output = f"s3://{BUCKET}/output/writer/"

    run_id = glue.start_job_run(JobName="writer", Arguments={"--n": "42", "--output": output})["JobRunId"]
    run = wait(glue, "writer", run_id)

    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert run["Arguments"] == {"--n": "42", "--output": output}
    assert run["CompletedOn"] >= run["StartedOn"]
    assert run["ExecutionTime"] >= 0
    frame = wr.s3.read_parquet(output, boto3_session=aws)
    assert frame.to_dict("records") == [{"job": "writer", "run": run_id, "n": 42}]
    assert [r["Id"] for r in glue.get_job_runs(JobName="writer")["JobRuns"]] == [run_id]


def test_failing_script_reports_failed_with_its_error(aws: boto3.Session) -> None:
    glue = create_job(aws, "failing", FAILING)

    run = wait(glue, "failing", glue.start_job_run(JobName="failing")["JobRunId"])

    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "ValueError: bad input in failing"


def test_timeout_and_stop(aws: boto3.Session, sandbox: Sandbox) -> None:
    glue = create_job(aws, "sleeper", SLEEPER, Timeout=1, ExecutionProperty={"MaxConcurrentRuns": 2})
    service = sandbox.service("glue")
    assert isinstance(service, GlueJobService)
    scale = service.timeout_scale
    service.timeout_scale = 1.0  # one Timeout minute lasts a second
    try:
        timed_out, stopped = _timeout_and_stop(glue)
    finally:
        service.timeout_scale = scale
    assert wait(glue, "sleeper", stopped)["JobRunState"] == "STOPPED"
    assert wait(glue, "sleeper", timed_out)["JobRunState"] == "TIMEOUT"


def _timeout_and_stop(glue: Any) -> tuple[str, str]:
    timed_out = glue.start_job_run(JobName="sleeper")["JobRunId"]
    stopped = glue.start_job_run(JobName="sleeper", Timeout=5)["JobRunId"]
    time.sleep(0.3)
    answer = glue.batch_stop_job_run(JobName="sleeper", JobRunIds=[stopped, "jr_unknown"])

    assert [s["JobRunId"] for s in answer["SuccessfulSubmissions"]] == [stopped]
    assert [e["JobRunId"] for e in answer["Errors"]] == ["jr_unknown"]
    return timed_out, stopped


def test_unknown_job_and_catalog_stay_moto(aws: boto3.Session) -> None:
    glue = aws.client("glue")
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.start_job_run(JobName="no-such-job")
    glue.create_database(DatabaseInput={"Name": "still_moto"})
    assert glue.get_database(Name="still_moto")["Database"]["Name"] == "still_moto"


@pytest.mark.airflow
def test_provider_glue_job_operator_waits_for_success(
    aws: boto3.Session, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = {"endpoint_url": sandbox.endpoint_url, "region_name": "eu-west-1"}
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps({"conn_type": "aws", "extra": extra}))
    aws.client("s3").put_object(Bucket=BUCKET, Key="scripts/op.py", Body=b"print('hello from glue')\n")
    from airflow.providers.amazon.aws.operators.glue import GlueJobOperator

    operator = GlueJobOperator(
        task_id="run_glue",
        job_name="operator-job",
        script_location=f"s3://{BUCKET}/scripts/op.py",
        iam_role_arn=ROLE,
        create_job_kwargs={
            "Command": {"Name": "pythonshell", "ScriptLocation": f"s3://{BUCKET}/scripts/op.py"}
        },
        script_args={"--day": "2024-01-01"},
        wait_for_completion=True,
        job_poll_interval=0.2,
        verbose=False,
    )
    run_id = operator.execute({"ti": mock.MagicMock(try_number=1)})  # type: ignore[arg-type]

    run = aws.client("glue").get_job_run(JobName="operator-job", RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "SUCCEEDED"
    assert run["Arguments"]["--day"] == "2024-01-01"


# --- glueetl: Spark scripts, through the provider's operator and sensor as a DAG ------------------

SPARK_SQUARES = textwrap.dedent(
    """
    import json
    import sys

    import boto3
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    args = getResolvedOptions(sys.argv, ["JOB_NAME", "output", "rows"])
    glue = GlueContext(SparkContext.getOrCreate())
    spark = glue.spark_session
    job = Job(glue)
    job.init(args["JOB_NAME"], args)
    frame = spark.range(int(args["rows"]), numPartitions=4).selectExpr("id", "id * id AS square")
    total = frame.groupBy().sum("square").collect()[0][0]
    glue.get_logger().warn(f"glue logger: {args['rows']} squares computed")
    print(f"squares of {args['rows']} ids sum to {total}")
    bucket, key = args["output"][len("s3://"):].split("/", 1)
    body = {"total": total, "partitions": frame.rdd.getNumPartitions(), "spark": spark.version,
            "parallelism": spark.sparkContext.defaultParallelism}
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=json.dumps(body))
    job.commit()
    """
)
SPARK_FAILS = textwrap.dedent(
    """
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    print("about to read a table that is not there")
    spark.sql("SELECT * FROM no_such_table").collect()
    """
)
DAG_FILE = textwrap.dedent(
    """
    import datetime as dt

    from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
    from airflow.providers.amazon.aws.sensors.glue import GlueJobSensor
    from airflow.sdk import DAG

    with DAG("glue_spark_runs", schedule=None, start_date=dt.datetime(2025, 1, 1), catchup=False):
        for job in ("spark-squares", "spark-fails"):
            start = GlueJobOperator(
                task_id=f"start_{job.replace('-', '_')}", job_name=job, wait_for_completion=False,
                verbose=False, script_args={"--rows": "1000"},
            )
            wait = GlueJobSensor(
                task_id=f"wait_{job.replace('-', '_')}", job_name=job, run_id=start.output, verbose=True,
                poke_interval=0.5, timeout=240, mode="poke",
            )
            start >> wait
    """
)


def spark_job(aws: boto3.Session, name: str, script: str, output: str) -> None:
    key = f"scripts/{name}.py"
    aws.client("s3").put_object(Bucket=BUCKET, Key=key, Body=script.encode())
    aws.client("glue").create_job(
        Name=name,
        Role=ROLE,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{BUCKET}/{key}", "PythonVersion": "3"},
        GlueVersion="5.0",
        WorkerType="G.1X",
        NumberOfWorkers=2,
        DefaultArguments={"--output": output, "--enable-continuous-cloudwatch-log": "true"},
    )


def log_messages(aws: boto3.Session, group: str, stream: str) -> list[str]:
    logs = aws.client("logs")
    pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group, logStreamNames=[stream])
    return [event["message"] for page in pages for event in page["events"]]


@pytest.mark.airflow
@pytest.mark.spark
def test_spark_jobs_run_as_a_dag_with_glue_logs(
    aws: boto3.Session, sandbox: Sandbox, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """GlueJobOperator + GlueJobSensor(verbose=True) in a DAG run by Airflow (`airflow dags test`):
    a Spark script using awsglue lands its output and its driver logs where Glue writes them; a
    failing one ends FAILED with its exception line, and the sensor fails."""
    output = f"s3://{BUCKET}/spark/squares.json"
    spark_job(aws, "spark-squares", SPARK_SQUARES, output)
    spark_job(aws, "spark-fails", SPARK_FAILS, output)
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "glue_spark_runs.py").write_text(DAG_FILE)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AWS_"))},
        **airflow_env(sandbox.endpoint_url),
        "AIRFLOW_HOME": str(tmp_path / "home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    airflow = [sys.executable, "-m", "airflow"]
    copy_migrated_db(tmp_path_factory, tmp_path / "home", env)
    done = subprocess.run(
        [*airflow, "dags", "test", "glue_spark_runs", "2025-01-15"],
        env=env, capture_output=True, text=True, timeout=420,
    )  # fmt: skip
    airflow_log = done.stdout + done.stderr

    landed = json.loads(aws.client("s3").get_object(Bucket=BUCKET, Key="spark/squares.json")["Body"].read())
    assert landed["total"] == sum(i * i for i in range(1000))
    assert landed["spark"] == "3.5.4"
    assert landed["partitions"] == 4
    assert landed["parallelism"] == min(4, os.cpu_count() or 1)  # 2 G.1X workers: 1 executor, 4 cores
    glue = aws.client("glue")
    ok = glue.get_job_runs(JobName="spark-squares")["JobRuns"][0]
    failed = glue.get_job_runs(JobName="spark-fails")["JobRuns"][0]
    assert ok["JobRunState"] == "SUCCEEDED", ok.get("ErrorMessage")
    assert ok["LogGroupName"] == "/aws-glue/jobs"
    assert failed["JobRunState"] == "FAILED"
    assert "AnalysisException: [TABLE_OR_VIEW_NOT_FOUND]" in failed["ErrorMessage"]
    assert "no_such_table" in failed["ErrorMessage"]

    # Glue 5.0: the script's stdout and stderr in output; log4j's (Spark, the GlueLogger) in error
    output_lines = log_messages(aws, "/aws-glue/jobs/output", ok["Id"])
    error_lines = log_messages(aws, "/aws-glue/jobs/error", ok["Id"])
    assert f"squares of 1000 ids sum to {landed['total']}" in output_lines
    assert [line for line in error_lines if "glue logger: 1000 squares computed" in line]
    assert not [line for line in output_lines if "glue logger" in line]
    failed_output = log_messages(aws, "/aws-glue/jobs/output", failed["Id"])
    assert "about to read a table that is not there" in failed_output
    assert failed["ErrorMessage"] in failed_output  # the traceback's last line: Python's stderr
    groups = {g["logGroupName"] for g in aws.client("logs").describe_log_groups()["logGroups"]}
    assert "/aws-glue/jobs/logs-v2" not in groups  # continuous logging is Glue 4.0's; 5.0 logs live
    # verbose=True: the sensor fetched the driver logs from CloudWatch Logs into the task's log
    assert "Glue Job Run /aws-glue/jobs/output Logs:" in airflow_log
    assert f"squares of 1000 ids sum to {landed['total']}" in airflow_log
    assert "about to read a table that is not there" in airflow_log
    assert done.returncode != 0 or "failed" in airflow_log.lower()  # the failing branch fails the run
