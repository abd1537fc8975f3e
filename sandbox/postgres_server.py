"""A PostgreSQL 16 server from pgserver's bundled binaries: no Docker, no system install.

Two users: `make airflow`'s metadata DB (sandbox.airflow_local.metadata_db) and the feed job's
PostgreSQL tests. Both need the same three things, which live here: the binaries, the owner the
server runs as (postgres refuses to run as root, so as root it runs as a plain system user, as
pgserver itself does), and a data directory made by initdb with password authentication.
The server always listens on 127.0.0.1 only, on TCP, with no Unix socket (`-k ''`).
"""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path
from typing import Any

SYSTEM_USER = "pgserver"
"""The system user the server runs as when we run as root (created with useradd when missing)."""
SUPERUSER = "postgres"
HOST = "127.0.0.1"


class PostgresError(RuntimeError):
    """The binaries are missing, or initdb or the server could not run; the message says which."""


def binaries() -> Path:
    """pgserver's bin/ directory (postgres, initdb, pg_ctl...)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            from pgserver._commands import POSTGRES_BIN_PATH
    except ImportError as error:
        raise PostgresError(
            f"pgserver (PostgreSQL's binaries) is not installed: {error}; "
            "`make venv` installs requirements-dev.lock"
        ) from error
    bin_path = Path(POSTGRES_BIN_PATH)
    if not (bin_path / "postgres").is_file():
        raise PostgresError(f"pgserver has no PostgreSQL binaries in {bin_path}")
    return bin_path


def owner(*paths: Path) -> dict[str, Any]:
    """subprocess keyword arguments that run the server's commands as its owner.

    Not root: nothing to change. Root: the system user SYSTEM_USER, which must reach the binaries
    and own `paths` (the directory that holds the data directory, the password file).
    """
    if os.geteuid() != 0:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver import utils
    try:
        entry = utils.ensure_user_exists(SYSTEM_USER)
    except (subprocess.CalledProcessError, OSError) as error:
        raise PostgresError(
            f"running as root, and cannot create the system user {SYSTEM_USER!r} to run postgres as: {error}"
        ) from error
    assert entry is not None  # ensure_user_exists returns None only when not root
    utils.ensure_prefix_permissions(binaries())
    for path in paths:
        utils.ensure_prefix_permissions(path)  # o+x on every parent: the user must reach it
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def run(command: list[str], run_as: dict[str, Any], what: str, timeout: float = 120.0) -> None:
    """Run one of the server's commands to its end; a failure raises with its output."""
    done = subprocess.run(  # noqa: S603 (argv built here from pgserver's binaries)
        command, capture_output=True, text=True, timeout=timeout, check=False, **run_as
    )
    if done.returncode != 0:
        raise PostgresError(f"{what} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def initdb(data: Path, password_file: Path, run_as: dict[str, Any]) -> None:
    """A new data directory whose superuser logs in with the password in `password_file`."""
    command = [str(binaries() / "initdb"), "-D", str(data), "-U", SUPERUSER, "--pwfile", str(password_file)]
    command += ["--auth=scram-sha-256", "--encoding=UTF8", "--no-sync"]
    run(command, run_as, "initdb")


def server_options(port: int, *settings: str) -> list[str]:
    """The postgres command-line options: TCP on 127.0.0.1:`port`, no Unix socket, `-c` settings."""
    options = ["-h", HOST, "-p", str(port), "-k", ""]
    for setting in settings:
        options += ["-c", setting]
    return options
