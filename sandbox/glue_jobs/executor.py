"""Runs one job run's script as a subprocess pointed at the sandbox, and watches it to its end.

The script gets what Glue gives it: `--JOB_NAME`, `--JOB_RUN_ID` and the job's DefaultArguments
merged with the run's Arguments as `--key value` pairs, and the files of `--extra-py-files` on its
path (downloaded from S3, as Glue does). A glueetl (Spark) job's script also gets Spark, in local
mode (spark_env.py: Glue 5.0's pyspark, `--extra-jars`, the JDBC drivers) and the sandbox's
`awsglue` module; a pythonshell job's gets neither. Its environment points boto3 (and so
awswrangler) at the sandbox with test credentials, so it cannot reach real AWS. Its stdout and
stderr go to CloudWatch Logs as Glue's driver logs do (logs.py).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from sandbox.glue_jobs.logs import LogShipper, log_targets
from sandbox.glue_jobs.runs import FAILED, RUNNING, STOPPED, SUCCEEDED, TIMEOUT, JobRun
from sandbox.glue_jobs.spark_env import GLUE_LIBS, missing_jars, spark_environment, task_slots
from sandbox.protocol import SandboxContext

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

TEST_KEY, TEST_SECRET = "testing", "testing"  # moto accepts any; nothing here can reach real AWS
_STOP_GRACE_SECONDS = 5.0
_EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\b:? ?.*")
"""A Python exception line (`ValueError: bad input`, `py4j.protocol.Py4JJavaError: An error ...`):
not indented, a dotted name ending like an exception class. log4j lines start with a date."""
CONTINUOUS_LOG_GROUP = "/aws-glue/jobs/logs-v2"


def script_argv(run: JobRun, script: Path) -> list[str]:
    """The command line Glue builds: the script, its identity, then every argument as `--key value`."""
    argv = [sys.executable, str(script), "--JOB_NAME", run.job_name, "--JOB_RUN_ID", run.id]
    for key, value in run.arguments.items():
        argv += [key if key.startswith("--") else f"--{key}", value]
    return argv


def script_env(context: SandboxContext) -> dict[str, str]:
    """The parent's environment with every AWS setting replaced by the sandbox's, and without its
    PYTHONPATH (a Glue script sees only what the job ships: `--extra-py-files`)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "BOTO_", "PYSPARK_", "SPARK_"))
        and k not in {"AIRFLOW_CONN_AWS_DEFAULT", "PYTHONPATH"}
    }
    env.update(
        AWS_ENDPOINT_URL=context.endpoint_url,
        AWS_ACCESS_KEY_ID=TEST_KEY,
        AWS_SECRET_ACCESS_KEY=TEST_SECRET,
        AWS_DEFAULT_REGION=context.region,
        AWS_REGION=context.region,
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONUNBUFFERED="1",
    )
    return env


def error_message(stderr: str, returncode: int) -> str:
    """What Glue shows as ErrorMessage: the exception line that ended the script (the last one in
    stderr; Spark's log4j lines and Java stack frames after it are skipped), else the last line,
    else the exit code."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if _EXCEPTION_LINE.fullmatch(line):
            return line[-2000:]
    if lines:
        return lines[-1].strip()[-2000:]
    return f"Command failed with exit code {returncode}"


def s3_urls(value: str | None) -> list[str]:
    """A comma-separated Glue argument of S3 paths (`--extra-py-files`, `--extra-jars`)."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


