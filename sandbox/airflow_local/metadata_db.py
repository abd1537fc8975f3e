"""The stack's metadata DB: PostgreSQL 16, as on MWAA and in docker-compose, not SQLite.

Airflow's four components and its task processes share one metadata DB. On SQLite their writes
contend for one file lock: a deferred transaction that must upgrade its read lock gets "database
is locked" at once, whatever the busy timeout, and Airflow then answers a backfill request with 503
("not supported on SQLite under concurrent access. Please use PostgreSQL or MySQL"). So the stack
runs PostgreSQL from pgserver's binaries (sandbox.postgres_server), as a supervised child: it
starts before `airflow db migrate` and stops after every Airflow component.

The cluster lives in AIRFLOW_HOME/postgres and outlives the stack, as the SQLite file did: the
runs, variables and connections of one `make airflow` are there at the next. The port is picked
free at each start (the components get the URL through their environment), so a PostgreSQL of
the user's own on 5432 is never in the way.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path

import psycopg2
from psycopg2 import sql

from sandbox import postgres_server
from sandbox.airflow_local.processes import Supervisor

DIRECTORY = "postgres"  # under AIRFLOW_HOME: data/ and the password file
PASSWORD_FILE = "password"  # noqa: S105 (a file name)
DATABASE = "airflow"
ROLE = "airflow"
STOP_STAGE = 5
"""After the api-server (1), whose shutdown still writes; before the sandbox (9)."""
SETTINGS = (
    # a crash loses the last few commits of a local stack but never corrupts it; much faster on CI
    "synchronous_commit=off",
    # four components with a sync and an async pool each (5 + 10 overflow), and psql for the user
    "max_connections=200",
)


def _password(directory: Path) -> tuple[Path, str]:
    """One password per cluster, made with it and kept beside it (0600)."""
    path = directory / PASSWORD_FILE
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24) + "\n")
        path.chmod(0o600)
    return path, path.read_text().strip()


def url(port: int, password: str) -> str:
    """The SQLAlchemy URL of the stack's database, with psycopg2 named: SQLAlchemy 2.1's default for
    `postgresql://` is psycopg 3, which Airflow's PostgreSQL extra does not install."""
    quoted = urllib.parse.quote(password, safe="")
    return f"postgresql+psycopg2://{ROLE}:{quoted}@{postgres_server.HOST}:{port}/{DATABASE}"


def libpq_url(sqlalchemy_url: str) -> str:
    """The same URL as libpq takes it (psql, psycopg2.connect): without SQLAlchemy's driver name."""
    return sqlalchemy_url.replace("postgresql+psycopg2://", "postgresql://", 1)


def running_url(home: Path) -> str | None:
    """The URL of the cluster running for `home` (its port from postmaster.pid), else None: for
    `psql` or a test that reads what Airflow wrote."""
    directory = home / DIRECTORY
    try:
        lines = (directory / "data" / "postmaster.pid").read_text().splitlines()
        password = (directory / PASSWORD_FILE).read_text().strip()
    except OSError:
        return None
    if len(lines) < 4 or not lines[0].strip().isdigit() or not lines[3].strip().isdigit():
        return None
    try:
        os.kill(int(lines[0]), 0)  # a killed server leaves its postmaster.pid behind
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, but another user's
    return url(int(lines[3]), password)


def _connect(port: int, password: str, database: str) -> psycopg2.extensions.connection:
    return psycopg2.connect(
        host=postgres_server.HOST,
        port=port,
        user=postgres_server.SUPERUSER,
        password=password,
        dbname=database,
        connect_timeout=2,
    )


def _wait_until_accepting(
    port: int, password: str, still_running: Callable[[], bool], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _connect(port, password, "postgres").close()
            return
        except psycopg2.OperationalError as error:
            if not still_running():
                raise postgres_server.PostgresError(
                    "the metadata DB's server exited (see its output above; is another server still"
                    " running on the same data directory? its pid is in postmaster.pid)"
                ) from error
            if time.monotonic() > deadline:
                raise postgres_server.PostgresError(
                    f"the metadata DB did not accept connections within {timeout:.0f} s: {error}"
                ) from error
            time.sleep(0.2)


def _ensure_database(port: int, password: str) -> None:
    """The `airflow` role and database, owned by that role (not the superuser), once."""
    connection = _connect(port, password, "postgres")
    try:
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,))
            if cursor.fetchone() is None:
                cursor.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(ROLE)), (password,)
                )
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cursor.fetchone() is None:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(DATABASE), sql.Identifier(ROLE)
                    )
                )
    finally:
        connection.close()


def start_metadata_db(
    supervisor: Supervisor, home: Path, port: int, env: Mapping[str, str], timeout: float = 60.0
) -> str:
    """Start the cluster in `home` (made on first use) on 127.0.0.1:`port`; its SQLAlchemy URL."""
    directory = home / DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    password_file, password = _password(directory)
    run_as = postgres_server.owner(directory, password_file)
    data = directory / "data"
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(data, ignore_errors=True)  # what an interrupted initdb left
        supervisor.say("postgres", f"initdb {data}")
        postgres_server.initdb(data, password_file, run_as)
    argv = [str(postgres_server.binaries() / "postgres"), "-D", str(data)]
    argv += postgres_server.server_options(port, *SETTINGS)
    child = supervisor.start("postgres", argv, env, home, stop_stage=STOP_STAGE, run_as=run_as)
    _wait_until_accepting(port, password, child.running, timeout)
    _ensure_database(port, password)
    return url(port, password)
