"""Suite-wide settings: Airflow's home in a temp dir of each test process (an xdist worker
inherits the controller's environment, so a home set by `setdefault` would be shared by every
worker's metadata DB), the dev environment, no real AWS credentials."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The DAG-running suites' session fixtures, defined once (tests/pipeline/fixtures.py), and the
# order xdist hands the files out in (tests/scheduling.py).
pytest_plugins = ("tests.pipeline.fixtures", "tests.scheduling")
SAMPLE_CONFIG = REPO / "include" / "config"

_home = tempfile.mkdtemp(prefix=f"lakehouse-airflow-home-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
os.environ["AIRFLOW_HOME"] = _home
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
# Read by airflow.settings at import: set before any test imports Airflow.
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
os.environ["LAKEHOUSE_ENV"] = "dev"
os.environ.pop("LAKEHOUSE_STRICT", None)
os.environ.pop("LAKEHOUSE_INCLUDE_DIR", None)
for _key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
    os.environ.pop(_key, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "eu-west-1"


@pytest.fixture(scope="session")
def worker_metadata_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This test process's metadata DB (in its AIRFLOW_HOME above), migrated: a copy of the run's
    one migration (tests/metadata_db.py)."""
    from tests.metadata_db import copy_migrated_db

    return copy_migrated_db(tmp_path_factory, Path(_home), os.environ)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_home, ignore_errors=True)


@pytest.fixture
def include_copy(tmp_path: Path) -> Path:
    """A writable copy of include/ (config and SQL) that a test may break."""
    target = tmp_path / "include"
    shutil.copytree(REPO / "include", target)
    return target
