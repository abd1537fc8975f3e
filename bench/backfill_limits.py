"""A backfill of every ingest object of `dev` on the real scheduler, with the orgs' pools and without
them, at the same Salesforce API allowance.

    python -m bench.backfill_limits                     # make bench-backfill: 365 days (hours on 2 cores)
    python -m bench.backfill_limits --days 10            # a quicker run

Each variant starts its own `make airflow` stack (sandbox.airflow_local on free ports, a temp
AIRFLOW_HOME and sandbox), then runs sandbox/backfill_scenario.py: every org's allowance set, each
ingest DAG unpaused (its latest scheduled interval runs too) and backfilled over the days, every
org's clock moved to its midnight whenever its allowance is spent. "Org pools": the pools of
--slots slots each (default 1: dev has 3 and 2 flows per org, and a flow runs one execution at a
time anyway, so the sample's 4 and 5 slots would never bind). "No bound": the same pools resized to
128 slots through the REST API before the backfill (Airflow needs the pool to exist). Reported per variant:
the backfill's wall time, the most AppFlow runs an org had at once, the requests spent and refused,
the simulated resets, the records landed, and the requests spent per 1,000 records landed.

Results: bench/results/backfill_limits.{md,json}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse.config import load_config
from lakehouse.plan import plan_environment
from lakehouse.plan.pools import environment_pools
from sandbox import backfill_scenario as scenario
from sandbox.airflow_local.settings import LOGIN_PASSWORD, LOGIN_USER

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
CONFIG = REPO / "include" / "config"
LAST_DAY = dt.date(2025, 1, 15)  # the emulated orgs' last day of history
UNBOUNDED_SLOTS = 128
READING = re.sub(
    r"\s+",
    " ",
    """Reading it: the sandbox's executions take milliseconds, so the wall time is Airflow's (task
start-up on 2 cores), not Salesforce's; on AWS an execution takes about a minute and the pool is
what keeps the org's concurrent requests within its limit. Requests per 1,000 records: the
sandbox's orgs hold 60 records per object, so a daily window is one REST batch of a few records,
far fewer than the 2,000 a batch can hold; the figure is the sandbox's spend model
(sandbox/salesforce/limits.py) applied to these windows, not a Salesforce measurement.""",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    url: str
    sandbox_url: str


@contextmanager
def stack(base: Path, parallelism: int) -> Iterator[Stack]:
    """`make airflow`'s launcher on free ports under `base`; SIGINT (as Ctrl-C) when done."""
    port = _free_port()
    state = base / "sandbox"
    argv = [
        sys.executable,
        "-m",
        "sandbox.airflow_local",
        "--home",
        str(base / "home"),
        "--api-port",
        str(port),
    ]
    argv += ["--sandbox-port", "0", "--sandbox-state-dir", str(state), "--parallelism", str(parallelism)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_INCLUDE_DIR")}
    env.setdefault("AIRFLOW__LAKEHOUSE__SALESFORCE_LIMIT_WAIT_SECONDS", "5")
    with (base / "launcher.log").open("wb") as log:
        launcher = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if launcher.poll() is not None:
                raise RuntimeError(f"the launcher exited: see {base / 'launcher.log'}")
            try:
                scenario.request(url + "/api/v2/monitor/health")
                break
            except (urllib.error.URLError, OSError):
                time.sleep(1)
        yield Stack(url, (state / "endpoint").read_text().strip())
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGINT)
            try:
                launcher.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)


def variant(name: str, slots: int, days: int, allowance: int, parallelism: int) -> dict[str, Any]:
    config = load_config(CONFIG)
    environment = config.environments["dev"]
    plans = [p for p in plan_environment(config, "dev") if p.direction == "ingest"]
    profiles = list(environment.connector_profiles)
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-backfill-{name}-") as base,
        stack(Path(base), parallelism) as s,
    ):
        token = scenario.login(s.url, LOGIN_USER, LOGIN_PASSWORD)
        airflow = scenario.Airflow(s.url, token)
        for plan in plans:
            _wait_for_dag(airflow, plan.dag_id)
        for pool in environment_pools(environment):
            body = {"name": pool.name, **pool.as_import(), "slots": slots}
            airflow(f"/api/v2/pools/{pool.name}", "PATCH", body)
        sizes = {p["name"]: p["slots"] for p in airflow("/api/v2/pools")["pools"]}
        first = LAST_DAY - dt.timedelta(days=days - 1)
        outcome = scenario.run(
            airflow, scenario.Sandbox(s.sandbox_url), [p.dag_id for p in plans], profiles, first, LAST_DAY,
            allowance=allowance, timeout=24 * 3600,
        )  # fmt: skip
        records = _records_landed(outcome, airflow, plans)
    runs = [r for rs in outcome.runs.values() for r in rs]
    return {
        "variant": name,
        "pool_slots": sizes,
        "days": days,
        "dag_runs": len(runs),
        "failed_runs": sum(r["state"] != "success" for r in runs),
        "wall_seconds": round(outcome.wall_seconds, 1),
        "peak_concurrent_runs": {p: outcome.limits[p]["peakConcurrentRuns"] for p in profiles},
        "requests_spent": {p: sum(outcome.limits[p]["spent"].values()) for p in profiles},
        "requests_refused": {p: sum(outcome.limits[p]["refused"].values()) for p in profiles},
        "max_spent_in_an_org_day": {p: max(outcome.limits[p]["spent"].values(), default=0) for p in profiles},
        "simulated_resets": outcome.resets,
        "records_landed": records,
        "requests_per_1000_records": round(
            scenario.requests_per_thousand_records(outcome.limits, records), 2
        ),
    }


