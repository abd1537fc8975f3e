"""Failure injection: make the next run of a flow fail, hang or partly fail, so the DAGs' error
paths (alerts, retries, timeouts, failed-record reports) can be tested without a real outage."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from dataclasses import dataclass

MODES = ("fail", "hang", "partial")


@dataclass(frozen=True)
class Injection:
    mode: str
    message: str

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")


class Injections:
    """Per flow, a queue of one-shot injections: each run takes the oldest one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, deque[Injection]] = defaultdict(deque)

    def add(self, flow_name: str, mode: str, message: str = "") -> int:
        """Queue one injection; returns how many are pending for the flow."""
        injection = Injection(mode, message or f"Injected {mode} failure")
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
