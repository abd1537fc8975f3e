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

# The DAG-running suites' session fixtures, defined once (tests/pipeline/fixtures.py).
pytest_plugins = ("tests.pipeline.fixtures",)
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


LONGEST_FIRST = (
    "tests/pipeline/test_backfill_limits.py",  # the real scheduler, a backfill against tiny API limits
    "tests/lineage/test_openlineage_graph.py",  # make demo's code path in a subprocess
    "tests/pipeline/test_backfill_rest.py",  # the real scheduler and api-server, backfills and clears
    "tests/pipeline/test_deletes.py",  # the property case: many sequences of changes and runs
    "tests/sandbox/test_glue_jobs.py",  # Spark jobs in local mode
    "tests/sandbox/test_local_airflow.py",  # make airflow's stack
)
"""Files that take a minute or more, started first (`make test` passes --no-loadscope-reorder, so
xdist hands out whole files in this order: the 1st and 3rd to one worker, the 2nd and 4th to the
other, so the two real-scheduler stacks never run at once). Left to xdist's default order (most
test cases first) they started last and ran alone at the end while the other worker idled
(docs/testing.md)."""


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    rank = {path: index for index, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_home, ignore_errors=True)


@pytest.fixture
def include_copy(tmp_path: Path) -> Path:
    """A writable copy of include/ (config and SQL) that a test may break."""
    target = tmp_path / "include"
    shutil.copytree(REPO / "include", target)
    return target
