"""The audit's SQL: one statement that measures every check of a load in a single pass, and one
that samples the failing rows of the checks that failed. Built from a plan's values only.

Why not the common-sql provider's check operators (SQLColumnCheckOperator, SQLTableCheckOperator,
SQLCheckOperator, SQLValueCheckOperator, SQLThresholdCheckOperator), which this replaces:

- they need a DbApiHook (`conn.get_hook()` must return one), and the Redshift Data API, the only
  way the DAGs reach Spectrum, is not a DB-API connection: running them unmodified would mean a
  DB-API shim over ExecuteStatement/GetStatementResult registered as a connection type;
- each operator is one task and SQLColumnCheckOperator builds one sub-select per check joined by
  UNION ALL, i.e. one scan of the load per check; on Spectrum every scan reads S3 again (and is
  billed again), so a table with ten checks costs ten scans. Here every aggregate sits in one
  SELECT over the load: one scan, whatever the number of checks (bench/results/checks.md compares
  both on the same data);
- they raise on the first failed set with no notion of severity (a `warn` must publish), keep no
  record of the passing checks' values, and sample no failing rows, all of which the issue asks
  for; relationships, volume against the median of earlier partitions and freshness have no
  operator at all (SQLIntervalCheckOperator compares with one earlier day only).

What is reused: the provider's own aggregate expressions (`SQLColumnCheckOperator.column_checks`)
for null and unique counts, so a `not_null` or `unique` check measures exactly what the
provider's `null_check` / `unique_check` would.

Safety: schema and table names are validated identifiers (config/names.py) checked again here;
columns match `[a-z_][a-z0-9_]*` and are double-quoted (so `type` or `name` work and no quote can
appear in them); accepted values are literals of a shape the config allows (no quote, backslash or
control character); numbers are finite floats; partition values are checked against
`PARTITION_VALUE`; the load id is a bound parameter (`:load_id`). The only free text is a check's
`sql` and `where`, refused by the config unless they are one expression (config/checks.py: the
trust statement); they are put in parentheses inside the generated SELECT.
"""

# ruff: noqa: S608  # SQL built from validated names and literals only: see "Safety" above.
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lakehouse.config.checks import expression_problem
from lakehouse.config.names import identifier_problem
from lakehouse.plan.checks import AUDIT_PARTITION, AuditPlan, PlannedCheck

PARTITION_VALUE = re.compile(r"[0-9A-Za-z_-]{1,64}")
_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")
SAMPLE_ROWS = 5
LOAD = "audited_load"


def _null_count(column: str) -> str:
    """The provider's null_check aggregate (common-sql SQLColumnCheckOperator.column_checks)."""
    from airflow.providers.common.sql.operators.sql import SQLColumnCheckOperator

    return str(SQLColumnCheckOperator.column_checks["null_check"]).format(column=column)


def _duplicate_count(column: str) -> str:
    """The provider's unique_check aggregate: non-null values minus distinct ones."""
    from airflow.providers.common.sql.operators.sql import SQLColumnCheckOperator

    return str(SQLColumnCheckOperator.column_checks["unique_check"]).format(column=column)


def quoted(column: str) -> str:
    if not _COLUMN.fullmatch(column):
        raise ValueError(f"{column!r} is not a column name the audit can use")
    return f'"{column}"'


def _name(value: str) -> str:
    problem = identifier_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _expression(text: str) -> str:
    problem = expression_problem(text)
    if problem:
        raise ValueError(f"{text!r}: {problem}")
    return f"({text})"


def literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(int(value))
    text = str(value)
    if "'" in text or "\\" in text or any(ord(c) < 32 for c in text):
        raise ValueError(f"{text!r} cannot be a literal")
    return f"'{text}'"


@dataclass(frozen=True)
class AuditQuery:
    """The measuring statement and the names of its result columns, in order."""

    sql: str
    columns: tuple[str, ...]


def metric_name(index: int) -> str:
    return f"m{index}"


def _load_cte(plan: AuditPlan) -> str:
    source = f"{_name(plan.external_schema)}.{_name(plan.audit_table)}"
    return f"WITH {LOAD} AS (SELECT * FROM {source} WHERE {AUDIT_PARTITION} = :load_id)"


def _filtered(check: PlannedCheck, predicate: str) -> str:
    return f"{_expression(check.where)} AND ({predicate})" if check.where else predicate


