"""The fidelity suite: DAGs written the way a user writes them from the Amazon provider's examples
(tests/fidelity/dags/), run with dag.test() on a real metadata DB against a sandbox of their own,
in two regions. Only the aws_default connection's endpoint and sandbox timings differ from AWS.

The DAG files are a second DAG bundle ("fidelity", beside the project's dags-folder), because
dag.test() runs a DAG only once it is serialized from a bundle.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from sandbox.airflow_env import airflow_env
from sandbox.server import Sandbox
from tests.conftest import REPO

DAGS = Path(__file__).resolve().parent / "dags"
REGIONS = ("eu-west-1", "us-east-1")
LOCAL_BUNDLE = "airflow.dag_processing.bundles.local.LocalDagBundle"


@pytest.fixture(scope="session")
def fidelity_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A sandbox of this suite's own, crawls lasting a fraction of a second instead of a minute."""
    with Sandbox(state_dir=tmp_path_factory.mktemp("fidelity-sandbox")) as sandbox:
        crawlers: Any = sandbox.service("/_sandbox/glue-crawlers/")
        crawlers.start_seconds = crawlers.stop_seconds = 0.2
        yield sandbox


@pytest.fixture(scope="module")
def airflow_on_sandbox(fidelity_sandbox: Sandbox, worker_metadata_db: Path) -> Iterator[str]:
    """Airflow pointed at the sandbox for one module; the environment comes back afterwards."""
    saved = dict(os.environ)
    os.environ.update(airflow_env(fidelity_sandbox.endpoint_url))
    bundles = [
        {"name": "dags-folder", "classpath": LOCAL_BUNDLE, "kwargs": {}},
        {"name": "fidelity", "classpath": LOCAL_BUNDLE, "kwargs": {"path": str(DAGS), "refresh_interval": 0}},
    ]
    os.environ["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"] = json.dumps(bundles)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
    yield fidelity_sandbox.endpoint_url
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def fidelity_dags(airflow_on_sandbox: str) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(DAGS))
    assert bag.import_errors == {}
    return dict(bag.dags)


@pytest.fixture(scope="session")
def regional(fidelity_sandbox: Sandbox) -> Callable[[str, str], Any]:
    """`regional("glue", "us-east-1")`: an unmodified boto3 client of the sandbox in that region."""
    made: dict[tuple[str, str], Any] = {}

    def client(service: str, region: str) -> Any:
        if (service, region) not in made:
            made[(service, region)] = boto3.session.Session().client(
                service,  # type: ignore[call-overload]
                endpoint_url=fidelity_sandbox.endpoint_url,
                region_name=region,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
        return made[(service, region)]

    return client


def task_states(run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
