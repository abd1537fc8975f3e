"""Runs statements on worker threads, as Redshift runs them asynchronously to the API call.

ExecuteStatement answers at once with an id; the statement goes STARTED when a worker picks it up
and ends FINISHED, FAILED (with the engine's message) or ABORTED (CancelStatement). Clients must
poll DescribeStatement, exactly as against Redshift.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sandbox.protocol import SandboxContext
from sandbox.redshift_data.database import Database, SqlFailedError
from sandbox.redshift_data.external import CatalogDirectory
from sandbox.redshift_data.statements import (
    ABORTED,
    FAILED,
    FINISHED,
    STARTED,
    SUBMITTED,
    TERMINAL,
    Statement,
)


class Runner:
    def __init__(self, context: SandboxContext, workers: int = 4) -> None:
        self._root = Path(context.state_dir) / "redshift_data"
        self._catalogs = CatalogDirectory(context)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="redshift-data")
        self._lock = threading.Lock()
        self._databases: dict[tuple[str, ...], Database] = {}
        self._running: dict[str, Database] = {}

    def submit(self, statement: Statement, fault: SqlFailedError | None = None) -> None:
        """Run `statement`; an injected `fault` fails it as the engine would, once it has started."""
        self._pool.submit(self._run, statement, fault)

    def cancel(self, statement: Statement) -> bool:
        """Abort a statement not yet finished; a running one is interrupted in DuckDB."""
        with self._lock:
            if statement.status in TERMINAL:
                return False
            if statement.status == SUBMITTED:
                _abort(statement, "Query cancelled by user.")
                return True
            database = self._running.get(statement.id)
        if database is not None:
            database.interrupt()
        return True

    def close(self) -> None:
        with self._lock:
            databases = list(self._databases.values())
        for database in databases:
            database.interrupt()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for database in databases:
            database.close()

    def _database(self, statement: Statement) -> Database:
        """The statement's database on its warehouse: `<region>/<cluster|workgroup>-<name>/<db>.duckdb`.

        Two warehouses (or one name in two regions) are two separate sets of databases, as on AWS.
        """
        if "ClusterIdentifier" in statement.target:
            warehouse = "cluster-" + statement.target["ClusterIdentifier"]
        else:
            warehouse = "workgroup-" + statement.target.get("WorkgroupName", "")
        key = (statement.region, warehouse, statement.database)
        with self._lock:
            if key not in self._databases:
                path = self._root.joinpath(*(_safe(part) for part in key[:2]), _safe(key[2]) + ".duckdb")
                self._databases[key] = Database(path, self._catalogs, statement.region)
            return self._databases[key]

    def _run(self, statement: Statement, fault: SqlFailedError | None = None) -> None:
        database = self._database(statement)
        with self._lock:
            if statement.status != SUBMITTED:
                return
            statement.set_status(STARTED)
            self._running[statement.id] = database
        for part in statement.parts:
            part.status, part.updated_at = STARTED, time.time()
        started = time.time()
        try:
            if fault is not None:
                raise fault
            results = database.run(statement.queries, statement.parameters, statement.batch)
        except SqlFailedError as failure:
            self._fail(statement, failure, started)
        else:
            now = time.time()
            for part, result in zip(statement.parts, results, strict=True):
                part.result, part.status, part.updated_at = result, FINISHED, now
                part.duration_ns = int((now - started) * 1e9)
            with self._lock:
                statement.set_status(FINISHED)
        finally:
            with self._lock:
                self._running.pop(statement.id, None)

    def _fail(self, statement: Statement, failure: SqlFailedError, started: float) -> None:
        now = time.time()
        status = ABORTED if failure.interrupted else FAILED
        message = "Query cancelled by user." if failure.interrupted else failure.message
        for index, part in enumerate(statement.parts):
            part.updated_at = now
            part.duration_ns = int((now - started) * 1e9)
            if index < failure.index:
                part.status = FINISHED
            elif index == failure.index:
                part.status, part.error = status, message
            else:
                part.status = ABORTED
        with self._lock:
            statement.set_status(status, message)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _abort(statement: Statement, message: str) -> None:
    statement.set_status(ABORTED, message)
    for part in statement.parts:
        part.status, part.updated_at = ABORTED, statement.updated_at
