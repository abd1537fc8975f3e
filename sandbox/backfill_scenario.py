"""A backfill of every object of an environment through Airflow's REST API against the sandbox, with
a small Salesforce API allowance and a simulated clock: what tests/pipeline/test_backfill_limits.py
checks at a few days and `make bench-backfill` times at a year.

On a running `make airflow` stack (sandbox.airflow_local): set every org's allowance, unpause each
ingest DAG (which starts its latest scheduled interval: "today's run") and POST one backfill per
DAG. While the runs go, every org whose allowance is spent (a run was refused today) has its
clock moved to its next midnight: the simulated reset that lets the paused runs through. Then it
reads, from the sandbox and the REST API, what the checks need: every run's state and tries, the
most runs each org had at once, the requests spent and refused per org day, and what landed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

REQUEST_TIMEOUT = 30.0
TERMINAL = {"success", "failed"}


def request(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    """One JSON request; HTTP errors raise urllib.error.HTTPError."""
    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(url, method=method, data=data)  # noqa: S310 (the local stack's http URLs)
    call.add_header("Content-Type", "application/json")
    if token:
        call.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(call, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310 (127.0.0.1 only)
        return json.loads(response.read() or b"null")


@dataclass
class Airflow:
    url: str
    token: str

    def __call__(self, path: str, method: str = "GET", body: Any = None) -> Any:
        return request(self.url + path, method, body, self.token)

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self(f"/api/v2/dags/{dag_id}/dagRuns?limit=500&order_by=logical_date")[
            "dag_runs"
        ]
        return found

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        quoted = urllib.parse.quote(run_id, safe="")
        found: list[dict[str, Any]] = self(f"/api/v2/dags/{dag_id}/dagRuns/{quoted}/taskInstances?limit=100")[
            "task_instances"
        ]
        return found


@dataclass
class Sandbox:
    url: str

    def limits(self, profile: str) -> dict[str, Any]:
        query = urllib.parse.urlencode({"connectorProfileName": profile})
        found: dict[str, Any] = request(f"{self.url}/_sandbox/appflow/limits?{query}")
        return found

    def set_allowance(self, calls: int) -> None:
        request(f"{self.url}/_sandbox/appflow/limits", "POST", {"dailyApiCalls": calls})

    def move_clock(self, profile: str, now: dt.datetime) -> None:
        body = {"connectorProfileName": profile, "now": now.isoformat().replace("+00:00", "Z")}
        request(f"{self.url}/_sandbox/appflow/clock", "POST", body)

    def inject(self, flow_name: str, mode: str, field: str = "") -> None:
        """The next run of the flow fails, hangs or lands a bad load (sandbox/appflow/injection.py)."""
        request(
            f"{self.url}/_sandbox/appflow/inject",
            "POST",
            {"flowName": flow_name, "mode": mode, "field": field},
        )

    def records(self, profile: str, object_name: str) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode({"connectorProfileName": profile, "object": object_name})
        found: list[dict[str, Any]] = request(f"{self.url}/_sandbox/appflow/records?{query}")["records"]
        return found


@dataclass
class Outcome:
    wall_seconds: float
    runs: dict[str, list[dict[str, Any]]]
    """Per DAG, every run (backfill and scheduled) as the REST API ends it."""
    limits: dict[str, dict[str, Any]]
    """Per org, /_sandbox/appflow/limits at the end (spent and refused per day, peak runs)."""
    resets: dict[str, int] = field(default_factory=dict)
    """How many times each org's clock was moved to its next midnight."""


def login(url: str, user: str, password: str) -> str:
    token: str = request(url + "/auth/token", "POST", {"username": user, "password": password})[
        "access_token"
    ]
    return token


def run(
    airflow: Airflow,
    sandbox: Sandbox,
    dag_ids: Sequence[str],
    profiles: Sequence[str],
    first: dt.date,
    last: dt.date,
    allowance: int,
    timeout: float,
    on_wait: Callable[[], None] = lambda: None,
) -> Outcome:
    """Backfill logical dates `first`..`last` (both included) of `dag_ids`; see the module's docstring."""
    sandbox.set_allowance(allowance)
    for dag_id in dag_ids:
        airflow(f"/api/v2/dags/{dag_id}", "PATCH", {"is_paused": False})
    began = time.monotonic()
    for dag_id in dag_ids:
        body = {
            "dag_id": dag_id,
            "from_date": f"{first.isoformat()}T00:00:00Z",
            "to_date": f"{last.isoformat()}T23:59:59Z",
        }
        airflow("/api/v2/backfills", "POST", body)
    expected = (last - first).days + 1
    resets = dict.fromkeys(profiles, 0)
    deadline = began + timeout
    while True:
        for profile in profiles:
            _reset_if_spent(sandbox, profile, resets)
        runs = {dag_id: airflow.runs(dag_id) for dag_id in dag_ids}
        backfills = [r for rs in runs.values() for r in rs if r["run_type"] == "backfill"]
        done = len(backfills) == expected * len(dag_ids) and all(
            r["state"] in TERMINAL for rs in runs.values() for r in rs
        )
        if done:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"the backfill did not end in {timeout:.0f} s: {_states(runs)}")
        on_wait()
        time.sleep(1.0)
    wall = time.monotonic() - began
    return Outcome(wall, runs, {p: sandbox.limits(p) for p in profiles}, resets)


def _reset_if_spent(sandbox: Sandbox, profile: str, resets: dict[str, int]) -> None:
    """The org's allowance is spent today (a run was refused): move its clock to its next midnight."""
    state = sandbox.limits(profile)
    if state["refused"].get(state["day"], 0) == 0:
        return
    day = dt.date.fromisoformat(state["day"])
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    sandbox.move_clock(profile, midnight + dt.timedelta(seconds=1))
    resets[profile] += 1


def _states(runs: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    return {dag_id: [f"{r['run_type']}:{r['state']}" for r in rs] for dag_id, rs in runs.items()}


def requests_per_thousand_records(limits: dict[str, dict[str, Any]], records: int) -> float:
    spent = sum(sum(state["spent"].values()) for state in limits.values())
    return 1000.0 * spent / records if records else 0.0
