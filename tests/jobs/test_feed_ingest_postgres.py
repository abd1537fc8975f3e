"""jobs/feed_ingest.py against a real PostgreSQL 16 server (pgserver's binaries, no Docker), read
through pg8000 over TCP with a password, as Glue runs the job (see test_feed_ingest.py).

The server listens on 127.0.0.1 only, on a free port, with scram-sha-256 password authentication
and a non-UTC TimeZone (the job must not depend on the server's zone). It is started once for the
module and stopped at the end, also when a test fails. Without it the tests fail, never skip.

TLS: pgserver's PostgreSQL is built without OpenSSL (`ssl=on` stops it: "SSL is not supported by
this build"), so the job reaches it through `PgFront`, a TLS-terminating front in the test process
(as stunnel would be) that speaks PostgreSQL's SSLRequest handshake and passes the bytes on. Its
certificate, for 127.0.0.1 and localhost, is issued by a throwaway CA made at fixture time (not in
the system trust store); the feeds' secrets carry that CA as `ca_pem`, so the job's default
sslmode, verify-full, is what every test exercises unless it says otherwise.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import select
import shlex
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pytest
from feed_job import arguments, errors
from feed_job.sources import database, pg_tls

from sandbox import postgres_server
from sandbox.airflow_local.stack import free_port
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
SSL_REQUEST = struct.pack("!ii", 8, 80877103)
"""What a client sends first to ask for TLS; the server answers S (go ahead) or N (no TLS)."""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """test_feed_ingest's sandbox, but moto's state lives as long as the process, not the sandbox: the
    lake bucket may exist already (that module ran first), and one made here is emptied again. It
    is not deleted: moto keeps tracking a deleted bucket's objects, and its /moto-api/data.json
    (which the alert tests read SNS from) then fails on them for the rest of the process."""
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


class ThrowawayCA:
    """A throwaway CA (cryptography, EC P-256) that issues server certificates for the given names."""

    def __init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        self._x509, self._hashes, self._serialization, self._ec = x509, hashes, serialization, ec
        self._eku, self._name_oid = ExtendedKeyUsageOID, NameOID
        self._key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feed-ingest test CA")])
        public = self._key.public_key()
        self._cert = (
            self._builder(name, name, public)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(self._key_usage(ca=True), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self.pem = self._cert.public_bytes(serialization.Encoding.PEM).decode()

    def _builder(self, subject: Any, issuer: Any, public: Any) -> Any:
        x509 = self._x509
        now = datetime.now(UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )

    def _key_usage(self, ca: bool) -> Any:
        return self._x509.KeyUsage(
            digital_signature=not ca, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
            encipher_only=False, decipher_only=False,
        )  # fmt: skip

    def server_context(self, ips: tuple[str, ...], dns: tuple[str, ...] = ()) -> ssl.SSLContext:
        """A TLS server context with a fresh certificate for these names, issued by this CA."""
        x509, serialization = self._x509, self._serialization
        key = self._ec.generate_private_key(self._ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(self._name_oid.COMMON_NAME, (dns or ips)[0])])
        names = [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips] + [x509.DNSName(d) for d in dns]
        ca_key_id = self._cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        cert = (
            self._builder(subject, self._cert.subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(self._key_usage(ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([self._eku.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_key_id), critical=False
            )
            .sign(self._key, self._hashes.SHA256())
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as directory:  # load_cert_chain reads files only
            chain, key_file = Path(directory, "server.crt"), Path(directory, "server.key")
            chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            key_file.touch(mode=0o600)
            key_file.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            context.load_cert_chain(chain, key_file)
        return context


class PgFront:
    """A PostgreSQL server's TLS front on 127.0.0.1:<free port>. A client's SSLRequest is answered S and
    a TLS handshake with `tls`'s certificate, or N when `tls` is None (a server without TLS; the client
    may go on in clear); a client that starts without asking (sslmode=disable) is passed on as it is.
    The bytes then go to and from the server at `backend_port`. `sessions` has one entry a connection:
    the TLS version negotiated, "plain", "handshake failed" (the client rejected the certificate), or
    "hung up" (the client left after an N, before its startup message and so before any password)."""

    def __init__(self, backend_port: int, tls: ssl.SSLContext | None) -> None:
        self.backend_port, self.tls = backend_port, tls
        self.sessions: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def __enter__(self) -> PgFront:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(10)
        self._listener.close()

    def wait(self, mark: int, count: int = 1) -> list[str]:
        """The sessions after the first `mark`, once there are `count` (a failed handshake ends on the
        front a moment after the client has given up)."""
        for _ in range(200):
            if len(self.sessions) >= mark + count:
                break
            self._stop.wait(0.01)
        return self.sessions[mark:]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        with contextlib.ExitStack() as closing, contextlib.suppress(OSError):  # a peer hung up: so do we
            closing.callback(client.close)
            client.settimeout(30)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # relayed bits must not wait
            first = _receive(client, 8)
            if first == SSL_REQUEST:
                first = b""
                if self.tls is None:
                    client.sendall(b"N")
                    first = _receive(client, 8)  # the startup message's start, if the client goes on
                    if not first:
                        self.sessions.append("hung up")
                        return
                else:
                    client.sendall(b"S")
                    try:
                        client = self.tls.wrap_socket(client, server_side=True)
                    except OSError:
                        self.sessions.append("handshake failed")
                        return
                    closing.callback(client.close)
            tls_version = client.version() if isinstance(client, ssl.SSLSocket) else None
            self.sessions.append(tls_version or "plain")
            backend = closing.enter_context(socket.create_connection(("127.0.0.1", self.backend_port), 30))
            backend.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            backend.sendall(first)
            self._pump(client, backend)

    def _pump(self, client: socket.socket, backend: socket.socket) -> None:
        """Bytes both ways, on this one thread (an SSL socket is not for two threads at once)."""
        peer = {client: backend, backend: client}
        while not self._stop.is_set():
            ready = [client] if isinstance(client, ssl.SSLSocket) and client.pending() else []
            if not ready:
                ready = select.select(list(peer), [], [], 0.05)[0]
            for source in ready:
                data = source.recv(1 << 16)
                if not data:
                    return
                peer[source].sendall(data)


def _receive(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size and (chunk := sock.recv(size - len(data))):
        data += chunk
    return data


@pytest.fixture(scope="module")
def test_ca() -> ThrowawayCA:
    try:
        return ThrowawayCA()
    except ImportError as error:
        pytest.fail(f"the cryptography package (test certificates) is not installed: {error}")


@dataclass
class Postgres:
    """A running server behind its TLS front: `url()` is what a feed's secret holds (the front's
    address); `sql()` runs statements as the superuser, on the server directly."""

    port: int
    """The front's: TLS (or plain, for sslmode=disable)."""
    backend_port: int
    """The server's own: plain only."""
    front: PgFront
    database: str
    user: str
    password: str
    admin_password: str
    ca_pem: str
    """The CA of the server's certificate (not in the system trust store)."""
    host: str = "127.0.0.1"

    def url(
        self,
        password: str | None = None,
        *,
        query: str = "",
        host: str | None = None,
        port: int | None = None,
    ) -> str:
        secret = urllib.parse.quote(self.password if password is None else password, safe="")
        where = f"{host or self.host}:{port or self.port}"
        return f"postgresql://{self.user}:{secret}@{where}/{self.database}" + (f"?{query}" if query else "")

    def sql(self, *statements: str, database: str | None = None) -> None:
        import pg8000.dbapi

        connection = pg8000.dbapi.connect(
            user="postgres",
            password=self.admin_password,
            host=self.host,
            port=self.backend_port,
            database=database or self.database,
        )
        try:
            connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
            cursor = connection.cursor()
            for statement in statements:
                cursor.execute(statement)
        finally:
            connection.close()


