"""How much of a Salesforce org the lakehouse may use: its share of the org's daily API requests
and how many AppFlow runs may read the org at once (environments.yaml `salesforce_limits:`).

Defaults, and the published limits they are chosen against (docs/scale.md cites them):

- `daily_api_calls` 15,000: Salesforce's smallest Enterprise Edition org gets 100,000 API requests
  per 24 hours (plus 1,000 per user licence), shared by every integration of the org; the
  lakehouse takes 15% of that floor unless told otherwise.
- `concurrent_runs` 5: Salesforce allows 25 long-running (20 s or more) API requests at once in a
  production org (5 in a Developer Edition or trial org), and AppFlow 1,000 concurrent flow runs
  per account; five runs per org leave most of Salesforce's room to the org's other users.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_DAILY_API_CALLS = 15_000
DEFAULT_CONCURRENT_RUNS = 5
SALESFORCE_LONG_RUNNING_REQUESTS = 25
"""Salesforce's concurrent long-running request limit of a production org: more runs than this
at once would be refused by Salesforce whatever the pool says."""


class SalesforceLimits(BaseModel):
    """One connector profile's (org's) budget."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    daily_api_calls: int = Field(
        DEFAULT_DAILY_API_CALLS,
        ge=1,
        description="API requests per day (the org's day, UTC) the lakehouse's AppFlow runs may spend.",
    )
    concurrent_runs: int = Field(
        DEFAULT_CONCURRENT_RUNS,
        ge=1,
        le=SALESFORCE_LONG_RUNNING_REQUESTS,
        description="AppFlow runs reading or writing the org at once: the size of its Airflow pool.",
    )


DEFAULT_LIMITS = SalesforceLimits()
