"""The feed DAG file follows the flows' rules: a worker builds only its own feed's DAG, and a bad
feed is an import error of lakehouse_config_check.py while every other DAG stays."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.conftest import REPO

pytestmark = pytest.mark.airflow


def test_a_feed_worker_builds_only_its_feed_and_validates_only_it(
    include_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A broken flow and a broken other feed: the worker neither builds nor validates them.
    flows = include_copy / "config" / "flows.yaml"
    flows.write_text(flows.read_text().replace('"cron(0 2 * * ? *)"', '"cron(0 2 * * *)"'))
    feeds = include_copy / "config" / "feeds.yaml"
    feeds.write_text(feeds.read_text().replace("format: csv ", "format: xml "))
    monkeypatch.setenv("LAKEHOUSE_INCLUDE_DIR", str(include_copy))
    monkeypatch.setenv("LAKEHOUSE_STRICT", "1")
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "onprem_feed__hcp_registry")
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_TASK_ID", "run_job")
    bag = DagBag(str(REPO / "dags"))
    assert bag.import_errors == {}
    assert sorted(bag.dags) == ["onprem_feed__hcp_registry"]


def test_a_bad_feed_is_an_import_error_and_the_other_dags_stay(
    include_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = include_copy / "config" / "feeds.yaml"
    text = feeds.read_text()
    feeds.write_text(text.replace("target_table: hcp_registry", "target_table: crm_territories"))
    dags = tmp_path / "dags"
    shutil.copytree(REPO / "dags", dags)
    monkeypatch.setenv("LAKEHOUSE_INCLUDE_DIR", str(include_copy))
    bag = DagBag(str(dags))
    assert "onprem_feed__hcp_registry" not in bag.dags
    assert {"onprem_feed__crm_territories", "onprem_feed__sales_targets", "sfdc_ingest__account"} <= set(
        bag.dags
    )
    assert list(bag.import_errors) == [str(dags / "lakehouse_config_check.py")]
    line = text[: text.index("target_table: hcp_registry")].count("\n") + 1
    assert (
        f"feeds.yaml:{line}: feeds[HcpRegistry].target_table: 'crm_territories' is already used by feed "
        "'CrmTerritories' in environment 'dev'"
    ) in next(iter(bag.import_errors.values()))


def test_without_feeds_yaml_there_are_no_feed_dags(
    include_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (include_copy / "config" / "feeds.yaml").unlink()
    monkeypatch.setenv("LAKEHOUSE_INCLUDE_DIR", str(include_copy))
    monkeypatch.setenv("LAKEHOUSE_STRICT", "1")
    bag = DagBag(str(REPO / "dags"))
    assert bag.import_errors == {}
    assert bag.dags
    assert not [d for d in bag.dags if d.startswith("onprem_feed__")]
