"""jobs/feed_ingest.py run as Glue runs it (a subprocess with `--key value` arguments, AWS pointed at
the sandbox) against real local sources: a SQLite file, a threaded HTTP API, CSV/JSONL in S3.

Every test reads the partition back and asserts on its rows, on what a rerun or a failure leaves
there, and that no secret value reached stdout/stderr.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from feed_job import convert, errors, redaction, schema
from feed_job.sources import files as file_readers

from sandbox.glue_jobs.executor import script_env
from sandbox.protocol import SandboxContext
from sandbox.server import Sandbox
from tools.bundle import build_feed_job_zip

SCRIPT = Path(__file__).resolve().parents[2] / "jobs" / "feed_ingest.py"
REGION = "eu-west-1"
LAKE = "feeds-raw"
DROP = "feeds-landing"
ARTIFACTS = "feeds-artifacts"
WINDOW = {"--window_start": "2025-01-13T00:00:00Z", "--window_end": "2025-01-14T00:00:00Z"}
API_TOKEN = "tok-" + secrets.token_hex(12)


@dataclass
class Env:
    sandbox: Sandbox
    s3: Any
    secrets: Any

    def target(self, name: str) -> str:
        return f"s3://{LAKE}/onprem/{name}/ingest_date=20250113/"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with Sandbox(state_dir=tmp_path_factory.mktemp("sandbox")) as sandbox:
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        s3 = session.client("s3", endpoint_url=sandbox.endpoint_url)
        for bucket in (LAKE, DROP, ARTIFACTS):  # moto's state lives as long as the process: another
            with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):  # module may have made one
                s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield Env(sandbox, s3, session.client("secretsmanager", endpoint_url=sandbox.endpoint_url))


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    run_id: str

    @property
    def error_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def summary(self) -> dict[str, Any]:
        return json.loads(self.stdout.strip().splitlines()[-1])


def run_job(env: Env, args: dict[str, str], run_id: str | None = None) -> Result:
    """The script as the sandbox's Glue executor starts it: own interpreter, argv, environment."""
    run_id = run_id or f"jr_{secrets.token_hex(8)}"
    argv = [sys.executable, str(SCRIPT), "--JOB_NAME", "feed_test", "--JOB_RUN_ID", run_id]
    for key, value in {**WINDOW, **args}.items():
        argv += [key, value]
    argv += ["--enable-metrics", "true"]  # Glue adds arguments of its own: ignored
    context = SandboxContext(endpoint_url=env.sandbox.endpoint_url, state_dir=str(env.sandbox.state_dir))
    done = subprocess.run(argv, env=script_env(context), capture_output=True, text=True, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr, run_id)


def put_secret(env: Env, name: str, value: dict[str, str]) -> str:
    env.secrets.create_secret(Name=name, SecretString=json.dumps(value))
    return name


def objects(env: Env, location: str) -> list[str]:
    bucket, _, prefix = location[len("s3://") :].partition("/")
    answer = env.s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in answer.get("Contents", []))


