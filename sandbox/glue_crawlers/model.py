"""Crawler definitions, their crawls and the documents GetCrawler / ListCrawls / GetCrawlerMetrics
return, with the defaults AWS fills in (SchemaChangePolicy UPDATE_IN_DATABASE /
DEPRECATE_IN_DATABASE, RecrawlPolicy CRAWL_EVERYTHING, every target list present)."""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

READY, RUNNING, STOPPING = "READY", "RUNNING", "STOPPING"
SUCCEEDED, FAILED, CANCELLED = "SUCCEEDED", "FAILED", "CANCELLED"
_HISTORY_STATE = {SUCCEEDED: "COMPLETED", FAILED: "FAILED", CANCELLED: "STOPPED"}
TARGET_KINDS = (
    "S3Targets",
    "JdbcTargets",
    "MongoDBTargets",
    "DynamoDBTargets",
    "CatalogTargets",
    "DeltaTargets",
    "IcebergTargets",
    "HudiTargets",
)
DEFINITION_KEYS = (
    "Role",
    "DatabaseName",
    "Description",
    "Targets",
    "Classifiers",
    "TablePrefix",
    "SchemaChangePolicy",
    "RecrawlPolicy",
    "LineageConfiguration",
    "LakeFormationConfiguration",
    "Configuration",
    "CrawlerSecurityConfiguration",
)
DEFAULT_SCHEMA_CHANGE_POLICY = {
    "UpdateBehavior": "UPDATE_IN_DATABASE",
    "DeleteBehavior": "DEPRECATE_IN_DATABASE",
}


def normalized_targets(targets: dict[str, Any]) -> dict[str, Any]:
    """Targets as GetCrawler shows them: every kind listed, S3 targets with their Exclusions."""
    shown: dict[str, Any] = {kind: list(targets.get(kind) or []) for kind in TARGET_KINDS}
    shown["S3Targets"] = [{"Exclusions": [], **target} for target in shown["S3Targets"]]
    return shown


@dataclass
class Crawl:
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.time)
    ended: float | None = None
    status: str | None = None
    """SUCCEEDED, FAILED or CANCELLED once it has ended."""
    error: str | None = None
    summary: str = "{}"
    tables_created: int = 0
    tables_updated: int = 0
    tables_deleted: int = 0

    @property
    def seconds(self) -> float:
        return (self.ended or time.time()) - self.started

    def history(self, crawler: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "CrawlId": self.id,
            "State": _HISTORY_STATE.get(self.status or "", "RUNNING"),
            "StartTime": self.started,
            "Summary": self.summary,
            "LogGroup": "/aws-glue/crawlers",
            "LogStream": crawler,
            "MessagePrefix": self.id,
            "DPUHour": round(self.seconds / 3600 * 2, 6),
        }
        if self.ended is not None:
            entry["EndTime"] = self.ended
        if self.error:
            entry["ErrorMessage"] = self.error
        return entry


@dataclass
class Crawler:
    name: str
    region: str
    account_id: str
    definition: dict[str, Any]
    schedule: str | None = None
    schedule_state: str = "NOT_SCHEDULED"
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    version: int = 1
    state: str = READY
    crawls: list[Crawl] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return f"arn:aws:glue:{self.region}:{self.account_id}:crawler/{self.name}"

    @property
    def current(self) -> Crawl | None:
        """The crawl going on (RUNNING or STOPPING), if any."""
        return self.crawls[-1] if self.crawls and self.state != READY else None

    @property
    def last_finished(self) -> Crawl | None:
        finished = [crawl for crawl in self.crawls if crawl.status is not None]
        return finished[-1] if finished else None

    def describe(self) -> dict[str, Any]:
        definition = self.definition
        document: dict[str, Any] = {
            "Name": self.name,
            "Role": definition.get("Role", ""),
            "Targets": normalized_targets(definition.get("Targets") or {}),
            "Classifiers": list(definition.get("Classifiers") or []),
            "RecrawlPolicy": definition.get("RecrawlPolicy") or {"RecrawlBehavior": "CRAWL_EVERYTHING"},
            "SchemaChangePolicy": {
                **DEFAULT_SCHEMA_CHANGE_POLICY,
                **(definition.get("SchemaChangePolicy") or {}),
            },
            "LineageConfiguration": definition.get("LineageConfiguration")
            or {"CrawlerLineageSettings": "DISABLE"},
            "LakeFormationConfiguration": definition.get("LakeFormationConfiguration")
            or {"UseLakeFormationCredentials": False, "AccountId": ""},
            "State": self.state,
            "CrawlElapsedTime": int(self.current.seconds * 1000) if self.current else 0,
            "CreationTime": self.created,
            "LastUpdated": self.updated,
            "Version": self.version,
        }
        for key in (
            "DatabaseName",
            "Description",
            "TablePrefix",
            "Configuration",
            "CrawlerSecurityConfiguration",
        ):
            if definition.get(key) is not None:
                document[key] = definition[key]
        if self.schedule:
            document["Schedule"] = {"ScheduleExpression": self.schedule, "State": self.schedule_state}
        last = self.last_finished
        if last is not None:
            info: dict[str, Any] = {
                "Status": last.status,
                "LogGroup": "/aws-glue/crawlers",
                "LogStream": self.name,
                "MessagePrefix": last.id,
                "StartTime": last.started,
            }
            if last.error:
                info["ErrorMessage"] = last.error
            document["LastCrawl"] = info
        return document

    def metrics(self) -> dict[str, Any]:
        finished = [crawl for crawl in self.crawls if crawl.status is not None]
        last = finished[-1] if finished else None
        median = statistics.median(crawl.seconds for crawl in finished) if finished else 0.0
        current = self.current
        return {
            "CrawlerName": self.name,
            "TimeLeftSeconds": max(median - current.seconds, 0.0) if current and finished else 0.0,
            "StillEstimating": bool(current) and not finished,
            "LastRuntimeSeconds": round(last.seconds, 3) if last else 0.0,
            "MedianRuntimeSeconds": round(median, 3),
            "TablesCreated": last.tables_created if last else 0,
            "TablesUpdated": last.tables_updated if last else 0,
            "TablesDeleted": last.tables_deleted if last else 0,
        }
