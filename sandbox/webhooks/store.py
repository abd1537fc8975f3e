"""What each named webhook received and how it is to answer; thread-safe, since the gateway
serves requests on many threads and a test reads from its own."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Behaviour:
    """How a webhook answers: `status` after `delay_seconds`.

    A delay longer than the client's timeout is how a test simulates a webhook that times out.
    """

    status: int = 200
    delay_seconds: float = 0.0


class WebhookStore:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._requests: dict[str, list[dict[str, Any]]] = {}
        self._behaviours: dict[str, Behaviour] = {}

    def record(self, name: str, entry: dict[str, Any]) -> None:
        with self._lock:
            self._requests.setdefault(name, []).append(entry)
            self._lock.notify_all()

    def requests(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._requests.get(name, []))

    def names(self) -> dict[str, int]:
        with self._lock:
            return {name: len(entries) for name, entries in self._requests.items()}

    def clear(self, name: str | None = None) -> None:
        """Forget what `name` (or every webhook) received, and reset its behaviour."""
        with self._lock:
            if name is None:
                self._requests.clear()
                self._behaviours.clear()
            else:
                self._requests.pop(name, None)
                self._behaviours.pop(name, None)

    def behaviour(self, name: str) -> Behaviour:
        with self._lock:
            return self._behaviours.get(name, Behaviour())

    def set_behaviour(self, name: str, behaviour: Behaviour) -> None:
        with self._lock:
            if behaviour == Behaviour():
                self._behaviours.pop(name, None)
            else:
                self._behaviours[name] = behaviour

    def wait_for(self, name: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until `name` has received `count` requests (or the timeout passes); return them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._requests.get(name, [])) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._lock.wait(remaining)
            return list(self._requests.get(name, []))
