"""One org per connector profile, built on first use with the sandbox-wide settings.

Settings come from the environment so `python -m sandbox up` and docker-compose can set them:
SANDBOX_SALESFORCE_TODAY (YYYY-MM-DD, the last day of generated history, default 2025-01-15),
SANDBOX_SALESFORCE_DAYS (days of history, default 7), SANDBOX_SALESFORCE_RECORDS (records per object,
default 60).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sandbox.salesforce.org import DEFAULT_RECORDS_PER_OBJECT, DEFAULT_TODAY, SalesforceOrg


@dataclass(frozen=True)
class OrgSettings:
    today: date = DEFAULT_TODAY
    days: int = 7
    records_per_object: int = DEFAULT_RECORDS_PER_OBJECT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OrgSettings:
        env = os.environ if environ is None else environ
        today = env.get("SANDBOX_SALESFORCE_TODAY")
        return cls(
            today=date.fromisoformat(today) if today else DEFAULT_TODAY,
            days=int(env.get("SANDBOX_SALESFORCE_DAYS", "7")),
            records_per_object=int(env.get("SANDBOX_SALESFORCE_RECORDS", str(DEFAULT_RECORDS_PER_OBJECT))),
        )


class OrgDirectory:
    def __init__(self, settings: OrgSettings | None = None) -> None:
        self.settings = settings or OrgSettings()
        self._lock = threading.Lock()
        self._orgs: dict[str, SalesforceOrg] = {}

    def get(self, profile: str) -> SalesforceOrg:
        with self._lock:
            org = self._orgs.get(profile)
            if org is None:
                org = SalesforceOrg(
                    profile,
                    today=self.settings.today,
                    days=self.settings.days,
                    records_per_object=self.settings.records_per_object,
                )
                self._orgs[profile] = org
            return org

    def forget(self, profile: str) -> None:
        with self._lock:
            self._orgs.pop(profile, None)
