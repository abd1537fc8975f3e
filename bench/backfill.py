"""Backfilling a year of daily partitions into the Glue catalog: our adapter vs one CreatePartition each.

    python -m bench.backfill                       # make bench-backfill: 20 tables x 365 days
    python -m bench.backfill --tables 2 --days 30  # a quicker run

Three variants, side by side, against the in-process sandbox (moto's Glue):
(a) `lakehouse.aws.catalog.register_partitions` with all the partitions of a table at once,
(b) the same call again on the same tables, which must register nothing and not fail,
(c) the baseline: one `glue.create_partition` per partition.
Every botocore call is counted by operation; after each variant the catalog is read back and
must hold exactly the expected partitions at the expected locations.

Method and caveats: bench/README.md. Results: bench/results/backfill.{md,json}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import awswrangler as wr
import boto3

from lakehouse.aws import catalog
from sandbox.server import Sandbox

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
Expected = Mapping[str, dict[str, str]]  # {table: {location: value}}

BUCKET = "bench-backfill"
PREFIX = "prefix"
PARTITION_COLUMN = "appflow_date_str"
FIRST_DAY = dt.date(2025, 1, 1)
COLUMNS = {
    "id": "string",
    "name": "string",
    "amount": "double",
    "is_deleted": "boolean",
    "last_modified_date": "timestamp",
}
DATABASES = {"ours": "bench_backfill_ours", "baseline": "bench_backfill_baseline"}
VARIANTS = {
    "ours": "(a) ours: catalog.register_partitions, all days at once",
    "ours_rerun": "(b) ours again on the same tables (idempotence)",
    "baseline": "(c) baseline: 1 CreatePartition per partition",
}
MS_PER_CALL = 50  # assumed AWS latency per Glue call for the labelled estimate; not measured


@dataclass(frozen=True)
class Row:
    variant: str
    database: str
    tables: int
    added: int
    """Partitions this variant registered (what the adapter returned, or CreatePartition calls)."""
    verified: int
    """Partitions read back from the catalog afterwards, all at the expected locations."""
    calls: dict[str, int]
    total_calls: int
    http_requests: int
    """before-send events: more than total_calls means botocore retried."""
    seconds: float


@dataclass
class CallCounter:
    """Counts the botocore calls made through one boto3 session, by operation.

    The hooks go on the session's event emitter before any client exists: every client made
    from the session inherits a copy, including the fresh Glue client awswrangler builds on
    each call. So nothing the adapter does (its BatchGetPartition first, then the batches) escapes.
    `before-call` fires once per API call; `before-send` once per HTTP attempt, so retries show.
    """

    calls: Counter[str] = field(default_factory=Counter)
    sends: Counter[str] = field(default_factory=Counter)

    def attach(self, session: boto3.Session) -> None:
        session.events.register("before-call", self._on_call)
        session.events.register("before-send", self._on_send)

    @staticmethod
    def _operation(event_name: str) -> str:
        _, service, operation = event_name.split(".", 2)  # "before-call.glue.BatchGetPartition"
        return operation if service == "glue" else f"{service}:{operation}"

    def _on_call(self, event_name: str, **_: Any) -> None:
        self.calls[self._operation(event_name)] += 1

    def _on_send(self, event_name: str, **_: Any) -> None:
        self.sends[self._operation(event_name)] += 1


def table_names(n: int) -> list[str]:
    return [f"table_{i:02d}" for i in range(n)]


def partitions_for(table: str, days: int) -> dict[str, str]:
    """{location: value} for `days` daily partitions, Hive-style, as the ingest writes them."""
    out: dict[str, str] = {}
    for offset in range(days):
        value = (FIRST_DAY + dt.timedelta(days=offset)).strftime("%Y%m%d")
        out[f"s3://{BUCKET}/{PREFIX}/{table}/{PARTITION_COLUMN}={value}/"] = value
    return out


def new_session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # the sandbox's fixed credentials
        region_name="eu-west-1",
    )


def create_tables(session: boto3.Session, database: str, tables: list[str]) -> None:
    """A fresh database per variant, tables as `catalog.ensure_table` makes them (untimed, uncounted)."""
    wr.catalog.create_database(database, exist_ok=False, boto3_session=session)
    for table in tables:
        wr.catalog.create_parquet_table(
            database=database,
            table=table,
            path=f"s3://{BUCKET}/{PREFIX}/{table}/",
            columns_types=COLUMNS,
            partitions_types={PARTITION_COLUMN: "string"},
            mode="overwrite",
            boto3_session=session,
        )


def run_ours(session: boto3.Session, endpoint_url: str, database: str, expected: Expected, new: bool) -> int:
    """Our path; each table must report all its days as new on the first run and none on the rerun."""
    added = 0
    for table, partitions in expected.items():
        count = catalog.register_partitions(session, database=database, table=table, partitions=partitions)
        want = len(partitions) if new else 0
        if count != want:
            raise SystemExit(f"register_partitions({database}.{table}) registered {count}, expected {want}")
        added += count
    return added


def run_baseline(
    session: boto3.Session, endpoint_url: str, database: str, expected: Expected, new: bool
) -> int:
    """One CreatePartition per partition: the table's StorageDescriptor with the partition's Location.

    One GetTable per table to read that descriptor (counted: the baseline needs it). One client
    for the whole run, which is the baseline's best case.
    """
    glue = session.client("glue", endpoint_url=endpoint_url)
    added = 0
    for table, partitions in expected.items():
        descriptor = glue.get_table(DatabaseName=database, Name=table)["Table"]["StorageDescriptor"]
        for location, value in partitions.items():
            glue.create_partition(
                DatabaseName=database,
                TableName=table,
                PartitionInput={"Values": [value], "StorageDescriptor": {**descriptor, "Location": location}},
            )
            added += 1
    return added


Runner = Callable[[boto3.Session, str, str, Expected, bool], int]


def measure(variant: str, runner: Runner, endpoint_url: str, database: str, expected: Expected) -> Row:
    """Time one variant on a session of its own, counting every call it makes, then verify."""
    session = new_session()
    session.client("glue", endpoint_url=endpoint_url)  # load the Glue model now, not on the clock
    counter = CallCounter()
    counter.attach(session)
    started = time.perf_counter()
    added = runner(session, endpoint_url, database, expected, variant != "ours_rerun")
    seconds = time.perf_counter() - started
    verified = verify(endpoint_url, database, expected)
    return Row(
        variant=variant,
        database=database,
        tables=len(expected),
        added=added,
        verified=verified,
        calls=dict(sorted(counter.calls.items())),
        total_calls=sum(counter.calls.values()),
        http_requests=sum(counter.sends.values()),
        seconds=round(seconds, 3),
    )


def verify(endpoint_url: str, database: str, expected: Expected) -> int:
    """Read every table's partitions back (own session, not counted); stop on any difference.

    Exactly the expected values, each once, at the expected location, stored as Parquet like its
    table: a benchmark that measures failing work is worthless.
    """
    glue = new_session().client("glue", endpoint_url=endpoint_url)
    total = 0
    for table, partitions in expected.items():
        table_sd = glue.get_table(DatabaseName=database, Name=table)["Table"]["StorageDescriptor"]
        found: dict[str, str] = {}
        problems: list[str] = []
        for page in glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table):
            for partition in page["Partitions"]:
                values, sd = partition["Values"], partition["StorageDescriptor"]
                if len(values) != 1 or values[0] in found:
                    problems.append(f"duplicate or malformed values {values}")
                    continue
                found[values[0]] = sd.get("Location", "")
                if sd.get("InputFormat") != table_sd.get("InputFormat") or sd.get("SerdeInfo", {}).get(
                    "SerializationLibrary"
                ) != table_sd.get("SerdeInfo", {}).get("SerializationLibrary"):
                    problems.append(f"{values[0]}: not stored as its table's Parquet format")
        want = {value: location for location, value in partitions.items()}
        problems += [f"missing {v}" for v in sorted(want.keys() - found.keys())]
        problems += [f"unexpected {v}" for v in sorted(found.keys() - want.keys())]
        problems += [
            f"{v} at {found[v]}, expected {want[v]}"
            for v in sorted(want.keys() & found.keys())
            if found[v] != want[v]
        ]
        if problems:
            raise SystemExit(f"{database}.{table}: {len(problems)} problems, first: {problems[:5]}")
        total += len(found)
    return total


@contextmanager
def glue_endpoint(endpoint_url: str) -> Iterator[None]:
    """awswrangler builds its own clients: point its Glue endpoint at the sandbox for the run."""
    saved = wr.config.glue_endpoint_url
    wr.config.glue_endpoint_url = endpoint_url
    try:
        yield
    finally:
        wr.config.glue_endpoint_url = saved


def _calls_text(calls: Mapping[str, int]) -> str:
    return ", ".join(f"{op} {n:,}" for op, n in calls.items()) or "none"


def _ratio(value: float, base: float) -> str:
    if base == 0:
        return "n/a"
    r = value / base
    return f"{r:.3f} ({base / value:.0f}x fewer)" if 0 < r < 1 else f"{r:.3f}"


def _seconds_ratio(value: float, base: float) -> str:
    if base == 0 or value == 0:
        return "n/a"
    r = value / base
    return f"{r:.3f} ({base / value:.0f}x faster)" if r < 1 else f"{r:.2f}"


def markdown(rows: list[Row], meta: dict[str, Any]) -> str:
    base = next(r for r in rows if r.variant == "baseline")
    out = [
        "# Glue partition backfill",
        "",
        f"`make bench-backfill`, {meta['date']}: {meta['machine']}. Python {meta['python']}, "
        f"awswrangler {meta['awswrangler']}, boto3 {meta['boto3']}, moto {meta['moto']} behind the "
        "in-process sandbox (HTTP on 127.0.0.1).",
        "",
        f"{meta['tables']} tables x {meta['days']} daily partitions ({meta['first_day']}…{meta['last_day']}, "
        f"`{PARTITION_COLUMN}=YYYYMMDD/`). Calls are every botocore call made through the variant's "
        "session (`before-call` hook), by operation; HTTP requests are `before-send` events (equal "
        "means no retries). Table creation and the read-back are not counted or timed. After every "
        "variant each table was read back: exactly the expected partitions at the expected locations. "
        "Method: bench/README.md.",
        "",
        "| variant | tables | partitions added | partitions verified | Glue calls by operation | "
        "total calls | HTTP requests | calls vs baseline | seconds (moto) | seconds vs baseline | "
        f"AWS estimate at {MS_PER_CALL} ms/call |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        estimate = r.total_calls * MS_PER_CALL / 1000
        out.append(
            f"| {VARIANTS[r.variant]} | {r.tables} | {r.added:,} | {r.verified:,} | {_calls_text(r.calls)} | "
            f"{r.total_calls:,} | {r.http_requests:,} | {_ratio(r.total_calls, base.total_calls)} | "
            f"{r.seconds:.2f} | {_seconds_ratio(r.seconds, base.seconds)} | ~{estimate:,.1f} s (estimate) |"
        )
    out += ["", "## Reading it", "", *[f"* {note}" for note in meta["notes"]]]
    return "\n".join(out) + "\n"


def notes(rows: list[Row], days: int) -> list[str]:
    ours = next(r for r in rows if r.variant == "ours")
    ours_rerun = next(r for r in rows if r.variant == "ours_rerun")
    base = next(r for r in rows if r.variant == "baseline")
    return [
        "**moto is not AWS.** The call counts transfer to AWS: they are what botocore sent, and "
        "awswrangler and the baseline make the same calls against either. The seconds do not: moto "
        "answers from memory on the same machine in a few milliseconds.",
        f"**The last column is an estimate, not a measurement**: calls x {MS_PER_CALL} ms, taking AWS's "
        "Glue latency as tens of milliseconds a call, calls made one after another (both variants are "
        f"sequential). On that estimate backfilling {ours.tables} tables x {days} days costs "
        f"~{ours.total_calls * MS_PER_CALL / 1000:.1f} s our way and "
        f"~{base.total_calls * MS_PER_CALL / 1000:,.0f} s the baseline's way. A BatchCreatePartition "
        "of 100 partitions likely takes longer than one CreatePartition, so the real time ratio is "
        "probably less favourable to us than the call ratio.",
        "The existence check asks Glue for the wanted values only (BatchGetPartition, up to 1,000 "
        "values a call), so its cost does not grow with the partitions a table already holds.",
        "The BatchCreatePartition count is ceil(partitions/100) per table: awswrangler batches by "
        "Glue's limit of 100 partitions per request.",
        "(b) is the adapter run again over tables that already hold every partition: one "
        "BatchGetPartition per table, nothing missing, so no BatchCreatePartition and nothing registered. "
        "The baseline has no such check: run again, each of its CreatePartition calls would fail "
        "with AlreadyExistsException (Glue's documented behaviour; not run here).",
        f"(b) is not faster than (a) in moto ({ours_rerun.seconds:.2f} s vs {ours.seconds:.2f} s): its "
        f"{ours_rerun.total_calls} calls each make moto build and serialise every partition of the "
        "table, tens of ms apiece on this machine. The adapter's own work is not the cost (its "
        f"missing-partition check takes ~2 ms a table at {days} partitions). Another reason not to "
        "read seconds from moto.",
    ]


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _meta(tables: int, days: int) -> dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **{name: metadata.version(name) for name in ("awswrangler", "boto3", "botocore", "moto")},
        "tables": tables,
        "days": days,
        "first_day": FIRST_DAY.isoformat(),
        "last_day": (FIRST_DAY + dt.timedelta(days=days - 1)).isoformat(),
        "ms_per_call_estimate": MS_PER_CALL,
    }


def run(tables: int, days: int) -> None:
    started = time.perf_counter()
    names = table_names(tables)
    expected = {table: partitions_for(table, days) for table in names}
    rows: list[Row] = []
    with Sandbox() as sandbox, glue_endpoint(sandbox.endpoint_url):
        setup = new_session()
        for database in DATABASES.values():
            create_tables(setup, database, names)
        print(f"sandbox on {sandbox.endpoint_url}: {len(DATABASES)} databases x {tables} tables created")
        plan: list[tuple[str, Runner, str]] = [
            ("ours", run_ours, DATABASES["ours"]),
            ("ours_rerun", run_ours, DATABASES["ours"]),
            ("baseline", run_baseline, DATABASES["baseline"]),
        ]
        for variant, runner, database in plan:
            row = measure(variant, runner, sandbox.endpoint_url, database, expected)
            rows.append(row)
            print(
                f"  {variant:10} {row.total_calls:6,} calls ({_calls_text(row.calls)}), "
                f"{row.seconds:6.2f} s, added {row.added:,}, verified {row.verified:,}"
            )
    meta = _meta(tables, days)
    meta["notes"] = notes(rows, days)
    meta["total_seconds"] = round(time.perf_counter() - started, 1)
    text = markdown(rows, meta)
    RESULTS.mkdir(parents=True, exist_ok=True)
    _write(RESULTS / "backfill.md", text)
    payload = {"meta": meta, "rows": [asdict(r) for r in rows]}
    _write(RESULTS / "backfill.json", json.dumps(payload, indent=2) + "\n")
    print()
    print(text)
    print(f"written: bench/results/backfill.{{md,json}} ({meta['total_seconds']} s in all)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.backfill", description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=20, help="tables to backfill (default 20)")
    parser.add_argument("--days", type=int, default=365, help="daily partitions per table (default 365)")
    args = parser.parse_args(argv)
    if args.tables < 1 or args.days < 1:
        parser.error("--tables and --days must be at least 1")
    run(args.tables, args.days)


if __name__ == "__main__":
    main()
