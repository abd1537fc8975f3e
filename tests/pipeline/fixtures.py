"""One sandbox, one Airflow metadata DB and the provisioned dev environment, for every test that
runs the project's DAGs (tests/pipeline, tests/reliability): a pytest plugin registered once by
tests/conftest.py, so each xdist worker builds one of each whatever order its files come in.

The DAGs are the project's own, parsed from dags/ with the dev config; only the connection's
endpoint and the waiting intervals differ from AWS (sandbox/airflow_env.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from sandbox.airflow_env import airflow_env
from sandbox.in_process import fresh_lineage_per_task
from sandbox.provision import provision
from sandbox.server import Sandbox
from tests.conftest import REPO
from tests.pipeline.conftest import TEST_FLOWS


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture(scope="session")
def pipeline_env(
    sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory, worker_metadata_db: Path
) -> Iterator[str]:
    """Airflow pointed at the sandbox, its DB migrated, the dev environment provisioned.

    The config is the sample's with `retries: 0`: a failing task should fail the test now, not
    after the sample's five-minute retry delay, and one flow more, `Lead` (one org, weekly windows
    from 2025-01-09, so one run loads the emulated org's whole history), whose records only the
    deletes, merges and history tests change.
    """
    saved = dict(os.environ)
    include = tmp_path_factory.mktemp("pipeline") / "include"
    shutil.copytree(REPO / "include", include)
    flows = include / "config" / "flows.yaml"
    flows.write_text(flows.read_text().replace("  retries: 2\n", "  retries: 0\n", 1) + TEST_FLOWS)
    feeds = include / "config" / "feeds.yaml"
    feeds.write_text(feeds.read_text().replace("  retries: 2\n", "  retries: 0\n", 1))
    os.environ.update(airflow_env(sandbox.endpoint_url))
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
    os.environ["LAKEHOUSE_INCLUDE_DIR"] = str(include)
    provision(sandbox.endpoint_url, include / "config", "dev")
    fresh_lineage_per_task()
    yield sandbox.endpoint_url
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def dags(pipeline_env: str) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(REPO / "dags"))
    assert bag.import_errors == {}
    return bag.dags


@pytest.fixture(scope="session")
def aws(pipeline_env: str) -> Callable[[str], Any]:
    return lambda service: boto3.client(service, endpoint_url=pipeline_env, region_name="eu-west-1")


@pytest.fixture(scope="session")
def org(sandbox: Sandbox) -> Callable[[str], Any]:
    return lambda profile: sandbox.service("appflow").org(profile)  # type: ignore[attr-defined]
