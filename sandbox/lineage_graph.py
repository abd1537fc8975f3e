"""Read OpenLineage events (the file transport's JSON lines) back into a graph of dataset edges.

An edge is (input dataset, output dataset, job) from a task's COMPLETE event: what a lineage tool
(Marquez, DataHub, DataZone) draws. The demo prints it; tests/lineage asserts it edge by edge.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, order=True)
class Node:
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, order=True)
class Edge:
    source: Node
    target: Node
    job: str


def events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def completed(all_events: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (e for e in all_events if e.get("eventType") == "COMPLETE")


def edges(all_events: Iterable[dict[str, Any]]) -> set[Edge]:
    found = set()
    for event in completed(all_events):
        job = str(event["job"]["name"])
        for source in event.get("inputs") or []:
            for target in event.get("outputs") or []:
                found.add(Edge(_node(source), _node(target), job))
    return found


def datasets(all_events: Iterable[dict[str, Any]]) -> dict[Node, dict[str, Any]]:
    """Every dataset of the COMPLETE events with its facets (the last event's win)."""
    found: dict[Node, dict[str, Any]] = {}
    for event in completed(all_events):
        for dataset in [*(event.get("inputs") or []), *(event.get("outputs") or [])]:
            found.setdefault(_node(dataset), {}).update(dataset.get("facets") or {})
    return found


def _node(dataset: dict[str, Any]) -> Node:
    return Node(str(dataset["namespace"]), str(dataset["name"]))


def describe(graph: set[Edge]) -> list[str]:
    """One line per edge between distinct datasets, grouped by job: the demo's lineage summary."""
    lines = []
    for edge in sorted(graph, key=lambda e: (e.job, e.source, e.target)):
        lines.append(f"  {edge.job}: {edge.source} -> {edge.target}")
    return lines
