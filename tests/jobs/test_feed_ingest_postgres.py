"""jobs/feed_ingest.py against a real PostgreSQL 16 server (pgserver's binaries, no Docker), read
through pg8000 over TCP with a password, as Glue runs the job (see test_feed_ingest.py).

The server listens on 127.0.0.1 only, on a free port, with scram-sha-256 password authentication
and a non-UTC TimeZone (the job must not depend on the server's zone). It is started once for the
module and stopped at the end, also when a test fails. Without it the tests fail, never skip.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import urllib.parse
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pytest

from jobs import feed_ingest
from sandbox.server import Sandbox
from tests.jobs.test_feed_ingest import (
    LAKE,
    REGION,
    WINDOW,
    Env,
    Result,
    assert_failed,
    assert_ok,
    objects,
    put_secret,
    read_partition,
    rows,
    run_job,
    ts,
)

SERVER_TIME_ZONE = "America/New_York"
SYSTEM_USER = "pgserver"
"""The system user the server runs as when the tests run as root (postgres refuses root)."""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """test_feed_ingest's sandbox, but moto's state lives as long as the process, not the sandbox: the
    lake bucket may exist already (that module ran first), and one made here is removed again."""
    with Sandbox(state_dir=tmp_path_factory.mktemp("sandbox")) as sandbox:
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        s3 = session.client("s3", endpoint_url=sandbox.endpoint_url)
        made = False
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=LAKE, CreateBucketConfiguration={"LocationConstraint": REGION})
            made = True
        try:
            yield Env(sandbox, s3, session.client("secretsmanager", endpoint_url=sandbox.endpoint_url))
        finally:
            if made:
                for item in s3.list_objects_v2(Bucket=LAKE).get("Contents", []):
                    s3.delete_object(Bucket=LAKE, Key=item["Key"])
                s3.delete_bucket(Bucket=LAKE)


@dataclass
class Postgres:
    """A running server: `url()` is what a feed's secret holds; `sql()` runs statements as the superuser."""

    port: int
    database: str
    user: str
    password: str
    admin_password: str
    host: str = "127.0.0.1"

    def url(self, password: str | None = None) -> str:
        secret = urllib.parse.quote(self.password if password is None else password, safe="")
        return f"postgresql://{self.user}:{secret}@{self.host}:{self.port}/{self.database}"

    def sql(self, *statements: str, database: str | None = None) -> None:
        import pg8000.dbapi

        connection = pg8000.dbapi.connect(
            user="postgres",
            password=self.admin_password,
            host=self.host,
            port=self.port,
            database=database or self.database,
        )
        try:
            connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
            cursor = connection.cursor()
            for statement in statements:
                cursor.execute(statement)
        finally:
            connection.close()


