"""One Redshift database as a DuckDB file, with its Spectrum external schemas.

State lives in `<state_dir>/redshift_data/<database>.duckdb`, so views and tables created by one
DAG run are there for the next within a sandbox's lifetime. One connection per database and a lock:
statements of a database run one at a time, which keeps the Arrow datasets registered for external
schemas (connection-scoped in DuckDB) coherent with the views over them.
"""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from sandbox.redshift_data.external import CatalogDirectory, GlueCatalogReader
from sandbox.redshift_data.results import Column
from sandbox.redshift_data.sqltext import split_statements
from sandbox.redshift_data.translate import (
    CreateExternalSchema,
    DropSchema,
    NoOp,
    Plain,
    Unsupported,
    bind_parameters,
    classify,
    mentions,
)

_META = "__sandbox"
_RESULT_SET = re.compile(r"^\s*\(*\s*(SELECT|WITH|VALUES|SHOW|DESCRIBE|EXPLAIN|TABLE|FROM|PRAGMA)\b", re.I)
_DML = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.I)


class StatementError(Exception):
    """An error Redshift itself would raise for the SQL (not DuckDB's): reported as FAILED."""


class SqlFailedError(Exception):
    """The SQL text at `index` failed; `__cause__` is the engine's (or catalog's) error."""

    def __init__(self, index: int, message: str, interrupted: bool) -> None:
        super().__init__(message)
        self.index = index
        self.message = message
        self.interrupted = interrupted


@dataclass
class Result:
    """What one SQL text produced: its last statement's result set, or the rows it changed."""

    has_result_set: bool = False
    columns: list[Column] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rows_affected: int = 0

    @property
    def result_rows(self) -> int:
        return len(self.rows) if self.has_result_set else self.rows_affected