@pytest.fixture(scope="module")
def postgres(test_ca: ThrowawayCA) -> Iterator[Postgres]:
    """initdb + pg_ctl start on 127.0.0.1:<free port>, a login role with a password, and the TLS front
    (plain connections passed on too); stopped afterwards."""
    try:
        bin_path = postgres_server.binaries()
    except postgres_server.PostgresError as error:
        pytest.fail(str(error))
    base = Path(tempfile.mkdtemp(prefix="feed-ingest-pg-"))
    try:
        data, log, password_file = base / "data", base / "server.log", base / "admin-password"
        admin_password = "admin-" + secrets.token_hex(8)
        password_file.write_text(admin_password + "\n")
        port = free_port()
        options = postgres_server.server_options(port, f"TimeZone={SERVER_TIME_ZONE}", "fsync=off")
        start = [str(bin_path / "pg_ctl"), "-D", str(data), "-w", "-t", "30", "-o", shlex.join(options)]
        start += ["-l", str(log), "start"]
        try:
            owner = postgres_server.owner(base, password_file)
            postgres_server.initdb(data, password_file, owner)
        except postgres_server.PostgresError as error:
            pytest.fail(f"cannot start the PostgreSQL server for these tests: {error}")
        try:
            _start(start, owner, log)
            tls = test_ca.server_context(ips=("127.0.0.1",), dns=("localhost",))
            with PgFront(port, tls) as front:
                server = Postgres(
                    port=front.port,
                    backend_port=port,
                    front=front,
                    database="warehouse",
                    user="loader",
                    password="pw:/@%" + secrets.token_hex(8),  # characters a URL must quote
                    admin_password=admin_password,
                    ca_pem=test_ca.pem,
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


def _start(command: list[str], owner: dict[str, Any], log: Path) -> None:
    try:
        postgres_server.run(command, owner, "pg_ctl start")
    except postgres_server.PostgresError as error:
        server_log = log.read_text()[-3000:] if log.exists() else ""
        pytest.fail(f"cannot start the PostgreSQL server for these tests: {error}\n{server_log}")


def _stop(bin_path: Path, data: Path, owner: dict[str, Any]) -> None:
    stop = [str(bin_path / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"]
    done = subprocess.run(stop, capture_output=True, text=True, timeout=60, check=False, **owner)
    pid_file = data / "postmaster.pid"
    if done.returncode != 0 and pid_file.exists():  # not stopped: do not leave a server behind
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)


def run_pg(
    env: Env,
    postgres: Postgres,
    name: str,
    args: dict[str, str],
    password: str | None = None,
    *,
    secret: dict[str, str] | None = None,
) -> Result:
    """The job on a secret holding `secret`, by default {"url": the server's, "ca_pem": the test CA}."""
    value = secret or {"url": postgres.url(password), "ca_pem": postgres.ca_pem}
    secret_id = put_secret(env, f"onprem/pg-{name}-{secrets.token_hex(4)}", value)
    result = run_job(env, {"--source_kind": "database", "--source_secret": secret_id, **args})
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
    window = arguments.Window.parse(WINDOW["--window_start"], WINDOW["--window_end"])
    later = arguments.Window.parse("2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z")

    ca = postgres.ca_pem
    batches = list(database.database_batches(postgres.url(), "sales.events", "at", window, 2, ca))
    none = list(database.database_batches(postgres.url(), "sales.events", "at", later, 2, ca))

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


# --- uuid, json and jsonb: strings -------------------------------------------------------------------


def test_postgres_uuid_json_and_jsonb_land_as_strings(env: Env, postgres: Postgres) -> None:
    postgres.sql(
        "CREATE TABLE sales.documents (id integer, ref uuid, doc json, docb jsonb)",
        """INSERT INTO sales.documents VALUES
          (1, NULL, NULL, NULL),
          (2, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"b": 1,  "a": [1, 2.5, "x"], "é": "ü"}',
              '{"b": 1,  "a": [1, 2.5, "x"], "é": "ü"}'),
          (3, '{00000000-0000-0000-0000-000000000000}', 'null', '"text"'),
          (4, 'ffffffff-ffff-ffff-ffff-ffffffffffff', '[]',
              '{"nested": {"k": [true, false, null, 12345678901234567890]}}')""",
    )
    target = env.target("pg_documents")
    mark = len(postgres.front.sessions)

    result = run_pg(
        env,
        postgres,
        "documents",
        {"--source_table": "sales.documents", "--target_location": target, "--batch_rows": "1"},
    )

    assert_ok(result)
    assert postgres.front.sessions[mark:] == ["TLSv1.3"]  # the job's one session: TLS, verified
    table = read_partition(env, target)
    assert {f.name: f.type for f in table.schema} == {
        "id": pa.int32(),
        "ref": pa.string(),  # all null in the first batch (of one row): typed from the column
        "doc": pa.string(),
        "docb": pa.string(),
    }
    assert rows(table) == [
        {"id": 1, "ref": None, "doc": None, "docb": None},  # SQL NULL stays null
        {"id": 2, "ref": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "doc": '{"b":1,"a":[1,2.5,"x"],"é":"ü"}',
         "docb": '{"a":[1,2.5,"x"],"b":1,"é":"ü"}'},  # json keeps the key order, jsonb has its own
        {"id": 3, "ref": "00000000-0000-0000-0000-000000000000", "doc": "null", "docb": '"text"'},
        {"id": 4, "ref": "ffffffff-ffff-ffff-ffff-ffffffffffff", "doc": "[]",
         "docb": '{"nested":{"k":[true,false,null,12345678901234567890]}}'},
    ]  # fmt: skip


# --- TLS: the url's sslmode, the secret's ca_pem -------------------------------------------------------


@pytest.fixture(scope="module")
def probe(postgres: Postgres) -> str:
    """A one-row table to connect for."""
    postgres.sql("CREATE TABLE sales.tls_probe (id integer)", "INSERT INTO sales.tls_probe VALUES (1)")
    return "sales.tls_probe"


def read_probe(url: str, ca_pem: str | None, front: PgFront) -> list[str]:
    """The probe table read in-process through `front`; the sessions the front saw meanwhile."""
    mark = len(front.sessions)
    window = arguments.Window.parse(WINDOW["--window_start"], WINDOW["--window_end"])
    batches = list(database.database_batches(url, "sales.tls_probe", None, window, 10, ca_pem))
    assert [batch.column("id").to_pylist() for _, batch in batches] == [[1]]
    return front.wait(mark)


def connect_error(
    url: str, ca_pem: str | None, postgres: Postgres, rejected_by: PgFront | None = None
) -> str:
    """The FeedError of reading the probe table in-process (the password checked not to be in it). With
    `rejected_by`, the client must have rejected that front's certificate in the TLS handshake."""
    window = arguments.Window.parse(WINDOW["--window_start"], WINDOW["--window_end"])
    mark = len(rejected_by.sessions) if rejected_by else 0
    with pytest.raises(errors.FeedError) as raised:
        list(database.database_batches(url, "sales.tls_probe", None, window, 10, ca_pem))
    if rejected_by:
        assert rejected_by.wait(mark) == ["handshake failed"]
    message = str(raised.value)
    assert postgres.password not in message
    assert urllib.parse.quote(postgres.password, safe="") not in message
    return message


@pytest.mark.parametrize(
    ("query", "with_ca", "host", "session"),
    [
        ("", True, None, "TLSv1.3"),  # the default, verify-full, against ca_pem
        ("sslmode=verify-full", True, "localhost", "TLSv1.3"),  # the certificate's DNS name
        ("sslmode=verify-ca", True, None, "TLSv1.3"),
        ("sslmode=require", False, None, "TLSv1.3"),  # not verified: no CA needed
        ("sslmode=require", True, None, "TLSv1.3"),  # verified against ca_pem, as libpq's
        ("sslmode=prefer", False, None, "TLSv1.3"),  # offered, so taken (unverified)
        ("connect_timeout=5&sslmode=disable", True, None, "plain"),  # other parameters are ignored
    ],
)
def test_postgres_sslmode_decides_tls(
    postgres: Postgres, probe: str, query: str, with_ca: bool, host: str | None, session: str
) -> None:
    url = postgres.url(query=query, host=host)

    sessions = read_probe(url, postgres.ca_pem if with_ca else None, postgres.front)

    assert sessions == [session]


def test_postgres_certificate_that_cannot_be_verified_fails_naming_ca_pem(
    env: Env, postgres: Postgres, probe: str, test_ca: ThrowawayCA
) -> None:
    args = {"--source_table": probe, "--target_location": env.target("pg_unverified")}
    mark = len(postgres.front.sessions)

    no_ca = run_pg(env, postgres, "no-ca", args, secret={"url": postgres.url()})

    assert_failed(  # the test CA is not in the system trust store
        no_ca,
        f"cannot connect to the postgresql database of the secret at 127.0.0.1:{postgres.port}: "
        "the server's TLS certificate could not be verified (sslmode=verify-full): "
        "unable to get local issuer certificate; its CA is not in the system trust store: "
        "put the CA certificate (PEM text) into the secret as ca_pem",
    )
    assert postgres.front.wait(mark) == ["handshake failed"]  # nothing was sent in clear either

    other_ca = ThrowawayCA().pem
    assert connect_error(postgres.url(), other_ca, postgres, postgres.front).endswith(
        "could not be verified (sslmode=verify-full): unable to get local issuer certificate; "
        "the secret's ca_pem does not hold the CA that signed it: put that CA's PEM certificate there"
    )
    assert connect_error(
        postgres.url(query="sslmode=verify-ca"), other_ca, postgres, postgres.front
    ).endswith("the secret's ca_pem does not hold the CA that signed it: put that CA's PEM certificate there")

    # a certificate of the right CA for another name: verify-full refuses it, verify-ca takes it
    with PgFront(postgres.backend_port, test_ca.server_context(ips=(), dns=("db.example.invalid",))) as other:
        assert connect_error(postgres.url(port=other.port), postgres.ca_pem, postgres, other).endswith(
            "the server's TLS certificate could not be verified (sslmode=verify-full): IP address mismatch, "
            "certificate is not valid for '127.0.0.1'; connect with an address or host name the certificate "
            "holds, or use sslmode=verify-ca to verify the CA only"
        )
        verify_ca = postgres.url(port=other.port, query="sslmode=verify-ca")
        assert read_probe(verify_ca, postgres.ca_pem, other) == ["TLSv1.3"]


def test_postgres_server_without_tls_fails_unless_the_url_allows_clear_text(
    env: Env, postgres: Postgres, probe: str
) -> None:
    args = {"--source_table": probe, "--target_location": env.target("pg_no_tls")}
    with PgFront(postgres.backend_port, tls=None) as clear:  # answers the SSLRequest with N
        url = postgres.url(port=clear.port)

        refused = run_pg(env, postgres, "no-tls", args, secret={"url": url, "ca_pem": postgres.ca_pem})

        assert_failed(
            refused,
            f"cannot connect to the postgresql database of the secret at 127.0.0.1:{clear.port}: "
            "TLS is required (sslmode=verify-full) but the server does not offer it: set sslmode=disable "
            "in the secret's url to connect without TLS, or ask the database's administrators for TLS",
        )
        assert "TLS is required (sslmode=require) but the server does not offer it" in connect_error(
            postgres.url(port=clear.port, query="sslmode=require"), None, postgres
        )
        assert clear.wait(0, count=2) == ["hung up"] * 2  # both left before a startup message: no password
        assert read_probe(postgres.url(port=clear.port, query="sslmode=prefer"), None, clear) == ["plain"]
        assert read_probe(postgres.url(port=clear.port, query="sslmode=disable"), None, clear) == ["plain"]


def test_postgres_unknown_sslmode_or_unusable_ca_pem_fails_before_connecting(
    env: Env, postgres: Postgres, probe: str
) -> None:
    args = {"--source_table": probe, "--target_location": env.target("pg_bad_tls")}
    mark = len(postgres.front.sessions)

    allow = run_pg(env, postgres, "allow", args, secret={"url": postgres.url(query="sslmode=allow")})
    not_pem = connect_error(postgres.url(), "MIIB...", postgres)

    assert_failed(
        allow,
        "the secret's postgresql url has sslmode='allow': allowed are disable, prefer, require, "
        "verify-ca, verify-full (verify-full when absent; libpq's `allow` is not supported)",
    )
    assert not_pem.startswith(
        "the secret's ca_pem holds no usable PEM certificate (-----BEGIN CERTIFICATE----- ...): "
    )
    assert postgres.front.sessions[mark:] == []


def test_postgres_tls_errors_are_found_when_the_driver_wraps_them() -> None:
    import pg8000.dbapi

    expired = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    expired.verify_code, expired.verify_message = 10, "certificate has expired"
    wrapped = pg8000.dbapi.InterfaceError("communication error")
    wrapped.__cause__ = expired

    assert pg_tls.pg_connect_error(wrapped, "verify-ca", ca_pem=False) == (
        "the server's TLS certificate could not be verified (sslmode=verify-ca): certificate has expired; "
        "the server's certificate must be fixed; it is verified against the system trust store (or the "
        "secret's ca_pem)"
    )
    refused = pg8000.dbapi.OperationalError("connecting failed")
    refused.__context__ = pg8000.dbapi.InterfaceError("Server refuses SSL")
    assert pg_tls.pg_connect_error(refused, "require", ca_pem=False).startswith(
        "TLS is required (sslmode=require) but the server does not offer it"
    )
