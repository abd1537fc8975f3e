"""What `make compose-smoke` checks once `docker compose up -d` returned, through the stack's own
interfaces: Compose's view of each service, the Airflow REST API (the api-server on
127.0.0.1:8080), and the sandbox's AWS APIs (127.0.0.1:4566) for what landed.

Run by tools/compose_smoke/run.sh inside the engine's network namespace, where those addresses are
the containers' own:

    python -m tools.compose_smoke.check -- COMPOSE_COMMAND...

1. Every service comes up: sandbox, postgres and the api-server healthy, the scheduler, DAG
   processor and triggerer running, airflow-init and provision exited 0 (never restarting).
2. Provisioning happened: the lake's buckets of the dev environment exist in the sandbox.
3. The DAG processor imported every DAG of the dev environment with no import error.
4. One ingest DAG run, the backfill of 2025-01-15, succeeds under the scheduler and the
   LocalExecutor, and its Parquet rows and Glue partition are in the lake.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[2]
DAG_ID = "sfdc_ingest__opportunity_dev"  # one connector profile, full snapshots
DAY = dt.date(2025, 1, 15)
HEALTHY = ("sandbox", "postgres", "airflow-apiserver")
RUNNING = ("airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
COMPLETED = ("airflow-init", "provision")
BAD_TASK_STATES = {"failed", "up_for_retry", "upstream_failed"}
REQUEST_TIMEOUT = 60.0

T = TypeVar("T")


class SmokeCheckError(Exception):
    """A check that failed, with what was seen."""


def wait(what: str, check: Callable[[], T | None], timeout: float, every: float = 2.0) -> T:
    """`check()`'s first truthy result within `timeout` seconds. A request that the stack does not
    answer in time, or answers with a server error, is tried again: on 2 busy cores the single
    api-server worker, which also serves the running tasks' Execution API, can stall for tens of
    seconds. Any other error ends the wait at once."""
    deadline = time.monotonic() + timeout
    last_error = ""
    while True:
        try:
            result = check()
        except (TimeoutError, ConnectionError, urllib.error.URLError) as error:
            if isinstance(error, urllib.error.HTTPError) and error.code < 500:
                raise
            result, last_error = None, f" (last: {error!r})"
        if result:
            return result
        if time.monotonic() > deadline:
            raise SmokeCheckError(f"timed out after {timeout:.0f} s waiting for {what}{last_error}")
        time.sleep(every)


def call(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, method=method, data=data)  # noqa: S310 (our loopback URLs)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310 (as above)
        return json.loads(response.read() or b"null")


def services(compose: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`compose ps -a` as {service: container}; Compose prints one JSON object a line."""
    argv = [*compose, "ps", "-a", "--format", "json"]
    listed = subprocess.run(argv, capture_output=True, text=True, check=True)  # noqa: S603 (run.sh's compose)
    containers = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    return {c["Service"]: c for c in containers}


def stack_is_up(compose: Sequence[str]) -> dict[str, dict[str, Any]] | None:
    """The containers once every service is where it should be; raises at once on one that failed."""
    found = services(compose)
    for name in COMPLETED:
        container = found.get(name)
        if container and container["State"] == "exited" and container["ExitCode"] != 0:
            raise SmokeCheckError(f"{name} exited with {container['ExitCode']}")
    for name, container in found.items():
        if container["State"] == "restarting" or (name not in COMPLETED and container["State"] == "exited"):
            raise SmokeCheckError(f"{name} is {container['State']} ({container['Status']})")
    up = (
        all(found.get(n, {}).get("Health") == "healthy" for n in HEALTHY)
        and all(found.get(n, {}).get("State") == "running" for n in RUNNING)
        and all(found.get(n, {}).get("State") == "exited" for n in COMPLETED)
    )
    return found if up else None


def aws(service: str, sandbox: str) -> Any:
    """A client of the sandbox with the compose file's own test credentials (x-aws-env)."""
    import boto3

    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=sandbox,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the sandbox's fixed test credentials
    )


def check_provisioned(sandbox: str) -> list[str]:
    from lakehouse.config import load_config
    from lakehouse.plan import plan_environment

    config = load_config(REPO / "include" / "config")
    expected = {profile.bucket for plan in plan_environment(config, "dev") for profile in plan.profiles}
    s3 = aws("s3", sandbox)
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    if not expected <= buckets:
        raise SmokeCheckError(f"provision made no {sorted(expected - buckets)} (buckets: {sorted(buckets)})")
    return sorted(expected)


def check_dags(api: str, token: str) -> set[str]:
    from lakehouse.config import load_config
    from lakehouse.plan.inventory import environment_dag_ids

    expected = set(environment_dag_ids(load_config(REPO / "include" / "config"), "dev"))

    def listed() -> set[str] | None:
        found = {d["dag_id"] for d in call(f"{api}/api/v2/dags?limit=100", token=token)["dags"]}
        return found if expected <= found else None

    try:
        found = wait("the DAG processor to import the DAGs", listed, 180)
    except SmokeCheckError:
        errors = call(f"{api}/api/v2/importErrors", token=token)
        raise SmokeCheckError(f"DAGs missing; import errors: {json.dumps(errors)[-4000:]}") from None
    errors = call(f"{api}/api/v2/importErrors", token=token)
    if errors["total_entries"]:
        raise SmokeCheckError(f"import errors: {json.dumps(errors)[-4000:]}")
    if found != expected:
        raise SmokeCheckError(f"unexpected DAGs {sorted(found - expected)}")
    return found