def _server_binaries() -> tuple[Path, Any]:
    """pgserver's bundled PostgreSQL bin/ directory and its utils module, or a failed test."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            from pgserver import utils
            from pgserver.postgres_server import POSTGRES_BIN_PATH
    except ImportError as error:
        pytest.fail(
            f"pgserver (PostgreSQL binaries for these tests) is not installed: {error}; "
            "`make venv` installs requirements-dev.lock"
        )
    if not (POSTGRES_BIN_PATH / "postgres").is_file():
        pytest.fail(f"pgserver has no PostgreSQL binaries in {POSTGRES_BIN_PATH}")
    return POSTGRES_BIN_PATH, utils


def _run(command: list[str], owner: dict[str, Any], what: str, log: Path | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, **owner)
    if done.returncode != 0:
        server_log = log.read_text()[-3000:] if log is not None and log.exists() else ""
        pytest.fail(
            f"cannot start the PostgreSQL server for these tests: {what} exited {done.returncode}\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}{server_log}"
        )


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """initdb + pg_ctl start on 127.0.0.1:<free port>, a login role with a password; stopped afterwards."""
    bin_path, utils = _server_binaries()
    base = Path(tempfile.mkdtemp(prefix="feed-ingest-pg-"))
    try:
        data, log, password_file = base / "data", base / "server.log", base / "admin-password"
        admin_password = "admin-" + secrets.token_hex(8)
        password_file.write_text(admin_password + "\n")
        owner: dict[str, Any] = {}
        if os.geteuid() == 0:  # postgres refuses to run as root: as pgserver does, run it as a plain user
            try:
                entry = utils.ensure_user_exists(SYSTEM_USER)  # useradd when missing
            except (subprocess.CalledProcessError, OSError) as error:
                pytest.fail(
                    f"running as root, and cannot create the system user {SYSTEM_USER!r} to run postgres as: {error}"
                )
            utils.ensure_prefix_permissions(bin_path)  # the user must reach the binaries and the data
            utils.ensure_prefix_permissions(base)
            for path in (base, password_file):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            owner = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        port = utils.find_suitable_port("127.0.0.1")
        initdb = [str(bin_path / "initdb"), "-D", str(data), "-U", "postgres", "--pwfile", str(password_file)]
        initdb += ["--auth=scram-sha-256", "--encoding=UTF8", "--no-sync"]
        options = f"-h 127.0.0.1 -p {port} -k '' -c TimeZone={SERVER_TIME_ZONE} -c fsync=off"  # no socket
        start = [str(bin_path / "pg_ctl"), "-D", str(data), "-w", "-t", "30", "-o", options, "-l", str(log)]
        start += ["start"]
        _run(initdb, owner, "initdb")
        try:
            _run(start, owner, "pg_ctl start", log)
            server = Postgres(
                port=port,
                database="warehouse",
                user="loader",
                password="pw:/@%" + secrets.token_hex(8),  # characters a URL must quote
                admin_password=admin_password,
            )
            server.sql(
                "CREATE DATABASE warehouse",
                f"CREATE ROLE loader LOGIN PASSWORD '{server.password}'",
                "GRANT pg_read_all_data TO loader",
                database="postgres",
            )
            server.sql("CREATE SCHEMA sales")
            yield server
        finally:  # also when pg_ctl gave up waiting after the postmaster started
            _stop(bin_path, data, owner)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _stop(bin_path: Path, data: Path, owner: dict[str, Any]) -> None:
    stop = [str(bin_path / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"]
    done = subprocess.run(stop, capture_output=True, text=True, timeout=60, check=False, **owner)
    pid_file = data / "postmaster.pid"
    if done.returncode != 0 and pid_file.exists():  # not stopped: do not leave a server behind
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)


def run_pg(
    env: Env, postgres: Postgres, name: str, args: dict[str, str], password: str | None = None
) -> Result:
    secret = put_secret(env, f"onprem/pg-{name}-{secrets.token_hex(4)}", {"url": postgres.url(password)})
    result = run_job(env, {"--source_kind": "database", "--source_secret": secret, **args})
    output = result.stdout + result.stderr
    assert postgres.password not in output
    assert urllib.parse.quote(postgres.password, safe="") not in output  # as the URL holds it
    assert postgres.admin_password not in output
    return result


# --- types, window, batches, files, rerun ----------------------------------------------------------

ORDERS = """
CREATE TABLE sales.orders (
    id integer PRIMARY KEY,
    qty bigint,
    amount numeric(12, 2),
    ratio double precision,
    note text,
    paid boolean,
    due date,
    local_at timestamp,
    updated_at timestamptz
)"""

# in table order; batch_rows 2 makes the in-window rows [2, 3] [4, 5] [7] (then an empty FETCH)
ORDER_ROWS = """
INSERT INTO sales.orders VALUES
  (1, 1, 1.00, 1.0, 'before', true, '2025-01-12', '2025-01-12 23:59:59.999999',
      '2025-01-12 23:59:59.999999+00'),
  (2, NULL, 1.50, 0.1, 'start', NULL, '2025-01-13', '2025-01-13 00:00:00',
      '2025-01-13 00:00:00+00'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      '2025-01-13 12:00:00.123456+00'),
  (4, 9007199254740993, 1234567890.12, -2.5e-300, 'Zürich "quoted" ✓', false, '2025-01-14',
      '2025-01-13 10:00:00.123456', '2025-01-13 18:30:00-05'),
  (5, -9223372036854775808, -0.01, 1e300, '', true, '0001-01-01', '2025-01-13 23:59:59.999999',
      '2025-01-13 23:59:59.999999+00'),
  (6, 6, 6.00, 6.0, 'end', true, '2025-01-14', '2025-01-14 00:00:00', '2025-01-14 00:00:00+00'),
  (7, 7, 7.00, 7.0, 'offset', true, '2025-01-13', '2025-01-13 08:00:00', '2025-01-14 00:30:00+01'),
  (8, 8, 8.00, 8.0, 'no time', true, '2025-01-13', NULL, NULL)
