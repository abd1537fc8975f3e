"""The Airflow keys every entry that becomes a DAG may set, whatever it moves (flows.yaml,
feeds.yaml): one model, so both files take the same keys with the same limits and defaults."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from lakehouse.config.fields import Flag, named, named_list
from lakehouse.config.names import DAG_TAG, OWNER

STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
"""Unknown keys are errors (a typo never passes silently); values are immutable once loaded."""


class DagSettings(BaseModel):
    model_config = STRICT

    environment: str = Field("all", description="all, or one environment of environments.yaml (dev, prod).")
    owner: Annotated[str, named(OWNER)] = Field("data-platform", description="Airflow owner of the DAG.")
    tags: Annotated[list[str], *named_list(DAG_TAG)] = Field(
        default_factory=list, description="Extra Airflow tags."
    )
    start_date: dt.date = Field(dt.date(2025, 1, 1), description="First data interval (UTC), YYYY-MM-DD.")
    retries: int = Field(2, ge=0, le=10, description="Task retries before the run fails.")
    retry_delay_minutes: int = Field(5, ge=1, le=1440, description="First retry delay; doubles each try.")
    alert_on_retry: Flag = Field(
        False,
        description="1: alert on every failed try that will be retried, too; 0: alert only when a "
        "task fails for good (its last try).",
    )
    recovery_alerts: Flag = Field(
        False,
        description="1: when a task succeeds after its previous try failed, send a recovery message "
        "to the same channels as the failure alert.",
    )
