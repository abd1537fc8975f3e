"""CSV / JSON lines to Parquet: the feed job's conversion vs pyarrow's own path vs the pandas path.

    python -m bench.ingest                 # make bench-ingest: 100 MB and 1 GB of CSV and JSON lines
    python -m bench.ingest --quick         # 20 MB of each, a minute
    python -m bench.ingest --sizes 100     # sizes in MB

Inputs are generated once (deterministic) under .cache/bench-ingest/ and reused. Every measurement
is a fresh interpreter that imports first (untimed), converts one file, and reports its seconds and
peak RSS (VmHWM via getrusage). Method and caveats: bench/README.md. Results:
bench/results/ingest.{md,json}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
CACHE = REPO / ".cache" / "bench-ingest"
MARK = "BENCH-RESULT "
GENERATOR_VERSION = 2
CHUNK_ROWS = 100_000
TIMESTAMP_COLUMNS = ["created_at", "updated_at"]
MEMORY_CAP_MIB = 6144
"""A child above this RSS is killed and reported as such (the machine is shared)."""
TARGET_RATIO = 0.8
REPEATS_SMALL = 3
MB = 1_000_000

VARIANTS = {
    "ours": "(a) ours: feed_job file_batches + convert()",
    "floor": "(b) floor: pyarrow read_{csv,json} + pq.write_table",
    "pandas": "(c) pandas path (awswrangler's): pandas read + DataFrame.to_parquet",
}
FORMATS = ("csv", "jsonl")

_WORDS = np.array(
    ["acme", "global", "north", "south", "east", "west", "labs", "systems", "health", "pharma", "retail",
     "bank", "energy", "media", "logistics", "foods", "motors", "capital", "partners", "group", "holdings",
     "solutions", "digital", "networks"]
)  # fmt: skip
_COUNTRIES = np.array(["CH", "DE", "FR", "US", "GB", "JP", "BR", "IN", "IT", "ES"])
_EPOCH = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())


# --- inputs ------------------------------------------------------------------------------------


def chunk(index: int, rows: int = CHUNK_ROWS) -> pa.Table:
    """Rows `index*rows ...` of the data set: the same bytes on every machine (seeded per chunk)."""
    rng = np.random.default_rng(1_000_003 * (index + 1))
    ids = np.arange(index * rows, (index + 1) * rows, dtype=np.int64)
    words = _WORDS[rng.integers(0, len(_WORDS), size=(rows, 2))]
    names = np.char.add(np.char.add(words[:, 0], " "), words[:, 1])
    created = _EPOCH + rng.integers(0, 365 * 86_400, size=rows)
    updated = created + rng.integers(0, 30 * 86_400, size=rows)
    as_text = lambda seconds: pc.strftime(  # noqa: E731 - a local shorthand
        pa.array(seconds.astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%SZ"
    )
    return pa.table(
        {
            "id": ids,
            "account_id": pc.binary_join_element_wise(  # Salesforce-like: text, not a number
                "001Q", pc.cast(pa.array(ids + 10**11), pa.string()), ""
            ),
            "name": pa.array(names.astype(str)),
            "country": pa.array(_COUNTRIES[rng.integers(0, len(_COUNTRIES), size=rows)].astype(str)),
            "amount": np.round(rng.gamma(2.0, 500.0, size=rows), 2),
            "score": np.round(rng.random(size=rows), 6),
            "created_at": as_text(created),
            "updated_at": as_text(updated),
        }
    )


def _jsonl_bytes(table: pa.Table) -> memoryview:
    """The chunk as JSON lines, built column-wise in Arrow (no Python loop over rows)."""
    text = lambda name: pc.cast(table[name], pa.string()).combine_chunks()  # noqa: E731
    parts: list[Any] = ['{"id":', text("id")]
    for name in ("account_id", "name", "country"):
        parts += [f',"{name}":"', text(name), '"']
    for name in ("amount", "score"):
        parts += [f',"{name}":', text(name)]
    for name in TIMESTAMP_COLUMNS:
        parts += [f',"{name}":"', text(name), '"']
    parts.append("}\n")
    lines = pc.binary_join_element_wise(*parts, "")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]


def generate(path: Path, file_format: str, megabytes: float) -> dict[str, Any]:
    """Write ~`megabytes` MB of the data set (whole chunks) unless already there; returns its meta."""
    meta_path = path.with_name(path.name + ".meta.json")
    if path.exists() and meta_path.exists():
        meta: dict[str, Any] = json.loads(meta_path.read_text())
        if meta.get("version") == GENERATOR_VERSION and meta.get("bytes") == path.stat().st_size:
            return meta
    path.parent.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * MB)
    rows = 0
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        index = 0
        while out.tell() < target:
            table = chunk(index)
            remaining = target - out.tell()
            if file_format == "csv":
                sink = pa.BufferOutputStream()
                pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=index == 0))
                data: Any = sink.getvalue()
            else:
                data = _jsonl_bytes(table)
            if len(data) > remaining:  # last chunk: only the rows needed
                fraction = remaining / len(data)
                table = table.slice(0, max(1, int(len(table) * fraction)))
                if file_format == "csv":
                    sink = pa.BufferOutputStream()
                    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=index == 0))
                    data = sink.getvalue()
                else:
                    data = _jsonl_bytes(table)
            out.write(data)
            rows += len(table)
            index += 1
            if len(table) < CHUNK_ROWS:
                break
    tmp.replace(path)
    meta = {"version": GENERATOR_VERSION, "format": file_format, "rows": rows, "bytes": path.stat().st_size}
    meta_path.write_text(json.dumps(meta) + "\n")
    return meta


def input_path(file_format: str, megabytes: float) -> Path:
    return CACHE / f"data-{megabytes:g}MB.{file_format}"


# --- the three conversions (what a child process times) ----------------------------------------


def run_ours(file_format: str, source: Path, out: Path) -> int:
    """The job's own code path: file_batches (blocks) -> prepare (types, schema) -> convert -> local parts."""
    from feed_job.convert import LocalPart, convert
    from feed_job.schema import prepare
    from feed_job.sources.files import file_batches

    inputs = [(str(source), lambda: pa.input_stream(str(source)))]
    batches = prepare(file_batches(inputs, file_format))
    stats = convert(batches, lambda n: LocalPart(str(out / f"part-bench-{n:05d}.parquet")))
    return int(stats.rows)


