"""Failure injection: make the next run of a flow fail, hang, partly fail or land a bad load, so
the DAGs' error paths (alerts, retries, timeouts, failed-record reports, data-quality checks) can
be tested without a real outage.

The bad loads are what a broken source or a buggy integration delivers while AppFlow reports
success: `duplicate_id` writes the first record twice (an Id duplicated, the record count one
more), `null_field` writes the first record with `field` (default Name) null. The org itself is
unchanged, so a rerun loads the interval as it should have been."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

BAD_LOADS = ("duplicate_id", "null_field")
MODES = ("fail", "hang", "partial", *BAD_LOADS)


@dataclass(frozen=True)
class Injection:
    mode: str
    message: str
    field: str = ""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")

    @property
    def bad_load(self) -> bool:
        return self.mode in BAD_LOADS

    def spoil(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records a bad load writes instead of `rows` (the first one duplicated or nulled)."""
        if not rows:
            return rows
        if self.mode == "duplicate_id":
            return [rows[0], *rows]
        return [{**rows[0], self.field or "Name": None}, *rows[1:]]


class Injections:
    """Per flow, a queue of one-shot injections: each run takes the oldest one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, deque[Injection]] = defaultdict(deque)

    def add(self, flow_name: str, mode: str, message: str = "", field: str = "") -> int:
        """Queue one injection; returns how many are pending for the flow."""
        injection = Injection(mode, message or f"Injected {mode} failure", field)
        with self._lock:
            self._pending[flow_name].append(injection)
            return len(self._pending[flow_name])

    def take(self, flow_name: str) -> Injection | None:
        with self._lock:
            queue = self._pending.get(flow_name)
            return queue.popleft() if queue else None

    def clear(self, flow_name: str | None = None) -> None:
        with self._lock:
            if flow_name is None:
                self._pending.clear()
            else:
                self._pending.pop(flow_name, None)