class ScriptExecution:
    """One run's subprocess: started by `run()` on its own thread, stoppable from another."""

    def __init__(
        self, context: SandboxContext, run: JobRun, timeout_scale: float, spark_cores: int | None = None
    ) -> None:
        self.spark_cores = spark_cores
        self._context = context
        self._run = run
        self._timeout_seconds = run.timeout_minutes * timeout_scale
        self._dir = Path(context.state_dir) / "glue_jobs" / run.job_name / run.id
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def log_dir(self) -> Path:
        return self._dir

    def run(self) -> None:
        """Download, run and wait; every outcome ends in a terminal state (this thread's boundary)."""
        run = self._run
        try:
            script = self._download(run.script_location, self._dir)
        except (ValueError, OSError, BotoCoreError, ClientError) as exc:  # a missing script fails the run
            run.set_state(FAILED, f"Failed to download script {run.script_location}: {exc}")
            return
        try:
            env = self._environment()
        except (ValueError, OSError, BotoCoreError, ClientError) as exc:  # a missing library, likewise
            run.set_state(FAILED, str(exc))
            return
        shipper = LogShipper(self._logs(), self._log_targets())
        with self._lock:
            if run.stop_requested:
                run.set_state(STOPPED)
                return
            stdout = (self._dir / "stdout.log").open("wb")
            stderr = (self._dir / "stderr.log").open("wb")
            try:
                self._process = subprocess.Popen(  # noqa: S603 - our interpreter, the job's own script
                    script_argv(run, script),
                    cwd=self._dir,
                    env=env,
                    stdout=stdout,
                    stderr=stderr,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            except OSError as exc:
                stdout.close()
                stderr.close()
                run.set_state(FAILED, f"Cannot start the script: {exc}")
                return
            run.set_state(RUNNING)
            shipper.start()
        try:
            returncode = self._process.wait(timeout=self._timeout_seconds)
        except subprocess.TimeoutExpired:
            self._kill()
            shipper.close()
            run.set_state(TIMEOUT, f"Job run timed out after {run.timeout_minutes} minutes")
            return
        finally:
            stdout.close()
            stderr.close()
        shipper.close()  # every line is in CloudWatch Logs before a client can see the end state
        if run.stop_requested:
            run.set_state(STOPPED)
        elif returncode == 0:
            run.set_state(SUCCEEDED)
        else:
            text = (self._dir / "stderr.log").read_text(errors="replace")
            run.set_state(FAILED, error_message(text, returncode))

    def stop(self) -> None:
        """BatchStopJobRun: end the script (its whole process group); the run thread reports STOPPED."""
        with self._lock:
            self._run.stop_requested = True
            process = self._process
        if process is not None and process.poll() is None:
            self._kill()

    def _kill(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def _environment(self) -> dict[str, str]:
        """The script's environment: the sandbox's AWS settings, `--extra-py-files` on the path and,
        for a Spark job, Spark's settings (and `--extra-jars`)."""
        run = self._run
        env = script_env(self._context)
        libs = self._dir / "libs"
        try:
            py_files = [self._download(u, libs) for u in s3_urls(run.arguments.get("--extra-py-files"))]
            jars = [self._download(u, libs) for u in s3_urls(run.arguments.get("--extra-jars"))]
        except (ValueError, OSError, BotoCoreError, ClientError) as exc:
            raise ValueError(f"Failed to download --extra-py-files / --extra-jars: {exc}") from exc
        path = [str(p) for p in py_files]
        if run.command == "glueetl":
            missing = missing_jars()
            if missing:
                raise ValueError(f"JDBC drivers missing on this machine: {missing} (tools/bootstrap_jdbc.sh)")
            slots = task_slots(
                run.options.get("WorkerType"), run.options.get("NumberOfWorkers"), self.spark_cores
            )
            env.update(spark_environment(self._dir, slots, jars, py_files))
            path.append(str(GLUE_LIBS))
        if path:
            env["PYTHONPATH"] = os.pathsep.join(path)
        return env

    def _log_targets(self) -> list[Any]:
        run = self._run
        spark = run.command == "glueetl"
        group = (run.arguments.get("--custom-logGroup-prefix") if spark else None) or run.log_group
        continuous = None
        version = str(run.options.get("GlueVersion") or "5.0")
        if spark and version < "5.0" and run.arguments.get("--enable-continuous-cloudwatch-log") == "true":
            continuous = run.arguments.get("--continuous-log-logGroup") or CONTINUOUS_LOG_GROUP
        return log_targets(self._dir, run.id, group.rstrip("/"), spark, continuous)

    def _client(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]  # the service name is a variable
            endpoint_url=self._context.endpoint_url,
            region_name=self._context.region,
            aws_access_key_id=TEST_KEY,
            aws_secret_access_key=TEST_SECRET,
        )

    def _logs(self) -> Any:
        return self._client("logs")

    def _download(self, location: str, folder: Path) -> Path:
        if not location.startswith("s3://"):
            raise ValueError(f"{location!r} is not an s3:// URL")
        bucket, _, key = location[len("s3://") :].partition("/")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / (Path(key).name or "script.py")
        s3: S3Client = self._client("s3")
        s3.download_file(bucket, key, str(target))
        return target
