"""One measurement = one fresh interpreter that fills a DagBag and reports on stdout.

The child imports Airflow first (untimed: every variant pays it), then times only the DagBag
fill, reads its peak RSS (VmHWM), checks there are no import errors and the expected number of DAGs,
and prints one JSON line. Nothing is subtracted from the timed span: imports of the operators'
modules (the Amazon provider, boto3, awswrangler), of PyYAML/pydantic/dag-factory, reading the
config and building every DAG all count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARK = "BENCH-RESULT "
IMPORT_TIMEOUT = 600
DEFAULT_IMPORT_TIMEOUT = 30.0
"""Airflow's (and MWAA's) default core.dagbag_import_timeout, in seconds."""

CHILD = r"""
import json, os, resource, sys, time

mode, target, bundle, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
import airflow  # noqa: F401  untimed: common to every variant
import airflow.sdk  # noqa: F401
from airflow.dag_processing.dagbag import BundleDagBag, DagBag


def peak_kib():
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over fork and exec, so this child
    # reported the benchmark's own peak (it holds the 1,000-object specs) whenever that was higher.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux


rss_before = peak_kib()
start = time.perf_counter()
if mode == "folder":
    bag = DagBag(dag_folder=target)
else:  # what a worker does for one task (airflow.sdk.execution_time.task_runner.parse)
    bag = BundleDagBag(
        dag_folder=target, safe_mode=False, load_op_links=False, bundle_path=bundle, bundle_name="bench"
    )
seconds = time.perf_counter() - start
rss_after = peak_kib()
result = {
    "seconds": seconds,
    "peak_rss_mib": rss_after / 1024,
    "rss_before_mib": rss_before / 1024,
    "dags": len(bag.dags),
    "tasks": sum(len(d.tasks) for d in bag.dags.values()),
    "import_errors": {str(k): str(v)[-2000:] for k, v in bag.import_errors.items()},
    "slowest_file_seconds": max((s.duration.total_seconds() for s in bag.dagbag_stats), default=0.0),
}
if os.environ.get("BENCH_WANT_DAG"):
    result["has_wanted_dag"] = os.environ["BENCH_WANT_DAG"] in bag.dags
print("BENCH-RESULT " + json.dumps(result), flush=True)
os._exit(0)  # skip tearing down thousands of DAG objects: not part of parsing
"""


class MeasurementError(RuntimeError):
    pass


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mib: float
    rss_before_mib: float
    dags: int
    tasks: int
    slowest_file_seconds: float


def child_env(airflow_home: Path, dags_folder: Path, include_dir: Path) -> dict[str, str]:
    drop = ("AIRFLOW", "_AIRFLOW", "LAKEHOUSE", "PYTHONDONTWRITEBYTECODE")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return {
        **keep,
        "PYTHONPATH": os.pathsep.join([str(REPO / "plugins"), str(REPO)]),
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        # Airflow's default (30 s per file) would turn dag-factory's 1,000 DAGs into an import
        # error; the same generous limit for every variant, and the slowest file is reported.
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": str(IMPORT_TIMEOUT),
        "AIRFLOW__DAG_FACTORY__ENABLE_TELEMETRY": "False",
        "DO_NOT_TRACK": "1",
        "SCARF_NO_ANALYTICS": "true",
        "LAKEHOUSE_INCLUDE_DIR": str(include_dir),
        "LAKEHOUSE_ENV": "dev",
        "PYTHONWARNINGS": "ignore",
    }


def run_once(
    python: Path,
    mode: str,
    target: Path,
    bundle: Path,
    include_dir: Path,
    expected_dags: int,
    extra_env: dict[str, str] | None = None,
) -> Run:
    """One fresh process. Raises MeasurementError on import errors or a wrong DAG count."""
    with tempfile.TemporaryDirectory(prefix="bench-airflow-home-") as home:
        env = child_env(Path(home), bundle, include_dir) | (extra_env or {})
        proc = subprocess.run(
            [str(python), "-c", CHILD, mode, str(target), str(bundle), str(expected_dags)],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout)[-3000:]
        raise MeasurementError(f"{mode} {target}: exit {proc.returncode}\n{tail}")
    data = json.loads(lines[-1][len(MARK) :])
    if data["import_errors"]:
        errors = "\n".join(f"{k}: {v}" for k, v in data["import_errors"].items())
        raise MeasurementError(f"{mode} {target}: import errors\n{errors}")
    if data["dags"] != expected_dags:
        raise MeasurementError(
            f"{mode} {target}: {data['dags']} DAGs, expected {expected_dags}\n{proc.stderr[-3000:]}"
        )
    if data.get("has_wanted_dag") is False:
        raise MeasurementError(f"{mode} {target}: the wanted DAG was not built")
    return Run(
        data["seconds"],
        data["peak_rss_mib"],
        data["rss_before_mib"],
        data["dags"],
        data["tasks"],
        data["slowest_file_seconds"],
    )


def best_of(repeats: int, *args: object, **kwargs: object) -> tuple[Run, list[float]]:
    """The fastest of `repeats` fresh runs (and every run's seconds, for the JSON)."""
    runs = [run_once(*args, **kwargs) for _ in range(repeats)]  # type: ignore[arg-type]
    return min(runs, key=lambda r: r.seconds), [r.seconds for r in runs]


def python_of_main_venv() -> Path:
    return Path(sys.executable)
