"""Glue's job-run operations (JSON protocol, `X-Amz-Target: AWSGlue.<Operation>`).

Only StartJobRun, GetJobRun, GetJobRuns and BatchStopJobRun are served here; every other Glue
request (jobs, catalog, crawlers, ...) returns None and goes on (crawler runs, then moto, which
keeps the job definitions this service reads through boto3 like any client).

Jobs and runs are regional: a run is started from the job of the request's region, is found in
that region only, and its script gets that region as AWS_REGION / AWS_DEFAULT_REGION.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from typing import TYPE_CHECKING, Any

import boto3

from sandbox.awsjson import ApiError, RequestOperation, dispatch_request
from sandbox.glue_jobs.executor import TEST_KEY, TEST_SECRET, ScriptExecution
from sandbox.glue_jobs.runs import STOPPING, TERMINAL, JobRun, RunStore
from sandbox.protocol import Request, Response, SandboxContext

if TYPE_CHECKING:
    from mypy_boto3_glue import GlueClient

DEFAULT_TIMEOUT_MINUTES = 2880
_RUN_OPTIONS = ("AllocatedCapacity", "MaxCapacity", "WorkerType", "NumberOfWorkers", "GlueVersion")
_CLOSE_JOIN_SECONDS = 10.0


class GlueJobService:
    """Job runs that execute the job's script.

    `timeout_scale` is the seconds per Timeout minute: tests lower it to see a TIMEOUT quickly.
    """

    signing_name = "glue"

    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.timeout_scale = float(os.environ.get("SANDBOX_GLUE_TIMEOUT_SCALE", "60"))
        cores = os.environ.get("SANDBOX_GLUE_SPARK_CORES")
        self.spark_cores = int(cores) if cores else None  # a glueetl run's local[N] cap (spark_env)
        self._glue: dict[str, GlueClient] = {}
        self._stores: dict[str, RunStore] = {}
        self._lock = threading.Lock()
        self._executions: dict[str, tuple[ScriptExecution, threading.Thread]] = {}
        self._closed = False
        self._operations: dict[str, RequestOperation] = {
            "StartJobRun": self._start_job_run,
            "GetJobRun": self._get_job_run,
            "GetJobRuns": self._get_job_runs,
            "BatchStopJobRun": self._batch_stop_job_run,
        }

    def handle(self, request: Request) -> Response | None:
        return dispatch_request(self._operations, request)

    def log_dir(self, job_name: str, run_id: str) -> str:
        """Where a run's script, stdout.log and stderr.log are kept (for tests and debugging)."""
        return os.path.join(self.context.state_dir, "glue_jobs", job_name, run_id)

    def close(self) -> None:
        """Stop every run still going and reap its subprocess and thread."""
        with self._lock:
            self._closed = True
            executions = list(self._executions.values())
        for execution, _ in executions:
            execution.stop()
        for _, thread in executions:
            thread.join(_CLOSE_JOIN_SECONDS)

    # Operations -------------------------------------------------------------------------------

    def _start_job_run(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        job_name = _required(body, "JobName")
        job = self._job(request.region, job_name)
        store = self._store(request.region)
        limit = int(job.get("ExecutionProperty", {}).get("MaxConcurrentRuns", 1))
        if store.active(job_name) >= limit:
            raise ApiError(
                "ConcurrentRunsExceededException", f"Concurrent runs exceeded for {job_name}: limit {limit}"
            )
        arguments = {**job.get("DefaultArguments", {}), **(body.get("Arguments") or {})}
        timeout = int(body.get("Timeout") or job.get("Timeout") or DEFAULT_TIMEOUT_MINUTES)
        options = {k: body.get(k, job.get(k)) for k in _RUN_OPTIONS if body.get(k, job.get(k)) is not None}
        run = JobRun(
            job_name=job_name,
            arguments={str(k): str(v) for k, v in arguments.items()},
            timeout_minutes=timeout,
            script_location=str(job.get("Command", {}).get("ScriptLocation", "")),
            options=options,
            command=str(job.get("Command", {}).get("Name", "glueetl")),
        )
        context = dataclasses.replace(self.context, region=request.region)
        execution = ScriptExecution(context, run, self.timeout_scale, self.spark_cores)
        thread = threading.Thread(target=execution.run, name=f"glue-run-{run.id[:11]}", daemon=True)
        with self._lock:
            if self._closed:
                raise ApiError("InternalServiceException", "the sandbox is stopping", status=500)
            store.add(run)
            self._executions[run.id] = (execution, thread)
        thread.start()
        return {"JobRunId": run.id}

    def _get_job_run(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        job_name, run_id = _required(body, "JobName"), _required(body, "RunId")
        run = self._store(request.region).get(job_name, run_id)
        if run is None:
            raise ApiError("EntityNotFoundException", f"Job run {run_id} of job {job_name} not found")
        return {"JobRun": run.describe()}

    def _get_job_runs(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        job_name = _required(body, "JobName")
        runs = self._store(request.region).for_job(job_name)
        start = int(body.get("NextToken") or 0)
        limit = int(body.get("MaxResults") or 100)
        page: dict[str, Any] = {"JobRuns": [r.describe() for r in runs[start : start + limit]]}
        if start + limit < len(runs):
            page["NextToken"] = str(start + limit)
        return page

    def _batch_stop_job_run(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        job_name = _required(body, "JobName")
        store = self._store(request.region)
        stopped: list[dict[str, str]] = []
        errors: list[dict[str, Any]] = []
        for run_id in body.get("JobRunIds") or []:
            run = store.get(job_name, run_id)
            with self._lock:
                execution = self._executions.get(run_id)
            if run is None or execution is None or run.state in TERMINAL:
                detail = "not found" if run is None else f"already {run.state}"
                errors.append(
                    {
                        "JobName": job_name,
                        "JobRunId": run_id,
                        "ErrorDetail": {"ErrorCode": "InvalidInputException", "ErrorMessage": detail},
                    }
                )
                continue
            run.set_state(STOPPING)
            execution[0].stop()
            stopped.append({"JobName": job_name, "JobRunId": run_id})
        return {"SuccessfulSubmissions": stopped, "Errors": errors}

    def _store(self, region: str) -> RunStore:
        with self._lock:
            return self._stores.setdefault(region, RunStore())

    def _job(self, region: str, job_name: str) -> Any:
        """The job definition in `region`, from moto (where CreateJob / the provider's hook put it)."""
        glue = self._client(region)
        try:
            return glue.get_job(JobName=job_name)["Job"]
        except glue.exceptions.EntityNotFoundException as exc:
            raise ApiError("EntityNotFoundException", f"Job {job_name} not found") from exc

    def _client(self, region: str) -> GlueClient:
        """One moto Glue client per region (creating one costs ~1 s; a client is thread-safe)."""
        with self._lock:
            if region not in self._glue:
                self._glue[region] = boto3.session.Session().client(
                    "glue",
                    endpoint_url=self.context.endpoint_url,
                    region_name=region,
                    aws_access_key_id=TEST_KEY,
                    aws_secret_access_key=TEST_SECRET,
                )
            return self._glue[region]


def _required(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ApiError("InvalidInputException", f"{key} is required")
    return value