def run_backfill(api: str, token: str) -> dict[str, Any]:
    """The backfill of DAY (logical date = interval start), run by the scheduler; the run once it
    succeeded. A failed task fails the smoke run at once, with its log."""
    dag = f"{api}/api/v2/dags/{DAG_ID}"
    wait(f"{DAG_ID} to be parsed", lambda: _answers(dag, token), 120)
    call(dag, "PATCH", {"is_paused": False}, token)
    logical = f"{DAY.isoformat()}T00:00:00Z"
    backfill = {"dag_id": DAG_ID, "from_date": logical, "to_date": logical}
    call(f"{api}/api/v2/backfills", "POST", backfill, token)

    def backfill_run() -> dict[str, Any] | None:
        runs = call(f"{dag}/dagRuns?limit=100", token=token)["dag_runs"]
        return next((r for r in runs if r["run_type"] == "backfill"), None)

    run_id = wait("the backfill's run", backfill_run, 120)["dag_run_id"]

    def finished() -> dict[str, Any] | None:
        run_url = f"{dag}/dagRuns/{run_id}"
        for ti in call(f"{run_url}/taskInstances", token=token)["task_instances"]:
            if ti["state"] in BAD_TASK_STATES:
                log = call(f"{run_url}/taskInstances/{ti['task_id']}/logs/{ti['try_number']}", token=token)
                raise SmokeCheckError(f"{run_id}: {ti['task_id']} {ti['state']}:\n{json.dumps(log)[-6000:]}")
        run: dict[str, Any] = call(run_url, token=token)
        if run["state"] == "failed":
            raise SmokeCheckError(f"{run_id} failed: {run}")
        return run if run["state"] == "success" else None

    run = wait(f"{run_id} to succeed", finished, 600, every=3.0)
    start = dt.datetime.fromisoformat(run["data_interval_start"].replace("Z", "+00:00"))
    if start.date() != DAY:
        raise SmokeCheckError(f"{run_id} ran the interval starting {start}, not {DAY}")
    return run


def check_landed(sandbox: str) -> tuple[int, str]:
    """The run's rows under the day's partition in the raw zone, and the Glue partition at them."""
    from lakehouse.config import load_config
    from lakehouse.plan import plan_environment
    from sandbox.readback import parquet_rows

    config = load_config(REPO / "include" / "config")
    (plan,) = [p for p in plan_environment(config, "dev") if p.dag_id == DAG_ID]
    (profile,) = plan.profiles
    s3, glue = aws("s3", sandbox), aws("glue", sandbox)
    day = DAY.strftime("%Y%m%d")
    rows = parquet_rows(s3, profile.bucket, f"{profile.prefix}/appflow_date_str={day}/")
    if not rows:
        raise SmokeCheckError(f"no rows under s3://{profile.bucket}/{profile.prefix}/appflow_date_str={day}/")
    found = glue.get_partitions(DatabaseName=profile.glue_database, TableName=profile.table)
    locations = {p["Values"][0]: p["StorageDescriptor"]["Location"] for p in found["Partitions"]}
    if day not in locations:
        raise SmokeCheckError(
            f"no Glue partition {day} in {profile.glue_database}.{profile.table}: {locations}"
        )
    return len(rows), locations[day]


def _answers(url: str, token: str) -> bool:
    try:
        call(url, token=token)
    except urllib.error.HTTPError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--api", default="http://127.0.0.1:8080")
    parser.add_argument("--sandbox", default="http://127.0.0.1:4566")
    parser.add_argument("--up-timeout", type=float, default=900.0)
    parser.add_argument("compose", nargs="+", help="the compose command, with its -p and -f options")
    args = parser.parse_args(argv)
    steps = [time.monotonic()]

    def done(message: str) -> None:
        steps.append(time.monotonic())
        print(f"  ok ({steps[-1] - steps[-2]:5.1f} s)  {message}", flush=True)

    try:
        containers = wait("every service to come up", lambda: stack_is_up(args.compose), args.up_timeout, 3.0)
        states = ", ".join(f"{name} {container['Status']}" for name, container in sorted(containers.items()))
        done(f"services up: {states}")
        done(f"provision made the dev buckets: {', '.join(check_provisioned(args.sandbox))}")
        wait("the API", lambda: _answers(f"{args.api}/api/v2/monitor/health", ""), 120)
        login = {"username": "admin", "password": "admin"}  # the compose file's SimpleAuthManager user
        token: str = call(f"{args.api}/auth/token", "POST", login)["access_token"]
        dags = check_dags(args.api, token)
        done(f"{len(dags)} DAGs imported, no import error")
        run = run_backfill(args.api, token)
        interval = f"{run['data_interval_start']} .. {run['data_interval_end']}"
        done(f"{DAG_ID} {run['dag_run_id']} succeeded ({interval})")
        rows, location = check_landed(args.sandbox)
        done(f"{rows} rows landed for {DAY}; Glue partition at {location}")
    except (SmokeCheckError, OSError, subprocess.CalledProcessError) as failure:  # URLError is an OSError
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
