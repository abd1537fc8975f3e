"""A flow's tasks, read once into a plan: which fields to read (PROJECTION), which records to keep
(Filter), and which columns to write under which names (Map, Map_all).

Other task types (Arithmetic, Mask, Truncate, Validate, ...) are accepted and not applied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sandbox.salesforce.values import Value

COMPARISONS = {
    "BETWEEN",
    "GREATER_THAN",
    "LESS_THAN",
    "GREATER_THAN_OR_EQUAL_TO",
    "LESS_THAN_OR_EQUAL_TO",
    "EQUAL_TO",
    "NOT_EQUAL_TO",
    "CONTAINS",
}
_TIME_TYPES = {"datetime", "date"}


class TaskError(ValueError):
    """A task AppFlow would refuse (unknown operator, a bound that is not a number, ...)."""


def _epoch_ms(value: Value) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp() * 1000
    if isinstance(value, date):
        return datetime.combine(value, time()).timestamp() * 1000
    return None


@dataclass(frozen=True)
class FieldFilter:
    """A Filter task on one field. Datetime bounds are epoch milliseconds; BETWEEN excludes both
    bounds (the provider's Daily operator relies on that: it passes day-1ms and day+1d)."""

    field: str
    operator: str
    data_type: str
    properties: Mapping[str, str]

    def _bound(self, key: str) -> Any:
        raw = self.properties.get(key)
        if raw is None:
            raise TaskError(f"Filter {self.operator} on {self.field} needs {key}")
        if self.data_type in _TIME_TYPES or self.data_type in {
            "double",
            "int",
            "long",
            "currency",
            "percent",
        }:
            try:
                return float(raw)
            except ValueError as error:
                raise TaskError(f"Filter on {self.field}: {key} {raw!r} is not a number") from error
        return raw

    def _comparable(self, value: Value) -> Any:
        if self.data_type in _TIME_TYPES:
            return _epoch_ms(value)
        if isinstance(value, bool) or self.data_type == "boolean":
            return str(value).lower()
        return value

    def matches(self, value: Value) -> bool:
        if value is None:
            return self.operator == "NOT_EQUAL_TO"
        left = self._comparable(value)
        if left is None:
            return False
        operator = self.operator
        if operator == "BETWEEN":
            return bool(self._bound("LOWER_BOUND") < left < self._bound("UPPER_BOUND"))
        if operator == "CONTAINS":
            return str(self._bound("VALUE")) in str(left)
        if operator in {"EQUAL_TO", "NOT_EQUAL_TO"}:
            raw = self.properties.get("VALUES") or self.properties.get("VALUE")
            if raw is None:
                raise TaskError(f"Filter {operator} on {self.field} needs VALUE")
            candidates = [self._coerce_literal(part) for part in raw.split(",")]
            found = left in candidates
            return found if operator == "EQUAL_TO" else not found
        bound = self._bound("VALUE")
        return bool(
            {
                "GREATER_THAN": left > bound,
                "LESS_THAN": left < bound,
                "GREATER_THAN_OR_EQUAL_TO": left >= bound,
                "LESS_THAN_OR_EQUAL_TO": left <= bound,
            }[operator]
        )

    def _coerce_literal(self, raw: str) -> Any:
        text = raw.strip()
        if self.data_type in _TIME_TYPES or self.data_type in {
            "double",
            "int",
            "long",
            "currency",
            "percent",
        }:
            return float(text)
        if self.data_type == "boolean":
            return text.lower()
        return text


@dataclass(frozen=True)
class TaskPlan:
    projection: tuple[str, ...] | None = None
    filters: tuple[FieldFilter, ...] = ()
    mappings: tuple[tuple[str, str], ...] = ()
    map_all: bool = False
    excluded: frozenset[str] = field(default_factory=frozenset)

    def referenced_fields(self) -> set[str]:
        """Source fields the plan needs the source to have."""
        return {
            *(self.projection or ()),
            *(item.field for item in self.filters),
            *(s for s, _ in self.mappings),
        }

    def columns(self, available: Sequence[str]) -> list[tuple[str, str]]:
        """(source field, destination column) pairs to write, in order."""
        pairs = list(self.mappings)
        if self.map_all or not pairs:
            mapped = {source for source, _ in pairs}
            chosen = self.projection if (self.projection and not self.map_all) else available
            pairs += [(name, name) for name in chosen if name not in mapped and name not in self.excluded]
        return pairs


def _operator(task: Mapping[str, Any], connector: str) -> str:
    operators: Mapping[str, str] = task.get("connectorOperator") or {}
    return operators.get(connector) or next(iter(operators.values()), "NO_OP")


def plan_tasks(tasks: Sequence[Mapping[str, Any]], connector: str) -> TaskPlan:
    """Read `tasks`; `connector` is the source connector type (key of connectorOperator)."""
    projection: tuple[str, ...] | None = None
    filters: list[FieldFilter] = []
    mappings: list[tuple[str, str]] = []
    map_all = False
    excluded: set[str] = set()
    for task in tasks:
        kind = task.get("taskType")
        operator = _operator(task, connector)
        sources = [str(name) for name in task.get("sourceFields", [])]
        properties: Mapping[str, str] = task.get("taskProperties") or {}
        if kind == "Filter" and operator == "PROJECTION":
            projection = tuple(sources)
        elif kind == "Filter":
            if operator not in COMPARISONS or len(sources) != 1:
                raise TaskError(f"unsupported Filter task: {operator} on {sources}")
            data_type = properties.get("DATA_TYPE", "string")
            filters.append(FieldFilter(sources[0], operator, data_type, dict(properties)))
        elif kind == "Map" and sources:
            mappings.append((sources[0], str(task.get("destinationField") or sources[0])))
        elif kind == "Map_all":
            map_all = True
            excluded.update(json.loads(properties.get("EXCLUDE_SOURCE_FIELDS_LIST", "[]") or "[]"))
    return TaskPlan(projection, tuple(filters), tuple(mappings), map_all, frozenset(excluded))
