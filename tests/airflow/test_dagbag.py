"""The real DagBag over dags/: no import errors, the expected DAGs, and their structure."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator

from lakehouse.airflow.tuning import Tuning
from tests.conftest import REPO

pytestmark = pytest.mark.airflow

INGEST_STEPS = [
    "run_flow",
    "wait_for_flow",
    "has_records",
    "discover_schema",
    "register_table",
    "check_data",
    "ensure_external_schema",
    "audit_data",
    "keep_versions",
    "register_partition",
    "build_views",
    "prune_partition",
]
SNAPSHOT_STEPS = [
    "run_flow",
    "wait_for_flow",
    "has_records",
    "discover_schema",
    "register_table",
    "check_data",
    "ensure_external_schema",
    "audit_data",
    "register_partition",
    "point_latest",
    "build_views",
    "prune_partition",
]
RECONCILE_STEPS = ["run_flow", "wait_for_flow", "check_data", "register_partition", "prune_partition"]
UPSERT_STEPS = ["validate_results", "run_flow", "wait_for_flow", "report_records"]
FEED_STEPS = [
    "run_job",
    "discover_schema",
    "register_table",
    "ensure_external_schema",
    "audit_data",
    "register_partition",
    "check_data",
    "prune_partition",
]
FEED_DAGS = ["onprem_feed__crm_territories", "onprem_feed__hcp_registry", "onprem_feed__sales_targets"]
P1 = "roche_salesforce_connector_profile1"
P2 = "roche_salesforce_connector_profile2"


def dagbag(env: str = "dev", folder: Path = REPO / "dags") -> DagBag:
    """The DagBag of the repository's own config, whatever an earlier test pointed the env at
    (the pipeline tests' session fixture points LAKEHOUSE_INCLUDE_DIR at a copy)."""
    saved = {key: os.environ.get(key) for key in ("LAKEHOUSE_ENV", "LAKEHOUSE_INCLUDE_DIR")}
    os.environ["LAKEHOUSE_ENV"] = env
    os.environ["LAKEHOUSE_INCLUDE_DIR"] = str(REPO / "include")
    try:
        return DagBag(str(folder))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def dev() -> DagBag:
    return dagbag("dev")


def test_no_import_errors_and_exactly_the_expected_dags(dev: DagBag) -> None:
    assert dev.import_errors == {}
    assert sorted(dev.dags) == [
        "ml_scoring__account",
        *FEED_DAGS,
        "sfdc_ingest__account",
        "sfdc_ingest__contact",
        "sfdc_ingest__opportunity_dev",
        "sfdc_reconcile__account",
        "sfdc_reconcile__contact",
        "sfdc_upsert__custom_salesforce_object",
    ]


def test_prod_gets_its_own_flows_only() -> None:
    prod = dagbag("prod")
    assert prod.import_errors == {}
    assert sorted(prod.dags) == [
        "ml_scoring__account",
        *FEED_DAGS,
        "sfdc_ingest__account",
        "sfdc_ingest__contact",
        "sfdc_ingest__opportunity",
        "sfdc_reconcile__account",
        "sfdc_reconcile__contact",
        "sfdc_upsert__custom_salesforce_object",
    ]


def chain_of(dag: object, group: str, steps: list[str]) -> None:
    tasks = {t.task_id: t for t in dag.tasks}  # type: ignore[attr-defined]
    for upstream, downstream in itertools.pairwise(steps):
        assert tasks[f"{group}.{upstream}"].downstream_task_ids == {f"{group}.{downstream}"}
    assert tasks[f"{group}.{steps[0]}"].upstream_task_ids == set()


def test_ingest_dag_structure(dev: DagBag) -> None:
    dag = dev.dags["sfdc_ingest__account"]
    assert sorted(t.task_id for t in dag.tasks) == sorted(f"{g}.{s}" for g in (P1, P2) for s in INGEST_STEPS)
    chain_of(dag, P1, INGEST_STEPS)
    chain_of(dag, P2, INGEST_STEPS)
    tasks = {t.task_id: t for t in dag.tasks}
    assert type(tasks[f"{P1}.prune_partition"]).__name__ == "PartitionPruneOperator"
    assert type(tasks[f"{P1}.has_records"]).__name__ == "AppflowRecordsShortCircuitOperator"
    assert type(tasks[f"{P1}.ensure_external_schema"]).__name__ == "RedshiftDataOperator"
    audit = tasks[f"{P1}.audit_data"]
    assert type(audit).__name__ == "DataAuditOperator"
    assert [c.name for c in audit.audit.checks][:3] == [
        "not_null_name",
        "accepted_values_rating",
        "range_annualrevenue",
    ]
    assert audit.audit.masked_columns == ("phone", "fax")
    # The DAG's docs (the UI's DAG page) list the checks the audit runs.
    assert "| `not_null_name` | not_null | error | name is never null |" in (dag.doc_md or "")
    assert tasks[f"{P1}.wait_for_flow"].mode == "reschedule"
    assert tasks[f"{P1}.run_flow"].flow_name == f"dev-{P1}-account"
    assert tasks[f"{P1}.run_flow"].timestamp_field == "SystemModstamp"
    # the flow that runs is the flow the config describes: queryAll, the pinned API
    assert tasks[f"{P1}.run_flow"].salesforce_source == {
        "includeDeletedRecords": True,
        "dataTransferApi": "REST_SYNC",
    }
    views = " ".join(tasks[f"{P1}.build_views"].sql)
    for view in ("account_current", "account_history", "account_merges"):
        assert f"CREATE OR REPLACE VIEW {P1}.{view} AS" in views
    outlets = tasks[f"{P1}.prune_partition"].outlets
    assert [a.name for a in outlets] == [f"{P1}_dev.account"]
    # the run's own folder is checked and registered, never the whole partition path
    load = f"s3://gtm-lakehouse-dev-raw/appflow/{P1}/account/appflow_date_str={{{{ data_interval_start"
    for step in ("check_data", "keep_versions", "register_partition"):
        assert tasks[f"{P1}.{step}"].location.startswith(load)
        assert tasks[f"{P1}.{step}"].location.endswith(
            f"/dev-{P1}-account/{{{{ ti.xcom_pull(task_ids='{P1}.run_flow', key='execution_id') }}}}/"
        )


def test_dag_settings(dev: DagBag) -> None:
    dag = dev.dags["sfdc_ingest__contact"]
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert dag.timetable.expression == "0 2 * * *"
    assert dag.start_date == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert {"lakehouse", "dev", "ingest", "Contact", "hcp"} <= set(dag.tags)
    assert dag.owner == "gtm-data-platform"
    task = dag.get_task(f"{P1}.run_flow")
    assert task.retries == 2
    assert task.retry_exponential_backoff
    assert task.retry_delay == dt.timedelta(minutes=5)
    assert "SystemModstamp" in (dag.doc_md or "")
    assert f"s3://gtm-lakehouse-dev-raw/appflow/{P1}/contact/" in (dag.doc_md or "")


def test_full_load_has_no_window_and_upsert_is_manual(dev: DagBag) -> None:
    snapshot = dev.dags["sfdc_ingest__opportunity_dev"]
    assert snapshot.get_task(f"{P1}.run_flow").timestamp_field is None
    chain_of(snapshot, P1, SNAPSHOT_STEPS)
    assert snapshot.get_task(f"{P1}.point_latest").latest_table == "opportunity_dev__latest"
    views = " ".join(snapshot.get_task(f"{P1}.build_views").sql)
    assert f"FROM {P1}_ext.opportunity_dev__latest AS latest" in views
    assert "opportunity_dev_merges" not in views
    upsert = dev.dags["sfdc_upsert__custom_salesforce_object"]
    # schedule_expression na with trigger: results: no time schedule, only the results Asset
    assert type(upsert.timetable).__name__ == "AssetTriggeredTimetable"
    assert assets_of(upsert) == [f"dev-{P1}-custom_salesforce_object.results"]
    chain_of(upsert, P1, UPSERT_STEPS)
    assert sorted(t.task_id for t in upsert.tasks) == sorted(f"{P1}.{s}" for s in UPSERT_STEPS)


def test_reconcile_dag_loads_live_ids_weekly_into_the_live_ids_table(dev: DagBag) -> None:
    dag = dev.dags["sfdc_reconcile__account"]
    assert sorted(t.task_id for t in dag.tasks) == sorted(
        f"{g}.{s}" for g in (P1, P2) for s in RECONCILE_STEPS
    )
    chain_of(dag, P1, RECONCILE_STEPS)
    assert type(dag.timetable).__name__ == "DeltaDataIntervalTimetable"
    assert dag.timetable.delta == dt.timedelta(days=7)
    tasks = {t.task_id: t for t in dag.tasks}
    assert tasks[f"{P1}.run_flow"].flow_name == f"dev-{P1}-account-ids"
    assert tasks[f"{P1}.run_flow"].timestamp_field is None
    assert tasks[f"{P1}.register_partition"].table == "account__live_ids"
    assert tasks[f"{P1}.register_partition"].location.startswith(
        f"s3://gtm-lakehouse-dev-raw/appflow/{P1}/account__live_ids/as_of="
    )
    assert [a.name for a in tasks[f"{P1}.prune_partition"].outlets] == [f"{P1}_dev.account"]
    assert "sfdc_reconcile__opportunity_dev" not in dev.dags  # a full load needs no reconciliation


def assets_of(dag: object) -> list[str]:
    """Names of the Assets a DAG is scheduled on (one Asset, or AssetAll/AssetAny of them)."""
    condition = dag.timetable.asset_condition  # type: ignore[attr-defined]
    return [a.name for a in getattr(condition, "objects", [condition])]


def test_scoring_dag_runs_on_the_account_asset_and_updates_the_results_asset(dev: DagBag) -> None:
    scoring = dev.dags["ml_scoring__account"]
    assert assets_of(scoring) == [f"{P1}_dev.account"]
    assert [t.task_id for t in scoring.tasks] == ["score_accounts"]
    task = scoring.get_task("score_accounts")
    assert type(task).__name__ == "AccountScoringOperator"
    assert [a.name for a in task.outlets] == [f"dev-{P1}-custom_salesforce_object.results"]
    assert (task.results_bucket, task.results_key) == (
        "gtm-lakehouse-dev-results",
        "prefix/ml_scoring/account_scores.jsonl",
    )
    assert f"FROM {P1}.account_current" in task.sql


def test_feed_dag_structure_and_job_arguments(dev: DagBag) -> None:
    dag = dev.dags["onprem_feed__crm_territories"]
    tasks = {t.task_id: t for t in dag.tasks}
    assert sorted(tasks) == sorted(FEED_STEPS)
    for upstream, downstream in itertools.pairwise(FEED_STEPS):
        assert tasks[upstream].downstream_task_ids == {downstream}
    assert dag.max_active_runs == 1
    assert dag.timetable.expression == "0 0 * * *"
    run_job = tasks["run_job"]
    assert isinstance(run_job, GlueJobOperator)
    assert (run_job.job_name, run_job.deferrable) == ("dev-feed-crm_territories", False)
    assert run_job.job_poll_interval == Tuning.from_airflow_config().glue_poll_interval_seconds
    assert run_job.on_failure_callback, "feed DAGs alert like the Salesforce DAGs"
    partition = "{{ data_interval_start.strftime('%Y%m%d') }}"
    assert run_job.script_args == {
        "--source_kind": "database",
        "--source_secret": "gtm-lakehouse/dev/feeds/crm-db",
        "--source_table": "territories",
        "--timestamp_column": "updated_at",
        "--window_start": "{{ data_interval_start.isoformat() }}",
        "--window_end": "{{ data_interval_end.isoformat() }}",
        "--target_location": f"s3://gtm-lakehouse-dev-curated/onprem/crm_territories/load_date={partition}/"
        "run={{ macros.uuid.uuid4().hex[:16] }}/",
    }
    assert tasks["ensure_external_schema"].sql.startswith(
        "CREATE EXTERNAL SCHEMA IF NOT EXISTS onprem_ext\nFROM DATA CATALOG DATABASE 'onprem_dev'"
    )
    assert [a.name for a in tasks["prune_partition"].outlets] == ["onprem_dev.crm_territories"]
    assert tasks["prune_partition"].prefix == f"onprem/crm_territories/load_date={partition}/"
    load = "{{ ti.xcom_pull(task_ids='run_job', key='target_location') }}"
    assert tasks["register_partition"].location == tasks["audit_data"].location == load
    files = dev.dags["onprem_feed__sales_targets"].get_task("run_job").script_args
    assert files["--source_location"] == f"s3://gtm-lakehouse-dev-raw/landing/sales_targets/{partition}/"
    assert files["--file_format"] == "csv"


def test_templates_render_the_data_interval(dev: DagBag) -> None:
    """The partition path and the window come from the run's data interval, nothing else."""
    dag = dev.dags["sfdc_ingest__account"]
    task = dag.get_task(f"{P1}.run_flow")
    assert (
        task.destination_prefix
        == f"appflow/{P1}/account/appflow_date_str={{{{ data_interval_start.strftime('%Y%m%d') }}}}"
    )
    assert task.window_start == "{{ data_interval_start.isoformat() }}"
    sql = dag.get_task(f"{P1}.ensure_external_schema").sql
    assert sql.startswith(
        f"CREATE EXTERNAL SCHEMA IF NOT EXISTS {P1}_ext\nFROM DATA CATALOG DATABASE '{P1}_dev'"
    )


@pytest.fixture
def parsing_context() -> Iterator[None]:
    os.environ["_AIRFLOW_PARSING_CONTEXT_DAG_ID"] = "sfdc_ingest__contact"
    os.environ["_AIRFLOW_PARSING_CONTEXT_TASK_ID"] = f"{P1}.run_flow"
    yield
    del os.environ["_AIRFLOW_PARSING_CONTEXT_DAG_ID"], os.environ["_AIRFLOW_PARSING_CONTEXT_TASK_ID"]


@pytest.mark.usefixtures("parsing_context")
def test_a_worker_builds_only_its_own_dag() -> None:
    bag = dagbag()
    assert bag.import_errors == {}
    assert sorted(bag.dags) == ["sfdc_ingest__contact"]


WORKER_PARSE = """
import gc, json, sys
from airflow.sdk import DAG  # Airflow is imported before the DAG file, as in a task process
from airflow.dag_processing.dagbag import DagBag

bag = DagBag(sys.argv[1])  # the DAG's own file, as the task runner parses it
from airflow.providers.amazon.aws.operators.appflow import AppflowRunOperator

unfrozen = {id(o) for o in gc.get_objects()}  # the permanent generation is not listed
print(json.dumps({
    "dags": sorted(bag.dags),
    "froze": gc.get_freeze_count() > 0,
    "airflow_frozen": id(DAG) not in unfrozen,
    "operators_frozen": id(AppflowRunOperator) not in unfrozen,
}))
"""


def test_a_worker_freezes_airflows_heap_before_importing_the_operators() -> None:
    """In a fresh task-like process: what Airflow had imported is frozen, so the collections that
    the operators' imports trigger skip it (lakehouse.airflow.task_startup); the operators' own
    classes, imported after the freeze, are collected as usual."""
    env = {**os.environ, "LAKEHOUSE_ENV": "dev", "LAKEHOUSE_INCLUDE_DIR": str(REPO / "include")}
    env |= {
        "_AIRFLOW_PARSING_CONTEXT_DAG_ID": "sfdc_ingest__contact",
        "_AIRFLOW_PARSING_CONTEXT_TASK_ID": "x",
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER_PARSE, str(REPO / "dags" / "salesforce_ingest.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "dags": ["sfdc_ingest__contact"],
        "froze": True,
        "airflow_frozen": True,
        "operators_frozen": False,
    }


def test_parsing_the_whole_folder_freezes_nothing() -> None:
    """The DAG processor, dag.test() and these tests parse without a parsing context: the heap
    stays as it was."""
    assert sorted(dagbag().dags)
    assert gc.get_freeze_count() == 0
