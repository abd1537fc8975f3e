"""`make demo`: every generated pipeline of an environment on the local sandbox.

Starts the sandbox in-process, provisions what Terraform would (buckets, connector profiles,
flows, Glue jobs and their on-prem sources), then with Airflow's `dag.test()` (a real metadata DB
and the same task code the scheduler runs), on two worker processes that run at once what is
independent, as a scheduler's workers would (sandbox/demo_pool.py; the output keeps its order):

1. runs each Salesforce ingest DAG for three consecutive daily data intervals, the emulated orgs'
   whole history, each as of the end of its interval on the org's clock, with deletes, a merge, a
   restore and a hard delete in between (sandbox/demo_changes.py), then each reconciliation DAG,
   and prints what landed: rows per partition in S3, the Glue tables and partitions, a Spectrum
   query over the current-state views through the Redshift Data API, the org's live count beside
   each `_current` count (equal), and the history of the merged and restored records;
2. runs the ML scoring example over the warehouse and the upsert DAG it triggers, and prints the
   scores read back from the emulated Salesforce org (sandbox/demo_scores.py);
3. runs each on-prem feed DAG (a real Glue job script against a local SQLite database, HTTP API
   and file drop) for the same days and prints the partitions and a Spectrum count
   (sandbox/demo_feeds.py);
4. on the second day lands one bad Account load (an account without Name), which the declared
   checks block: the run fails at audit_data, the published data is shown unchanged, and the
   rerun once the source is fixed publishes; at the end it prints the results table of every
   check (sandbox/demo_quality.py).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sandbox.runs import interval_starting_on

REPO = Path(__file__).resolve().parent.parent
DEFAULT_LAST_DAY = dt.date(2025, 1, 15)  # the emulated orgs' last day of history (sandbox/README.md)
DEFAULT_LINEAGE = REPO / ".cache" / "lineage" / "demo-events.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.demo", description=__doc__)
    parser.add_argument("--env", default="dev")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--last-day", type=dt.date.fromisoformat, default=DEFAULT_LAST_DAY)
    parser.add_argument(
        "--lineage",
        type=Path,
        default=DEFAULT_LINEAGE,
        help="where the OpenLineage events go (file transport, JSON lines; replaced each run)",
    )
    parser.add_argument("--no-feeds", action="store_true", help="skip the on-prem feed DAGs")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lakehouse-demo-") as home:
        args.lineage.unlink(missing_ok=True)
        _prepare_airflow_home(home, args.env, args.lineage.resolve())
        from sandbox.server import Sandbox

        # The orgs' history spans exactly the demo's days, so the runs load all of it and the
        # warehouse can be compared with the org record for record.
        os.environ["SANDBOX_SALESFORCE_DAYS"] = str(args.days)
        os.environ["SANDBOX_SALESFORCE_TODAY"] = args.last_day.isoformat()
        with Sandbox() as sandbox:
            code = _run(
                sandbox,
                args.env,
                args.days,
                args.last_day,
                lineage=args.lineage.resolve(),
                feeds=not args.no_feeds,
            )
    _lineage_report(args.lineage)
    print(f"\nDemo finished in {time.monotonic() - started:.0f} s")
    return code


def _prepare_airflow_home(home: str, env: str, lineage: Path) -> None:
    from sandbox.airflow_env import lineage_env

    os.environ.update(lineage_env(lineage, f"lakehouse-{env}"))
    os.environ.update(
        {
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "LAKEHOUSE_ENV": env,
            "LAKEHOUSE_STRICT": "1",
        }
    )
    database = Path(home) / "airflow.db"
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{database}"
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True, env=os.environ
    )
    # WAL: the demo's workers (sandbox/demo_pool.py) read while another writes; the mode is kept
    # in the file, so every connection of every process has it.
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA journal_mode=WAL")


def _run(sandbox: Any, env: str, days: int, last_day: dt.date, *, lineage: Path, feeds: bool = True) -> int:
    from lakehouse.config import load_config
    from sandbox.airflow_env import airflow_env
    from sandbox.demo_changes import DemoChanges
    from sandbox.demo_feeds import feed_chains, feed_plans, report_feeds
    from sandbox.demo_pool import RunPool, run_scores_job
    from sandbox.demo_quality import report_checks
    from sandbox.demo_truth import report_truth
    from sandbox.provision import provision

    endpoint_url = sandbox.endpoint_url
    os.environ.update(airflow_env(endpoint_url))
    pool = RunPool(WORKERS, dict(os.environ), lineage, namespace=f"lakehouse-{env}")
    with pool:
        provision(endpoint_url, REPO / "include" / "config", env)
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(str(REPO / "dags"))
        if bag.import_errors:
            print(bag.import_errors, file=sys.stderr)
            return 1
        _serialize(bag)
        pool.wait_ready()
        ingest = sorted(dag_id for dag_id in bag.dags if dag_id.startswith("sfdc_ingest__"))
        intervals = [last_day - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]
        print(f"Running {len(ingest)} ingest DAGs over {days} days: {intervals[0]} .. {intervals[-1]}")
        config = load_config(REPO / "include" / "config")
        orgs = [sandbox.service("appflow").org(p) for p in config.environments[env].connector_profiles]
        changes = DemoChanges(orgs[0])
        plans = feed_plans(REPO / "include", env) if feeds else []
        fill = _Filler(pool, feed_chains(plans, intervals))
        failed = _timeline(pool, fill, bag.dags, ingest, intervals, orgs, changes, endpoint_url, env)
        failed += _reconcile(pool, fill, bag.dags, last_day)
        _report(endpoint_url, env)
        failed += report_truth(endpoint_url, env, orgs, changes)
        (scored,) = fill.wait([pool.submit(run_scores_job, endpoint_url, env)])
        print("\n".join(scored[0]))
        failed += scored[1]
        if feeds:
            failed += report_feeds(fill.finish(), endpoint_url, plans, env, intervals)
        report_checks(endpoint_url, env)
    pool.merge_lineage(lineage)
    return 1 if failed else 0


WORKERS = 2
"""Worker processes running DAG runs: the cores of the machine the demo is made for (docs/pipeline.md)."""
RUN_DELAY = dt.timedelta(minutes=1)


def _serialize(bag: Any) -> None:
    """Write the DAGs to the metadata DB once, as `dag.test()` does before each run (the same two
    calls), so that the workers' first runs find them there instead of writing them at once."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db

    manager = DagBundlesManager()  # type: ignore[no-untyped-call]
    manager.sync_bundles_to_db()
    for bundle in manager.get_all_dag_bundles():
        bundle.initialize()
        sync_bag_to_db(
            BundleDagBag(dag_folder=bundle.path, bundle_path=bundle.path, bundle_name=bundle.name),
            bundle.name,
            bundle.version,
        )