def run_floor(file_format: str, source: Path, out: Path) -> int:
    """pyarrow's whole-file readers (multi-threaded) and write_table: the fastest way pyarrow has."""
    if file_format == "csv":
        table = pa_csv.read_csv(source)
    else:
        import pyarrow.json as pa_json

        table = pa_json.read_json(source)
    pq.write_table(table, out / "floor.parquet")
    return int(table.num_rows)


def run_pandas(file_format: str, source: Path, out: Path) -> int:
    """awswrangler's path without S3: wr.s3.read_csv/read_json are pandas.read_csv/read_json over
    the object, and wr.s3.to_parquet is pyarrow's Table.from_pandas + Parquet writer; awswrangler
    writes only to s3:// paths, so DataFrame.to_parquet (engine pyarrow) stands in for it."""
    import pandas as pd

    if file_format == "csv":
        frame = pd.read_csv(source, parse_dates=TIMESTAMP_COLUMNS)
    else:
        frame = pd.read_json(source, lines=True, convert_dates=TIMESTAMP_COLUMNS)
    frame.to_parquet(out / "pandas.parquet", engine="pyarrow", index=False)
    return len(frame)


RUNNERS: dict[str, Callable[[str, Path, Path], int]] = {
    "ours": run_ours,
    "floor": run_floor,
    "pandas": run_pandas,
}


