"""One bad flow: the others keep their DAGs and the problem is an import error with its message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.conftest import REPO

pytestmark = pytest.mark.airflow


@pytest.fixture
def broken_dags(tmp_path: Path, include_copy: Path) -> Path:
    flows = include_copy / "config" / "flows.yaml"
    text = flows.read_text().replace(
        '    schedule_expression: "cron(0 2 * * ? *)"', '    schedule_expression: "cron(0 2 * * *)"'
    )
    flows.write_text(text)
    dags = tmp_path / "dags"
    shutil.copytree(REPO / "dags", dags)
    return dags


def test_valid_flows_keep_their_dags_and_the_bad_one_is_an_import_error(
    broken_dags: Path, include_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_INCLUDE_DIR", str(include_copy))
    bag = DagBag(str(broken_dags))
    assert sorted(bag.dags) == [
        "ml_scoring__account",
        "onprem_feed__crm_territories",
        "onprem_feed__hcp_registry",
        "onprem_feed__sales_targets",
        "sfdc_ingest__account",
        "sfdc_ingest__opportunity_dev",
        "sfdc_reconcile__account",
        "sfdc_upsert__custom_salesforce_object",
    ]
    assert list(bag.import_errors) == [str(broken_dags / "lakehouse_config_check.py")]
    message = next(iter(bag.import_errors.values()))
    assert "flows.yaml:56: flows[Contact].schedule_expression: 'cron(0 2 * * *)' has 5 fields" in message


def test_strict_mode_fails_every_generating_file(
    broken_dags: Path, include_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_INCLUDE_DIR", str(include_copy))
    monkeypatch.setenv("LAKEHOUSE_STRICT", "1")
    bag = DagBag(str(broken_dags))
    assert bag.dags == {}
    assert len(bag.import_errors) == 6  # the five generating files and the scoring example
    assert all("flows[Contact].schedule_expression" in message for message in bag.import_errors.values())


def test_strict_mode_passes_on_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_STRICT", "1")
    monkeypatch.setenv("LAKEHOUSE_INCLUDE_DIR", str(REPO / "include"))  # not a session fixture's copy
    bag = DagBag(str(REPO / "dags"))
    assert bag.import_errors == {}
    assert len(bag.dags) == 10  # four flows and two reconciliations, three feeds and the scoring example


def test_parsing_opens_no_socket() -> None:
    """Loading the DAGs folder under an audit hook that records every network attempt."""
    script = textwrap.dedent(
        """
        import sys
        attempts = []
        def hook(event, args):
            if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto"):
                attempts.append((event, repr(args)[:200]))
            elif event == "socket.bind" and args[1] != ("::1", 0):
                # urllib3 binds ::1 port 0 at import to learn whether IPv6 exists: no traffic.
                attempts.append((event, repr(args)[:200]))
        sys.addaudithook(hook)
        from airflow.dag_processing.dagbag import DagBag
        bag = DagBag(sys.argv[1])
        assert bag.import_errors == {}, bag.import_errors
        assert len(bag.dags) == 10, sorted(bag.dags)
        print("ATTEMPTS", attempts)
        """
    )
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": "http://192.0.2.1:9",
        "LAKEHOUSE_INCLUDE_DIR": str(REPO / "include"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script, str(REPO / "dags")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ATTEMPTS []" in result.stdout, result.stdout[-3000:]
