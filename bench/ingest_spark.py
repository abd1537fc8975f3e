"""A PostgreSQL table through the feed job's engines: python, and spark with 1 and 2 local executors.

    python -m bench.ingest_spark                  # make bench-ingest: a table of at least 5 GB
    python -m bench.ingest_spark --gigabytes 0.2  # a quick one (what tests/jobs/test_bench_ingest runs)

One PostgreSQL 16 server (pgserver's binaries, 127.0.0.1, fsync off) holds `bench.events`, made
server-side with generate_series until pg_table_size reaches the size asked (kept in
.cache/bench-ingest-spark/ between runs). Each variant is the real job (`jobs/feed_ingest.py`, a
fresh process, the `feed_job` package on its path) reading the whole table and landing it in the
sandbox's S3 (moto, in this process), as Glue would run it:

- python: `--engine python` (one pg8000 server-side cursor on the driver);
- spark-1, spark-2: `--engine spark` with `partition_column id` over 16 partitions, Spark in local
  mode with 1 and 2 task slots (`local[1]`, `local[2]`: the sandbox's stand-in for 1 and 2 G.1X
  executors; one JVM, one Python worker per slot), as the sandbox's glueetl runner sets it up.

Measured: wall seconds of the run (JVM start-up included: Glue bills it too), MB/s of the table's
size, and peak RSS sampled every 0.2 s: the driver (Python), the JVM, and the largest Python worker
(the executors' Parquet encoding). Ratios are against spark-1 and against python, in one run on
this machine. Results: bench/results/ingest_spark.{md,json}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3
import psutil

from sandbox import postgres_server
from sandbox.airflow_local.stack import free_port
from sandbox.glue_jobs.executor import script_env
from sandbox.glue_jobs.spark_env import spark_environment
from sandbox.protocol import SandboxContext
from sandbox.server import Sandbox

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
CACHE = REPO / ".cache" / "bench-ingest-spark"
SCRIPT = REPO / "jobs" / "feed_ingest.py"
BUCKET = "bench-lake"
REGION = "eu-west-1"
PARTITIONS = 16
ROWS_PER_STEP = 2_000_000
TARGET_SCALING = 1.7
VARIANTS = {"python": (None, "python"), "spark-1": (1, "spark"), "spark-2": (2, "spark")}
TABLE_SQL = """
CREATE TABLE IF NOT EXISTS bench.events (
    id bigint NOT NULL, account_id integer, amount numeric(12, 2), ratio double precision,
    label text, note text, active boolean, day date, updated_at timestamptz
)"""
INSERT_SQL = """
INSERT INTO bench.events
SELECT g, (g % 100000)::int, (g % 1000000) / 100.0, g / 7.0,
       'account ' || (g % 100000), md5(g::text) || ' ' || md5((g * 7)::text),
       g % 3 = 0, DATE '2024-01-01' + (g % 365),
       TIMESTAMPTZ '2025-01-13 00:00:00+00' + (g % 86400) * INTERVAL '1 second'
