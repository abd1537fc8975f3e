"""Runs flows asynchronously, one thread per execution, as AppFlow does: StartFlow returns at once
with the execution InProgress; the run then ends Successful, Error, or Canceled.

Every thread is joined on close(); a hanging (injected) run is released by CancelFlowExecutions or
by close().
"""

from __future__ import annotations

import copy
import logging
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.appflow.concurrency import ConcurrentRuns
from sandbox.appflow.injection import Injection, Injections
from sandbox.appflow.model import Execution, Flow, now
from sandbox.appflow.s3 import s3_client
from sandbox.appflow.s3_to_salesforce import run_s3_to_salesforce
from sandbox.appflow.salesforce_to_s3 import SalesforceRead, read_records, run_salesforce_to_s3
from sandbox.appflow.tasks import TaskError
from sandbox.appflow.transfer import TransferError, TransferResult
from sandbox.protocol import SandboxContext
from sandbox.salesforce import SalesforceOrg
from sandbox.salesforce.limits import ApiLimits, RequestLimitExceededError, api_calls, org_day

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)

_JOIN_TIMEOUT = 10.0


class Runner:
    def __init__(
        self,
        context: SandboxContext,
        orgs: Callable[[str], SalesforceOrg],
        injections: Injections,
        lock: threading.RLock,
    ) -> None:
        self.context = context
        self.orgs = orgs
        self.injections = injections
        self.lock = lock  # the API state's lock: executions are read by DescribeFlowExecutionRecords
        self._threads: dict[str, threading.Thread] = {}
        self._cancel: dict[str, threading.Event] = {}
        self._closing = threading.Event()
        self._s3: S3Client | None = None
        self.limits = ApiLimits.from_env()
        self.concurrency = ConcurrentRuns.from_env()

    def _s3_client(self) -> S3Client:
        """One client for every run: creating one costs ~1 s, and a created client is thread-safe."""
        with self.lock:
            if self._s3 is None:
                self._s3 = s3_client(self.context)
            return self._s3

    def start(self, flow: Flow) -> Execution:
        """Record a new execution on `flow` (caller holds the lock) and start its thread; past
        AppFlow's concurrency quota, ServiceQuotaExceededException and no execution."""
        execution = Execution(id=str(uuid.uuid4()), flow_name=flow.name)
        self.concurrency.admit(execution, _org_profile(flow.definition))
        flow.executions.append(execution)
        cancel = threading.Event()
        thread = threading.Thread(
            target=self._run,
            args=(flow, copy.deepcopy(flow.definition), execution, self.injections.take(flow.name), cancel),
            name=f"appflow-run-{flow.name}",
            daemon=True,
        )
        self._threads[execution.id] = thread
        self._cancel[execution.id] = cancel
        thread.start()
        return execution

    def cancel(self, execution: Execution) -> bool:
        """Ask a run to stop; False if it already ended."""
        with self.lock:
            if execution.finished:
                return False
            execution.status = "CancelStarted"
            execution.updated_at = now()
        self._cancel[execution.id].set()
        return True

    def close(self) -> None:
        self._closing.set()
        for event in list(self._cancel.values()):
            event.set()
        for thread in list(self._threads.values()):
            thread.join(_JOIN_TIMEOUT)

    def _run(
        self, flow: Flow, definition: dict[str, object], execution: Execution, injection: Injection | None,
        cancel: threading.Event,
    ) -> None:  # fmt: skip
        try:
            if injection and injection.mode == "fail":
                self._finish(execution, cancel, "Error", message=injection.message)
            elif injection and injection.mode == "hang":
                cancel.wait()
                self._finish(execution, cancel, "Canceled", message="Execution canceled")
            else:
                result = self._transfer(flow, definition, execution, injection)
                self._finish(execution, cancel, "Successful", result=result)
        except TransferError as error:
            self._finish(execution, cancel, "Error", message=str(error), result=error.result)
        except TaskError as error:
            self._finish(execution, cancel, "Error", message=str(error))
        except Exception as error:
            log.exception("appflow run %s of %s failed unexpectedly", execution.id, flow.name)
            self._finish(execution, cancel, "Error", message=f"Internal error {error!r}")

    def _transfer(
        self, flow: Flow, definition: dict[str, object], execution: Execution, injection: Injection | None
    ) -> TransferResult:
        partial = injection is not None and injection.mode == "partial"
        source = definition["sourceFlowConfig"]
        destination = definition["destinationFlowConfigList"][0]  # type: ignore[index]
        s3 = self._s3_client()
        with self.lock:
            execution.data_pull_start = now()
        if flow.source_type == "Salesforce":
            org = self.orgs(str(source["connectorProfileName"]))  # type: ignore[index]
            read = read_records(org, definition)
            self._spend_api_requests(org, read)
            return run_salesforce_to_s3(
                read, definition, flow_name=flow.name, execution_id=execution.id,
                started=execution.started_at, schema_version=flow.schema_version, s3=s3, partial=partial,
                spoil=injection.spoil if injection is not None and injection.bad_load else None,
            )  # fmt: skip
        org = self.orgs(str(destination["connectorProfileName"]))
        return run_s3_to_salesforce(
            org, definition, flow_name=flow.name, execution_id=execution.id, s3=s3, partial=partial
        )

    def _spend_api_requests(self, org: SalesforceOrg, read: SalesforceRead) -> None:
        """The org's API allowance, the one place a run spends it (sandbox/salesforce/limits.py):
        the requests reading the run's records take through the API the run uses; past the
        allowance the run ends in Error with Salesforce's REQUEST_LIMIT_EXCEEDED and writes nothing."""
        calls = api_calls(len(read.records), read.api)
        try:
            self.limits.spend(org.profile, org_day(org.clock), calls)
        except RequestLimitExceededError as error:
            raise TransferError(f"Salesforce refused the query of {read.schema.name}: {error}") from error

    def _finish(
        self, execution: Execution, cancel: threading.Event, status: str, *, message: str = "",
        result: TransferResult | None = None,
    ) -> None:  # fmt: skip
        with self.lock:
            if cancel.is_set() and status == "Successful":
                status, message = "Canceled", "Execution canceled"
            if result is not None:
                execution.records_processed = result.records_processed
                execution.bytes_processed = result.bytes_processed
                execution.bytes_written = result.bytes_written
                execution.failures = result.failures
                message = message or result.message
            execution.status = status
            execution.message = message
            execution.updated_at = now()
            if execution.data_pull_start is not None:
                execution.data_pull_end = execution.updated_at
        log.info("appflow run %s of %s: %s %s", execution.id, execution.flow_name, status, message)


def _org_profile(definition: dict[str, Any]) -> str:
    """The connector profile of the Salesforce side of a flow (its source, or its destination)."""
    source = definition["sourceFlowConfig"]
    if source["connectorType"] == "Salesforce":
        return str(source["connectorProfileName"])
    return str(definition["destinationFlowConfigList"][0].get("connectorProfileName", ""))
