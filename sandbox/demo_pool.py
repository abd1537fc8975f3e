"""The demo's workers: independent DAG runs at the same time, as a scheduler's workers run them.

`make demo` used to run every DAG run one after the other in its own process, so on two cores one
core idled and the sandbox (in the demo's process) and Airflow's task code took turns on the GIL.
A `RunPool` starts worker processes (spawned, so none inherits the sandbox's threads) that each
parse the DAG folder once and then run the jobs they are given with `dag.test()`: the same task
code, on the demo's one metadata DB (SQLite in WAL mode, so readers never wait for a writer).
What may overlap is the caller's decision (sandbox/demo.py): runs due at the same moment of the
orgs' timeline, and the feeds, which read no org; one DAG's runs stay in order, as its
`max_active_runs=1` wants.

Each worker writes its OpenLineage events to a file of its own (`<events>.<n>`, no two processes
appending to one file); `merge_lineage` joins them into the demo's events file at the end.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import multiprocessing.util
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_DAGS: dict[str, Any] = {}
"""The worker's DAGs by id, parsed once by `_start`."""


@dataclass(frozen=True)
class RunOutcome:
    """What a worker's run prints and counts, sent back to the demo's process."""

    dag_id: str
    state: str
    interval: str
    seconds: float
    lines: tuple[str, ...] = field(default=())
    """Lines the job printed before its summary (the blocked load's), in order."""
    problems: int = 0
    """Things that were not as they should be (a failed run is one)."""

    def summary(self) -> str:
        return f"  {self.dag_id} [{self.interval}): {self.state} ({self.seconds:.1f} s)"


def run_outcome(dag_id: str, run: Any, started: float, lines: tuple[str, ...] = ()) -> RunOutcome:
    interval = f"{run.data_interval_start:%Y-%m-%d %H:%M} .. {run.data_interval_end:%Y-%m-%d %H:%M}"
    seconds = time.monotonic() - started
    return RunOutcome(dag_id, str(run.state), interval, seconds, lines, int(run.state != "success"))


class RunPool:
    """`workers` processes running DAG runs; `env` is their environment (Airflow's home, the
    sandbox's endpoint, OpenLineage's transport)."""

    def __init__(
        self, workers: int, env: dict[str, str], lineage: Path | None = None, namespace: str = ""
    ) -> None:
        self.lineage_files = [_part(lineage, n) for n in range(workers)] if lineage else []
        context = multiprocessing.get_context("spawn")
        slots = context.Queue()
        for n in range(workers):
            slots.put(n)
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start,
            initargs=(env, slots, lineage, namespace),
        )
        self._warm = [self._executor.submit(_ready) for _ in range(workers)]  # start them all now

    def __enter__(self) -> RunPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def submit(self, job: Callable[..., T], *args: Any) -> Future[T]:
        return self._executor.submit(job, *args)

    def wait_ready(self) -> None:
        """The workers started and parsed the DAG folder (an import error fails here)."""
        for future in self._warm:
            future.result()

    def merge_lineage(self, target: Path) -> None:
        """Append the workers' OpenLineage events to `target` (one JSON document a line)."""
        with target.open("a", encoding="utf-8") as out:
            for part in self.lineage_files:
                if part.exists():
                    out.write(part.read_text(encoding="utf-8"))
                    part.unlink()


def _part(lineage: Path, slot: int) -> Path:
    return lineage.with_name(f"{lineage.name}.{slot}")


def _start(env: dict[str, str], slots: Any, lineage: Path | None, namespace: str) -> None:
    """A worker's start: the demo's environment, its own lineage file, the DAGs parsed once."""
    os.environ.clear()
    os.environ.update(env)
    # A spawned process spawns its own children too; OpenLineage starts a process pool for DAG-run
    # events after every task, and a spawned pool process imports Airflow afresh (3 s of CPU each).
    # Back to the platform's default start method, which the demo's own process has.
    multiprocessing.set_start_method(None, force=True)
    if lineage is not None:
        from sandbox.airflow_env import lineage_env

        os.environ.update(lineage_env(_part(lineage, slots.get()), namespace))
    from airflow.dag_processing.dagbag import DagBag

    from sandbox.in_process import fresh_lineage_per_task

    fresh_lineage_per_task()
    multiprocessing.util.Finalize(None, _stop_listeners, exitpriority=100)
    bag = DagBag(env["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    _DAGS.update(bag.dags)
    _warm_up()


def _warm_up() -> None:
    """What every first task of a process loads (a worker's process pays it once too): the
    catalog library and the botocore models of the services the DAGs call, parsed once per
    process (lakehouse.aws.service_models). Meanwhile the demo's process provisions the sandbox."""
    import awswrangler  # noqa: F401
    import botocore.session

    from lakehouse.aws.service_models import share_service_models

    share_service_models()
    session = botocore.session.get_session()
    for service in ("s3", "glue", "appflow", "redshift-data", "sns", "secretsmanager"):
        session.get_service_model(service)


class _DemoWorker:
    """The component a worker's listeners are told is stopping."""


def _stop_listeners() -> None:
    """What an Airflow component does before it stops: the listeners' `before_stopping` hook, where
    OpenLineage shuts down the process pool of its DAG-run events. A worker process must: it joins
    its own child processes before Python's exit handlers would shut that pool down, and would wait
    for them forever. Runs first among the worker's exit finalizers (`exitpriority`)."""
    from airflow.listeners.listener import get_listener_manager

    get_listener_manager().hook.before_stopping(component=_DemoWorker())


def _ready() -> int:
    return len(_DAGS)


def run_chain(runs: list[tuple[str, dt.date]]) -> list[RunOutcome]:
    """Runs of one DAG, in order (the interval that starts on each day)."""
    from sandbox.runs import run_day

    outcomes = []
    for dag_id, day in runs:
        started = time.monotonic()
        outcomes.append(run_outcome(dag_id, run_day(_DAGS[dag_id], day), started))
    return outcomes


def run_as_of(dag_id: str, as_of: dt.datetime) -> RunOutcome:
    """One run whose logical date is `as_of` (a reconciliation: the org as it is then)."""
    started = time.monotonic()
    run = _DAGS[dag_id].test(logical_date=as_of)
    seconds = time.monotonic() - started
    return RunOutcome(
        dag_id, str(run.state), f"as of {as_of:%Y-%m-%d %H:%M}", seconds, (), int(run.state != "success")
    )


def run_scores_job(endpoint_url: str, env: str) -> tuple[list[str], int]:
    """The scoring example and the upsert it triggers (sandbox/demo_scores.py): lines, failures."""
    from sandbox.demo_scores import run_scores

    lines: list[str] = []
    failed = run_scores(_DAGS, endpoint_url, env, emit=lines.append)
    return lines, failed


def run_blocked_then_fixed(dag_id: str, day: dt.date, endpoint_url: str, env: str) -> RunOutcome:
    """The demo's bad load (sandbox/demo_quality.py) in a worker."""
    from sandbox.demo_quality import blocked_then_fixed

    started = time.monotonic()
    lines: list[str] = []
    run, problems = blocked_then_fixed(endpoint_url, _DAGS[dag_id], day, env, lines.append)
    outcome = run_outcome(dag_id, run, started, tuple(lines))
    return RunOutcome(
        outcome.dag_id,
        outcome.state,
        outcome.interval,
        outcome.seconds,
        outcome.lines,
        problems + outcome.problems,
    )