def _timeline(
    pool: Any, fill: _Filler, dags: Any, ingest: list[str], intervals: list[dt.date], orgs: list[Any],
    changes: Any, endpoint_url: str, env: str,
) -> int:  # fmt: skip
    """One timeline: every run just after its interval's end, as the scheduler runs it, and the
    org's changes at their times; the orgs' clocks follow it (they only move forward). Runs due at
    the same moment run at once (different DAGs); the lines come out in the order of the timeline."""
    from sandbox.demo_pool import run_blocked_then_fixed, run_chain
    from sandbox.demo_quality import BAD_LOAD_DAG

    bad_load = (BAD_LOAD_DAG, intervals[1]) if len(intervals) > 1 else None  # the second day's
    runs = [
        (end + RUN_DELAY, dag_id, day) for dag_id in ingest for day, end in _covering(dags[dag_id], intervals)
    ]
    moments: dict[dt.datetime, list[tuple[str, dt.date]]] = {}
    for moment, dag_id, day in sorted(runs):
        moments.setdefault(moment, []).append((dag_id, day))
    events = sorted(
        [*((m, 1, due) for m, due in moments.items()), *((m, 0, None) for m in changes.schedule(intervals))]
    )
    failed = 0
    for moment, _, due in events:
        for org in orgs:
            org.set_clock(max(org.clock, moment))
        if due is None:
            for line in changes.apply(moment):
                print(f"  org {orgs[0].profile}: {line}")
            continue
        futures = [
            pool.submit(run_blocked_then_fixed, dag_id, day, endpoint_url, env)
            if (dag_id, day) == bad_load
            else pool.submit(run_chain, [(dag_id, day)])
            for dag_id, day in due
        ]
        for outcome in fill.wait(futures):
            for line in outcome.lines:
                print(line)
            print(outcome.summary())
            failed += outcome.problems
    return failed


