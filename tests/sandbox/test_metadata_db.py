"""`make airflow`'s metadata DB on its own (sandbox.airflow_local.metadata_db): a real PostgreSQL 16
from pgserver's binaries, started and stopped by the launcher's Supervisor, without Airflow.

What a user relies on: the cluster is made once per AIRFLOW_HOME and keeps its data from one start
to the next (as the SQLite file did); only the `airflow` role's password opens it; it is reachable
on 127.0.0.1 only; a second stack on the same home fails with a message that says why.
"""

from __future__ import annotations

import io
import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from sandbox.airflow_local import metadata_db
from sandbox.airflow_local.processes import Supervisor
from sandbox.airflow_local.stack import free_port
from sandbox.postgres_server import PostgresError

pytestmark = pytest.mark.timeout(120)


def _query(url: str, statement: str) -> list[tuple[object, ...]]:
    connection = psycopg2.connect(metadata_db.libpq_url(url), connect_timeout=5)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    running = Supervisor(out=io.StringIO())
    try:
        yield running
    finally:
        running.stop_all(grace=10.0)


def test_the_cluster_keeps_its_data_from_one_start_to_the_next(
    supervisor: Supervisor, tmp_path: Path
) -> None:
    home = tmp_path / "airflow-home"
    first = metadata_db.start_metadata_db(supervisor, home, free_port(), os.environ)
    assert metadata_db.running_url(home) == first
    _query(first, "CREATE TABLE probe (value text); INSERT INTO probe VALUES ('kept')")
    assert _query(first, "SELECT current_user, current_database()") == [("airflow", "airflow")]
    supervisor.stop_all(grace=10.0)
    assert metadata_db.running_url(home) is None

    second = metadata_db.start_metadata_db(supervisor, home, free_port(), os.environ)
    assert second != first  # another free port
    assert _query(second, "SELECT value FROM probe") == [("kept",)]


def test_only_the_password_opens_it_and_only_on_127_0_0_1(supervisor: Supervisor, tmp_path: Path) -> None:
    home = tmp_path / "airflow-home"
    url = metadata_db.start_metadata_db(supervisor, home, free_port(), os.environ)
    password_file = home / metadata_db.DIRECTORY / metadata_db.PASSWORD_FILE
    assert password_file.stat().st_mode & 0o077 == 0, "the password file is readable by others"
    password = password_file.read_text().strip()
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        _query(url.replace(password, "not-" + password), "SELECT 1")
    listening = _query(url, "SELECT setting FROM pg_settings WHERE name = 'listen_addresses'")
    assert listening == [("127.0.0.1",)]
    port = urllib.parse.urlsplit(url).port
    assert not list(Path("/tmp").glob(f".s.PGSQL.{port}*")), "a Unix socket was opened in /tmp"
    assert not list(home.rglob(f".s.PGSQL.{port}*")), "a Unix socket was opened in AIRFLOW_HOME"


def test_a_second_server_on_the_same_home_fails_and_says_why(supervisor: Supervisor, tmp_path: Path) -> None:
    home = tmp_path / "airflow-home"
    url = metadata_db.start_metadata_db(supervisor, home, free_port(), os.environ)
    other = Supervisor(out=io.StringIO())
    try:
        with pytest.raises(PostgresError, match=r"postmaster\.pid"):
            metadata_db.start_metadata_db(other, home, free_port(), os.environ, timeout=30.0)
    finally:
        other.stop_all(grace=10.0)
    assert _query(url, "SELECT 1") == [(1,)]  # the first one still serves
