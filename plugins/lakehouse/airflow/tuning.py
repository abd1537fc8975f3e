"""Timings that differ between AWS and the local sandbox, read from Airflow's config.

They are Airflow options (section `lakehouse`) so MWAA sets them like any other option and the
sandbox sets them with AIRFLOW__LAKEHOUSE__* variables; the code path stays the same.

- appflow_update_propagation_seconds (15): AppFlow may start an on-demand flow with its previous
  definition right after UpdateFlow; the provider waits as long.
- appflow_poke_interval_seconds (30): how often a waiting run is checked (a short reschedule each).
- appflow_timeout_seconds (7200): a flow still running then is hung; the wait fails, the execution
  is cancelled.
- redshift_poll_interval_seconds (5): how often a Redshift Data statement is checked.
- glue_poll_interval_seconds (30): how often a feed's Glue job run is checked (GetJobRun).
- webhook_timeout_seconds (3), webhook_backoff_seconds (0.5), webhook_deadline_seconds (12): an
  alert webhook's wait per try, first pause between tries, and bound on all its tries
  (lakehouse.alerts.webhooks says why these values on AWS).
- salesforce_limit_wait_seconds (900): how long a run Salesforce refused for its daily API limit
  waits before it starts its interval again (docs/scale.md: the allocation is a rolling 24 hours,
  so there is no reset time to wait for; each try that is still refused costs one AppFlow run).
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow.sdk import conf

SECTION = "lakehouse"


@dataclass(frozen=True)
class Tuning:
    appflow_update_propagation_seconds: float = 15
    appflow_poke_interval_seconds: float = 30
    appflow_timeout_seconds: float = 7200
    redshift_poll_interval_seconds: float = 5
    glue_poll_interval_seconds: float = 30
    webhook_timeout_seconds: float = 3.0
    webhook_backoff_seconds: float = 0.5
    webhook_deadline_seconds: float = 12.0
    salesforce_limit_wait_seconds: float = 900

    @classmethod
    def from_airflow_config(cls) -> Tuning:
        defaults = cls()
        return cls(
            **{
                name: conf.getfloat(SECTION, name, fallback=getattr(defaults, name))
                for name in cls.__dataclass_fields__
            }
        )
