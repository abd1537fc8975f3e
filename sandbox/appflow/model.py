"""Flows, executions and connector profiles as AppFlow describes them.

A flow keeps the definition exactly as CreateFlow/UpdateFlow received it, so DescribeFlow hands
back a document that UpdateFlow accepts again (the provider's operators round-trip it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Document = dict[str, Any]

# CreateFlow/UpdateFlow members kept as the flow's definition (the rest are per-request).
DEFINITION_KEYS = (
    "description",
    "kmsArn",
    "triggerConfig",
    "sourceFlowConfig",
    "destinationFlowConfigList",
    "tasks",
    "metadataCatalogConfig",
)


def now() -> datetime:
    return datetime.now(UTC)


def epoch(moment: datetime) -> float:
    """AppFlow's timestamps are JSON numbers: seconds since the epoch."""
    return round(moment.timestamp(), 3)


@dataclass
class ConnectorProfile:
    name: str
    arn: str
    connector_type: str
    connection_mode: str
    properties: Document
    label: str | None = None
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)

    def describe(self) -> Document:
        document: Document = {
            "connectorProfileArn": self.arn,
            "connectorProfileName": self.name,
            "connectorType": self.connector_type,
            "connectionMode": self.connection_mode,
            "connectorProfileProperties": self.properties,
            "createdAt": epoch(self.created_at),
            "lastUpdatedAt": epoch(self.updated_at),
        }
        if self.label:
            document["connectorLabel"] = self.label
        return document


@dataclass
class Execution:
    """One run. `failures` is what AWS reports as errorInfo.putFailuresCount."""

    id: str
    flow_name: str
    status: str = "InProgress"
    started_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)
    records_processed: int = 0
    bytes_processed: int = 0
    bytes_written: int = 0
    failures: int = 0
    message: str = ""
    data_pull_start: datetime | None = None
    data_pull_end: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status not in {"InProgress", "CancelStarted"}

    def describe(self) -> Document:
        result: Document = {
            "bytesProcessed": self.bytes_processed,
            "bytesWritten": self.bytes_written,
            "recordsProcessed": self.records_processed,
            "numParallelProcesses": 1,
            "maxPageSize": 2000,
        }
        if self.message or self.failures:
            result["errorInfo"] = {"putFailuresCount": self.failures, "executionMessage": self.message}
        document: Document = {
            "executionId": self.id,
            "executionStatus": self.status,
            "executionResult": result,
            "startedAt": epoch(self.started_at),
            "lastUpdatedAt": epoch(self.updated_at),
        }
        if self.data_pull_start and self.data_pull_end:
            document["dataPullStartTime"] = epoch(self.data_pull_start)
            document["dataPullEndTime"] = epoch(self.data_pull_end)
        return document


@dataclass
class Flow:
    name: str
    arn: str
    definition: Document
    tags: dict[str, str] = field(default_factory=dict)
    status: str = "Active"
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)
    schema_version: int = 1
    executions: list[Execution] = field(default_factory=list)

    @property
    def _user(self) -> str:
        account = self.arn.split(":")[4]
        return f"arn:aws:iam::{account}:user/sandbox"

    @property
    def source_type(self) -> str:
        return str(self.definition["sourceFlowConfig"]["connectorType"])

    @property
    def destination_type(self) -> str:
        return str(self.definition["destinationFlowConfigList"][0]["connectorType"])

    @property
    def trigger_type(self) -> str:
        return str(self.definition["triggerConfig"]["triggerType"])

    def last_run(self) -> Document | None:
        if not self.executions:
            return None
        latest = self.executions[-1]
        details: Document = {
            "mostRecentExecutionTime": epoch(latest.updated_at),
            "mostRecentExecutionStatus": latest.status,
        }
        if latest.message:
            details["mostRecentExecutionMessage"] = latest.message
        return details

    def describe(self) -> Document:
        document: Document = {
            "flowArn": self.arn,
            "flowName": self.name,
            "flowStatus": self.status,
            **self.definition,
            "createdAt": epoch(self.created_at),
            "lastUpdatedAt": epoch(self.updated_at),
            "createdBy": self._user,
            "lastUpdatedBy": self._user,
            "tags": dict(self.tags),
            "schemaVersion": self.schema_version,
        }
        last_run = self.last_run()
        if last_run:
            document["lastRunExecutionDetails"] = last_run
        return document

    def summary(self) -> Document:
        source = self.definition["sourceFlowConfig"]
        destination = self.definition["destinationFlowConfigList"][0]
        document: Document = {
            "flowArn": self.arn,
            "flowName": self.name,
            "flowStatus": self.status,
            "sourceConnectorType": source["connectorType"],
            "destinationConnectorType": destination["connectorType"],
            "triggerType": self.trigger_type,
            "createdAt": epoch(self.created_at),
            "lastUpdatedAt": epoch(self.updated_at),
            "tags": dict(self.tags),
        }
        if "description" in self.definition:
            document["description"] = self.definition["description"]
        last_run = self.last_run()
        if last_run:
            document["lastRunExecutionDetails"] = last_run
        return document