FROM generate_series({start}, {end}) g"""


@dataclass
class Result:
    variant: str
    executors: int | None
    seconds: float
    rows: int
    files: int
    parquet_bytes: int
    mb_per_s: float
    peak_driver_mib: float
    peak_jvm_mib: float
    peak_worker_mib: float
    status: str


class Server:
    """The benchmark's PostgreSQL server (pg_ctl start/stop on a kept data directory)."""

    def __init__(self, base: Path) -> None:
        self.base, self.data, self.log = base, base / "data", base / "server.log"
        self.password_file = base / "admin-password"
        self.port = free_port()
        self.bin = postgres_server.binaries()

    def start(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        if not self.password_file.exists():
            self.password_file.write_text("bench-admin\n")
        owner = postgres_server.owner(self.base, self.password_file)
        if not (self.data / "PG_VERSION").exists():
            postgres_server.initdb(self.data, self.password_file, owner)
        options = postgres_server.server_options(
            self.port, "fsync=off", "synchronous_commit=off", "max_wal_size=8GB", "shared_buffers=256MB"
        )
        command = [
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-t",
            "60",
            "-o",
            shlex.join(options),
        ]
        postgres_server.run([*command, "-l", str(self.log), "start"], owner, "pg_ctl start")

    def stop(self) -> None:
        owner = postgres_server.owner(self.base, self.password_file)
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
        postgres_server.run(command, owner, "pg_ctl stop")

    def url(self) -> str:
        return f"postgresql://postgres:bench-admin@127.0.0.1:{self.port}/postgres?sslmode=disable"

    def sql(self, statement: str) -> list[Any]:
        import pg8000.dbapi

        connection = pg8000.dbapi.connect(
            user="postgres", password="bench-admin", host="127.0.0.1", port=self.port, database="postgres"
        )
        try:
            connection.autocommit = True
            cursor = connection.cursor()
            cursor.execute(statement)
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            connection.close()


def ensure_table(server: Server, gigabytes: float) -> tuple[int, int]:
    """bench.events grown (server-side) to at least `gigabytes` GB; (rows, bytes of pg_table_size)."""
    server.sql("CREATE SCHEMA IF NOT EXISTS bench")
    server.sql(TABLE_SQL)
    goal = int(gigabytes * 1e9)
    while True:
        rows, size = server.sql("SELECT count(*), pg_table_size('bench.events') FROM bench.events")[0]
        if size >= goal:
            return int(rows), int(size)
        step = ROWS_PER_STEP if size else min(ROWS_PER_STEP, max(int(goal / 200), 1000))
        print(f"  table: {rows:,} rows, {size / 1e9:.2f} GB; adding {step:,}", flush=True)
        server.sql(INSERT_SQL.format(start=rows + 1, end=rows + step))


def sample_peaks(process: psutil.Process, stop: threading.Event, peaks: dict[str, float]) -> None:
    """Peak RSS (MiB) of the driver, the JVM and the largest Python worker, every 0.2 s."""
    while not stop.wait(0.2):
        try:
            tree = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for item in tree:
            try:
                rss = item.memory_info().rss / (1 << 20)
                name = item.name()
            except psutil.Error:
                continue
            kind = "driver" if item.pid == process.pid else ("jvm" if name == "java" else "worker")
            peaks[kind] = max(peaks.get(kind, 0.0), rss)


def run_variant(
    variant: str, sandbox: Sandbox, secret: str, rows: int, table_bytes: int, work: Path
) -> Result:
    slots, engine = VARIANTS[variant]
    context = SandboxContext(endpoint_url=sandbox.endpoint_url, state_dir=str(sandbox.state_dir))
    env = script_env(context)
    env["PYTHONPATH"] = str(REPO / "jobs")
    run_id = f"jr_bench_{variant.replace('-', '_')}"
    target = f"s3://{BUCKET}/onprem/events_{variant.replace('-', '_')}/load_date=20250113/"
    argv = [sys.executable, str(SCRIPT), "--JOB_NAME", "bench", "--JOB_RUN_ID", run_id]
    argv += ["--source_kind", "database", "--source_secret", secret, "--source_table", "bench.events"]
    argv += ["--window_start", "2025-01-13T00:00:00Z", "--window_end", "2025-01-14T00:00:00Z"]
    argv += ["--target_location", target, "--engine", engine]
    if engine == "spark":
        env.update(spark_environment(work / variant, slots or 1, [], []))
        argv += ["--partition_column", "id", "--lower_bound", "1", "--upper_bound", str(rows)]
        argv += ["--num_partitions", str(PARTITIONS)]
    peaks: dict[str, float] = {}
    stop = threading.Event()
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = threading.Thread(target=sample_peaks, args=(psutil.Process(child.pid), stop, peaks))
    sampler.start()
    out, err = child.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    status = "ok"
    summary: dict[str, Any] = {"rows": 0, "files": [], "bytes": 0}
    if child.returncode != 0:
        status = "failed: " + (err.strip().splitlines() or ["?"])[-1][:300]
    else:
        summary = json.loads(out.strip().splitlines()[-1])
        if summary["rows"] != rows:
            status = f"wrong rows: {summary['rows']} != {rows}"
    return Result(
        variant=variant,
        executors=slots,
        seconds=round(seconds, 2),
        rows=int(summary["rows"]),
        files=len(summary["files"]),
        parquet_bytes=int(summary["bytes"]),
        mb_per_s=round(table_bytes / 1e6 / seconds, 1),
        peak_driver_mib=round(peaks.get("driver", 0.0)),
        peak_jvm_mib=round(peaks.get("jvm", 0.0)),
        peak_worker_mib=round(peaks.get("worker", 0.0)),
        status=status,
    )


def clear_target(s3: Any, variant: str) -> None:
    prefix = f"onprem/events_{variant.replace('-', '_')}/"
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=BUCKET, Delete={"Objects": keys})


