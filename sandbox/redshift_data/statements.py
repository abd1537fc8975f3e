"""Statements and their lifecycle, as DescribeStatement / ListStatements report them.

A statement is SUBMITTED when accepted, STARTED while its worker runs it, then FINISHED, FAILED or
ABORTED. A batch is one statement with sub-statements `<id>:1`, `<id>:2`, ... (Redshift's ids), each
with its own status and result; a single statement is its own only part.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sandbox.redshift_data.database import Result

SUBMITTED, STARTED, FINISHED, FAILED, ABORTED = "SUBMITTED", "STARTED", "FINISHED", "FAILED", "ABORTED"
TERMINAL = {FINISHED, FAILED, ABORTED}


@dataclass
class Part:
    id: str
    query: str
    created_at: float
    status: str = SUBMITTED
    updated_at: float = 0.0
    duration_ns: int = -1
    error: str | None = None
    result: Result | None = None

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Id": self.id,
            "Status": self.status,
            "QueryString": self.query,
            "HasResultSet": bool(self.result and self.result.has_result_set),
            "ResultRows": self.result.result_rows if self.result else -1,
            "ResultSize": _size(self.result),
            "Duration": self.duration_ns,
            "CreatedAt": self.created_at,
            "UpdatedAt": self.updated_at or self.created_at,
            "RedshiftQueryId": 0,
        }
        if self.error is not None:
            body["Error"] = self.error
        return body


@dataclass
class Statement:
    """One ExecuteStatement or BatchExecuteStatement call and where it runs."""

    database: str
    queries: list[str]
    batch: bool
    target: dict[str, str]
    parameters: dict[str, str] | None = None
    name: str | None = None
    region: str = "eu-west-1"
    """Where it was submitted: the statement exists in that region only."""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: float = field(default_factory=time.time)
    status: str = SUBMITTED
    updated_at: float = 0.0
    started_at: float = 0.0
    error: str | None = None
    parts: list[Part] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.parts:
            ids = [f"{self.id}:{n}" for n in range(1, len(self.queries) + 1)] if self.batch else [self.id]
            self.parts = [Part(i, q, self.created_at) for i, q in zip(ids, self.queries, strict=True)]
        self.updated_at = self.created_at

    def set_status(self, status: str, error: str | None = None) -> None:
        self.status, self.error, self.updated_at = status, error, time.time()
        if status == STARTED:
            self.started_at = self.updated_at

    @property
    def duration_ns(self) -> int:
        if self.status not in TERMINAL or not self.started_at:
            return -1
        return int((self.updated_at - self.started_at) * 1e9)

    @property
    def query_string(self) -> str:
        return ";\n".join(self.queries) if self.batch else self.queries[0]

    def describe(self) -> dict[str, Any]:
        last = self.parts[-1]
        body: dict[str, Any] = {
            "Id": self.id,
            "Status": self.status,
            "Database": self.database,
            "QueryString": self.query_string,
            "HasResultSet": any(p.result and p.result.has_result_set for p in self.parts),
            "ResultRows": sum(p.result.result_rows for p in self.parts if p.result) if last.result else -1,
            "ResultSize": sum(_size(p.result) for p in self.parts),
            "Duration": self.duration_ns,
            "CreatedAt": self.created_at,
            "UpdatedAt": self.updated_at,
            "RedshiftPid": 0,
            "RedshiftQueryId": 0,
            **self.target,
        }
        if self.error is not None:
            body["Error"] = self.error
        if self.parameters:
            body["QueryParameters"] = [{"name": k, "value": v} for k, v in self.parameters.items()]
        if self.batch:
            body["SubStatements"] = [p.describe() for p in self.parts]
        return body

    def summary(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Id": self.id,
            "Status": self.status,
            "CreatedAt": self.created_at,
            "UpdatedAt": self.updated_at,
            "IsBatchStatement": self.batch,
        }
        if self.batch:
            body["QueryStrings"] = list(self.queries)
        else:
            body["QueryString"] = self.queries[0]
        if self.name:
            body["StatementName"] = self.name
        if "SecretArn" in self.target:
            body["SecretArn"] = self.target["SecretArn"]
        return body


class StatementStore:
    """All statements of a sandbox lifetime, by id; thread-safe (workers update, requests read)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._statements: dict[str, Statement] = {}

    def add(self, statement: Statement) -> None:
        with self._lock:
            self._statements[statement.id] = statement

    def get(self, statement_id: str, region: str | None = None) -> Statement | None:
        """The statement of an id or sub-statement id, if it was submitted in `region` (any if None)."""
        with self._lock:
            statement = self._statements.get(statement_id.partition(":")[0])
        return statement if statement is not None and region in {None, statement.region} else None

    def part(self, statement_id: str, region: str | None = None) -> tuple[Statement, Part] | None:
        """The statement and its part for a statement id or a sub-statement id (`<id>:<n>`)."""
        statement = self.get(statement_id, region)
        if statement is None:
            return None
        for part in statement.parts:
            if part.id == statement_id:
                return statement, part
        return None

    def newest_first(self, region: str | None = None) -> list[Statement]:
        with self._lock:
            found = [s for s in self._statements.values() if region is None or s.region == region]
        return sorted(found, key=lambda s: s.created_at, reverse=True)


def _size(result: Result | None) -> int:
    if result is None or not result.has_result_set:
        return 0
    return len(result.rows) * max(len(result.columns), 1) * 8  # an estimate: Redshift's is bytes
