"""Glue job runs that run the real script against the sandbox's S3, through boto3 and the provider."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import awswrangler as wr
import boto3
import pytest

from sandbox.glue_jobs.service import GlueJobService
from sandbox.server import Sandbox

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
