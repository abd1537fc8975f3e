"""AppFlow's quota of concurrent flow runs, and the most runs each Salesforce org saw at once.

AWS: "Number of concurrent flow runs at any time: 1,000" per account and Region (Amazon AppFlow
user guide, Quotas for Amazon AppFlow); StartFlow past a quota answers
ServiceQuotaExceededException (HTTP 402, "The request would cause a service quota ... to be
exceeded", AppFlow API reference). `SANDBOX_APPFLOW_CONCURRENT_RUNS` lowers the quota for tests.
The peak per org is what a test reads to prove that no more runs than the pool allows ever read
one org at once (`GET /_sandbox/appflow/limits`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from sandbox.appflow.errors import AppflowError
from sandbox.appflow.model import Execution

AWS_CONCURRENT_RUNS = 1_000


class ServiceQuotaExceededError(AppflowError):
    code = "ServiceQuotaExceededException"
    status = 402


class ConcurrentRuns:
    """Not thread-safe on its own: the runner calls it under the API state's lock."""

    def __init__(self, quota: int = AWS_CONCURRENT_RUNS) -> None:
        self.quota = quota
        self._running: dict[str, tuple[Execution, str]] = {}
        self.peaks: dict[str, int] = {}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ConcurrentRuns:
        env = os.environ if environ is None else environ
        return cls(int(env.get("SANDBOX_APPFLOW_CONCURRENT_RUNS", str(AWS_CONCURRENT_RUNS))))

    def _prune(self) -> None:
        for execution_id in [k for k, (e, _) in self._running.items() if e.finished]:
            del self._running[execution_id]

    def admit(self, execution: Execution, org_profile: str) -> None:
        """Count `execution` as running against `org_profile`, or refuse it past the quota."""
        self._prune()
        if len(self._running) >= self.quota:
            raise ServiceQuotaExceededError(
                f"Flow {execution.flow_name} cannot start: {len(self._running)} flow runs are in "
                f"progress, the account's quota of concurrent flow runs is {self.quota}"
            )
        self._running[execution.id] = (execution, org_profile)
        running_here = sum(1 for _, profile in self._running.values() if profile == org_profile)
        self.peaks[org_profile] = max(self.peaks.get(org_profile, 0), running_here)

    def peak(self, org_profile: str) -> int:
        return self.peaks.get(org_profile, 0)
