"""The feeds' local sources, as a sandbox service (unsigned routes under /_sandbox/feeds/).

GET    /_sandbox/feeds/                                   where the sources are (database URL, API)
GET    /_sandbox/feeds/hcp-registry/api/v1/professionals  paged JSON {"items": [...], "next": URL|null};
       ?since=&until= (ISO 8601) window on updated_at; ?page=N&page_size=M; needs the bearer token
POST   /_sandbox/feeds/hcp-registry/behaviour             {"status": 500, "message": "..."}: the API fails;
       {"null_field": "last_name"}: a bad record, the first one of page 1 with that field null
POST   /_sandbox/feeds/crm-db/behaviour                   {"missing_table": true}: `territories` is gone
DELETE /_sandbox/feeds/<source>/behaviour                 back to normal

The SQLite database is written (again) when the service starts, in the sandbox's state dir, so a
Glue job run (a subprocess on this machine) opens it by path like a job opens a real database.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sandbox.feeds import data
from sandbox.protocol import Request, Response, SandboxContext

PREFIX = "/_sandbox/feeds/"
API = "hcp-registry"
API_PATH = "/api/v1/professionals"
DATABASE = "crm-db"
TABLE = "territories"
HIDDEN_TABLE = "territories_unavailable"
TOKEN = "sandbox-hcp-registry-token"  # noqa: S105 - the sandbox API's fixed bearer token
DEFAULT_PAGE_SIZE = 10


def _json(status: int, document: object) -> Response:
    return Response(status, json.dumps(document).encode(), {"Content-Type": "application/json"})


@dataclass
class ApiBehaviour:
    status: int = 200
    message: str = ""
    null_field: str = ""
    """A bad record (what a data-quality check should catch): this field null in page 1's first."""


def create_database(path: Path) -> None:
    """The CRM database with its `territories` table (replaced if it exists)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute(
            f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL, "
            "region TEXT NOT NULL, manager_email TEXT, quota REAL, active INTEGER NOT NULL, "
            "updated_at TEXT NOT NULL)"
        )
        connection.executemany(
            f"INSERT INTO {TABLE} VALUES (:id, :code, :name, :region, :manager_email, :quota, :active, "  # noqa: S608
            ":updated_at)",
            [
                {
                    **row,
                    "active": int(row["active"]),
                    "updated_at": row["updated_at"].strftime("%Y-%m-%d %H:%M:%S"),
                }
                for row in data.territories()
            ],
        )
    connection.close()


class FeedSources:
    """The service, and the Python API tests use: `fail_api()`, `hide_table()`, `reset()`."""

    signing_name = "feeds"

    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.database_path = Path(context.state_dir) / "feeds" / "crm.db"
        create_database(self.database_path)
        self._lock = threading.Lock()
        self._api = ApiBehaviour()

    # Python API ------------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database_path.resolve()}"

    @property
    def api_base_url(self) -> str:
        return f"{self.context.endpoint_url}{PREFIX}{API}"

    def describe(self) -> dict[str, str]:
        return {"database_url": self.database_url, "api_base_url": self.api_base_url, "api_token": TOKEN}

    def fail_api(self, status: int = 500, message: str = "registry unavailable") -> None:
        with self._lock:
            self._api = ApiBehaviour(status, message)

    def bad_record(self, field: str) -> None:
        """Answer as usual, but with `field` null in the first record of the first page."""
        with self._lock:
            self._api = ApiBehaviour(null_field=field)

    def hide_table(self) -> None:
        """The source table disappears (renamed), as when a DBA drops or renames it."""
        with sqlite3.connect(self.database_path) as connection:
            connection.execute(f"ALTER TABLE {TABLE} RENAME TO {HIDDEN_TABLE}")
        connection.close()

    def reset(self) -> None:
        with self._lock:
            self._api = ApiBehaviour()
        with sqlite3.connect(self.database_path) as connection:
            hidden = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (HIDDEN_TABLE,)
            ).fetchone()
            if hidden:
                connection.execute(f"ALTER TABLE {HIDDEN_TABLE} RENAME TO {TABLE}")
        connection.close()

    # Service ---------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response | None:
        if not request.path.startswith(PREFIX):
            return None
        route = request.path[len(PREFIX) :].strip("/")
        method = request.method.upper()
        if route == "" and method == "GET":
            return _json(200, self.describe())
        if route == f"{API}{API_PATH}" and method == "GET":
            return self._page(request)
        if route in {f"{API}/behaviour", f"{DATABASE}/behaviour"}:
            return self._behaviour(route.split("/")[0], method, request.body)
        return _json(404, {"message": f"no feed source route {method} {request.path}"})

    def close(self) -> None:
        """Nothing runs in the background; the database file stays in the state dir."""

    def _behaviour(self, source: str, method: str, body: bytes) -> Response:
        if method == "DELETE":
            self.reset()
            return _json(200, {"reset": source})
        try:
            spec = json.loads(body or b"{}")
        except json.JSONDecodeError as exc:
            return _json(400, {"message": f"behaviour must be JSON: {exc}"})
        if source == API and spec.get("null_field"):
            self.bad_record(str(spec["null_field"]))
        elif source == API:
            self.fail_api(int(spec.get("status", 500)), str(spec.get("message", "registry unavailable")))
        elif spec.get("missing_table"):
            self.hide_table()
        return _json(200, {"source": source, "behaviour": spec})

    def _page(self, request: Request) -> Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return _json(401, {"message": "missing or wrong bearer token"})
        with self._lock:
            behaviour = self._api
        if behaviour.status != 200:
            return _json(behaviour.status, {"message": behaviour.message})
        query = {key: values[0] for key, values in request.query.items() if values}
        try:
            page = int(query.get("page", "1"))
            size = min(int(query.get("page_size", str(DEFAULT_PAGE_SIZE))), 100)
            window = _window(query.get("since"), query.get("until"))
        except ValueError as exc:
            return _json(400, {"message": f"bad query: {exc}"})
        records = sorted(data.professionals(), key=lambda r: str(r["hcp_id"]))
        if window is not None:
            records = [r for r in records if data.in_window(r["updated_at"], *window)]
        chunk = records[(page - 1) * size : page * size]
        if behaviour.null_field and page == 1 and chunk:
            chunk = [{**chunk[0], behaviour.null_field: None}, *chunk[1:]]
        following = None
        if page * size < len(records):
            following = f"{self.api_base_url}{API_PATH}?{urlencode({**query, 'page': page + 1})}"
        return _json(200, {"items": chunk, "next": following, "total": len(records)})


def _window(since: str | None, until: str | None) -> tuple[dt.datetime, dt.datetime] | None:
    if since is None and until is None:
        return None
    if since is None or until is None:
        raise ValueError("since and until go together")
    start, end = (dt.datetime.fromisoformat(v.replace("Z", "+00:00")) for v in (since, until))
    return start, end


def sources(service: Any) -> FeedSources:
    """The running service as its own type (sandbox.service() returns the protocol)."""
    if not isinstance(service, FeedSources):
        raise TypeError(f"{service!r} is not the feeds' sources")
    return service
