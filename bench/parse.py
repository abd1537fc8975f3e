"""DAG-folder parse time: the generated DAGs vs hand-written Python vs dag-factory 1.1.0.

    python -m bench.parse                  # make bench-parse: N = 10, 100, 1000
    python -m bench.parse --sizes 10,100   # a quicker run
    python -m bench.parse --profile 1000   # cProfile of the generated folder and worker parse

Method and caveats: bench/README.md. Results: bench/results/parse.{md,json}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import check
from bench.dagfactory_env import dagfactory_python
from bench.measure import DEFAULT_IMPORT_TIMEOUT, Run, best_of, child_env
from bench.workloads import Workload, write

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
WORKER_TASK = "roche_salesforce_connector_profile1.run_flow"

VARIANTS = {
    "generated": "generated (dags/*.py + flows.yaml)",
    "handwritten": "hand-written, 1 file per DAG (floor)",
    "one_file": "hand-written, all DAGs in 1 file",
    "dagfactory": "dag-factory 1.1.0 (1 YAML file)",
}
TARGET_FLOOR_RATIO = 1.3
TARGET_DAGFACTORY_SPEEDUP = 3.0
TARGET_WORKER_SHARE = 0.05


@dataclass(frozen=True)
class Row:
    n: int
    variant: str
    mode: str  # "folder" or "worker"
    seconds: float
    runs: list[float]
    peak_rss_mib: float
    rss_before_mib: float
    dags: int
    tasks: int
    slowest_file_seconds: float


def repeats_for(n: int) -> int:
    return 3 if n <= 100 else 2


WORKER_REPEATS = 5
"""A worker's parse takes a quarter of a second, so one busy moment on a shared core moves it by
several percent; five runs cost a few seconds and make its best stable."""


def _row(n: int, variant: str, mode: str, best: Run, runs: list[float]) -> Row:
    return Row(n, variant, mode, best.seconds, runs, best.peak_rss_mib, best.rss_before_mib, best.dags,
               best.tasks, best.slowest_file_seconds)  # fmt: skip


def verify_equivalence(w: Workload, python: Path, df_python: Path) -> None:
    """The variants build the same DAGs (bench/check.py); raises with the first differences.

    Also the warm-up: these first, untimed loads of every variant write the byte-code of every
    module they import (the children run without PYTHONDONTWRITEBYTECODE), so the timed runs
    find it, as a DAG processor or worker that has run before does.
    """
    generated = check.fingerprint(python, w.generated, w.include)
    others = {
        "handwritten": check.fingerprint(python, w.handwritten, w.include),
        "one_file": check.fingerprint(python, w.handwritten_one_file, w.include),
    }
    problems = {name: check.differences(generated, fp) for name, fp in others.items()}
    dagfactory = check.normalise_dagfactory(check.fingerprint(df_python, w.dagfactory, w.include))
    problems["dagfactory"] = check.differences(check.without_columns(generated), dagfactory)
    bad = {name: diffs[:10] for name, diffs in problems.items() if diffs}
    if bad:
        raise SystemExit(f"the variants do not build the same DAGs: {json.dumps(bad, indent=2)}")
    print(f"  warm-up + equivalence: all variants build the same {len(generated)} DAGs (bench/check.py)")


def measure_size(w: Workload, python: Path, df_python: Path) -> list[Row]:
    n, repeats = w.n, repeats_for(w.n)
    rows: list[Row] = []
    folders = {
        "generated": (python, w.generated),
        "handwritten": (python, w.handwritten),
        "one_file": (python, w.handwritten_one_file),
        "dagfactory": (df_python, w.dagfactory),
    }
    for variant, (py, folder) in folders.items():
        best, runs = best_of(repeats, py, "folder", folder, folder, w.include, w.dags)
        _check_tasks(best, w.tasks, variant)
        rows.append(_row(n, variant, "folder", best, runs))
        print(f"  {variant:12} folder  {best.seconds:7.2f} s  (runs {', '.join(f'{s:.2f}' for s in runs)})")

    dag_id = w.worker_dag.dag_id
    context = {
        "_AIRFLOW_PARSING_CONTEXT_DAG_ID": dag_id,
        "_AIRFLOW_PARSING_CONTEXT_TASK_ID": WORKER_TASK,
        "BENCH_WANT_DAG": dag_id,
    }
    one, every = (1, w.worker_dag.tasks), (w.dags, w.tasks)  # (DAGs, tasks) the worker builds
    workers = {  # the file holding the DAG, as the task runner is told (dag_rel_path)
        "generated": (python, w.generated / "salesforce_ingest.py", w.generated, one),
        "handwritten": (python, w.handwritten / f"{dag_id}.py", w.handwritten, one),
        "dagfactory": (df_python, w.dagfactory / "load_dags.py", w.dagfactory, every),  # no filtering
    }
    for variant, (py, file, bundle, (dags, tasks)) in workers.items():
        # dag-factory's worker parse is its whole-folder parse again: one run is enough
        times = 1 if variant == "dagfactory" else WORKER_REPEATS
        best, runs = best_of(times, py, "worker", file, bundle, w.include, dags, extra_env=context)
        _check_tasks(best, tasks, variant)
        rows.append(_row(n, variant, "worker", best, runs))
        print(f"  {variant:12} worker  {best.seconds:7.2f} s  (runs {', '.join(f'{s:.2f}' for s in runs)})")
    return rows


def _check_tasks(run: Run, expected: int, variant: str) -> None:
    if run.tasks != expected:
        raise SystemExit(f"{variant}: {run.tasks} tasks, expected {expected}")


def _workload(rows: list[Row], n: int) -> str:
    """`N=1000: 1,750 DAGs, 31,500 tasks`, from the generated folder's run."""
    run = _get(rows, n, "generated", "folder")
    return f"N={n}: " + ("?" if run is None else f"{run.dags:,} DAGs, {run.tasks:,} tasks")


