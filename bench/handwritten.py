"""The floor: the same DAGs written by hand in plain Python, one file per DAG.

One file per DAG is what someone maintaining these DAGs by hand would do (Airflow's own advice,
and each DAG then has its own import error). Every value is a literal, as typed by a person: the
notifiers, the Assets, the audit plan and the lineage names are written out as the calls that build
them; the only sharing is the usual module-level dicts of connection and warehouse arguments. The
alert callbacks are notifiers written into default_args, so each DAG has one per event, shared by
its tasks, as the generated DAGs have.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.spec import NOTIFIER, WEIGHT_RULE, Call, DagSpec, GroupSpec, TaskSpec, timedelta_kwargs

SHARED_KEYS: dict[str, tuple[str, ...]] = {
    "AWS": ("aws_conn_id", "region_name"),
    "WAREHOUSE": ("database", "workgroup_name", "cluster_identifier", "db_user", "poll_interval"),
}
"""Module-level dicts a person would splat into the calls: the AWS connection, the warehouse."""

_AIRFLOW_SDK = ("DAG", "TaskGroup", "chain")


class _Imports:
    """The names a file's code uses, collected while it is rendered: `from module import Name`."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def use(self, path: str) -> str:
        self.paths.add(path)
        return path.rpartition(".")[2]

    def lines(self) -> str:
        by_module: dict[str, set[str]] = {"airflow.sdk": set(_AIRFLOW_SDK)}
        owners: dict[str, str] = {}
        for path in sorted(self.paths):
            module, _, name = path.rpartition(".")
            if owners.setdefault(name, module) != module:
                raise ValueError(f"two classes named {name}: {owners[name]} and {module}")
            by_module.setdefault(module, set()).add(name)
        return "\n".join(
            f"from {m} import {', '.join(sorted(names))}" for m, names in sorted(by_module.items())
        )


def literal(value: Any, imports: _Imports) -> str:
    """Python source that builds `value` (a spec value: literals, containers and Calls)."""
    if isinstance(value, Call):
        name = imports.use(value.target)
        args = [literal(a, imports) for a in value.args]
        args += [f"{k}={literal(v, imports)}" for k, v in value.kwargs.items()]
        return f"{name}({', '.join(args)})"
    if isinstance(value, dt.timedelta):
        return "dt.timedelta(" + ", ".join(f"{k}={v}" for k, v in timedelta_kwargs(value).items()) + ")"
    if isinstance(value, tuple):
        items = [literal(v, imports) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v, imports) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {literal(v, imports)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, str | int | float | bool):
        return repr(value)
    raise TypeError(f"no literal for {type(value).__qualname__}: {value!r}")


def _call(task: TaskSpec, indent: str, shared: dict[str, dict[str, Any]], imports: _Imports) -> str:
    cls = imports.use(task.operator)
    args = [f"task_id={task.task_id!r}"]
    skipped: set[str] = set()
    splats = []
    for name, values in shared.items():
        if all(task.kwargs.get(k, object()) == v for k, v in values.items()):
            skipped |= set(values)
            splats.append(f"**{name}")
    args += [f"{k}={literal(v, imports)}" for k, v in task.kwargs.items() if k not in skipped]
    if task.columns_from:
        args.append(f"columns={task.columns_from}.output")
    args += splats
    inner = indent + "    "
    return f"{cls}(\n" + "".join(f"{inner}{a},\n" for a in args) + f"{indent})"


def _group(group: GroupSpec, shared: dict[str, dict[str, Any]], imports: _Imports) -> str:
    out = [f"    with TaskGroup(group_id={group.group_id!r}, tooltip={group.tooltip!r}):\n"]
    calls = []
    for task in group.tasks:
        if any(t.columns_from == task.task_id for t in group.tasks):
            # a task whose output another task takes is named, as a person would
            out.append(f"        {task.task_id} = {_call(task, '        ', shared, imports)}\n")
            calls.append(task.task_id)
        else:
            calls.append(_call(task, "            ", shared, imports))
    out.append("        chain(\n" + "".join(f"            {c},\n" for c in calls) + "        )\n")
    return "".join(out)


def _shared(specs: list[DagSpec]) -> dict[str, dict[str, Any]]:
    """SHARED_KEYS' values, taken from the tasks that have all of a dict's keys; a dict no task
    has (the reconciliation DAGs use no warehouse) is left out. They must agree across the DAGs."""
    shared: dict[str, dict[str, Any]] = {}
    for name, keys in SHARED_KEYS.items():
        seen = [
            {k: t.kwargs[k] for k in keys}
            for s in specs
            for g in s.groups
            for t in g.tasks
            if all(k in t.kwargs for k in keys)
        ]
        if seen and any(v != seen[0] for v in seen):
            raise ValueError(f"the DAGs do not share their {name} arguments")
        if seen:
            shared[name] = seen[0]
    return shared


def _header(title: str, shared: dict[str, dict[str, Any]], imports: _Imports) -> str:
    constants = "".join(f"{name} = {literal(values, imports)}\n" for name, values in shared.items())
    return f'''"""{title}"""

import datetime as dt

{imports.lines()}

{constants}'''


def _default_args(spec: DagSpec, imports: _Imports) -> str:
    """default_args as dag_args.task_defaults has them: one notifier per DAG and event."""
    entries: dict[str, Any] = {
        "weight_rule": WEIGHT_RULE,
        "owner": spec.owner,
        "retries": spec.retries,
        "retry_delay": dt.timedelta(minutes=spec.retry_delay_minutes),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(hours=1),
        **{key: Call(NOTIFIER, kwargs=kwargs) for key, kwargs in spec.callbacks.items()},
    }
    return "".join(f"        {k!r}: {literal(v, imports)},\n" for k, v in entries.items())


def _body(spec: DagSpec, shared: dict[str, dict[str, Any]], imports: _Imports) -> str:
    start = spec.start_date
    groups = "".join(_group(g, shared, imports) for g in spec.groups)
    return f"""
with DAG(
    dag_id={spec.dag_id!r},
    schedule={literal(spec.timetable, imports)},
    start_date=dt.datetime({start.year}, {start.month}, {start.day}, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags={spec.tags!r},
    description={spec.description!r},
    doc_md={spec.doc_md!r},
    default_args={{
{_default_args(spec, imports)}    }},
):
{groups}"""


def render(spec: DagSpec) -> str:
    """One DAG per file: the floor."""
    shared = _shared([spec])
    imports = _Imports()
    body = _body(spec, shared, imports)
    title = f"{spec.dag_id}: Salesforce -> lake, written by hand."
    return _header(title, shared, imports) + body


def render_one_file(specs: list[DagSpec]) -> str:
    """Every DAG in one module (shown for reference: not how DAGs are kept by hand)."""
    shared = _shared(specs)
    imports = _Imports()
    body = "".join(_body(s, shared, imports) for s in specs)
    title = f"{len(specs)} DAGs: Salesforce -> lake, written out in one file."
    return _header(title, shared, imports) + body