"""


def test_postgres_types_window_batches_files_and_rerun_replaces(env: Env, postgres: Postgres) -> None:
    postgres.sql(ORDERS, ORDER_ROWS)
    target = env.target("pg_orders")
    args = {
        "--source_table": "sales.orders",
        "--timestamp_column": "updated_at",
        "--target_location": target,
        "--batch_rows": "2",
        "--rows_per_file": "2",
    }

    first = run_pg(env, postgres, "orders", args)

    assert_ok(first)
    table = read_partition(env, target)
    assert {f.name: f.type for f in table.schema} == {
        "id": pa.int32(),
        "qty": pa.int64(),  # all null in the first batch: typed from the column, not the values
        "amount": pa.decimal128(12, 2),  # numeric(12, 2), whatever the first batch's values
        "ratio": pa.float64(),
        "note": pa.string(),
        "paid": pa.bool_(),  # all null in the first batch
        "due": pa.date32(),
        "local_at": pa.timestamp("us"),
        "updated_at": pa.timestamp("us", tz="UTC"),
    }
    assert rows(table) == [
        {"id": 2, "qty": None, "amount": Decimal("1.50"), "ratio": 0.1, "note": "start", "paid": None,
         "due": date(2025, 1, 13), "local_at": datetime(2025, 1, 13),
         "updated_at": ts("2025-01-13T00:00:00+00:00")},
        {"id": 3, "qty": None, "amount": None, "ratio": None, "note": None, "paid": None, "due": None,
         "local_at": None, "updated_at": ts("2025-01-13T12:00:00.123456+00:00")},
        {"id": 4, "qty": 9007199254740993, "amount": Decimal("1234567890.12"), "ratio": -2.5e-300,
         "note": 'Zürich "quoted" ✓', "paid": False, "due": date(2025, 1, 14),
         "local_at": datetime(2025, 1, 13, 10, 0, 0, 123456), "updated_at": ts("2025-01-13T23:30:00+00:00")},
        {"id": 5, "qty": -9223372036854775808, "amount": Decimal("-0.01"), "ratio": 1e300, "note": "",
         "paid": True, "due": date(1, 1, 1), "local_at": datetime(2025, 1, 13, 23, 59, 59, 999999),
         "updated_at": ts("2025-01-13T23:59:59.999999+00:00")},
        {"id": 7, "qty": 7, "amount": Decimal("7.00"), "ratio": 7.0, "note": "offset", "paid": True,
         "due": date(2025, 1, 13), "local_at": datetime(2025, 1, 13, 8),
         "updated_at": ts("2025-01-13T23:30:00+00:00")},
    ]  # fmt: skip
    prefix = "onprem/pg_orders/ingest_date=20250113/"
    assert objects(env, target) == [f"{prefix}part-{first.run_id}-0000{n}.parquet" for n in range(3)]
    summary = first.summary()
    assert summary["rows"] == 5
    assert summary["replaced_objects"] == 0

    postgres.sql(
        "UPDATE sales.orders SET note = 'renamed' WHERE id = 2", "DELETE FROM sales.orders WHERE id = 7"
    )
    rerun = run_pg(env, postgres, "orders-rerun", args)

    assert_ok(rerun)
    again = rows(read_partition(env, target))
    assert [r["id"] for r in again] == [2, 3, 4, 5]  # no duplicates, the deleted row is gone
    assert again[0]["note"] == "renamed"
    assert all(key.startswith(f"{prefix}part-{rerun.run_id}-") for key in objects(env, target))
    assert rerun.summary()["replaced_objects"] == 3

    missing = run_pg(env, postgres, "orders-missing", {**args, "--source_table": "sales.order_lines"})

    assert_failed(
        missing, "postgresql table sales.order_lines", 'relation "sales.order_lines" does not exist'
    )
    assert rows(read_partition(env, target)) == again  # the previous partition, untouched

    empty = run_pg(
        env,
        postgres,
        "orders-empty",
        {**args, "--window_start": "2030-01-01T00:00:00Z", "--window_end": "2030-01-02T00:00:00Z"},
    )

    assert_ok(empty)
    assert empty.summary()["rows"] == 0
    assert objects(env, target) == []  # a zero-row interval empties the partition


# --- batches: batch_rows rows a FETCH, typed from the columns -----------------------------------------


def test_postgres_fetches_batch_rows_at_a_time_typed_from_the_columns(postgres: Postgres) -> None:
    postgres.sql(
        "CREATE TABLE sales.events (id smallint, total numeric, label varchar(8), score real, at timestamptz)",
        """INSERT INTO sales.events SELECT n, CASE WHEN n > 2 THEN n * 1.25 END, NULL, n / 2.0,
             timestamptz '2025-01-13 00:00:00+00' + n * interval '1 hour' FROM generate_series(1, 5) n""",
    )
    window = feed_ingest.Window.parse(WINDOW["--window_start"], WINDOW["--window_end"])
    later = feed_ingest.Window.parse("2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z")

    batches = list(feed_ingest.database_batches(postgres.url(), "sales.events", "at", window, 2))
    none = list(feed_ingest.database_batches(postgres.url(), "sales.events", "at", later, 2))

    assert [(where, batch.num_rows) for where, batch in batches] == [
        ("postgresql table sales.events, batch 1", 2),
        ("postgresql table sales.events, batch 2", 2),
        ("postgresql table sales.events, batch 3", 1),
    ]  # the empty FETCH after the last row ends it
    schema = pa.schema(
        [
            ("id", pa.int16()),
            ("total", pa.decimal128(38, 18)),  # numeric without a precision; all null in batch 1
            ("label", pa.string()),  # all null in every batch
            ("score", pa.float32()),
            ("at", pa.timestamp("us", tz="UTC")),
        ]
    )
    assert all(batch.schema == schema for _, batch in batches)
    assert pa.Table.from_batches([b for _, b in batches]).column("total").to_pylist() == [
        None, None, Decimal("3.75"), Decimal("5.00"), Decimal("6.25")
    ]  # fmt: skip
    assert [(where, batch.num_rows, batch.schema) for where, batch in none] == [
        ("postgresql table sales.events, batch 1", 0, schema)
    ]  # a zero-row window: one empty batch, still typed


# --- a timestamp without time zone: naive = UTC, whatever the server's TimeZone ----------------------


def test_postgres_window_on_a_timestamp_without_time_zone_takes_it_as_utc(
    env: Env, postgres: Postgres
) -> None:
    postgres.sql(
        "CREATE TABLE sales.visits (id bigint, seen_at timestamp without time zone)",
        """INSERT INTO sales.visits VALUES
          (1, '2025-01-12 20:00:00'),         -- 2025-01-13 01:00 in New York's zone: outside as UTC
          (2, '2025-01-12 23:59:59.999999'),
          (3, '2025-01-13 00:00:00'),         -- inclusive start
          (4, '2025-01-13 23:59:59.999999'),  -- 2025-01-14 04:59 in New York's zone: inside as UTC
          (5, '2025-01-14 00:00:00'),         -- exclusive end
          (6, NULL)""",
    )
    target = env.target("pg_visits")

    result = run_pg(
        env,
        postgres,
        "visits",
        {"--source_table": "sales.visits", "--timestamp_column": "seen_at", "--target_location": target},
    )

    assert_ok(result)
    table = read_partition(env, target)
    assert table.schema.field("seen_at").type == pa.timestamp("us", tz="UTC")  # the event time column
    assert table.schema.field("id").type == pa.int64()
    assert rows(table) == [
        {"id": 3, "seen_at": ts("2025-01-13T00:00:00+00:00")},
        {"id": 4, "seen_at": ts("2025-01-13T23:59:59.999999+00:00")},
    ]


# --- failures ----------------------------------------------------------------------------------------


def test_postgres_wrong_password_fails_without_printing_it(env: Env, postgres: Postgres) -> None:
    wrong = "wrong-" + secrets.token_hex(8)

    result = run_pg(
        env,
        postgres,
        "wrong-password",
        {"--source_table": "sales.orders", "--target_location": env.target("pg_wrong")},
        password=wrong,
    )

    assert_failed(
        result,
        "cannot connect to the postgresql database of the secret",
        'password authentication failed for user "loader"',
    )
    assert wrong not in result.stdout + result.stderr
    assert postgres.url(wrong) not in result.stdout + result.stderr
    assert objects(env, env.target("pg_wrong")) == []