def read_partition(env: Env, location: str) -> pa.Table:
    bucket, _, _ = location[len("s3://") :].partition("/")
    tables = [
        pq.read_table(io.BytesIO(env.s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
        for key in objects(env, location)
    ]
    return pa.concat_tables(tables) if tables else pa.table({})


def rows(table: pa.Table, key: str = "id") -> list[dict[str, Any]]:
    return sorted(table.to_pylist(), key=lambda r: r[key])


def assert_ok(result: Result) -> None:
    assert result.returncode == 0, result.stderr[-3000:]


def assert_failed(result: Result, *fragments: str) -> None:
    assert result.returncode != 0
    assert result.error_line.startswith("FeedError: "), result.stderr[-3000:]
    for fragment in fragments:
        assert fragment in result.error_line, result.error_line


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- database ----------------------------------------------------------------------------------


def make_sqlite(path: Path, rows_: list[tuple[Any, ...]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE accounts (id INTEGER, name TEXT, amount REAL, updated_at TEXT)")
        db.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?)", rows_)
    db.close()


SQLITE_ROWS = [
    (1, "before", 1.0, "2025-01-12T23:59:59Z"),  # outside
    (2, "start", 2.5, "2025-01-13T00:00:00Z"),  # inclusive start
    (3, "space", None, "2025-01-13 12:00:00"),  # naive text = UTC
    (4, "offset", 4.0, "2025-01-14T00:30:00+01:00"),  # 2025-01-13T23:30Z: inside
    (5, "millis", 5.25, "2025-01-13T23:59:59.999Z"),
    (6, "end", 6.0, "2025-01-14T00:00:00Z"),  # exclusive end
    (7, None, 7.0, "2025-01-13T08:00:00.123456+00:00"),
]


def test_database_window_batches_files_and_rerun_replaces(env: Env, tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    make_sqlite(db, SQLITE_ROWS)
    secret = put_secret(env, "onprem/crm-db", {"url": f"sqlite:///{db}"})
    target = env.target("accounts")
    args = {
        "--source_kind": "database",
        "--source_secret": secret,
        "--source_table": "main.accounts",
        "--timestamp_column": "updated_at",
        "--target_location": target,
        "--batch_rows": "2",
        "--rows_per_file": "3",
    }

    first = run_job(env, args)

    assert_ok(first)
    table = read_partition(env, target)
    assert table.schema.field("updated_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("amount").type == pa.float64()
    assert table.schema.field("name").type == pa.string()
    assert rows(table) == [
        {"id": 2, "name": "start", "amount": 2.5, "updated_at": ts("2025-01-13T00:00:00+00:00")},
        {"id": 3, "name": "space", "amount": None, "updated_at": ts("2025-01-13T12:00:00+00:00")},
        {"id": 4, "name": "offset", "amount": 4.0, "updated_at": ts("2025-01-13T23:30:00+00:00")},
        {"id": 5, "name": "millis", "amount": 5.25, "updated_at": ts("2025-01-13T23:59:59.999+00:00")},
        {"id": 7, "name": None, "amount": 7.0, "updated_at": ts("2025-01-13T08:00:00.123456+00:00")},
    ]
    prefix = "onprem/accounts/ingest_date=20250113/"
    assert objects(env, target) == [
        f"{prefix}part-{first.run_id}-00000.parquet",
        f"{prefix}part-{first.run_id}-00001.parquet",
    ]  # 5 rows, 3 per file
    summary = first.summary()
    assert summary["rows"] == 5
    assert summary["replaced_objects"] == 0

    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE accounts SET name = 'renamed' WHERE id = 2")
        connection.execute("DELETE FROM accounts WHERE id = 7")
    connection.close()
    rerun = run_job(env, args)

    assert_ok(rerun)
    again = rows(read_partition(env, target))
    assert [r["id"] for r in again] == [2, 3, 4, 5]  # no duplicates, the deleted row is gone
    assert again[0]["name"] == "renamed"
    assert all(key.startswith(f"{prefix}part-{rerun.run_id}-") for key in objects(env, target))
    assert rerun.summary()["replaced_objects"] == 2

    missing = run_job(env, {**args, "--source_table": "accounts_v2"})

    assert_failed(missing, "no such table: accounts_v2", "sqlite table accounts_v2")
    assert rows(read_partition(env, target)) == again  # the previous partition, untouched

    empty = run_job(
        env, {**args, "--window_start": "2030-01-01T00:00:00Z", "--window_end": "2030-01-02T00:00:00Z"}
    )

    assert_ok(empty)
    assert empty.summary()["rows"] == 0
    assert objects(env, target) == []  # a zero-row interval empties the partition


def test_database_bad_arguments_fail_before_reading(env: Env, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    make_sqlite(db, SQLITE_ROWS)
    secret = put_secret(env, "onprem/x-db", {"url": f"sqlite:///{db}"})
    base = {"--source_kind": "database", "--source_secret": secret, "--target_location": env.target("x")}

    injection = run_job(env, {**base, "--source_table": 'accounts"; DROP TABLE accounts; --'})
    not_a_partition = run_job(
        env, {**base, "--source_table": "accounts", "--target_location": f"s3://{LAKE}/onprem/"}
    )

    assert_failed(injection, "--source_table", "is not [schema.]table")
    assert_failed(not_a_partition, "does not end in a <column>=<value>/ partition")
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM accounts").fetchone() == (len(SQLITE_ROWS),)
    connection.close()


def test_postgres_secret_is_never_printed(env: Env) -> None:
    password = "pw-" + secrets.token_hex(10)
    url = f"postgresql://loader:{password}@127.0.0.1:1/warehouse"
    secret = put_secret(env, "onprem/pg", {"url": url})

    result = run_job(
        env,
        {
            "--source_kind": "database",
            "--source_secret": secret,
            "--source_table": "public.orders",
            "--target_location": env.target("orders"),
        },
    )

    assert result.returncode != 0
    assert result.error_line.startswith("FeedError: ")
    # pg8000 is installed (requirements-dev.lock): the connection to port 1 fails, with no credentials
    assert "cannot connect to the postgresql database of the secret" in result.error_line
    assert password not in result.stdout + result.stderr
    assert url not in result.stdout + result.stderr


def test_redaction_masks_secret_values_and_url_credentials() -> None:
    redaction.remember_secret("s3cr3t-value")
    text = "connect postgresql://bob:hunter2@db:5432/x failed; token s3cr3t-value"
    assert redaction.redact(text) == "connect postgresql://***@db:5432/x failed; token ***"


# --- api ---------------------------------------------------------------------------------------


@dataclass
class FakeApi:
    """Pages of records behind a bearer token; `fail_with` makes every request answer that status."""

    pages: list[dict[str, Any]]
    fail_with: int | None = None
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@pytest.fixture
def api() -> Iterator[tuple[FakeApi, str]]:
    state = FakeApi(pages=[])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers)))
            if state.fail_with is not None:
                self.send_error(state.fail_with)
                return
            if self.headers.get("Authorization") != f"Bearer {API_TOKEN}":
                self.send_error(401)
                return
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            page = int(query.get("page", ["0"])[0])
            body = json.dumps(state.pages[page]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_api_three_pages_with_window_and_token(env: Env, api: tuple[FakeApi, str]) -> None:
    state, base_url = api
    state.pages = [
        {
            "data": [
                {"id": 1, "name": "a", "score": 1, "modified": "2025-01-13T01:00:00Z"},
                {"id": 2, "name": "b", "score": 2, "modified": "2025-01-13T02:00:00Z"},
            ],
            "cursor": "/v1/things?page=1",
        },
        {
            "data": [
                {"id": 3, "name": "c", "score": None, "modified": "2025-01-13T03:00:00Z"},
                {"id": 4, "score": 4, "modified": "2025-01-14T03:00:00Z"},  # no name; outside the window
            ],
            "cursor": f"{base_url}/v1/things?page=2",
        },
        {
            "data": [{"id": 5, "name": "e", "score": 5, "modified": "2025-01-13T23:00:00+00:00"}],
            "cursor": None,
        },
    ]
    secret = put_secret(env, "onprem/things-api", {"base_url": base_url, "token": API_TOKEN})
    target = env.target("things")
    args = {
        "--source_kind": "api",
        "--source_secret": secret,
        "--source_path": "/v1/things",
        "--records_field": "data",
        "--next_field": "cursor",
        "--timestamp_column": "modified",
        "--target_location": target,
    }

    result = run_job(env, args)

    assert_ok(result)
    assert rows(read_partition(env, target)) == [
        {"id": 1, "name": "a", "score": 1, "modified": ts("2025-01-13T01:00:00+00:00")},
        {"id": 2, "name": "b", "score": 2, "modified": ts("2025-01-13T02:00:00+00:00")},
        {"id": 3, "name": "c", "score": None, "modified": ts("2025-01-13T03:00:00+00:00")},
        {"id": 5, "name": "e", "score": 5, "modified": ts("2025-01-13T23:00:00+00:00")},
    ]
    first_path, first_headers = state.requests[0]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(first_path).query)
    assert query == {"since": ["2025-01-13T00:00:00Z"], "until": ["2025-01-14T00:00:00Z"]}
    assert [urllib.parse.urlsplit(p).query for p, _ in state.requests[1:]] == ["page=1", "page=2"]
    assert first_headers["Authorization"] == f"Bearer {API_TOKEN}"
    assert API_TOKEN not in result.stdout + result.stderr

    # a server that keeps failing: retried, then the run fails and the partition stays as it was
    state.fail_with, state.requests = 500, []
    failed = run_job(env, {**args, "--http_attempts": "3", "--http_backoff_seconds": "0.01"})

    assert_failed(failed, "failed after 3 attempts", "HTTP 500", f"{base_url}/v1/things")
    assert len(state.requests) == 3
    assert [r["id"] for r in rows(read_partition(env, target))] == [1, 2, 3, 5]
    assert API_TOKEN not in failed.stdout + failed.stderr

    state.fail_with, state.requests = 403, []
    forbidden = run_job(env, {**args, "--http_attempts": "3", "--http_backoff_seconds": "0.01"})

    assert_failed(forbidden, "HTTP 403", "not retried")
    assert len(state.requests) == 1


def test_api_type_conflict_names_the_column(env: Env, api: tuple[FakeApi, str]) -> None:
    state, base_url = api
    state.pages = [
        {"records": [{"id": 1, "amount": 10}], "next": "?page=1"},
        {"records": [{"id": 2, "amount": "ten"}], "next": "?page=2"},
        {"records": [], "next": None},
    ]
    secret = put_secret(env, "onprem/typed-api", {"base_url": base_url + "/api", "token": API_TOKEN})
    args = {"--source_kind": "api", "--source_secret": secret, "--target_location": env.target("typed")}

    result = run_job(env, args)

    assert_failed(result, "column 'amount'", "(page 2)")
    assert objects(env, env.target("typed")) == []  # the failed run's own parts are gone too


# --- files -------------------------------------------------------------------------------------

CSV_DAY = [
    b"id,name,amount,created_at\n1,alpha,1.5,2025-01-13T01:00:00Z\n2,beta,,2025-01-13T02:00:00Z\n",
    b"id,name,amount,created_at\n3,gamma,3.25,2025-01-13T03:00:00Z\n",
]


def drop_files(env: Env, prefix: str, files: dict[str, bytes]) -> str:
    for name, body in files.items():
        env.s3.put_object(Bucket=DROP, Key=f"{prefix}{name}", Body=body)
    return f"s3://{DROP}/{prefix}"


def test_csv_files_land_and_bad_row_keeps_previous_partition(env: Env) -> None:
    location = drop_files(env, "crm/20250113/", {"b.csv": CSV_DAY[1], "a.csv": CSV_DAY[0], "_SUCCESS": b""})
    target = env.target("csv_accounts")
    args = {
        "--source_kind": "files",
        "--source_location": location,
        "--file_format": "csv",
        "--target_location": target,
    }

    result = run_job(env, args)

    assert_ok(result)
    table = read_partition(env, target)
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert rows(table) == [
        {"id": 1, "name": "alpha", "amount": 1.5, "created_at": ts("2025-01-13T01:00:00+00:00")},
        {"id": 2, "name": "beta", "amount": None, "created_at": ts("2025-01-13T02:00:00+00:00")},
        {"id": 3, "name": "gamma", "amount": 3.25, "created_at": ts("2025-01-13T03:00:00+00:00")},
    ]
    landed = objects(env, target)

    bad = drop_files(
        env,
        "crm/bad/",
        {"a.csv": CSV_DAY[0], "b.csv": b"id,name,amount,created_at\n4,x,lots,2025-01-13T04:00:00Z\n"},
    )
    failed = run_job(env, {**args, "--source_location": bad})

    assert_failed(failed, f"s3://{DROP}/crm/bad/b.csv", "column 'amount'", "lots")
    assert objects(env, target) == landed
    assert [r["id"] for r in rows(read_partition(env, target))] == [1, 2, 3]

    empty = run_job(env, {**args, "--source_location": f"s3://{DROP}/crm/nothing/"})

    assert_failed(empty, f"no files under s3://{DROP}/crm/nothing/")
    assert objects(env, target) == landed


def test_jsonl_files_with_window_and_a_late_new_column(env: Env) -> None:
    day = b"".join(
        json.dumps(r).encode() + b"\n"
        for r in [
            {"id": 1, "tag": None, "at": "2025-01-13T05:00:00", "nested": {"k": 1}},
            {"id": 2, "tag": None, "at": "2025-01-12T05:00:00", "nested": {"k": 2}},  # outside
        ]
    )
    later = b'{"id": 3, "tag": "t", "at": "2025-01-13T06:00:00", "nested": {"k": 3}}\n'
    location = drop_files(env, "events/20250113/", {"part-1.jsonl": day, "part-2.jsonl": later})
    target = env.target("events")
    args = {
        "--source_kind": "files",
        "--source_location": location,
        "--file_format": "jsonl",
        "--timestamp_column": "at",
        "--target_location": target,
    }

    result = run_job(env, args)

    assert_ok(result)
    table = read_partition(env, target)
    assert table.schema.field("tag").type == pa.string()  # null in the first batch: string
    assert rows(table) == [
        {"id": 1, "tag": None, "at": ts("2025-01-13T05:00:00+00:00"), "nested": {"k": 1}},
        {"id": 3, "tag": "t", "at": ts("2025-01-13T06:00:00+00:00"), "nested": {"k": 3}},
    ]

    extra = drop_files(
        env,
        "events/extra/",
        {"1.jsonl": day, "2.jsonl": b'{"id": 4, "at": "2025-01-13T07:00:00", "surprise": 1}\n'},
    )
    failed = run_job(env, {**args, "--source_location": extra})

    assert_failed(failed, "column 'surprise'")
    assert [r["id"] for r in rows(read_partition(env, target))] == [1, 3]


# --- through the sandbox's Glue ----------------------------------------------------------------


def wait_for_run(glue: Any, job: str, run_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run: dict[str, Any] = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        if run["JobRunState"] in {"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED"}:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not end")


def test_glue_job_run_executes_the_script(env: Env, tmp_path: Path) -> None:
    """The entry script and the package as Glue gets them: the package through --extra-py-files."""
    env.s3.upload_file(str(SCRIPT), ARTIFACTS, "scripts/feed_ingest.py")
    env.s3.upload_file(str(build_feed_job_zip(tmp_path / "feed_job.zip")), ARTIFACTS, "scripts/feed_job.zip")
    glue = boto3.client(
        "glue",
        endpoint_url=env.sandbox.endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    glue.create_job(
        Name="feed_ingest_csv",
        Role="arn:aws:iam::123456789012:role/glue",
        Command={"Name": "pythonshell", "ScriptLocation": f"s3://{ARTIFACTS}/scripts/feed_ingest.py"},
        DefaultArguments={
            "--source_kind": "files",
            "--file_format": "csv",
            "--extra-py-files": f"s3://{ARTIFACTS}/scripts/feed_job.zip",
        },
        ExecutionProperty={"MaxConcurrentRuns": 2},
    )
    location = drop_files(env, "glue/20250113/", {"a.csv": CSV_DAY[0]})
    target = env.target("glue_csv")

    ok = glue.start_job_run(
        JobName="feed_ingest_csv",
        Arguments={**WINDOW, "--source_location": location, "--target_location": target},
    )["JobRunId"]
    failed = glue.start_job_run(
        JobName="feed_ingest_csv",
        Arguments={**WINDOW, "--source_location": f"s3://{DROP}/glue/none/", "--target_location": target},
    )["JobRunId"]

    assert wait_for_run(glue, "feed_ingest_csv", ok)["JobRunState"] == "SUCCEEDED"
    assert [r["id"] for r in rows(read_partition(env, target))] == [1, 2]
    assert objects(env, target)[0].endswith(f"part-{ok}-00000.parquet")
    run = wait_for_run(glue, "feed_ingest_csv", failed)
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == (
        f"FeedError: no files under s3://{DROP}/glue/none/ (an empty drop folder fails the run)"
    )


# --- the conversion core, in process -----------------------------------------------------------


def test_convert_rolls_files_and_unifies_batches(tmp_path: Path) -> None:
    batches = [
        ("b1", pa.record_batch({"id": [1, 2, 3], "v": [None, None, None]})),
        ("b2", pa.record_batch({"id": [4, 5], "v": ["x", None]})),
        ("b3", pa.record_batch({"id": [6]})),  # missing column: null
    ]

    def factory(n: int) -> convert.PartSink:
        return convert.LocalPart(str(tmp_path / f"p{n}.parquet"))

    stats = convert.convert(schema.prepare(batches), factory, rows_per_file=4, row_group_rows=2)

    assert stats.rows == 6
    assert [(Path(f.name).name, f.rows) for f in stats.files] == [("p0.parquet", 4), ("p1.parquet", 2)]
    table = pa.concat_tables(pq.read_table(f.name) for f in stats.files)
    assert table.to_pylist() == [
        {"id": 1, "v": None},
        {"id": 2, "v": None},
        {"id": 3, "v": None},
        {"id": 4, "v": "x"},
        {"id": 5, "v": None},
        {"id": 6, "v": None},
    ]
    assert pq.ParquetFile(stats.files[0].name).metadata.num_row_groups == 2

    conflict = [("b1", pa.record_batch({"id": [1]})), ("b2", pa.record_batch({"id": [1.5]}))]
    out = tmp_path / "conflict"
    out.mkdir()
    with pytest.raises(errors.FeedError, match=r"b2: column 'id' has double values"):
        convert.convert(schema.prepare(conflict), lambda n: convert.LocalPart(str(out / f"p{n}.parquet")), 10)
    assert list(out.iterdir()) == []  # the open part was aborted and removed


# --- JSON lines in blocks, in process ----------------------------------------------------------


def local(path: Path) -> file_readers.Opener:
    return lambda: pa.input_stream(str(path))  # decompresses `.gz` by the name, as s3_opener does


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


@pytest.mark.parametrize("block_bytes", [1, 7, 16, 40, 1000])
def test_line_blocks_cut_after_line_ends_and_carry_the_rest(block_bytes: int) -> None:
    data = b'{"id": 1}\n{"id": 22, "s": "a line longer than several blocks"}\n{"id": 3}\n\n{"id": 4}'

    blocks = [bytes(b) for b in file_readers._line_blocks(pa.BufferReader(data), block_bytes)]

    assert b"".join(blocks) == data
    assert all(b.endswith(b"\n") for b in blocks[:-1])  # every block but the last ends a line
    assert blocks[-1].endswith(b'{"id": 4}')  # the last line has no newline: still read


def test_jsonl_many_small_blocks_keep_their_order_across_files(tmp_path: Path) -> None:
    records = [
        {"id": i, "name": "n" * (i % 97), "at": f"2025-01-13T{i % 24:02d}:00:00Z", "amount": i / 4}
        for i in range(3000)
    ]
    first = tmp_path / "a.jsonl"
    first.write_bytes(jsonl(records[:2000])[:-1])  # no final newline
    second = tmp_path / "b.jsonl.gz"
    second.write_bytes(gzip.compress(jsonl(records[2000:])))
    files = [("a.jsonl", local(first)), ("b.jsonl.gz", local(second))]

    batches = list(file_readers.file_batches(files, "jsonl", block_bytes=100, workers=3))

    wheres = [where for where, _ in batches]
    assert len(wheres) > 1000  # lines of 60-160 bytes in 100-byte blocks: many blocks, split lines
    assert wheres[:3] == ["a.jsonl (block 1)", "a.jsonl (block 2)", "a.jsonl (block 3)"]
    for name in ("a.jsonl", "b.jsonl.gz"):
        numbers = [int(w.rsplit(" ", 1)[1][:-1]) for w in wheres if w.startswith(name + " ")]
        assert numbers == list(range(1, len(numbers) + 1))
    table = pa.Table.from_batches(list(schema.prepare(batches)))
    assert table["id"].to_pylist() == list(range(3000))  # every row once, in order
    assert table["name"].to_pylist() == [r["name"] for r in records]
    assert table["amount"].to_pylist() == [r["amount"] for r in records]
    assert table.schema.field("at").type == pa.timestamp("us")
    assert table["at"][25].as_py() == datetime(2025, 1, 13, 1)


def test_jsonl_late_fields_and_values_fail_naming_the_column(tmp_path: Path) -> None:
    head = [{"id": i, "amount": i, "nested": {"k": i}} for i in range(60)]
    cases = {
        "new.jsonl": ({"id": 60, "amount": 1, "surprise": True}, r"column 'surprise' is not in the schema"),
        "value.jsonl": ({"id": 60, "amount": "ten"}, r".*Column\(/amount\) changed from number to string"),
        "fraction.jsonl": ({"id": 60, "amount": 2.5}, r"column 'amount' has double values"),
        "nested.jsonl": (
            {"id": 60, "nested": {"k": 1, "z": 2}},
            r"column 'nested' has fields that are not in its type",
        ),
    }
    for name, (late, message) in cases.items():
        data = jsonl([*head, late, *head])
        path = tmp_path / name
        path.write_bytes(data)
        blocks = [bytes(b) for b in file_readers._line_blocks(pa.BufferReader(data), 64)]
        number = 1 + next(i for i, b in enumerate(blocks) if json.dumps(late).encode() in b)
        assert number > 5

        with pytest.raises(errors.FeedError, match=rf"^{name} \(block {number}\): {message}"):
            list(file_readers.file_batches([(name, local(path))], "jsonl", block_bytes=64, workers=2))


def test_jsonl_reader_stops_its_threads_when_closed_early(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(jsonl([{"id": i} for i in range(5000)]))
    batches = file_readers.file_batches([("a.jsonl", local(path))], "jsonl", block_bytes=64, workers=2)

    assert next(batches)[0] == "a.jsonl (block 1)"  # parsed first, alone: it fixes the schema
    assert next(batches)[0] == "a.jsonl (block 2)"
    assert any(t.name.startswith("feed-ingest-json") for t in threading.enumerate())
    batches.close()

    assert not any(t.name.startswith("feed-ingest-json") for t in threading.enumerate())


def csv_text(rows: list[dict[str, object]]) -> bytes:
    names = list(rows[0])
    lines = [",".join(names)] + [",".join("" if r[n] is None else str(r[n]) for n in names) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_csv_many_small_blocks_keep_their_order_types_and_header_per_file(tmp_path: Path) -> None:
    """Blocks after a file's first hold data rows only, read with the first block's names and
    types: no row is lost, none taken for a header, and a column empty at first is a string."""
    records = [
        {"id": i, "name": "n" * (i % 89), "note": None if i < 500 else f"x{i}", "amount": i / 4}
        for i in range(3000)
    ]
    first = tmp_path / "a.csv"
    first.write_bytes(csv_text(records[:2000])[:-1])  # no final newline
    second = tmp_path / "b.csv.gz"
    second.write_bytes(gzip.compress(csv_text(records[2000:])))
    files = [("a.csv", local(first)), ("b.csv.gz", local(second))]

    batches = list(file_readers.file_batches(files, "csv", block_bytes=100, workers=3))

    wheres = [where for where, _ in batches]
    assert len(wheres) > 500
    for name in ("a.csv", "b.csv.gz"):
        numbers = [int(w.rsplit(" ", 1)[1][:-1]) for w in wheres if w.startswith(name + " ")]
        assert numbers == list(range(1, len(numbers) + 1))
    table = pa.Table.from_batches(list(schema.prepare(batches)))
    assert table["id"].to_pylist() == list(range(3000))
    assert table["name"].to_pylist() == [r["name"] for r in records]  # CSV: empty is "" in a string
    assert table.schema.field("note").type == pa.string()
    assert table["note"].to_pylist()[499:501] == ["", "x500"]
    assert table["amount"].to_pylist() == [r["amount"] for r in records]


def test_csv_late_value_that_does_not_fit_fails_naming_the_column_and_block(tmp_path: Path) -> None:
    rows = [{"id": i, "amount": i} for i in range(60)]
    data = csv_text([*rows, {"id": 60, "amount": "ten"}, *rows])
    path = tmp_path / "late.csv"
    path.write_bytes(data)
    blocks = [bytes(b) for b in file_readers._line_blocks(pa.BufferReader(data), 64)]
    number = 1 + next(i for i, b in enumerate(blocks) if b"60,ten" in b)
    assert number > 5

    with pytest.raises(errors.FeedError, match=rf"^late.csv \(block {number}\): column 'amount': "):
        list(file_readers.file_batches([("late.csv", local(path))], "csv", block_bytes=64, workers=2))
