"""Runs one job run's script as a subprocess pointed at the sandbox, and watches it to its end.

The script gets what Glue gives a Python script: `--JOB_NAME`, `--JOB_RUN_ID` and the job's
DefaultArguments merged with the run's Arguments as `--key value` pairs; parsing them is the
script's own business (there is no awsglue library here). Its environment points boto3 (and so
awswrangler) at the sandbox with test credentials, so it cannot reach real AWS.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from sandbox.glue_jobs.runs import FAILED, RUNNING, STOPPED, SUCCEEDED, TIMEOUT, JobRun
from sandbox.protocol import SandboxContext

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

TEST_KEY, TEST_SECRET = "testing", "testing"  # moto accepts any; nothing here can reach real AWS
_STOP_GRACE_SECONDS = 5.0


def script_argv(run: JobRun, script: Path) -> list[str]:
    """The command line Glue builds: the script, its identity, then every argument as `--key value`."""
    argv = [sys.executable, str(script), "--JOB_NAME", run.job_name, "--JOB_RUN_ID", run.id]
    for key, value in run.arguments.items():
        argv += [key if key.startswith("--") else f"--{key}", value]
    return argv


def script_env(context: SandboxContext) -> dict[str, str]:
    """The parent's environment with every AWS setting replaced by the sandbox's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "BOTO_")) and k not in {"AIRFLOW_CONN_AWS_DEFAULT"}
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
    """What Glue shows as ErrorMessage: the exception line that ended the script, else the exit code."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if lines:
        return lines[-1][-2000:]
    return f"Command failed with exit code {returncode}"


class ScriptExecution:
    """One run's subprocess: started by `run()` on its own thread, stoppable from another."""

    def __init__(self, context: SandboxContext, run: JobRun, timeout_scale: float) -> None:
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
            script = self._download()
        except (ValueError, OSError, BotoCoreError, ClientError) as exc:  # a missing script fails the run
            run.set_state(FAILED, f"Failed to download script {run.script_location}: {exc}")
            return
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
                    env=script_env(self._context),
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
        try:
            returncode = self._process.wait(timeout=self._timeout_seconds)
        except subprocess.TimeoutExpired:
            self._kill()
            run.set_state(TIMEOUT, f"Job run timed out after {run.timeout_minutes} minutes")
            return
        finally:
            stdout.close()
            stderr.close()
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

    def _download(self) -> Path:
        location = self._run.script_location
        if not location.startswith("s3://"):
            raise ValueError("ScriptLocation must be an s3:// URL")
        bucket, _, key = location[len("s3://") :].partition("/")
        self._dir.mkdir(parents=True, exist_ok=True)
        target = self._dir / (Path(key).name or "script.py")
        s3: S3Client = boto3.client(
            "s3",
            endpoint_url=self._context.endpoint_url,
            region_name=self._context.region,
            aws_access_key_id=TEST_KEY,
            aws_secret_access_key=TEST_SECRET,
        )
        s3.download_file(bucket, key, str(target))
        return target
