"""What a DAG's audit step checks, as plain data: the declared checks with every name resolved.

Columns become the lowercase names Glue gives them, a `relationships` target becomes the external
table it is read from (same connector profile for flows, the feeds' schema for feeds), a freshness
check gets its timestamp column, and each check carries the sentence that says what it expects (the
DAG's docs, the log, the results table). The SQL itself is generated when the audit runs
(`lakehouse.quality.sql`), from these values only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lakehouse.config.checks import (
    AcceptedValuesCheck,
    CheckBase,
    ExpressionCheck,
    FreshnessCheck,
    RangeCheck,
    RelationshipsCheck,
    RowCountCheck,
    VolumeCheck,
)
from lakehouse.config.environments import QualityCatalog
from lakehouse.config.names import snake_case

AUDIT_SUFFIX = "__audit"
"""`<table>__audit`: one partition per load under audit (`load_id`), dropped when the audit ends."""
AUDIT_PARTITION = "load_id"
RESULTS_TABLE = "check_results"
RESULTS_PARTITION = "interval_date"


@dataclass(frozen=True)
class PlannedCheck:
    name: str
    kind: str
    severity: str
    column: str | None = None
    where: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    expectation: str = ""

    @property
    def row_level(self) -> bool:
        return self.kind not in ("row_count", "volume", "freshness")

    @property
    def columns(self) -> tuple[str, ...]:
        """The load's columns this check names (the target's column of a relationship is not one)."""
        return (self.column,) if self.column else ()


@dataclass(frozen=True)
class ResultsTarget:
    """The environment's results table: `<glue_database>.check_results` at `s3://<bucket>/<prefix>/check_results/`."""

    bucket: str
    prefix: str
    glue_database: str
    external_schema: str

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}/{RESULTS_TABLE}/"

    @property
    def table(self) -> str:
        return RESULTS_TABLE


@dataclass(frozen=True)
class AuditPlan:
    """One audit step: the load of `object_name` from `source` (a profile or `feeds`)."""

    object_name: str
    source: str
    glue_database: str
    table: str
    external_schema: str
    partition_column: str
    checks: tuple[PlannedCheck, ...]
    results: ResultsTarget
    masked_columns: tuple[str, ...] = ()

    @property
    def audit_table(self) -> str:
        return f"{self.table}{AUDIT_SUFFIX}"


def plan_checks(
    checks: Sequence[CheckBase],
    *,
    timestamp_column: str | None,
    target_schema: str,
    target_table: Any = snake_case,
) -> tuple[PlannedCheck, ...]:
    """The declared checks resolved: `target_table(to)` names a relationship's table."""
    return tuple(_planned(c, timestamp_column, target_schema, target_table) for c in checks)


def _planned(check: CheckBase, timestamp: str | None, target_schema: str, target_table: Any) -> PlannedCheck:
    kind = str(getattr(check, "kind"))  # noqa: B009  # every concrete check model has its kind
    column = check.column_name
    where = getattr(check, "where", None)
    params: dict[str, Any] = {}
    expect = ""
    if kind == "not_null":
        expect = f"{column} is never null"
    elif kind == "unique":
        expect = f"no {column} value twice"
    elif isinstance(check, AcceptedValuesCheck):
        params["values"] = list(check.values)
        expect = f"{column} in ({', '.join(str(v) for v in check.values)})"
    elif isinstance(check, RelationshipsCheck):
        params |= {"table": f"{target_schema}.{target_table(check.to)}", "field": check.field.lower()}
        expect = f"{column} is an {check.field} of {check.to} ({params['table']})"
    elif isinstance(check, RangeCheck):
        params |= {"min": check.min, "max": check.max}
        expect = f"{column} {_bounds(check.min, check.max)}"
    elif isinstance(check, RowCountCheck):
        params |= {"min": check.min, "max": check.max}
        expect = f"rows {_bounds(check.min, check.max)}"
    elif isinstance(check, VolumeCheck):
        params |= {"max_change": check.max_change, "loads": check.loads, "min_loads": check.min_loads}
        expect = (
            f"rows within {check.max_change:.0%} of the median of the last {check.loads} loads "
            f"(from {check.min_loads} on)"
        )
    elif isinstance(check, FreshnessCheck):
        column = (check.column or timestamp or "").lower() or None
        params["max_age_hours"] = check.max_age_hours
        expect = f"newest {column} at most {check.max_age_hours:g} h before the interval's end"
    elif isinstance(check, ExpressionCheck):
        params["sql"] = check.sql
        expect = check.sql
    if where:
        expect += f" (where {where})"
    return PlannedCheck(
        name=check.check_name,
        kind=kind,
        severity=check.severity,
        column=column,
        where=where,
        params=params,
        expectation=expect,
    )


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {low:g} and {high:g}"
    return f">= {low:g}" if low is not None else f"<= {high:g}"


def results_target(catalog: QualityCatalog | None, bucket: str) -> ResultsTarget | None:
    if catalog is None:
        return None
    return ResultsTarget(
        bucket=bucket,
        prefix=catalog.prefix,
        glue_database=catalog.glue_database,
        external_schema=catalog.external_schema,
    )


def checks_doc(checks: Sequence[PlannedCheck]) -> str:
    """The DAG docs' list of the checks its audit step runs."""
    if not checks:
        return ""
    rows = "\n".join(f"| `{c.name}` | {c.kind} | {c.severity} | {c.expectation} |" for c in checks)
    return (
        "Checks (`audit_data`, on each new load before it is published; `error` blocks it, `warn` "
        "alerts and publishes):\n\n| check | kind | severity | expects |\n|---|---|---|---|\n" + rows
    )
