"""Prove the three variants build the same DAGs before timing them.

A child process loads a folder and prints, per DAG, its settings (the timetable's repr: its cron or
interval) and per task: operator class, template field values, upstream task ids, outlets, the
sensor, pool and concurrency settings, the callbacks (class and the alert notifier's settings; how
many notifier objects the DAG's tasks share) and every keyword argument the operator was built
with, by value: plain data and the plan dataclasses (audit plan, lineage names) by repr, dicts and
lists item by item, a notifier (run_flow's `limit_alert`, audit_data's `warning_notifier`) by its
settings, anything else by its type. The generated DAGs and the hand-written floor must match
exactly; dag-factory must match after undoing its documented differences
(bench/dagfactory_yaml.py): `pN_` task-id prefixes, the `dagfactory` tag, the YAML it appends to
doc_md, `columns` given as a Jinja string instead of an XComArg, and the placeholder callable the
has_records shim is built with.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.measure import MARK, MeasurementError, child_env

CHILD = r"""
import dataclasses, datetime, json, sys
from airflow.dag_processing.dagbag import DagBag

CALLBACKS = ("on_failure_callback", "on_retry_callback", "on_success_callback")
CALLBACK_ATTRS = ("environment", "sns_topic_arn", "webhook_secret", "aws_conn_id", "region_name", "event")


def callback(c):
    # A notifier instance, a function or a functools.partial: its class, what it calls and the
    # alert notifier's settings (a partial's keywords stand in for attributes), all as reprs.
    target = getattr(c, "func", c)
    name = getattr(target, "__qualname__", None)
    keywords = getattr(c, "keywords", None) or {}
    return {
        "class": type(c).__module__ + "." + type(c).__qualname__,
        "callable": None if name is None else getattr(target, "__module__", "?") + "." + name,
        **{a: repr(getattr(c, a, keywords.get(a))) for a in CALLBACK_ATTRS},
    }


def callables(owner, kind):
    # Airflow 3 stores a list; older code or other builders may leave one callable or None.
    value = getattr(owner, kind, None)
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def callbacks(owner):
    return {kind: [callback(c) for c in callables(owner, kind)] for kind in CALLBACKS}


SIMPLE = (str, int, float, bool, type(None), datetime.timedelta)