def _get(rows: list[Row], n: int, variant: str, mode: str) -> Row | None:
    return next((r for r in rows if (r.n, r.variant, r.mode) == (n, variant, mode)), None)


def targets(rows: list[Row]) -> list[dict[str, Any]]:
    n = max(r.n for r in rows)
    ours = _get(rows, n, "generated", "folder")
    floor = _get(rows, n, "handwritten", "folder")
    one_file = _get(rows, n, "one_file", "folder")
    factory = _get(rows, n, "dagfactory", "folder")
    worker = _get(rows, n, "generated", "worker")
    if not (ours and floor and one_file and factory and worker):
        raise ValueError(f"missing measurements at N={n}")
    ratio = ours.seconds / floor.seconds
    speedup = factory.seconds / ours.seconds
    share = worker.seconds / ours.seconds
    return [
        {
            "target": f"whole folder within {TARGET_FLOOR_RATIO}x of the floor (N={n})",
            "measured": f"{ratio:.2f}x the 1-file-per-DAG floor "
            f"({ours.seconds / one_file.seconds:.2f}x the all-in-one-file code)",
            "met": ratio <= TARGET_FLOOR_RATIO,
        },
        {
            "target": f"at least {TARGET_DAGFACTORY_SPEEDUP:g}x faster than dag-factory (N={n})",
            "measured": f"{speedup:.2f}x faster",
            "met": speedup >= TARGET_DAGFACTORY_SPEEDUP,
        },
        {
            "target": f"a worker's single DAG under {TARGET_WORKER_SHARE:.0%} of the whole folder (N={n})",
            "measured": f"{share:.1%} ({worker.seconds:.2f} s of {ours.seconds:.2f} s)",
            "met": share < TARGET_WORKER_SHARE,
        },
    ]


