"""Prove the three variants build the same DAGs before timing them.

A child process loads a folder and prints, per DAG, its settings and per task: operator class,
template field values, upstream task ids, outlets and the sensor settings. The generated DAGs
and the hand-written floor must match exactly; dag-factory must match after undoing its
documented differences (bench/dagfactory_yaml.py): `pN_` task-id prefixes, the `dagfactory` tag,
the YAML it appends to doc_md, and `columns` given as a Jinja string instead of an XComArg.
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
import json, sys
from airflow.dag_processing.dagbag import DagBag

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
                          "expected_records", "region_name", "aws_conn_id")
            },
        }
    out["dags"][dag_id] = {
        "timetable": repr(getattr(dag.timetable, "_expression", None)),
        "timetable_class": type(dag.timetable).__name__,
        "start_date": dag.start_date.isoformat() if dag.start_date else None,
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "tags": sorted(dag.tags),
        "description": dag.description,
        "doc_md": dag.doc_md,
        "task_groups": sorted(k for k in dag.task_group.get_task_group_dict() if k),
        "tasks": tasks,
    }
print("BENCH-RESULT " + json.dumps(out), flush=True)
"""

_PREFIX = re.compile(r"\.p\d+_")


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
    return data["dags"]


def _undo_dagfactory(value: Any) -> Any:
    if isinstance(value, str):
        return _PREFIX.sub(".", value)
    if isinstance(value, list):
        return [_undo_dagfactory(v) for v in value]
    if isinstance(value, dict):
        return {_undo_dagfactory(k): _undo_dagfactory(v) for k, v in value.items()}
    return value


def normalise_dagfactory(dags: dict[str, Any]) -> dict[str, Any]:
    out = _undo_dagfactory(dags)
    for dag in out.values():
        dag["tags"] = [t for t in dag["tags"] if t != "dagfactory"]
        dag["doc_md"] = dag["doc_md"].split("\n## YML DAG\n", 1)[0]
        dag["tasks"] = {_PREFIX.sub(".", k).replace(".p1_", "."): v for k, v in dag["tasks"].items()}
        for task in dag["tasks"].values():
            task["fields"].pop("columns", None)
    return out


def without_columns(dags: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(dags))
    for dag in out.values():
        for task in dag["tasks"].values():
            task["fields"].pop("columns", None)
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