def peak_kib() -> int:
    """This process's peak RSS. VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over exec,
    so a child would report its parent's peak if that were higher."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # not Linux: KiB there too on BSDs


def child(variant: str, file_format: str, source: str, out: str) -> None:
    """One measurement in this (fresh) process: imports untimed, then one conversion."""
    if variant == "pandas":
        import pandas  # noqa: F401 - imported before the clock, like pyarrow
    if variant == "ours":
        import feed_job.job  # noqa: F401 - the package imported before the clock
    baseline = peak_kib()
    started = time.perf_counter()
    rows = RUNNERS[variant](file_format, Path(source), Path(out))
    seconds = time.perf_counter() - started
    peak = peak_kib()
    print(MARK + json.dumps({"seconds": seconds, "rows": rows, "peak_kib": peak, "baseline_kib": baseline}))


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Row:
    file_format: str
    megabytes: float
    input_bytes: int
    variant: str
    rows: int
    seconds: float | None
    runs: list[float]
    peak_mib: float | None
    baseline_mib: float | None
    parquet_files: int
    parquet_bytes: int
    status: str  # "ok", or why there is no figure

    @property
    def mb_per_s(self) -> float | None:
        return self.input_bytes / MB / self.seconds if self.seconds else None


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure_once(variant: str, file_format: str, source: Path, expected_rows: int) -> dict[str, Any]:
    """One fresh child; killed above MEMORY_CAP_MIB. Verifies the Parquet it wrote, untimed."""
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "plugins"), str(REPO), str(REPO / "jobs")]),
        }
        argv = [sys.executable, "-m", "bench.ingest", "--child", variant, file_format, str(source), tmp]
        process = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        killed = False
        while process.poll() is None:
            if _rss_mib(process.pid) > MEMORY_CAP_MIB:
                process.kill()
                killed = True
            time.sleep(0.05)
        stdout, stderr = process.communicate()
        if killed:
            return {"status": f"killed above {MEMORY_CAP_MIB:,} MiB RSS"}
        lines = [line for line in stdout.splitlines() if line.startswith(MARK)]
        if process.returncode != 0 or not lines:
            raise SystemExit(f"{variant} {file_format} {source}: exit {process.returncode}\n{stderr[-3000:]}")
        result: dict[str, Any] = json.loads(lines[-1][len(MARK) :])
        parts = sorted(Path(tmp).glob("*.parquet"))
        written = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
        columns = {pq.ParquetFile(p).schema_arrow.names.__len__() for p in parts}
        if result["rows"] != expected_rows or written != expected_rows or columns != {8}:
            raise SystemExit(
                f"{variant} {file_format}: reported {result['rows']} rows, wrote {written} in {len(parts)} "
                f"files with {columns} columns; the input has {expected_rows} rows and 8 columns"
            )
        kinds = {str(pq.ParquetFile(parts[0]).schema_arrow.field(c).type) for c in TIMESTAMP_COLUMNS}
        if not all(k.startswith("timestamp") for k in kinds):
            raise SystemExit(f"{variant} {file_format}: timestamps not typed ({kinds})")
        result |= {"status": "ok", "files": len(parts), "parquet_bytes": sum(p.stat().st_size for p in parts)}
        return result


def measure(variant: str, file_format: str, megabytes: float, meta: dict[str, Any], repeats: int) -> Row:
    source = input_path(file_format, megabytes)
    results = [measure_once(variant, file_format, source, meta["rows"]) for _ in range(repeats)]
    good = [r for r in results if r["status"] == "ok"]
    if not good:
        return Row(file_format, megabytes, meta["bytes"], variant, meta["rows"], None, [], None, None, 0, 0,
                   results[0]["status"])  # fmt: skip
    best = min(good, key=lambda r: r["seconds"])
    return Row(
        file_format=file_format,
        megabytes=megabytes,
        input_bytes=meta["bytes"],
        variant=variant,
        rows=best["rows"],
        seconds=round(best["seconds"], 3),
        runs=[round(r["seconds"], 3) for r in good],
        peak_mib=round(best["peak_kib"] / 1024, 1),
        baseline_mib=round(best["baseline_kib"] / 1024, 1),
        parquet_files=best["files"],
        parquet_bytes=best["parquet_bytes"],
        status="ok",
    )


# --- report ------------------------------------------------------------------------------------


def _floor(rows: list[Row], row: Row) -> Row | None:
    return next(
        (
            r
            for r in rows
            if r.variant == "floor" and r.file_format == row.file_format and r.megabytes == row.megabytes
        ),
        None,
    )


def _num(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def markdown(rows: list[Row], meta: dict[str, Any]) -> str:
    out = [
        "# Ingest: CSV / JSON lines to Parquet",
        "",
        f"`make bench-ingest`, {meta['date']}: {meta['machine']}. Python {meta['python']}, pyarrow "
        f"{meta['pyarrow']}, pandas {meta['pandas']}, awswrangler {meta['awswrangler']}. Other processes "
        "shared the 2 cores during the run.",
        "",
        "Generated input (`.cache/bench-ingest/`, deterministic): 8 typed columns, an int64 id, three "
        "strings, two doubles and two ISO 8601 UTC timestamps. Each figure is one fresh process converting "
        "one local file to snappy Parquet on local disk; imports are not timed; best of "
        f"{meta['repeats_small']} runs up to 100 MB, 1 run above. MB/s = input MB (10^6 bytes) per second. "
        "Peak = the process's peak RSS (VmHWM), baseline = its peak after the imports. Every output was "
        "read back: all rows, 8 columns, typed timestamps. Method: bench/README.md.",
        "",
        "| format | input | variant | rows | seconds | MB/s | vs floor | peak RSS MiB | above baseline MiB | "
        "Parquet files | Parquet MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        floor = _floor(rows, r)
        ratio = r.mb_per_s / floor.mb_per_s if floor and r.mb_per_s and floor.mb_per_s else None
        above = r.peak_mib - r.baseline_mib if r.peak_mib is not None and r.baseline_mib is not None else None
        seconds = _num(r.seconds, ".2f") if r.status == "ok" else r.status
        out.append(
            f"| {r.file_format} | {r.input_bytes / MB:,.0f} MB | {VARIANTS[r.variant]} | {r.rows:,} | "
            f"{seconds} | "
            f"{_num(r.mb_per_s, '.1f')} | {_num(ratio, '.2f')} | {_num(r.peak_mib, ',.0f')} | "
            f"{_num(above, ',.0f')} | {r.parquet_files} | {r.parquet_bytes / MB:,.1f} |"
        )
    out += ["", "## Reading it", "", *[f"* {note}" for note in meta["notes"]]]
    return "\n".join(out) + "\n"


def _memory_note(rows: list[Row], file_format: str, ours: list[Row]) -> str:
    """How our peak memory moves with the input: from the smallest to the largest size, and
    between the two largest, where the bound (row groups and blocks in flight) is reached."""
    small, large = ours[0], ours[-1]
    floors = [_floor(rows, small), _floor(rows, large)]
    floor_growth = (
        f"; the floor's grows {floors[1].peak_mib / floors[0].peak_mib:.1f}x"
        if floors[0] and floors[1] and floors[0].peak_mib and floors[1].peak_mib
        else ""
    )
    text = (
        f"{file_format}: our peak memory goes from {small.peak_mib:,.0f} MiB at "
        f"{small.input_bytes / MB:,.0f} MB to {large.peak_mib:,.0f} MiB at {large.input_bytes / MB:,.0f} MB "
        f"of input ({large.peak_mib / small.peak_mib:.2f}x for {large.input_bytes / small.input_bytes:.0f}x "
        f"the input{floor_growth}). The job holds at most the row group being encoded, one queued and "
        "one being gathered (each at most 1,048,576 rows or 64 MiB of Arrow data), the Parquet writer's "
        "buffers and the blocks in flight (at most 2 of 4 MiB per core, with their parsed rows): the "
        "smallest input stays below that bound"
    )
    if len(ours) >= 3:
        middle = ours[-2]
        text += (
            f"; from {middle.input_bytes / MB:,.0f} MB to {large.input_bytes / MB:,.0f} MB, once it is "
            f"reached, the peak moves {large.peak_mib / middle.peak_mib:.2f}x for "
            f"{large.input_bytes / middle.input_bytes:.0f}x the input: it does not grow with the input."
        )
    else:
        return text + "; run more sizes (`--sizes 100,1000,3000`) to see where it levels off."
    return text


def notes(rows: list[Row], sizes: list[float]) -> list[str]:
    found: list[str] = []
    for file_format in FORMATS:
        ours = [r for r in rows if r.variant == "ours" and r.file_format == file_format and r.status == "ok"]
        for r in ours:
            floor = _floor(rows, r)
            if floor and floor.mb_per_s and r.mb_per_s:
                ratio = r.mb_per_s / floor.mb_per_s
                verdict = "meets" if ratio >= TARGET_RATIO else f"misses by {TARGET_RATIO - ratio:.4f}"
                found.append(
                    f"{file_format}, {r.input_bytes / MB:,.0f} MB: ours runs at {ratio:.3f}x the floor's "
                    f"MB/s ({verdict} the {TARGET_RATIO}x target) with a peak of {r.peak_mib:,.0f} MiB "
                    f"against the floor's {floor.peak_mib:,.0f} MiB."
                )
        if len(ours) >= 2:
            found.append(_memory_note(rows, file_format, ours))
    return found


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def run(sizes: list[float], formats: list[str], variants: list[str]) -> None:
    started = time.perf_counter()
    rows: list[Row] = []
    for file_format in formats:
        for megabytes in sizes:
            t0 = time.perf_counter()
            meta = generate(input_path(file_format, megabytes), file_format, megabytes)
            print(
                f"{file_format} {megabytes:g} MB: {meta['rows']:,} rows, {meta['bytes']:,} bytes "
                f"(ready in {time.perf_counter() - t0:.1f} s)",
                flush=True,
            )
            repeats = REPEATS_SMALL if megabytes <= 100 else 1
            for variant in variants:
                row = measure(variant, file_format, megabytes, meta, repeats)
                rows.append(row)
                print(
                    f"  {variant:6} {row.status:4} {_num(row.seconds, '7.2f')} s  "
                    f"{_num(row.mb_per_s, '7.1f')} MB/s  peak {_num(row.peak_mib, '7,.0f')} MiB  "
                    f"(baseline {_num(row.baseline_mib, ',.0f')})  files {row.parquet_files}",
                    flush=True,
                )
    meta_out: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **{name: metadata.version(name) for name in ("pyarrow", "pandas", "awswrangler", "numpy")},
        "sizes_mb": sizes,
        "repeats_small": REPEATS_SMALL,
        "memory_cap_mib": MEMORY_CAP_MIB,
        "target_ratio": TARGET_RATIO,
    }
    meta_out["notes"] = notes(rows, sizes) + STATIC_NOTES
    meta_out["total_seconds"] = round(time.perf_counter() - started, 1)
    text = markdown(rows, meta_out)
    RESULTS.mkdir(parents=True, exist_ok=True)
    _write(RESULTS / "ingest.md", text)
    payload = {"meta": meta_out, "rows": [asdict(r) | {"mb_per_s": r.mb_per_s} for r in rows]}
    _write(RESULTS / "ingest.json", json.dumps(payload, indent=2) + "\n")
    print()
    print(text)
    print(f"written: bench/results/ingest.{{md,json}} ({meta_out['total_seconds']} s in all)")


def report_from_json() -> None:
    """The markdown again from the last run's JSON (after a change to the notes' wording)."""
    payload = json.loads((RESULTS / "ingest.json").read_text())
    fields = set(Row.__dataclass_fields__)
    rows = [Row(**{k: v for k, v in r.items() if k in fields}) for r in payload["rows"]]
    meta = payload["meta"]
    meta["notes"] = notes(rows, meta["sizes_mb"]) + STATIC_NOTES
    _write(RESULTS / "ingest.md", markdown(rows, meta))
    _write(RESULTS / "ingest.json", json.dumps(payload, indent=2) + "\n")


STATIC_NOTES = [
    "The floor reads the whole file into memory (multi-threaded) and writes one Parquet file: its "
    "peak grows with the input. Ours streams 4 MiB blocks through the same type rules the Glue "
    "job applies (a stable schema, timestamps as timestamp[us, UTC]), gathers the next row group on "
    "a thread while the previous one is encoded, and rolls to a new Parquet file every 1,000,000 rows.",
    "Parsing is where the time goes. Both formats are cut into 4 MiB blocks at line ends by the "
    "job itself and each block parsed (`pyarrow.csv.read_csv` / `pyarrow.json.read_json`, one "
    "thread each) on a pool of one thread per core, the schema fixed by the first block, at most 2 "
    "blocks per core in flight, results taken in order. pyarrow's streaming readers (`open_csv`, "
    "`open_json`), which the job used before, parse one block after another on one core: that held "
    "JSON lines to 0.61x the floor at 1 GB and CSV to 0.65x at 100 MB. Ours also overlaps parsing "
    "with Parquet "
    "encoding, which the floor does one after the other. Only 2 cores, shared with other work "
    "during the run: the seconds are noisy (the 1 GB "
    "figures are single runs) and the ratios moved by up to ~0.2 between runs while tuning, most at "
    "100 MB, where each conversion takes well under a second; the memory figures did not. "
    "pandas' JSON lines reader holds the whole text and its parsed rows: at 1 GB it "
    "passed the 6 GiB cap and was stopped.",
    "(c) is awswrangler's path minus S3: `wr.s3.read_csv`/`read_json` hand the object to "
    "`pandas.read_csv`/`read_json(lines=True)`, and `wr.s3.to_parquet` converts with "
    "`pyarrow.Table.from_pandas` and pyarrow's Parquet writer; awswrangler only writes to s3:// paths, "
    "so `DataFrame.to_parquet(engine='pyarrow')` stands in for its writer. Timestamps are parsed "
    "(`parse_dates`/`convert_dates`) so all three write the same types.",
    "In the Glue job the source is an S3 object read through boto3 and the parts go up as multipart "
    "uploads; here both ends are local files so the figures are the conversion's, not the network's.",
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="100,1000,3000",
        help="input sizes in MB, comma-separated (100,1000,3000: the largest shows where memory levels off)",
    )
    parser.add_argument("--quick", action="store_true", help="20 MB of each format only")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument(
        "--child", nargs=4, metavar=("VARIANT", "FORMAT", "SOURCE", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--clean", action="store_true", help="delete the generated inputs first")
    parser.add_argument("--report", action="store_true", help="rewrite ingest.md from ingest.json only")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    if args.report:
        report_from_json()
        return
    if args.clean:
        shutil.rmtree(CACHE, ignore_errors=True)
    sizes = [20.0] if args.quick else [float(s) for s in args.sizes.split(",")]
    formats = [f for f in args.formats.split(",") if f]
    variants = [v for v in args.variants.split(",") if v]
    if set(formats) - set(FORMATS) or set(variants) - set(VARIANTS) or any(s <= 0 for s in sizes):
        parser.error(f"formats from {FORMATS}, variants from {list(VARIANTS)}, sizes > 0")
    run(sizes, formats, variants)


if __name__ == "__main__":
    main()