class _Filler:
    """The feeds' runs, handed to the workers whenever one is free of the timeline's runs: each
    feed's runs in order, one at a time."""

    def __init__(self, pool: Any, chains: list[list[tuple[str, dt.date]]]) -> None:
        self._pool = pool
        self._queues = [list(chain) for chain in chains]
        self._outcomes: list[list[Any]] = [[] for _ in chains]
        self._running: dict[Any, int] = {}

    def wait(self, futures: list[Any]) -> list[Any]:
        """The results of `futures` (RunOutcome, or a list of them), feeding idle workers meanwhile."""
        from concurrent.futures import FIRST_COMPLETED, wait

        pending = set(futures)
        while pending:
            self._top_up(busy=len(pending))
            done, _ = wait(pending | set(self._running), return_when=FIRST_COMPLETED)
            pending -= done
            self._collect(done)
        return [_single(future.result()) for future in futures]

    def finish(self) -> list[Any]:
        """Every feed run's outcome, in feed and day order, once all have run."""
        from concurrent.futures import FIRST_COMPLETED, wait

        while self._running or any(self._queues):
            self._top_up(busy=0)
            done, _ = wait(set(self._running), return_when=FIRST_COMPLETED)
            self._collect(done)
        return [outcome for outcomes in self._outcomes for outcome in outcomes]

    def _top_up(self, busy: int) -> None:
        from sandbox.demo_pool import run_chain

        for index, queue in enumerate(self._queues):
            if busy + len(self._running) >= self._pool.workers:
                return
            if queue and index not in self._running.values():
                self._running[self._pool.submit(run_chain, [queue.pop(0)])] = index

    def _collect(self, done: set[Any]) -> None:
        for future in done:
            index = self._running.pop(future, None)
            if index is not None:
                self._outcomes[index].extend(future.result())


def _single(result: Any) -> Any:
    return result[0] if isinstance(result, list) else result


def _covering(dag: Any, days: list[dt.date]) -> list[tuple[dt.date, dt.datetime]]:
    """(day, interval end) of the DAG's intervals that overlap the demo's days, which are the
    orgs' whole history: a DAG whose intervals start at 02:00 also runs the one before the first
    midnight, or the records of the first two hours would never be loaded."""
    first = dt.datetime.combine(days[0], dt.time(), tzinfo=dt.UTC)
    last = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    covering = []
    for day in [days[0] - dt.timedelta(days=1), *days]:
        start, end = interval_starting_on(dag, day)
        if end > first and start < last:
            covering.append((day, end))
    return covering


def _reconcile(pool: Any, fill: _Filler, dags: Any, last_day: dt.date) -> int:
    """Each reconciliation DAG as of the end of the last day: what the hard delete left behind goes."""
    from sandbox.demo_pool import run_as_of

    as_of = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    futures = [
        pool.submit(run_as_of, d, as_of) for d in sorted(d for d in dags if d.startswith("sfdc_reconcile__"))
    ]
    failed = 0
    for outcome in fill.wait(futures):
        print(f"  {outcome.dag_id} [{outcome.interval}]: {outcome.state} ({outcome.seconds:.1f} s)")
        failed += outcome.problems
    return failed


def _lineage_report(path: Path) -> None:
    from sandbox.lineage_graph import describe, edges, events

    graph = edges(events(path))
    print(f"\n== OpenLineage: {len(graph)} dataset edges in {path} (what Marquez or DataHub would draw)")
    for line in describe(graph):
        print(line)


def _report(endpoint_url: str, env: str) -> None:
    import boto3

    from lakehouse.config import load_config
    from lakehouse.plan import plan_environment
    from sandbox.readback import rows_per_partition, run_query, warehouse_target

    config = load_config(REPO / "include" / "config")
    environment = config.environments[env]
    s3 = boto3.client("s3", endpoint_url=endpoint_url)
    glue = boto3.client("glue", endpoint_url=endpoint_url)
    redshift = boto3.client("redshift-data", endpoint_url=endpoint_url)
    target = warehouse_target(environment)
    for plan in plan_environment(config, env):
        if plan.direction != "ingest":
            continue
        print(f"\n== {plan.flow.sf_object} ({plan.dag_id})")
        for profile in plan.profiles:
            print(f"  {profile.profile}")
            print(f"    S3 {profile.location}")
            for partition, rows in rows_per_partition(s3, profile.bucket, profile.prefix).items():
                print(f"      {partition}: {rows} rows")
            table = glue.get_table(DatabaseName=profile.glue_database, Name=profile.table)["Table"]
            partitions = glue.get_partitions(DatabaseName=profile.glue_database, TableName=profile.table)
            values = sorted(p["Values"][0] for p in partitions["Partitions"])
            columns = len(table["StorageDescriptor"]["Columns"])
            print(f"    Glue {profile.glue_database}.{profile.table}: {columns} columns, partitions {values}")
            view = f"{environment.views_schema_for(profile.profile)}.{profile.table}_current"
            # `view` is built from names the config model validated as identifiers.
            sql = f"SELECT COUNT(*) AS records, COUNT(DISTINCT id) AS ids, MAX(lastmodifieddate) AS latest FROM {view}"  # noqa: S608, E501
            print(f"    Spectrum: {sql}")
            print(f"      -> {run_query(redshift, target, sql)}")


if __name__ == "__main__":
    sys.exit(main())
