"""One Airflow pool per connector profile (Salesforce org): every AppFlow task that reads or writes
the org takes a slot of it, so a backfill of every object cannot start more runs against the org
than `salesforce_limits.<profile>.concurrent_runs` allows.

The pools are the deployment's: `make airflow` imports them (`airflow pools import`), on MWAA the
deploy step posts them through the Airflow REST API (docs/deploy.md); both read `lakehouse pools`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.config import Environment
from lakehouse.config.names import slug

POOL_PREFIX = "salesforce__"


def pool_name(profile: str) -> str:
    """`salesforce__<profile slug>`: Airflow pool names allow letters, digits, '_', '-' and '.'."""
    return POOL_PREFIX + slug(profile)


@dataclass(frozen=True)
class PoolSpec:
    name: str
    slots: int
    description: str

    def as_import(self) -> dict[str, object]:
        """The value of `airflow pools import`'s JSON (and the REST API's pool body, less the name).

        `include_deferred`: run_flow defers while its execution runs, and must keep its slot."""
        return {"slots": self.slots, "description": self.description, "include_deferred": True}


def environment_pools(environment: Environment) -> list[PoolSpec]:
    pools = []
    for profile in environment.connector_profiles:
        limits = environment.limits_for(profile)
        pools.append(
            PoolSpec(
                name=pool_name(profile),
                slots=limits.concurrent_runs,
                description=(
                    f"AppFlow runs against the Salesforce org of {profile}: at most "
                    f"{limits.concurrent_runs} at once, {limits.daily_api_calls} API requests a day "
                    "(environments.yaml salesforce_limits)"
                ),
            )
        )
    return pools
