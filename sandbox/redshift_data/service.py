"""The Redshift Data API operations (JSON protocol, `X-Amz-Target: RedshiftData.<Operation>`).

Operations not served here (ListDatabases, DescribeTable, ...) return None and reach moto.

Failure injection, so a DAG's warehouse error path (alerts, retries) can be tested with a fault
that clears itself: `inject(match, message)` in Python, or unsigned
`POST /_sandbox/redshift-data/inject {"match": "...", "message": "..."}`: the next statement one of
whose SQL texts contains `match` ends FAILED with `message`; later ones run normally.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections import deque
from typing import Any

from sandbox.awsjson import ApiError, RequestOperation, dispatch_request
from sandbox.protocol import Request, Response, SandboxContext
from sandbox.redshift_data.database import SqlFailedError
from sandbox.redshift_data.results import field
from sandbox.redshift_data.runner import Runner
from sandbox.redshift_data.statements import FINISHED, Statement, StatementStore
from sandbox.redshift_data.warehouses import Warehouses

DEFAULT_PAGE_ROWS = int(os.environ.get("SANDBOX_REDSHIFT_DATA_PAGE_ROWS", "1000"))
CONTROL_PREFIX = "/_sandbox/redshift-data/"
_TARGET_KEYS = ("ClusterIdentifier", "WorkgroupName", "DbUser", "SecretArn")


class RedshiftDataService:
    """Redshift Data API on DuckDB. `page_rows` bounds a GetStatementResult page (Redshift: 100 MB)."""

    signing_name = "redshift-data"

    def __init__(self, context: SandboxContext, page_rows: int = DEFAULT_PAGE_ROWS) -> None:
        self.page_rows = page_rows
        self._store = StatementStore()
        self._runner = Runner(context)
        self._warehouses = Warehouses(context)
        self._sessions: dict[str, dict[str, str]] = {}
        self._sessions_lock = threading.Lock()
        self._faults: deque[tuple[str, str]] = deque()
        self._operations: dict[str, RequestOperation] = {
            "ExecuteStatement": self._execute_statement,
            "BatchExecuteStatement": self._batch_execute_statement,
            "DescribeStatement": self._describe_statement,
            "GetStatementResult": self._get_statement_result,
            "ListStatements": self._list_statements,
            "CancelStatement": self._cancel_statement,
        }

    def handle(self, request: Request) -> Response | None:
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)
        return dispatch_request(self._operations, request)

    def inject(self, match: str, message: str) -> int:
        """Fail the next statement whose SQL contains `match` with `message`; returns how many wait."""
        if not match:
            raise ValueError("match must be a non-empty piece of SQL")
        with self._sessions_lock:
            self._faults.append((match, message))
            return len(self._faults)

    def _take_fault(self, sqls: list[str]) -> SqlFailedError | None:
        with self._sessions_lock:
            for queued in list(self._faults):
                match, message = queued
                index = next((i for i, sql in enumerate(sqls) if match in sql), None)
                if index is not None:
                    self._faults.remove(queued)
                    return SqlFailedError(index, message, interrupted=False)
        return None

    def _control(self, request: Request) -> Response:
        if request.method != "POST" or request.path.removeprefix(CONTROL_PREFIX).strip("/") != "inject":
            unknown = f"unknown control endpoint {request.method} {request.path}"
            return _control_reply(404, {"message": unknown})
        try:
            body = json.loads(request.body or b"{}")
            pending = self.inject(str(body["match"]), str(body.get("message") or "Injected failure"))
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            return _control_reply(400, {"message": f"bad control request: {error!r}"})
        return _control_reply(200, {"pending": pending})

    def close(self) -> None:
        self._runner.close()

    # Operations -------------------------------------------------------------------------------

    def _execute_statement(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        sql = _required(body, "Sql")
        return self._submit(body, request.region, [sql], batch=False)

    def _batch_execute_statement(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        sqls = body.get("Sqls")
        if not isinstance(sqls, list) or not sqls or not all(isinstance(s, str) and s for s in sqls):
            raise ApiError("ValidationException", "Sqls must be a non-empty list of SQL statements")
        if len(sqls) > 40:
            raise ApiError("ValidationException", "Sqls can hold at most 40 statements")
        return self._submit(body, request.region, sqls, batch=True)

    def _describe_statement(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        statement_id = _required(body, "Id")
        statement = self._store.get(statement_id, request.region)
        if statement is not None and statement.id == statement_id:
            return statement.describe()
        found = self._store.part(statement_id, request.region)
        if found is None:
            raise _not_found(statement_id)
        statement, part = found
        described = {**statement.describe(), **part.describe()}
        described.pop("SubStatements", None)
        return described

    def _get_statement_result(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        statement_id = _required(body, "Id")
        found = self._store.part(statement_id, request.region)
        if found is None:
            raise _not_found(statement_id)
        _, part = found
        result = part.result
        if part.status != FINISHED or result is None or not result.has_result_set:
            raise ApiError(
                "ValidationException",
                "Query does not have result. Please check query status with DescribeStatement.",
            )
        start = _token(body.get("NextToken"))
        end = start + self.page_rows
        page: dict[str, Any] = {
            "Records": [[field(v) for v in row] for row in result.rows[start:end]],
            "ColumnMetadata": [c.metadata() for c in result.columns],
            "TotalNumRows": len(result.rows),
        }
        if end < len(result.rows):
            page["NextToken"] = str(end)
        return page

    def _list_statements(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        status = body.get("Status", "ALL")
        name = body.get("StatementName")
        statements = [
            s
            for s in self._store.newest_first(request.region)
            if (status == "ALL" or s.status == status)
            and (not name or (s.name or "").startswith(name))
            and all(s.target.get(k) == body[k] for k in ("ClusterIdentifier", "WorkgroupName") if k in body)
            and ("Database" not in body or s.database == body["Database"])
        ]
        start = _token(body.get("NextToken"))
        limit = int(body.get("MaxResults") or 100)
        page: dict[str, Any] = {"Statements": [s.summary() for s in statements[start : start + limit]]}
        if start + limit < len(statements):
            page["NextToken"] = str(start + limit)
        return page

    def _cancel_statement(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        statement_id = _required(body, "Id")
        statement = self._store.get(statement_id, request.region)
        if statement is None:
            raise _not_found(statement_id)
        return {"Status": self._runner.cancel(statement)}

    # Helpers ----------------------------------------------------------------------------------

    def _submit(self, body: dict[str, Any], region: str, sqls: list[str], batch: bool) -> dict[str, Any]:
        target, database, session_id = self._target(body, region)
        parameters = {str(p["name"]): str(p["value"]) for p in body.get("Parameters") or []}
        statement = Statement(
            database=database,
            queries=sqls,
            batch=batch,
            target=target,
            parameters=parameters or None,
            name=body.get("StatementName"),
            region=region,
        )
        self._store.add(statement)
        self._runner.submit(statement, self._take_fault(sqls))
        response: dict[str, Any] = {
            "Id": statement.id,
            "CreatedAt": statement.created_at,
            "Database": database,
            **target,
        }
        if session_id:
            response["SessionId"] = session_id
        return response

    def _target(self, body: dict[str, Any], region: str) -> tuple[dict[str, str], str, str | None]:
        """Where the statement runs: a cluster, a workgroup, or a session opened by an earlier call.

        The cluster or workgroup must exist in `region` now (a session outlives neither).
        """
        if session_id := body.get("SessionId"):
            with self._sessions_lock:
                session = self._sessions.get(session_id)
            if session is None or session["Region"] != region:
                raise ApiError("ValidationException", f"Session {session_id} does not exist")
            target = {k: v for k, v in session.items() if k not in {"Database", "Region"}}
            self._warehouses.check(region, target)
            return target, session["Database"], session_id
        given = [k for k in ("ClusterIdentifier", "WorkgroupName") if body.get(k)]
        if len(given) != 1:
            raise ApiError(
                "ValidationException",
                "Exactly one of ClusterIdentifier, WorkgroupName or SessionId must be provided",
            )
        if body.get("ClusterIdentifier") and not (body.get("DbUser") or body.get("SecretArn")):
            raise ApiError("ValidationException", "ClusterIdentifier needs DbUser or SecretArn")
        target = {k: str(body[k]) for k in _TARGET_KEYS if body.get(k)}
        self._warehouses.check(region, target)
        database = str(body.get("Database") or "dev")
        new_session = None
        if body.get("SessionKeepAliveSeconds"):
            new_session = str(uuid.uuid4())
            with self._sessions_lock:
                self._sessions[new_session] = {**target, "Database": database, "Region": region}
        return target, database, new_session


def _control_reply(status: int, document: object) -> Response:
    return Response(status, json.dumps(document).encode(), {"Content-Type": "application/json"})


def _required(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ApiError("ValidationException", f"{key} is required")
    return value


def _token(token: Any) -> int:
    if token is None:
        return 0
    try:
        return max(int(token), 0)
    except (TypeError, ValueError) as exc:
        raise ApiError("ValidationException", f"Invalid NextToken {token!r}") from exc


def _not_found(statement_id: str) -> ApiError:
    return ApiError(
        "ResourceNotFoundException",
        f"Query does not exist. Id: {statement_id}",
        extra={"ResourceId": statement_id},
    )