def _failing(check: PlannedCheck) -> str | None:
    """The predicate that is true for a failing row of a row-level check (None: table-level)."""
    column = quoted(check.column) if check.column else ""
    if check.kind == "not_null":
        return _filtered(check, f"{column} IS NULL")
    if check.kind == "accepted_values":
        values = ", ".join(literal(v) for v in check.params["values"])
        return _filtered(check, f"{column} IS NOT NULL AND {column} NOT IN ({values})")
    if check.kind == "range":
        bounds = []
        if check.params.get("min") is not None:
            bounds.append(f"{column} < {literal(float(check.params['min']))}")
        if check.params.get("max") is not None:
            bounds.append(f"{column} > {literal(float(check.params['max']))}")
        return _filtered(check, f"{column} IS NOT NULL AND ({' OR '.join(bounds)})")
    if check.kind == "expression":
        return _filtered(check, f"NOT COALESCE({_expression(check.params['sql'])}, FALSE)")
    return None


def _relationship_source(check: PlannedCheck) -> tuple[str, str]:
    schema, _, table = str(check.params["table"]).partition(".")
    return f"{_name(schema)}.{_name(table)}", quoted(str(check.params["field"]))


def measure_query(plan: AuditPlan) -> AuditQuery:
    """One statement, one row: the load's rows and one metric per check (failing rows, or for
    freshness the newest timestamp). The volume check's history, the earlier partitions' sizes,
    is not the warehouse's work: their Parquet footers say it (`lakehouse.aws.audit_catalog`)."""
    aggregates = ["COUNT(*) AS rows_in_load"]
    measured = ["rows_in_load"]
    joined: list[str] = []
    joins: list[str] = []
    for index, check in enumerate(plan.checks):
        name = metric_name(index)
        column = quoted(check.column) if check.column else ""
        if check.kind in ("row_count", "volume"):
            continue  # rows_in_load
        if check.kind == "relationships":
            # An anti-join: no DISTINCT of the target's keys (every load of it) is materialised.
            table, field = _relationship_source(check)
            found = f"SELECT 1 FROM {table} AS ref WHERE ref.{field} = {LOAD}.{column}"
            missing = _filtered(check, f"{LOAD}.{column} IS NOT NULL AND NOT EXISTS ({found})")
            joins.append(f"(SELECT COUNT(*) AS {name} FROM {LOAD} WHERE {missing}) AS j{index}")
            joined.append(name)
            continue
        if check.kind == "unique":
            value = f"CASE WHEN {_expression(check.where)} THEN {column} END" if check.where else column
            aggregate = _duplicate_count(value)
        elif check.kind == "not_null" and not check.where:
            aggregate = _null_count(column)
        elif check.kind == "freshness":
            aggregate = f"MAX({column})"
        else:
            predicate = _failing(check)
            if predicate is None:  # pragma: no cover - every row-level kind has one
                raise ValueError(f"no predicate for {check.kind}")
            aggregate = f"SUM(CASE WHEN {predicate} THEN 1 ELSE 0 END)"
        aggregates.append(f"{aggregate} AS {name}")
        measured.append(name)
    from_clause = f"(SELECT {', '.join(aggregates)} FROM {LOAD}) AS agg"
    for join in joins:
        from_clause += f" CROSS JOIN {join}"
    columns = (*measured, *joined)
    sql = f"{_load_cte(plan)}\nSELECT {', '.join(columns)}\nFROM {from_clause}"
    return AuditQuery(sql=sql, columns=columns)


def sample_query(plan: AuditPlan, failed: Sequence[int], limit: int = SAMPLE_ROWS) -> str | None:
    """Up to `limit` failing rows of each failed row-level check (by index), with `check_name`."""
    parts = []
    for index in failed:
        check = plan.checks[index]
        if check.kind == "unique":
            column = quoted(str(check.column))
            scope = f"WHERE {_expression(check.where)}" if check.where else ""
            predicate = _filtered(
                check,
                f"{column} IN (SELECT {column} FROM {LOAD} {scope} GROUP BY {column} HAVING COUNT(*) > 1)",
            )
        elif check.kind == "relationships":
            table, field = _relationship_source(check)
            column = quoted(str(check.column))
            keys = f"SELECT {field} FROM {table} WHERE {field} IS NOT NULL"
            predicate = _filtered(check, f"{column} IS NOT NULL AND {column} NOT IN ({keys})")
        else:
            found = _failing(check)
            if found is None:
                continue
            predicate = found
        parts.append(
            f"SELECT * FROM (SELECT '{check.name}' AS check_name, {LOAD}.* FROM {LOAD} "
            f"WHERE {predicate} LIMIT {int(limit)}) AS s{index}"
        )
    if not parts:
        return None
    return f"{_load_cte(plan)}\n" + "\nUNION ALL\n".join(parts)
