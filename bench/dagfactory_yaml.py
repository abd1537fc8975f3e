"""The same DAGs as dag-factory 1.1.0 YAML: one file holding every DAG, like flows.yaml.

dag-factory takes arbitrary operator class paths and builds objects from `__type__` mappings,
so the YAML names the very operator classes, timetables, assets, notifiers and plan dataclasses
(the audit plan, the lineage names) the generator uses, each a `__type__` mapping of its arguments
(tuples `builtins.tuple`, timedeltas `datetime.timedelta`). The alert callbacks are default_args
mappings `{callback: <notifier class path>, <its arguments>}`, which dag-factory instantiates once
per DAG (a class with `.notify`), as the generator does. Three things it cannot express
exactly:

* task ids: dag-factory keys tasks by their task id across the whole DAG, so the two task
  groups cannot both hold a `run_flow`; the tasks are keyed `p1_run_flow`, `p2_run_flow` and
  Airflow prefixes the group (`<group>.p1_run_flow`). Templates naming tasks follow suit.
* the provider's AppflowRecordsShortCircuitOperator: dag-factory insists on a python_callable
  for every PythonOperator subclass, which this operator refuses; the YAML names the subclass of
  bench.dagfactory_shims, which drops the placeholder callable.
* `columns=discover_schema.output`: operators get no XComArg from YAML, so `columns` is the
  equivalent Jinja `xcom_pull` string (the dependency is declared anyway).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from bench.spec import NOTIFIER, WEIGHT_RULE, Call, DagSpec, GroupSpec, jinja, timedelta_kwargs

LOADER = '''"""Airflow DAGs of every YAML file in this folder, built by dag-factory."""

from pathlib import Path

from dagfactory import load_yaml_dags

load_yaml_dags(globals_dict=globals(), dags_folder=str(Path(__file__).parent))
'''


def _td(delta: dt.timedelta) -> dict[str, Any]:
    return {"__type__": "datetime.timedelta", **timedelta_kwargs(delta)}


def to_yaml(value: Any, renames: dict[str, str]) -> Any:
    """A spec value as dag-factory's YAML builds it: a Call or a tuple as a `__type__` mapping,
    every string with the task ids it names renamed (`<group>.run_flow` -> `<group>.p1_run_flow`)."""
    if isinstance(value, Call):
        out: dict[str, Any] = {"__type__": value.target}
        if value.args:
            out["__args__"] = [to_yaml(a, renames) for a in value.args]
        return out | {k: to_yaml(v, renames) for k, v in value.kwargs.items()}
    if isinstance(value, dt.timedelta):
        return _td(value)
    if isinstance(value, tuple):
        return {"__type__": "builtins.tuple", "__args__": [[to_yaml(v, renames) for v in value]]}
    if isinstance(value, list):
        return [to_yaml(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: to_yaml(v, renames) for k, v in value.items()}
    if isinstance(value, str):
        for old, new in renames.items():
            value = value.replace(old, new)
    return value


def _group_tasks(index: int, group: GroupSpec) -> dict[str, dict[str, Any]]:
    prefix = f"p{index + 1}_"
    renames = {f"{group.group_id}.{t.task_id}": f"{group.group_id}.{prefix}{t.task_id}" for t in group.tasks}
    tasks: dict[str, dict[str, Any]] = {}
    previous = None
    for task in group.tasks:
        conf: dict[str, Any] = {"operator": task.operator, "task_group_name": group.group_id}
        if task.task_id == "has_records":
            conf["operator"] = f"bench.dagfactory_shims.{task.operator.rpartition('.')[2]}"
            conf["python_callable"] = "builtins.bool"  # dropped by the shim
        if previous:
            conf["dependencies"] = [previous]
        conf.update({k: to_yaml(v, renames) for k, v in task.kwargs.items()})
        if task.columns_from:
            conf["columns"] = jinja(f"ti.xcom_pull(task_ids='{group.group_id}.{prefix}{task.columns_from}')")
        previous = prefix + task.task_id
        tasks[previous] = conf
    return tasks


def _dag(spec: DagSpec) -> dict[str, Any]:
    tasks: dict[str, dict[str, Any]] = {}
    for index, group in enumerate(spec.groups):
        tasks.update(_group_tasks(index, group))
    return {
        "schedule": to_yaml(spec.timetable, {}),
        "start_date": spec.start_date,
        "tags": spec.tags,
        "description": spec.description,
        "doc_md": spec.doc_md,
        "default_args": {
            "owner": spec.owner,
            "retries": spec.retries,
            "retry_delay": _td(dt.timedelta(minutes=spec.retry_delay_minutes)),
            **{key: {"callback": NOTIFIER, **kwargs} for key, kwargs in spec.callbacks.items()},
        },
        "task_groups": {g.group_id: {"tooltip": g.tooltip} for g in spec.groups},
        "tasks": tasks,
    }


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line strings (doc_md, SQL), and no anchors: a value several tasks
    share (a DAG's lineage names) is written out in each, as a person writes YAML."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(specs: list[DagSpec]) -> str:
    document: dict[str, Any] = {
        "default": {
            "catchup": False,
            "max_active_runs": 1,
            "default_args": {
                "weight_rule": to_yaml(WEIGHT_RULE, {}),
                "retry_exponential_backoff": True,
                "max_retry_delay": _td(dt.timedelta(hours=1)),
            },
        },
        **{spec.dag_id: _dag(spec) for spec in specs},
    }
    header = f"# {len(specs)} DAGs for dag-factory, equivalent to the generated ones (bench.parse)\n"
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=200)
