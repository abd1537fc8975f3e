"""Routes under `/_sandbox/webhooks/` (unsigned, as a notifier posts them).

POST|PUT|PATCH /_sandbox/webhooks/<name>      record the request, answer per its behaviour
GET    /_sandbox/webhooks/<name>/requests      what <name> received (JSON list)
DELETE /_sandbox/webhooks/<name>               forget it and reset the behaviour
POST   /_sandbox/webhooks/<name>/behaviour     {"status": 500} | {"delay_seconds": 5} | {"status": 200}
GET    /_sandbox/webhooks/                     received counts by name
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from sandbox.protocol import Request, Response, SandboxContext
from sandbox.webhooks.store import Behaviour, WebhookStore

PREFIX = "/_sandbox/webhooks/"
_RECORDING = {"POST", "PUT", "PATCH"}


def _json(status: int, document: object) -> Response:
    return Response(status, json.dumps(document).encode(), {"Content-Type": "application/json"})


class WebhookReceiver:
    """The service, and the Python API tests use: `requests(name)`, `clear()`, `set_behaviour()`."""

    signing_name = "webhooks"

    def __init__(self, context: SandboxContext | None = None) -> None:
        self.context = context
        self.store = WebhookStore()
        self._closing = threading.Event()

    # Python API ------------------------------------------------------------------------------

    def url(self, name: str) -> str:
        """The URL a notifier should post to, e.g. for an Airflow http connection."""
        base = self.context.endpoint_url if self.context else ""
        return f"{base}{PREFIX}{name}"

    def requests(self, name: str) -> list[dict[str, Any]]:
        return self.store.requests(name)

    def wait_for(self, name: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        return self.store.wait_for(name, count, timeout)

    def clear(self, name: str | None = None) -> None:
        self.store.clear(name)

    def set_behaviour(self, name: str, status: int = 200, delay_seconds: float = 0.0) -> None:
        self.store.set_behaviour(name, Behaviour(status, delay_seconds))

    # Service ---------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response | None:
        if not request.path.startswith(PREFIX):
            return None
        parts = [p for p in request.path[len(PREFIX) :].split("/") if p]
        method = request.method.upper()
        if not parts:
            return _json(200, self.store.names()) if method == "GET" else _json(405, {"message": "GET only"})
        name, action = parts[0], "/".join(parts[1:])
        if action == "requests" and method == "GET":
            return _json(200, self.store.requests(name))
        if action == "behaviour" and method in {"POST", "PUT"}:
            return self._set_behaviour(name, request.body)
        if action in {"", "requests"} and method == "DELETE":
            self.store.clear(name)
            return _json(200, {"cleared": name})
        if action == "" and method in _RECORDING:
            return self._receive(name, request)
        return _json(405, {"message": f"{method} {request.path} is not a webhook route"})

    def close(self) -> None:
        """Wake requests held by a delay behaviour so the server can stop."""
        self._closing.set()

    def _receive(self, name: str, request: Request) -> Response:
        behaviour = self.store.behaviour(name)
        self.store.record(name, _entry(name, request, behaviour.status))
        if behaviour.delay_seconds > 0:
            self._closing.wait(behaviour.delay_seconds)
        return _json(behaviour.status, {"received": name, "status": behaviour.status})

    def _set_behaviour(self, name: str, body: bytes) -> Response:
        try:
            spec = json.loads(body or b"{}")
            behaviour = Behaviour(int(spec.get("status", 200)), float(spec.get("delay_seconds", 0)))
        except (ValueError, TypeError, AttributeError) as exc:
            return _json(400, {"message": f"behaviour must be JSON like {{'status': 500}}: {exc}"})
        if not 100 <= behaviour.status <= 599 or behaviour.delay_seconds < 0:
            return _json(400, {"message": "status must be 100-599 and delay_seconds >= 0"})
        self.store.set_behaviour(name, behaviour)
        return _json(
            200, {"name": name, "status": behaviour.status, "delay_seconds": behaviour.delay_seconds}
        )


def _entry(name: str, request: Request, status: int) -> dict[str, Any]:
    """One received request as recorded: JSON bodies parsed, others kept as text."""
    text = request.body.decode("utf-8", errors="replace")
    try:
        parsed: Any = json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        parsed = None
    return {
        "name": name,
        "method": request.method,
        "path": request.path,
        "query": {k: list(v) for k, v in request.query.items()},
        "headers": dict(request.headers),
        "json": parsed,
        "body": text,
        "received_at": time.time(),
        "status": status,
    }