def markdown(rows: list[Row], meta: dict[str, Any]) -> str:
    out = [
        "# DAG folder parse time",
        "",
        f"`make bench-parse`, {meta['date']}: {meta['machine']}. Python {meta['python']}, "
        f"Airflow {meta['airflow']}; dag-factory {meta['dagfactory']} from {meta['dagfactory_env']}.",
        "",
        "Seconds to fill `DagBag(folder)` in a fresh process, best of "
        + ", ".join(f"{repeats_for(n)} (N={n})" for n in meta["sizes"])
        + "; Airflow itself is imported before the clock starts, everything else (the Amazon "
        "provider, awswrangler, config, DAG building) is timed. Peak RSS is the process's (VmHWM); Δ is "
        "over the RSS after importing Airflow. Every run is checked: no import errors, every DAG "
        "and task the generated files plan. Method: bench/README.md.",
        "",
        "N objects are N ingest DAGs and a reconciliation DAG for each that loads incrementally "
        "(three in four): " + "; ".join(_workload(rows, n) for n in meta["sizes"]) + ".",
        "",
        *([meta["warning"], ""] if meta.get("warning") else []),
        *([_nice_note(meta["nice"]), ""] if meta.get("nice") else []),
        "## Whole DAGs folder",
        "",
        "| N | variant | seconds | x floor | x generated | peak RSS MiB | Δ RSS MiB | slowest file s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for n in meta["sizes"]:
        floor = _get(rows, n, "handwritten", "folder")
        ours = _get(rows, n, "generated", "folder")
        for variant in VARIANTS:
            r = _get(rows, n, variant, "folder")
            if r is None or floor is None or ours is None:
                continue
            slow = f"{r.slowest_file_seconds:.2f}" + (
                " (over 30 s default)" if r.slowest_file_seconds > DEFAULT_IMPORT_TIMEOUT else ""
            )
            out.append(
                f"| {n} | {VARIANTS[variant]} | {r.seconds:.2f} | {r.seconds / floor.seconds:.2f} | "
                f"{r.seconds / ours.seconds:.2f} | {r.peak_rss_mib:.0f} | "
                f"{r.peak_rss_mib - r.rss_before_mib:.0f} | {slow} |"
            )
    out += [
        "",
        "## A worker building the DAG of one task",
        "",
        "`BundleDagBag(<the DAG's file>)` as the task runner calls it, with "
        "`_AIRFLOW_PARSING_CONTEXT_DAG_ID`/`_TASK_ID` set. dag-factory ignores the parsing "
        f"context and builds every DAG (one run: it is its whole-folder parse again). Best of "
        f"{WORKER_REPEATS} runs otherwise.",
        "",
        "| N | variant | seconds | x floor's worker | % of its whole folder | DAGs built | peak RSS MiB |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n in meta["sizes"]:
        floor_worker = _get(rows, n, "handwritten", "worker")
        for variant in VARIANTS:
            r = _get(rows, n, variant, "worker")
            whole = _get(rows, n, variant, "folder")
            if r is None or whole is None or floor_worker is None:
                continue
            out.append(
                f"| {n} | {VARIANTS[variant]} | {r.seconds:.2f} | {r.seconds / floor_worker.seconds:.2f} | "
                f"{r.seconds / whole.seconds:.1%} | {r.dags} | {r.peak_rss_mib:.0f} |"
            )
    out += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for t in targets(rows):
        out.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |")
    return "\n".join(out) + "\n"


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _meta(sizes: list[int], df_python: Path, df_env: str) -> dict[str, Any]:
    airflow = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m; print(m.version('apache-airflow'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "airflow": airflow,
        "dagfactory": "1.1.0",
        "dagfactory_env": df_env,
        "dagfactory_python": str(df_python),
        "sizes": sizes,
        "nice": os.nice(0),
    }


def _nice_note(nice: int) -> str:
    """`nice -n 19 make bench-parse` on a machine shared with other work: say so in the results."""
    return (
        f"Run at nice {nice}, on a machine shared with other work: the children had the CPUs when "
        "the other work left them, so the seconds run higher than on a quiet machine, by varying "
        "amounts; read the ratios between variants with that in mind."
    )


def _busy_warning(load: list[float]) -> str | None:
    """Other work on the machine skews the timings: say so in the results."""
    cpus = os.cpu_count() or 1
    worst = max(load)
    if worst > cpus * 0.75:
        return (
            f"**Warning:** load average reached {worst:.1f} on {cpus} CPUs during the run: other "
            "processes competed for the CPUs and the timings are less reliable. Rerun on a quiet machine."
        )
    return None


def run(sizes: list[int]) -> None:
    started = time.perf_counter()
    load = [os.getloadavg()[0]]
    python = Path(sys.executable)
    df_python, df_env = dagfactory_python()
    rows: list[Row] = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-parse-{n}-") as tmp:
            t0 = time.perf_counter()
            w = write(n, Path(tmp))
            print(f"N={n}: workload written in {time.perf_counter() - t0:.1f} s ({tmp})")
            if n == min(sizes):
                verify_equivalence(w, python, df_python)
            rows += measure_size(w, python, df_python)
            load.append(os.getloadavg()[0])
    meta = _meta(sizes, df_python, df_env)
    meta["load_average_1min"] = load
    meta["warning"] = _busy_warning(load)
    meta["total_seconds"] = round(time.perf_counter() - started, 1)
    text = markdown(rows, meta)
    RESULTS.mkdir(parents=True, exist_ok=True)
    _write(RESULTS / "parse.md", text)
    payload = {"meta": meta, "rows": [asdict(r) for r in rows], "targets": targets(rows)}
    _write(RESULTS / "parse.json", json.dumps(payload, indent=2) + "\n")
    print()
    print(text)
    print(f"written: bench/results/parse.md, bench/results/parse.json ({meta['total_seconds']} s in all)")


PROFILE_CHILD = r"""
import cProfile, sys
import airflow, airflow.sdk  # noqa: F401  untimed, as in the benchmark
from airflow.dag_processing.dagbag import BundleDagBag, DagBag
mode, target, bundle, out = sys.argv[1:5]
profiler = cProfile.Profile()
profiler.enable()
if mode == "folder":
    DagBag(dag_folder=target)
else:
    BundleDagBag(dag_folder=target, safe_mode=False, load_op_links=False, bundle_path=bundle, bundle_name="b")
profiler.disable()
profiler.dump_stats(out)
"""


def profile(n: int) -> None:
    """cProfile the generated folder and the worker parse at N; write the top of each."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"bench-profile-{n}-") as tmp:
        w = write(n, Path(tmp))
        dag_id = w.worker_dag.dag_id
        cases = {
            "folder": (w.generated, {}),
            "worker": (
                w.generated / "salesforce_ingest.py",
                {"_AIRFLOW_PARSING_CONTEXT_DAG_ID": dag_id, "_AIRFLOW_PARSING_CONTEXT_TASK_ID": WORKER_TASK},
            ),
        }
        for mode, (target, extra) in cases.items():
            stats_file = Path(tmp) / f"{mode}.prof"
            env = child_env(Path(tmp) / "home", w.generated, w.include) | extra
            (Path(tmp) / "home").mkdir(exist_ok=True)
            subprocess.run(
                [sys.executable, "-c", PROFILE_CHILD, mode, str(target), str(w.generated), str(stats_file)],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
            buffer = io.StringIO()
            stats = pstats.Stats(str(stats_file), stream=buffer).strip_dirs()
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(40)
            report = RESULTS / f"profile-{mode}-{n}.txt"
            _write(report, buffer.getvalue())
            print(f"written: {report.relative_to(REPO)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.parse", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated numbers of flows")
    parser.add_argument("--profile", type=int, metavar="N", help="only profile the generated DAGs at N")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return
    run(sorted(int(s) for s in args.sizes.split(",")))


if __name__ == "__main__":
    main()
