"""Each check's outcome from the audit's measurements, and the rows of the results table. Pure.

A row-level check's observed value is its number of failing rows (0 passes). A table-level check's
is its number: the load's rows (row_count, volume) or the age of the newest timestamp in hours
(freshness). A null aggregate (an empty load) counts as 0, as the provider's `accept_none` does.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lakehouse.plan.checks import PlannedCheck
from lakehouse.quality.sql import metric_name

MASK = "***"


@dataclass(frozen=True)
class Outcome:
    check: PlannedCheck
    passed: bool
    observed: float | None
    failing_rows: int | None
    detail: str
    sample: tuple[dict[str, Any], ...] = field(default=())

    @property
    def blocks(self) -> bool:
        return not self.passed and self.check.severity == "error"

    def line(self) -> str:
        check = self.check
        verdict = "PASS" if self.passed else "FAIL"
        rows = f", {self.failing_rows} failing rows" if self.failing_rows else ""
        return (
            f"{verdict} [{check.severity}] {check.name} ({check.kind}): {check.expectation}: "
            f"{self.detail}{rows}"
        )


def evaluate(
    checks: Sequence[PlannedCheck],
    measured: Mapping[str, Any],
    history: Sequence[int],
    interval_end: dt.datetime,
) -> list[Outcome]:
    """Outcomes in the checks' order; `history`: the rows of the earlier partitions, newest first."""
    rows = int(measured.get("rows_in_load") or 0)
    counts = list(history)
    return [
        _outcome(check, measured.get(metric_name(i)), rows, counts, interval_end)
        for i, check in enumerate(checks)
    ]


def _outcome(
    check: PlannedCheck, value: Any, rows: int, history: list[int], interval_end: dt.datetime
) -> Outcome:
    params = check.params
    if check.kind == "row_count":
        low, high = params.get("min"), params.get("max")
        passed = (low is None or rows >= low) and (high is None or rows <= high)
        return Outcome(check, passed, float(rows), None, f"{rows} rows")
    if check.kind == "volume":
        return _volume(check, rows, history)
    if check.kind == "freshness":
        newest = parse_timestamp(value)
        if newest is None:
            return Outcome(check, False, None, None, f"no {check.column} value in the load")
        age = (interval_end - newest).total_seconds() / 3600
        passed = age <= float(params["max_age_hours"])
        return Outcome(check, passed, round(age, 3), None, f"newest {newest.isoformat()}, {age:.1f} h old")
    failing = int(value or 0)
    return Outcome(check, failing == 0, float(failing), failing, f"{failing} of {rows} rows fail")


def _volume(check: PlannedCheck, rows: int, history: list[int]) -> Outcome:
    params = check.params
    earlier = history[: int(params["loads"])]
    if len(earlier) < int(params["min_loads"]):
        return Outcome(
            check, True, float(rows), None,
            f"{rows} rows; {len(earlier)} earlier loads, fewer than {params['min_loads']}: no baseline yet",
        )  # fmt: skip
    median = statistics.median(earlier)
    change = abs(rows - median) / median if median else (0.0 if rows == 0 else float("inf"))
    passed = change <= float(params["max_change"])
    return Outcome(
        check, passed, float(rows), None,
        f"{rows} rows vs median {median:g} of the last {len(earlier)} loads ({change:+.0%} off)"
        if median else f"{rows} rows vs median 0 of the last {len(earlier)} loads",
    )  # fmt: skip


def parse_timestamp(value: Any) -> dt.datetime | None:
    """A timestamp as the Data API returns it (text, naive = UTC), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    text = str(value).strip().replace(" ", "T", 1).replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 -> +00:00
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def masked(row: Mapping[str, Any], masked_columns: Sequence[str]) -> dict[str, Any]:
    """A sampled row with the PII columns shown as `***` (as the upsert report does), JSON-safe."""
    hidden = {c.lower() for c in masked_columns}
    return {
        key: (MASK if key.lower() in hidden and value is not None else _json_safe(value))
        for key, value in row.items()
    }


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


RESULT_COLUMNS: dict[str, str] = {
    "run_id": "string",
    "dag_id": "string",
    "task_id": "string",
    "object": "string",
    "profile": "string",
    "load_id": "string",
    "load_location": "string",
    "interval_start": "string",
    "interval_end": "string",
    "check_name": "string",
    "kind": "string",
    "column_name": "string",
    "severity": "string",
    "expectation": "string",
    "passed": "boolean",
    "observed": "double",
    "failing_rows": "bigint",
    "detail": "string",
    "failing_sample": "string",
    "published": "boolean",
    "checked_at": "timestamp",
}
"""The results table's columns and Glue types (partition: interval_date, YYYYMMDD)."""


@dataclass(frozen=True)
class RunFacts:
    run_id: str
    dag_id: str
    task_id: str
    object_name: str
    profile: str
    load_id: str
    load_location: str
    interval_start: dt.datetime
    interval_end: dt.datetime
    checked_at: dt.datetime


def result_rows(outcomes: Sequence[Outcome], facts: RunFacts) -> list[dict[str, Any]]:
    """One row per check; `published` says whether the audit let the load through."""
    published = not any(o.blocks for o in outcomes)
    return [
        {
            "run_id": facts.run_id,
            "dag_id": facts.dag_id,
            "task_id": facts.task_id,
            "object": facts.object_name,
            "profile": facts.profile,
            "load_id": facts.load_id,
            "load_location": facts.load_location,
            "interval_start": facts.interval_start.isoformat(),
            "interval_end": facts.interval_end.isoformat(),
            "check_name": o.check.name,
            "kind": o.check.kind,
            "column_name": o.check.column,
            "severity": o.check.severity,
            "expectation": o.check.expectation,
            "passed": o.passed,
            "observed": o.observed,
            "failing_rows": o.failing_rows,
            "detail": o.detail,
            "failing_sample": json.dumps(list(o.sample), sort_keys=True) if o.sample else None,
            "published": published,
            "checked_at": facts.checked_at,
        }
        for o in outcomes
    ]


def summary(outcomes: Sequence[Outcome], object_name: str, profile: str) -> str:
    """One line naming every failed check: the alert's error and the task's exception."""
    failed = [o for o in outcomes if not o.passed]
    blocked = any(o.blocks for o in failed)
    head = (
        f"data-quality checks blocked the load of {object_name} ({profile}): "
        if blocked
        else f"data-quality warnings on the load of {object_name} ({profile}), published: "
    )
    return head + "; ".join(f"{o.check.name} [{o.check.severity}] {o.detail}" for o in failed)