def markdown(results: list[Result], meta: dict[str, Any]) -> str:
    by = {r.variant: r for r in results}
    lines = [
        "# bench-ingest, spark path: a PostgreSQL table through both engines",
        "",
        f"{meta['when']}, {meta['machine']}; table `bench.events`: {meta['rows']:,} rows, "
        f"{meta['table_gb']:.2f} GB (pg_table_size); one run each, side by side, the job as Glue runs it; "
        f"5-minute load average {meta['load_average']['start']} at the start, "
        f"{meta['load_average']['end']} at the end",
        "(a fresh process; Spark's JVM start-up included). Command: `make bench-ingest` "
        "(`python -m bench.ingest_spark`).",
        "",
        "| variant | executors | seconds | MB/s | vs spark-1 | vs python | parts | Parquet MB "
        "| peak driver MiB | peak JVM MiB | peak worker MiB | status |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        vs_one = f"{by['spark-1'].seconds / r.seconds:.2f}x" if "spark-1" in by else "-"
        vs_python = f"{by['python'].seconds / r.seconds:.2f}x" if "python" in by else "-"
        lines.append(
            f"| {r.variant} | {r.executors or '-'} | {r.seconds:.1f} | {r.mb_per_s:.1f} | {vs_one} | "
            f"{vs_python} | {r.files} | {r.parquet_bytes / 1e6:,.0f} | {r.peak_driver_mib:,.0f} | "
            f"{r.peak_jvm_mib:,.0f} | {r.peak_worker_mib:,.0f} | {r.status} |"
        )
    if {"spark-1", "spark-2", "python"} <= by.keys():
        scaling = by["spark-1"].seconds / by["spark-2"].seconds
        versus = by["python"].seconds / by["spark-2"].seconds
        lines += [
            "",
            f"- 2 executors vs 1: **{scaling:.2f}x** (goal >= {TARGET_SCALING}x: "
            f"{'met' if scaling >= TARGET_SCALING else 'not met'}).",
            f"- spark at 2 executors vs the python engine: **{versus:.2f}x** (goal >= 1.00x: "
            f"{'met' if versus >= 1 else 'not met'}).",
        ]
    lines += ["", meta["notes"], *cost_markdown(results, int(meta["table_gb"] * 1e9)), ""]
    return "\n".join(lines)


DPU_HOUR_USD = 0.44
"""Glue's price per DPU-hour for Spark jobs (and Python shell), us-east-1 (aws.amazon.com/glue/pricing)."""
MINIMUM_SECONDS = 60
"""Glue bills per second with a 1-minute minimum."""
SLOTS_PER_G1X = 4
GLUE_SETUPS = (
    # (engine, label, DPUs, task slots reading: None = the driver alone)
    ("python", "python: glueetl, 2 x G.1X (the least a Spark job gets; 1 idles)", 2.0, None),
    ("python", "python on Python shell, 1 DPU (cannot run it: Python 3.9; for comparison)", 1.0, None),
    ("spark", "spark: 2 x G.1X (1 executor, 4 slots)", 2.0, 1 * SLOTS_PER_G1X),
    ("spark", "spark: 5 x G.1X (4 executors, 16 slots)", 5.0, 4 * SLOTS_PER_G1X),
    ("spark", "spark: 11 x G.1X (10 executors, 40 slots)", 11.0, 10 * SLOTS_PER_G1X),
)


def cost_rows(results: list[Result], table_bytes: int) -> list[tuple[str, float, float, float, float, float]]:
    """(setup, MB/s assumed, 1 GB minutes, 1 GB $, 100 GB minutes, 100 GB $) per Glue setup: the
    python engine at its measured rate; spark at spark-1's measured rate per task slot times the
    setup's slots (linear: an assumption, bounded in practice by what the database serves)."""
    by = {r.variant: r for r in results if r.status == "ok"}
    rows = []
    for engine, label, dpus, slots in GLUE_SETUPS:
        if engine == "python" and "python" in by:
            rate = by["python"].mb_per_s
        elif engine == "spark" and "spark-1" in by and slots is not None:
            rate = by["spark-1"].mb_per_s * slots
        else:
            continue
        cells: list[float] = [rate]
        for gigabytes in (1, 100):
            seconds = gigabytes * 1000 / rate
            cells += [seconds / 60, dpus * DPU_HOUR_USD * max(seconds, MINIMUM_SECONDS) / 3600]
        rows.append((label, *cells))  # type: ignore[arg-type]
    return rows


def cost_markdown(results: list[Result], table_bytes: int) -> list[str]:
    lines = [
        "",
        "## Cost per run on Glue (from these rates; $0.44 per DPU-hour, per second, 1-minute minimum)",
        "",
        "| setup | MB/s | 1 GB: minutes | 1 GB: $ | 100 GB: minutes | 100 GB: $ |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, rate, m1, c1, m100, c100 in cost_rows(results, table_bytes):
        lines.append(f"| {label} | {rate:,.1f} | {m1:,.1f} | {c1:.3f} | {m100:,.0f} | {c100:.2f} |")
    lines += [
        "",
        "spark's rates are spark-1's per task slot times the slots (linear), which this machine can "
        "check only from 1 to 2 slots (above); Glue's start-up (tens of seconds, billed) is not in them.",
    ]
    return lines


NOTES = (
    "Peak RSS: `driver` is the job's Python process, `JVM` Spark's (driver and executors in one "
    "local-mode JVM), `worker` the largest of the Python workers Spark runs per task slot (where the "
    "executors' Arrow batches become Parquet). Every process of the run shares this machine's cores "
    "with the PostgreSQL server that serves the reads and the sandbox's S3 (moto) that takes the "
    "parts, and with whatever else runs on the machine: the load average is recorded because the "
    "ratios move with it. Two G.1X executors (4 vCPUs each, the database elsewhere) do not compete "
    "like this."
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--gigabytes", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    args = parser.parse_args(argv)
    began = time.perf_counter()
    load_before = os.getloadavg()
    server = Server(CACHE / f"pg-{args.gigabytes:g}gb")
    server.start()
    try:
        rows, table_bytes = ensure_table(server, args.gigabytes)
        print(f"table bench.events: {rows:,} rows, {table_bytes / 1e9:.2f} GB", flush=True)
        results: list[Result] = []
        with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp, Sandbox(state_dir=tmp) as sandbox:
            session = boto3.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
            )
            s3 = session.client("s3", endpoint_url=sandbox.endpoint_url)
            s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
            secrets = session.client("secretsmanager", endpoint_url=sandbox.endpoint_url)
            secrets.create_secret(Name="bench/pg", SecretString=json.dumps({"url": server.url()}))
            for variant in args.variants:
                print(f"running {variant} ...", flush=True)
                result = run_variant(variant, sandbox, "bench/pg", rows, table_bytes, Path(tmp))
                print(f"  {asdict(result)}", flush=True)
                results.append(result)
                clear_target(s3, variant)  # the sandbox's S3 keeps objects in memory/temp files
    finally:
        server.stop()
    meta = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "rows": rows,
        "table_gb": table_bytes / 1e9,
        "total_seconds": round(time.perf_counter() - began, 1),
        "load_average": {"start": round(load_before[1], 1), "end": round(os.getloadavg()[1], 1)},
        "notes": NOTES,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest_spark.md").write_text(markdown(results, meta))
    (args.out / "ingest_spark.json").write_text(
        json.dumps({"meta": meta, "results": [asdict(r) for r in results]}, indent=2) + "\n"
    )
    print((args.out / "ingest_spark.md").read_text())


if __name__ == "__main__":
    main()