def value(v):
    # An argument's value, comparable across processes: plain data and dataclasses (frozen plan
    # objects: AuditPlan, TableLineage) by repr, a notifier by its settings, dicts and lists item
    # by item, anything else (the DAG, the task group, an XComArg, the weight strategy) by type.
    if isinstance(v, SIMPLE) or isinstance(v, (list, tuple)) and all(isinstance(x, SIMPLE) for x in v):
        return repr(v)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return repr(v)
    if all(hasattr(v, a) for a in CALLBACK_ATTRS):
        return callback(v)
    if isinstance(v, dict):
        return {str(k): value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [type(v).__name__, *(value(x) for x in v)]
    return "<" + type(v).__module__ + "." + type(v).__qualname__ + ">"


def arguments(task):
    # Every keyword the operator was built with (its own and the default_args it took), as
    # Airflow records them for mapping. An argument one variant passes and another does not
    # shows up here even when no attribute above reads it. A private attribute: if Airflow drops
    # it, the check stops rather than comparing nothing.
    if not hasattr(task, "_BaseOperator__init_kwargs"):
        raise SystemExit("bench.check: Airflow no longer records operator arguments; update arguments()")
    return {k: value(v) for k, v in sorted(task._BaseOperator__init_kwargs.items())}


bag = DagBag(dag_folder=sys.argv[1])
out = {"import_errors": {str(k): str(v)[-2000:] for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    tasks = {}
    for task in dag.tasks:
        fields = {f: repr(getattr(task, f, None)) for f in sorted(task.template_fields)}
        tasks[task.task_id] = {
            "class": type(task).__name__,
            "fields": fields,
            "upstream": sorted(task.upstream_task_ids),
            "outlets": repr(task.outlets),
            "group": task.task_group.group_id if task.task_group else None,
            "retries": task.retries,
            "owner": task.owner,
            "other": {
                a: repr(getattr(task, a, None))
                for a in ("poke_interval", "timeout", "mode", "retry_delay", "max_retry_delay",
                          "retry_exponential_backoff", "flow_name", "timestamp_field", "database",
                          "table", "partition_column", "description", "workgroup_name", "poll_interval",
                          "wait_for_completion", "bucket", "connector_profile", "object_name",
                          "update_propagation_seconds", "window_start", "window_end", "destination_prefix",
                          "execution_id", "appflow_run_task_id", "location", "value", "prefix", "sql",
                          "expected_records", "region_name", "aws_conn_id", "max_active_tis_per_dag",
                          "max_failed_records", "pool", "pool_slots", "priority_weight",
                          "hand_on_after_seconds", "limit_wait_seconds", "limit_alert_bucket",
                          "data_transfer_api", "latest_table", "load_id", "partition_value",
                          "interval_start", "interval_end", "schema_task_id", "results_schema_sql")
            },
            "callbacks": callbacks(task),
            "arguments": arguments(task),
        }
    out["dags"][dag_id] = {
        "timetable": repr(dag.timetable),
        "start_date": dag.start_date.isoformat() if dag.start_date else None,
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "tags": sorted(dag.tags),
        "description": dag.description,
        "doc_md": dag.doc_md,
        "task_groups": sorted(k for k in dag.task_group.get_task_group_dict() if k),
        "callbacks": callbacks(dag),
        # one notifier per DAG and event, shared by its tasks (not one per task)
        "task_callback_objects": len({id(c) for t in dag.tasks for k in CALLBACKS for c in callables(t, k)}),
        "tasks": tasks,
    }
print("BENCH-RESULT " + json.dumps(out), flush=True)
"""

_PREFIX = re.compile(r"\.p\d+_")
_TASK_ID_PREFIX = re.compile(r"^'p\d+_")
_SHIM_PLACEHOLDER = "<builtins.type>"
"""The YAML's `python_callable: builtins.bool`, which bench.dagfactory_shims drops."""
_PROVIDER_CALLABLE = "<builtins.method>"
"""What AppflowRecordsShortCircuitOperator passes PythonOperator itself: its bound method."""


def fingerprint(python: Path, folder: Path, include_dir: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-airflow-home-") as home:
        proc = subprocess.run(
            [str(python), "-c", CHILD, str(folder)],
            env=child_env(Path(home), folder, include_dir),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        raise MeasurementError(f"check {folder}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(lines[-1][len(MARK) :])
    if data["import_errors"]:
        raise MeasurementError(f"check {folder}: import errors {data['import_errors']}")
    dags: dict[str, Any] = data["dags"]
    return dags


def _undo_dagfactory(value: Any) -> Any:
    if isinstance(value, str):
        return _PREFIX.sub(".", value)
    if isinstance(value, list):
        return [_undo_dagfactory(v) for v in value]
    if isinstance(value, dict):
        return {_undo_dagfactory(k): _undo_dagfactory(v) for k, v in value.items()}
    return value


def normalise_dagfactory(dags: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = _undo_dagfactory(dags)
    for dag in out.values():
        dag["tags"] = [t for t in dag["tags"] if t != "dagfactory"]
        dag["doc_md"] = dag["doc_md"].split("\n## YML DAG\n", 1)[0]
        dag["tasks"] = {_PREFIX.sub(".", k).replace(".p1_", "."): v for k, v in dag["tasks"].items()}
        for task in dag["tasks"].values():
            task["fields"].pop("columns", None)
            arguments = task["arguments"]
            arguments.pop("columns", None)
            # the task_id argument is the key the YAML gives the task: 'p1_run_flow'
            arguments["task_id"] = _TASK_ID_PREFIX.sub("'", arguments["task_id"])
            # has_records: the shim is built with the placeholder callable and drops it; the
            # provider's operator then passes its own, as in the other variants
            if arguments.get("python_callable") == _SHIM_PLACEHOLDER:
                arguments["python_callable"] = _PROVIDER_CALLABLE
    return out


def without_columns(dags: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(dags))
    for dag in out.values():
        for task in dag["tasks"].values():
            task["fields"].pop("columns", None)
            task["arguments"].pop("columns", None)
    return out


def differences(expected: dict[str, Any], actual: dict[str, Any], path: str = "") -> list[str]:
    """Human-readable differences, at most a few per call site."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        diffs = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                diffs.append(f"{path}/{key}: missing")
            elif key not in expected:
                diffs.append(f"{path}/{key}: unexpected")
            else:
                diffs += differences(expected[key], actual[key], f"{path}/{key}")
        return diffs
    if expected != actual:
        return [f"{path}: expected {str(expected)[:200]!r}, got {str(actual)[:200]!r}"]
    return []
