"""The floor: the same DAG written by hand in plain Python, one file per DAG.

One file per DAG is what someone maintaining these DAGs by hand would do (Airflow's own advice,
and each DAG then has its own import error). Every value is a literal, as typed by a person;
the only sharing is the usual module-level dicts of connection and warehouse arguments. The alert
callbacks are notifiers written into default_args, so each DAG has one per event, shared by its
tasks, as the generated DAGs have.
"""

from __future__ import annotations

from typing import Any

from bench.spec import NOTIFIER, OPERATORS, DagSpec, GroupSpec, TaskSpec

_AWS_KEYS = ("aws_conn_id", "region_name")
_WAREHOUSE_KEYS = (
    "database",
    "workgroup_name",
    "cluster_identifier",
    "db_user",
    "wait_for_completion",
    "poll_interval",
)


def _imports(notifier: bool) -> str:
    by_module: dict[str, set[str]] = {}
    for path in [*OPERATORS.values(), *([NOTIFIER] if notifier else [])]:
        module, _, name = path.rpartition(".")
        by_module.setdefault(module, set()).add(name)
    lines = [f"from {m} import {', '.join(sorted(names))}" for m, names in sorted(by_module.items())]
    return "\n".join(lines)


def _call(task: TaskSpec, indent: str, shared: dict[str, dict[str, Any]]) -> str:
    cls = task.operator.rpartition(".")[2]
    args = [f"task_id={task.task_id!r}"]
    skipped: set[str] = set()
    splats = []
    for name, values in shared.items():
        if all(task.kwargs.get(k, object()) == v for k, v in values.items()):
            skipped |= set(values)
            splats.append(f"**{name}")
    args += [f"{k}={v!r}" for k, v in task.kwargs.items() if k not in skipped]
    if task.columns_from:
        args.append(f"columns={task.columns_from}.output")
    if task.asset:
        args.append(f"outlets=[Asset(name={task.asset[0]!r}, uri={task.asset[1]!r})]")
    args += splats
    inner = indent + "    "
    return f"{cls}(\n" + "".join(f"{inner}{a},\n" for a in args) + f"{indent})"


def _group(group: GroupSpec, shared: dict[str, dict[str, Any]]) -> str:
    out = [f"    with TaskGroup(group_id={group.group_id!r}, tooltip={group.tooltip!r}):\n"]
    calls = []
    for task in group.tasks:
        if any(t.columns_from == task.task_id for t in group.tasks):
            # a task whose output another task takes is named, as a person would
            out.append(f"        {task.task_id} = {_call(task, '        ', shared)}\n")
            calls.append(task.task_id)
        else:
            calls.append(_call(task, "            ", shared))
    out.append("        chain(\n" + "".join(f"            {c},\n" for c in calls) + "        )\n")
    return "".join(out)


def _shared(spec: DagSpec) -> dict[str, dict[str, Any]]:
    first = spec.groups[0].tasks
    build_views = next(t for t in first if t.task_id == "build_views")
    return {
        "AWS": {k: first[0].kwargs[k] for k in _AWS_KEYS},
        "WAREHOUSE": {k: build_views.kwargs[k] for k in _WAREHOUSE_KEYS},
    }


def _header(title: str, shared: dict[str, dict[str, Any]], notifier: bool) -> str:
    constants = "".join(f"{name} = {values!r}\n" for name, values in shared.items())
    return f'''"""{title}"""

import datetime as dt

from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, TaskGroup, chain

{_imports(notifier)}

{constants}'''


def _callbacks(spec: DagSpec) -> str:
    """default_args entries: one notifier per DAG and event, its arguments as literals."""
    cls = NOTIFIER.rpartition(".")[2]
    out = []
    for key, kwargs in spec.callbacks.items():
        args = "".join(f"            {k}={v!r},\n" for k, v in kwargs.items())
        out.append(f'        "{key}": {cls}(\n{args}        ),\n')
    return "".join(out)


def _body(spec: DagSpec, shared: dict[str, dict[str, Any]]) -> str:
    start = spec.start_date
    groups = "".join(_group(g, shared) for g in spec.groups)
    return f"""
with DAG(
    dag_id={spec.dag_id!r},
    schedule=CronDataIntervalTimetable({spec.cron!r}, timezone="UTC"),
    start_date=dt.datetime({start.year}, {start.month}, {start.day}, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags={spec.tags!r},
    description={spec.description!r},
    doc_md={spec.doc_md!r},
    default_args={{
        "owner": {spec.owner!r},
        "retries": {spec.retries!r},
        "retry_delay": dt.timedelta(minutes={spec.retry_delay_minutes}),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(hours=1),
{_callbacks(spec)}    }},
):
{groups}"""


def render(spec: DagSpec) -> str:
    """One DAG per file: the floor."""
    shared = _shared(spec)
    title = f"{spec.dag_id}: Salesforce -> lake, written by hand."
    return _header(title, shared, bool(spec.callbacks)) + _body(spec, shared)


def render_one_file(specs: list[DagSpec]) -> str:
    """Every DAG in one module (shown for reference: not how DAGs are kept by hand)."""
    shared = _shared(specs[0])
    if any(_shared(s) != shared for s in specs):
        raise ValueError("the DAGs do not share their connection arguments")
    title = f"{len(specs)} DAGs: Salesforce -> lake, written out in one file."
    notifier = any(s.callbacks for s in specs)
    return _header(title, shared, notifier) + "".join(_body(s, shared) for s in specs)
