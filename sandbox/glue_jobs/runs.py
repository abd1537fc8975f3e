"""Job runs and their states, as GetJobRun / GetJobRuns report them."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

STARTING, RUNNING, STOPPING = "STARTING", "RUNNING", "STOPPING"
STOPPED, SUCCEEDED, FAILED, TIMEOUT = "STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT"
TERMINAL = {STOPPED, SUCCEEDED, FAILED, TIMEOUT}


def new_run_id() -> str:
    """Glue's run id shape: `jr_` and 64 hex digits."""
    return "jr_" + secrets.token_hex(32)


@dataclass
class JobRun:
    job_name: str
    arguments: dict[str, str]
    timeout_minutes: int
    script_location: str
    options: dict[str, Any] = field(default_factory=dict)
    command: str = "glueetl"
    """The job's Command.Name: glueetl (Spark), pythonshell; decides the runtime and the log group."""
    id: str = field(default_factory=new_run_id)
    state: str = STARTING
    started_on: float = field(default_factory=time.time)
    last_modified_on: float = 0.0
    completed_on: float | None = None
    error_message: str | None = None
    stop_requested: bool = False

    def set_state(self, state: str, error_message: str | None = None) -> None:
        self.state, self.last_modified_on = state, time.time()
        if error_message is not None:
            self.error_message = error_message
        if state in TERMINAL:
            self.completed_on = self.last_modified_on

    @property
    def log_group(self) -> str:
        """Glue's prefix of the run's log groups (`<prefix>/output`, `<prefix>/error`), by job type."""
        return "/aws-glue/python-jobs" if self.command == "pythonshell" else "/aws-glue/jobs"

    @property
    def execution_time(self) -> int:
        """Seconds the run has taken (Glue reports whole seconds)."""
        end = self.completed_on if self.completed_on is not None else time.time()
        return int(end - self.started_on)

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Id": self.id,
            "Attempt": 0,
            "JobName": self.job_name,
            "JobMode": "SCRIPT",
            "StartedOn": self.started_on,
            "LastModifiedOn": self.last_modified_on or self.started_on,
            "JobRunState": self.state,
            "Arguments": dict(self.arguments),
            "PredecessorRuns": [],
            "ExecutionTime": self.execution_time,
            "Timeout": self.timeout_minutes,
            "LogGroupName": self.log_group,
            **self.options,
        }
        if self.completed_on is not None:
            body["CompletedOn"] = self.completed_on
        if self.error_message is not None:
            body["ErrorMessage"] = self.error_message
        return body


class RunStore:
    """Every run of the sandbox's lifetime; thread-safe (run threads update, requests read)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, JobRun] = {}

    def add(self, run: JobRun) -> None:
        with self._lock:
            self._runs[run.id] = run

    def get(self, job_name: str, run_id: str) -> JobRun | None:
        with self._lock:
            run = self._runs.get(run_id)
        return run if run is not None and run.job_name == job_name else None

    def for_job(self, job_name: str) -> list[JobRun]:
        """The job's runs, newest first (GetJobRuns' order)."""
        with self._lock:
            runs = [r for r in self._runs.values() if r.job_name == job_name]
        return sorted(runs, key=lambda r: r.started_on, reverse=True)

    def active(self, job_name: str) -> int:
        return sum(1 for r in self.for_job(job_name) if r.state not in TERMINAL)