class Database:
    """`region` is the warehouse's: an external schema without a REGION clause reads its catalog."""

    def __init__(self, path: Path, catalogs: CatalogDirectory, region: str) -> None:
        self._fresh: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(path))
        self._con.execute("SET TimeZone = 'UTC'")
        # Redshift's default schema is `public`; DuckDB's is `main`.
        self._con.execute("CREATE SCHEMA IF NOT EXISTS public")
        self._con.execute("SET search_path = 'public'")
        self._con.execute(f"CREATE SCHEMA IF NOT EXISTS {_META}")
        self._con.execute(
            f"CREATE TABLE IF NOT EXISTS {_META}.external_schemas "
            "(name VARCHAR PRIMARY KEY, glue_database VARCHAR, iam_role VARCHAR, region VARCHAR)"
        )
        self._catalogs = catalogs
        self._region = region
        self._lock = threading.Lock()
        self._registered: dict[str, set[str]] = {}

    def run(self, sqls: list[str], parameters: dict[str, str] | None, batch: bool) -> list[Result]:
        """Run each SQL text in turn; a batch runs in one transaction, rolled back on any error.

        Raises SqlFailedError at the first failing SQL text. Every error is caught here, not only
        DuckDB's: reading the Glue catalog or a Parquet file can fail with botocore or Arrow
        errors, and Redshift reports all of them the same way, as the statement's error.
        """
        with self._lock:
            self._fresh = set()  # the external schemas re-read for this call (_refresh_if_mentioned)
            if batch:
                self._con.execute("BEGIN TRANSACTION")
            results: list[Result] = []
            try:
                for index, sql in enumerate(sqls):
                    try:
                        results.append(self._run_text(sql, parameters))
                    except Exception as exc:  # boundary: any error fails the statement
                        interrupted = isinstance(exc, duckdb.InterruptException)
                        raise SqlFailedError(index, _message(exc), interrupted) from exc
            except BaseException:
                if batch:
                    self._rollback()
                raise
            if batch:
                self._con.execute("COMMIT")
            return results

    def interrupt(self) -> None:
        """Stop the running query (CancelStatement); its worker sees duckdb.InterruptException."""
        self._con.interrupt()

    def close(self) -> None:
        self._con.interrupt()
        with self._lock:
            self._con.close()

    def _rollback(self) -> None:
        with contextlib.suppress(duckdb.TransactionException):  # DuckDB may have ended it already.
            self._con.execute("ROLLBACK")

    def _run_text(self, sql: str, parameters: dict[str, str] | None) -> Result:
        result = Result()
        for statement in split_statements(sql):
            result = self._run_statement(statement, parameters)
        return result

    def _run_statement(self, sql: str, parameters: dict[str, str] | None) -> Result:
        parsed = classify(sql)
        if isinstance(parsed, CreateExternalSchema):
            self._create_external_schema(parsed)
            return Result()
        if isinstance(parsed, DropSchema) and parsed.name in self._external_schemas():
            self._drop_external_schema(parsed.name)
            return Result()
        if isinstance(parsed, NoOp):
            return Result()
        if isinstance(parsed, Unsupported):
            raise StatementError(parsed.message)
        assert isinstance(parsed, Plain | DropSchema)
        text = parsed.sql if isinstance(parsed, Plain) else sql
        self._refresh_if_mentioned(text)
        if parameters:
            self._con.execute(bind_parameters(text), parameters)
        else:
            self._con.execute(text)
        return self._collect(text)

    def _collect(self, sql: str) -> Result:
        description = self._con.description
        if _RESULT_SET.match(sql) and description is not None:
            columns = [Column(d[0], str(d[1])) for d in description]
            return Result(True, columns, self._con.fetchall())
        if _DML.match(sql) and description is not None:
            row = self._con.fetchone()
            return Result(rows_affected=int(row[0]) if row and row[0] is not None else 0)
        return Result()

    # External schemas -------------------------------------------------------------------------

    def _external_schemas(self) -> dict[str, tuple[str, str]]:
        """name -> (Glue database, catalog region)."""
        rows = self._con.execute(
            "SELECT name, glue_database, region FROM __sandbox.external_schemas"
        ).fetchall()
        return {str(name): (str(db), str(region or self._region)) for name, db, region in rows}

    def _catalog(self, region: str | None) -> GlueCatalogReader:
        return self._catalogs.for_region(region or self._region)

    def _create_external_schema(self, ddl: CreateExternalSchema) -> None:
        existing = {
            str(r[0]) for r in self._con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()
        }
        if ddl.name in existing:
            if ddl.if_not_exists:
                return
            raise StatementError(f'Schema "{ddl.name}" already exists')
        catalog = self._catalog(ddl.region)
        if not catalog.database_exists(ddl.glue_database):
            if not ddl.create_database:
                raise StatementError(f'External database "{ddl.glue_database}" does not exist.')
            catalog.create_database(ddl.glue_database)
        self._con.execute(
            "INSERT INTO __sandbox.external_schemas VALUES (?, ?, ?, ?)",
            [ddl.name, ddl.glue_database, ddl.iam_role, ddl.region],
        )
        self._refresh(ddl.name, (ddl.glue_database, ddl.region or self._region))

    def _drop_external_schema(self, name: str) -> None:
        self._con.execute(f"DROP SCHEMA IF EXISTS {_quote(name)} CASCADE")
        self._con.execute("DELETE FROM __sandbox.external_schemas WHERE name = ?", [name])
        for registered in self._registered.pop(name, set()):
            self._con.unregister(registered)

    def _refresh_if_mentioned(self, sql: str) -> None:
        """Re-read the catalog for the external schemas this SQL reads, directly or via views:
        each of them once per ExecuteStatement or batch (no SQL can change the catalog, so what a
        statement of the batch saw holds for the next), the others not at all."""
        schemas = self._external_schemas()
        for name, source in schemas.items():
            if name in self._fresh:
                continue
            if mentions(sql, {name} | self._dependent_views({name})):
                self._refresh(name, source)
                self._fresh.add(name)

    def _dependent_views(self, schemas: set[str]) -> set[str]:
        views = self._con.execute(
            "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        found: set[str] = set()
        targets = set(schemas)
        changed = True
        while changed:
            changed = False
            for schema, view, text in views:
                if schema in schemas or view.lower() in found:
                    continue
                if mentions(str(text), targets):
                    found.add(view.lower())
                    targets.add(view.lower())
                    changed = True
        return found

    def _refresh(self, schema: str, source: tuple[str, str]) -> None:
        glue_database, region = source
        tables = self._catalog(region).tables(glue_database)
        self._con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
        current: set[str] = set()
        for table in tables:
            registered = f"__ext__{schema}__{table.name}"
            self._con.register(registered, table.dataset)
            self._con.execute(
                f"CREATE OR REPLACE VIEW {_quote(schema)}.{_quote(table.name)} "  # noqa: S608 - quoted
                f"AS SELECT * FROM {_quote(registered)}"
            )
            current.add(registered)
        for stale in self._registered.get(schema, set()) - current:
            view = stale.removeprefix(f"__ext__{schema}__")
            self._con.execute(f"DROP VIEW IF EXISTS {_quote(schema)}.{_quote(view)}")
            self._con.unregister(stale)
        self._registered[schema] = current


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _message(exc: Exception) -> str:
    """DuckDB's message as is; other errors prefixed with their type, which says where they came from."""
    if isinstance(exc, duckdb.Error | StatementError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
