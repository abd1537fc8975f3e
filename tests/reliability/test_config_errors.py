"""A config error in one flow: it alone is left out, the other flows load and run, and the error is
shown where Airflow shows parse errors (the import error of dags/lakehouse_config_check.py) with
file, line and field; strict mode (CI) refuses the whole config."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from airflow.dag_processing.dagbag import DagBag

from sandbox.runs import run_day
from tests.conftest import REPO
from tests.pipeline.conftest import task_states
from tests.reliability.lake import G1, Inbox, Interval

pytestmark = pytest.mark.airflow

BAD_LINE = "    timestamp_field: SystemModstamp\n"


def bad_timestamp_field(include: Path) -> None:
    """Contact's timestamp field with a character no Salesforce field name has."""
    flows = include / "config" / "flows.yaml"
    text = flows.read_text()
    assert text.count(BAD_LINE) == 1
    flows.write_text(text.replace(BAD_LINE, "    timestamp_field: System-Modstamp\n"))


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def test_a_bad_flow_is_an_import_error_while_the_others_load_and_run(
    dags_from: Callable[..., dict[str, Any]],
    aws: Callable[[str], Any],
    org: Callable[[str], Any],
    inbox: Inbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dags = dags_from(bad_timestamp_field)
    include = Path(os.environ["LAKEHOUSE_INCLUDE_DIR"])
    assert sorted(d for d in dags if d.startswith("sfdc_")) == [
        "sfdc_ingest__account",
        "sfdc_ingest__lead",  # the test config's flow (tests/pipeline/conftest.py)
        "sfdc_ingest__opportunity_dev",
        "sfdc_reconcile__account",
        "sfdc_reconcile__lead",
        "sfdc_upsert__custom_salesforce_object",
    ], "only the bad flow's DAGs (sfdc_ingest__contact, sfdc_reconcile__contact) are missing"

    bag = DagBag(str(REPO / "dags"))
    assert list(bag.import_errors) == [str(REPO / "dags" / "lakehouse_config_check.py")]
    line = line_of(include / "config" / "flows.yaml", "    timestamp_field: System-Modstamp")
    message = bag.import_errors[str(REPO / "dags" / "lakehouse_config_check.py")]
    assert f"flows.yaml:{line}: flows[Contact].timestamp_field: " in message, message
    assert "System-Modstamp" in message

    day = dt.date(2025, 1, 2)
    run = run_day(dags["sfdc_ingest__opportunity_dev"], day)
    assert run.state == "success", task_states(run)
    snapshots = Interval(
        dags["sfdc_ingest__opportunity_dev"], day, G1, "opportunity_dev", "Opportunity", None
    )
    snapshots.assert_landed_exactly(aws, org)
    inbox.assert_none()  # a config error is not a task failure: it alerts nothing

    monkeypatch.setenv("LAKEHOUSE_STRICT", "1")
    strict = DagBag(str(REPO / "dags"))
    assert [d for d in strict.dags if d.startswith("sfdc_")] == [], "strict: no flow DAG from a bad config"
    generating = (
        "salesforce_ingest.py", "salesforce_upsert.py", "salesforce_reconcile.py", "lakehouse_config_check.py"
    )  # fmt: skip
    for name in generating:
        error = strict.import_errors[str(REPO / "dags" / name)]
        assert f"flows.yaml:{line}: flows[Contact].timestamp_field" in error, (name, error)