def _wait_for_dag(airflow: scenario.Airflow, dag_id: str) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            airflow(f"/api/v2/dags/{dag_id}")
            return
        except urllib.error.HTTPError:
            time.sleep(1)
    raise TimeoutError(f"{dag_id} was not parsed")


def _records_landed(outcome: scenario.Outcome, airflow: scenario.Airflow, plans: list[Any]) -> int:
    """Records processed by the backfill runs' AppFlow executions (wait_for_flow's XCom)."""
    total = 0
    for plan in plans:
        for run in outcome.runs[plan.dag_id]:
            if run["run_type"] != "backfill":
                continue
            for profile in plan.profiles:
                quoted = urllib.parse.quote(run["dag_run_id"], safe="")
                path = (
                    f"/api/v2/dags/{plan.dag_id}/dagRuns/{quoted}/taskInstances/"
                    f"{profile.group_id}.wait_for_flow/xcomEntries/return_value"
                )
                try:
                    value = airflow(path)["value"]
                except urllib.error.HTTPError:
                    continue
                total += int((value if isinstance(value, dict) else json.loads(value))["records_processed"])
    return total


def write(results: list[dict[str, Any]], days: int, allowance: int) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "backfill_limits.json").write_text(json.dumps(results, indent=2) + "\n")
    bounded, unbounded = results
    ratio = bounded["wall_seconds"] / unbounded["wall_seconds"] if unbounded["wall_seconds"] else 0
    lines = [
        "# Backfill under the orgs' pools and API allowance",
        "",
        f"`python -m bench.backfill_limits --days {days} --allowance {allowance}`, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; Airflow's real scheduler "
        "(`make airflow`'s stack, LocalExecutor), "
        f"every ingest DAG of `dev` backfilled over {days} days ending {LAST_DAY}, each org allowed "
        f"{allowance} API requests a day, its clock moved to its midnight whenever that is spent. Method: "
        "bench/backfill_limits.py.",
        "",
        "| variant | pool slots | DAG runs | failed | wall time (s) | most runs at once per org "
        "| requests spent | refused | most spent in an org day | resets | records landed "
        "| requests / 1,000 records |",
        "|---|---|---:|---:|---:|---|---|---|---|---|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['variant']} | {_short(r['pool_slots'])} | {r['dag_runs']} | {r['failed_runs']} | "
            f"{r['wall_seconds']} | {_short(r['peak_concurrent_runs'])} | {_short(r['requests_spent'])} | "
            f"{_short(r['requests_refused'])} | {_short(r['max_spent_in_an_org_day'])} | "
            f"{_short(r['simulated_resets'])} | {r['records_landed']} | {r['requests_per_1000_records']} |"
        )
    lines += [
        "",
        f"With the org pools the backfill took {ratio:.2f}x the time of the unbounded one, "
        "at the same allowance.",
        "",
        READING,
    ]
    (RESULTS / "backfill_limits.md").write_text("\n".join(lines) + "\n")


def _short(values: dict[str, Any]) -> str:
    """`profile1: 4, profile2: 5` for the sample's long profile names."""
    prefixes = ("salesforce__", "roche-salesforce-connector-", "roche_salesforce_connector_")
    short = {}
    for key, value in values.items():
        name = key
        for prefix in prefixes:
            name = name.removeprefix(prefix)
        short[name] = value
    return ", ".join(f"{k}: {v}" for k, v in sorted(short.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--allowance", type=int, default=200, help="API requests per org day")
    parser.add_argument("--parallelism", type=int, default=4)
    parser.add_argument(
        "--slots",
        type=int,
        default=1,
        help="the org pools' slots of the bounded variant: below each org's number of flows "
        "(3 and 2 in dev), or the pool never binds (a flow runs one execution at a time anyway)",
    )
    args = parser.parse_args(argv)
    results = []
    variants = (
        (f"org pools of {args.slots} slot(s)", args.slots),
        (f"no bound (pools of {UNBOUNDED_SLOTS})", UNBOUNDED_SLOTS),
    )
    for name, slots in variants:
        results.append(variant(name, slots, args.days, args.allowance, args.parallelism))
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "backfill_limits.json").write_text(json.dumps(results, indent=2) + "\n")
    write(results, args.days, args.allowance)
    print((RESULTS / "backfill_limits.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
