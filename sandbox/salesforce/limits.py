"""The org's daily API request allowance, spent the way AppFlow spends it, refused past its end.

What a run costs is a pure function of the records it reads and the Salesforce API it reads them
with (`api_calls`), from what Salesforce and AppFlow document (sandbox/README.md cites them):

- REST API (`dataTransferApi: REST_SYNC`): a SOQL query answers in batches of at most 2,000
  records and each further batch is one more request (`nextRecordsUrl`), so
  ceil(records / 2,000) requests, and 1 for a query that finds nothing (AppFlow's execution
  record shows `maxPageSize: 2000`).
- Bulk API 2.0 (`BULKV2`): one request creates the query job, one polls its state (the sandbox's
  jobs are done at the first poll), and each page of results is one more request; the sandbox
  pages 50,000 records (Salesforce sets the page size of `GET .../results` per call and AppFlow
  does not document the one it asks for), at least one page.
- `AUTOMATIC` (the default, or `dataTransferApi` absent): REST below 1,000,000 records, Bulk
  API 2.0 from 1,000,000 on (AppFlow API reference, SalesforceSourceProperties): which one a run
  uses is AppFlow's choice, made once in `sandbox.appflow.salesforce_api.chosen_api`, and this
  module is given the API it chose.

Every request counts against the org's allowance ("Total API Request Allocations": 100,000 a day
plus 1,000 per licence for an Enterprise org). Past it Salesforce refuses each request with
`REQUEST_LIMIT_EXCEEDED` ("TotalRequests Limit exceeded."): the requests of a run before the
refused one are spent, the run fails. Salesforce computes the allocation over a rolling 24 hours;
the sandbox resets it at the org's midnight (UTC, of the org's clock: `SalesforceOrg.set_clock`),
which is what a simulated clock can move and what the DAGs must survive either way.
"""

from __future__ import annotations

import math
import os
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

REST_BATCH_RECORDS = 2_000
BULK_RESULT_PAGE_RECORDS = 50_000
DEFAULT_DAILY_ALLOWANCE = 100_000
"""An Enterprise Edition org's base allocation, before the 1,000 requests each licence adds."""
LIMIT_ERROR = "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."
"""Salesforce's error code and message, as AppFlow's execution record carries it."""


def api_calls(records: int, api: Literal["REST", "BULKV2"]) -> int:
    """The API requests a run reading `records` records through `api` spends (see above)."""
    if records < 0:
        raise ValueError(f"records must be >= 0, not {records}")
    if api == "REST":
        return max(1, math.ceil(records / REST_BATCH_RECORDS))
    return 2 + max(1, math.ceil(records / BULK_RESULT_PAGE_RECORDS))


def org_day(clock: datetime) -> date:
    """The org's day: the UTC date of its clock."""
    return (clock if clock.tzinfo is None else clock.astimezone(UTC)).date()


class RequestLimitExceededError(RuntimeError):
    """Salesforce refused a request: the allowance of the org's day is spent."""

    def __init__(self, spent: int) -> None:
        super().__init__(LIMIT_ERROR)
        self.spent = spent


@dataclass
class _Usage:
    allowance: int
    spent: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    refused: dict[date, int] = field(default_factory=lambda: defaultdict(int))


class ApiLimits:
    """Per org (connector profile): its allowance and what each of its days spent. Thread-safe."""

    def __init__(self, default_allowance: int = DEFAULT_DAILY_ALLOWANCE) -> None:
        if default_allowance < 1:
            raise ValueError("a daily allowance is at least 1 request")
        self.default_allowance = default_allowance
        self._lock = threading.Lock()
        self._orgs: dict[str, _Usage] = {}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiLimits:
        """SANDBOX_SALESFORCE_DAILY_API_CALLS: every org's allowance (default 100,000)."""
        env = os.environ if environ is None else environ
        return cls(int(env.get("SANDBOX_SALESFORCE_DAILY_API_CALLS", str(DEFAULT_DAILY_ALLOWANCE))))

    def _usage(self, profile: str) -> _Usage:
        usage = self._orgs.get(profile)
        if usage is None:
            usage = self._orgs[profile] = _Usage(self.default_allowance)
        return usage

    def set_allowance(self, profile: str | None, allowance: int) -> None:
        """One org's allowance, or (profile None) every org's, present and future."""
        if allowance < 1:
            raise ValueError("a daily allowance is at least 1 request")
        with self._lock:
            if profile is None:
                self.default_allowance = allowance
                for usage in self._orgs.values():
                    usage.allowance = allowance
            else:
                self._usage(profile).allowance = allowance

    def spend(self, profile: str, day: date, calls: int) -> None:
        """Spend `calls` requests on `day`; past the allowance the requests that still fit are
        spent and the next one is refused (RequestLimitExceededError), as Salesforce does."""
        with self._lock:
            usage = self._usage(profile)
            left = max(0, usage.allowance - usage.spent[day])
            if calls <= left:
                usage.spent[day] += calls
                return
            usage.spent[day] += left
            usage.refused[day] += 1
        raise RequestLimitExceededError(left)

    def report(self, profile: str) -> dict[str, object]:
        """What the control endpoint answers: the allowance, and per day spent and refused."""
        with self._lock:
            usage = self._usage(profile)
            return {
                "allowance": usage.allowance,
                "spent": {day.isoformat(): n for day, n in sorted(usage.spent.items())},
                "refused": {day.isoformat(): n for day, n in sorted(usage.refused.items())},
            }
