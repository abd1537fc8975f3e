"""Airflow's metadata DB for a test process: one `airflow db migrate` per test run, copied.

Each xdist worker (and each test that runs Airflow in a home of its own) needs a migrated SQLite
metadata DB. Migrating costs a process that imports Airflow and runs every migration, about 3 s of
CPU; a migrated DB holds nothing of the home it was made in (no path, no connection, no
secret), so the first process of a run migrates a template under a lock in the run's shared temp
folder and every home gets a copy of the file.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest


def run_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temp folder every xdist worker of this run shares (a worker's base temp is a child of it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def copy_migrated_db(tmp_path_factory: pytest.TempPathFactory, home: Path, env: Mapping[str, str]) -> Path:
    """`home`'s SQLite metadata DB (the file the migration made: airflow.db, in unit-test mode
    too), migrated: a copy of the run's template, made first if it is missing."""
    home.mkdir(parents=True, exist_ok=True)
    existing = [db for db in home.glob("*.db") if db.stat().st_size]
    if existing:
        # never overwrite a DB in use (an open SQLite file would be rewritten under its readers)
        _migrate(home, env)
        return existing[0]
    template = _template(run_root(tmp_path_factory), env)
    target = home / template.name
    shutil.copyfile(template, target)
    return target


def _template(root: Path, env: Mapping[str, str]) -> Path:
    folder = root / "airflow-db-template"
    with (root / "airflow-db-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not folder.exists():
            building = root / "airflow-db-template.partial"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            _migrate(building, env)
            building.rename(folder)
    (template,) = folder.glob("*.db")
    return template


def _migrate(home: Path, env: Mapping[str, str]) -> None:
    clean = {k: v for k, v in env.items() if k != "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"}
    done = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env={**clean, "AIRFLOW_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"airflow db migrate in {home} failed:\n{(done.stdout + done.stderr)[-4000:]}")
