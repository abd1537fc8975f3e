"""Declared data-quality checks on real runs (write, audit, publish): every check kind passing and
failing, with both severities, for a Salesforce flow and an on-prem feed.

The flow case uses two custom objects of the emulated org, `QaParent__c` (loaded once, the target of
the relationship) and `QaChild__c` (daily windows), so no other test's object is touched:

- day 1: a plain load, published (the baseline of the volume check);
- day 2: for each kind a passing `error` check and a failing `warn` check: the load is published,
  one warning alert names the failed checks;
- day 3, a bad load (AppFlow lands a null Name), for each kind a failing `error` check and a
  passing `warn` one: nothing is published (the partitions, the load folders they read and
  `_current` are as before, to the byte), one failure alert names the checks;
- day 3 again once the data is fixed: published.

Thresholds that depend on the data (volume, freshness, row counts, a column with nulls) are
computed from the org's own records of each window, so each check fails or passes for the reason
it is meant to. The results table (`quality_ext.check_results`) holds every outcome.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.provision import provision
from sandbox.runs import interval_starting_on, run_day
from tests.pipeline.conftest import RAW, query, task_states, window
from tests.reliability.lake import partitions

pytestmark = pytest.mark.airflow

P1 = "roche-salesforce-connector-profile1"
G1 = "roche_salesforce_connector_profile1"
CHILD_DAG = "sfdc_ingest__qa_child"
PARENT_DAG = "sfdc_ingest__qa_parent"
DAYS = [dt.date(2025, 1, 13), dt.date(2025, 1, 14), dt.date(2025, 1, 15)]
NULLABLE = ["Description__c", "Amount__c", "Quantity__c", "Status__c", "Score__c", "Start_Date__c"]


def qa_flows(child_checks: list[dict[str, Any]]) -> str:
    flows = [
        {
            "name": "QaParent",
            "object_name": "QaParent__c",
            "connector_profile": P1,
            "schedule_expression": "cron(0 0 ? * 5 *)",  # Thursdays: one run holds the whole history
            "start_date": "2025-01-09",
            "checks": [{"kind": "unique", "column": "Id"}],
        },
        {
            "name": "QaChild",
            "object_name": "QaChild__c",
            "connector_profile": P1,
            "pii": 1,
            "pii_columns": ["Description__c"],
            "checks": child_checks,
        },
    ]
    return "\n" + textwrap.indent("\n".join(f"- {json.dumps(flow)}" for flow in flows), "  ") + "\n"


def with_flows(child_checks: list[dict[str, Any]]) -> Callable[[Path], None]:
    def edit(include: Path) -> None:
        flows = include / "config" / "flows.yaml"
        flows.write_text(flows.read_text() + qa_flows(child_checks))

    return edit


def every_kind(
    counts: list[int], org_window: dict[str, Any], interval_end: dt.datetime, passing: str
) -> list[dict[str, Any]]:
    """One check of each kind that passes with severity `passing` and one that fails with the other
    severity, for the load whose org records are `org_window` (earlier loads' sizes: `counts`)."""
    failing = "warn" if passing == "error" else "error"
    rows = list(org_window.values())
    nulls = [c for c in NULLABLE if any(r[c] is None for r in rows)]
    assert nulls, "the window has a null in some column: the failing not_null needs one"
    newest = max(r["SystemModstamp"] for r in rows)
    age = (interval_end - newest).total_seconds() / 3600
    assert age > 0
    median = statistics.median(counts)
    change = abs(len(rows) - median) / median
    assert change > 0, "the load's size differs from the median: the failing volume needs it"

    def pair(name: str, kind: str, good: dict[str, Any], bad: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"name": f"{name}_pass", "kind": kind, "severity": passing, **good},
            {"name": f"{name}_fail", "kind": kind, "severity": failing, **bad},
        ]

    return [
        *pair("not_null", "not_null", {"column": "Id"}, {"column": nulls[0]}),
        *pair("unique", "unique", {"column": "Id"}, {"column": "Active__c"}),
        *pair(
            "accepted",
            "accepted_values",
            {"column": "Status__c", "values": ["New", "Active", "Retired"]},
            {"column": "Status__c", "values": ["Retired"], "where": "status__c IS NOT NULL"},
        ),
        *pair(
            "relationships",
            "relationships",
            {"column": "Status__c", "to": "QaParent", "field": "Status__c"},
            {"column": "Id", "to": "QaParent"},
        ),
        *pair("range", "range", {"column": "Amount__c", "min": 0}, {"column": "Amount__c", "max": 1}),
        *pair("row_count", "row_count", {"min": 1, "max": len(rows)}, {"min": len(rows) + 1}),
        *pair(
            "volume",
            "volume",
            {"max_change": change + 0.5, "loads": 7, "min_loads": 1},
            {"max_change": change / 2, "loads": 7, "min_loads": 1},
        ),
        *pair("freshness", "freshness", {"max_age_hours": age + 1}, {"max_age_hours": age / 2}),
        *pair(
            "expression",
            "expression",
            {"sql": "quantity__c IS NULL OR quantity__c >= 0"},
            {"sql": "name LIKE 'No such name%'"},
        ),
    ]


def results(redshift: Any, run: Any) -> dict[str, tuple[bool, str, bool]]:
    """{check: (passed, severity, published)} the results table holds for a run of QaChild."""
    rows = query(
        redshift,
        "SELECT check_name, passed, severity, published FROM quality_ext.check_results "
        f"WHERE dag_id = '{CHILD_DAG}' AND run_id = '{run.run_id}'",
    )
    return {str(r[0]): (r[1] in (True, "true"), str(r[2]), r[3] in (True, "true")) for r in rows}


def readers_see(aws: Callable[[str], Any]) -> tuple[Any, ...]:
    """What a reader of QaChild sees: its partitions and the files they point at, and `_current`."""
    glue, s3 = aws("glue"), aws("s3")
    registered = sorted(partitions(glue, f"{G1}_dev", "qa_child"))
    files = []
    for _, location in registered:
        prefix = location.removeprefix(f"s3://{RAW}/")
        for item in s3.list_objects_v2(Bucket=RAW, Prefix=prefix).get("Contents", []):
            body = s3.get_object(Bucket=RAW, Key=item["Key"])["Body"].read()
            files.append((item["Key"], body))
    current = query(aws("redshift-data"), f"SELECT * FROM {G1}.qa_child_current ORDER BY id")
    return registered, files, current


@pytest.fixture
def parse_with(
    pipeline_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Callable[[Path], None]], dict[str, Any]]:
    """The project's DAGs from a fresh copy of the session's include dir changed by `edit`, with
    what the change adds provisioned as Terraform would (its AppFlow flows): for this test only."""
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import REPO

    original = Path(os.environ["LAKEHOUSE_INCLUDE_DIR"])
    copies = iter(range(1000))

    def parse(edit: Callable[[Path], None]) -> dict[str, Any]:
        include = tmp_path / f"include{next(copies)}"
        shutil.copytree(original, include)
        edit(include)
        monkeypatch.setenv("LAKEHOUSE_INCLUDE_DIR", str(include))
        monkeypatch.setenv("AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL", "0")
        provision(pipeline_env, include / "config", "dev")
        return dict(DagBag(str(REPO / "dags")).dags)

    return parse


def test_flow_checks_block_an_error_and_publish_a_warning(
    parse_with: Callable[[Callable[[Path], None]], dict[str, Any]],
    aws: Any,
    org: Any,
    sandbox: Any,
    inbox: Any,
) -> None:
    source = org(P1)
    day_windows = []
    dags = parse_with(with_flows([{"kind": "unique", "column": "Id"}]))
    for day in DAYS:
        start, end = interval_starting_on(dags[CHILD_DAG], day)
        day_windows.append((window(source, "QaChild__c", "SystemModstamp", start, end), end))
    counts = [len(w) for w, _ in day_windows]

    def parse(checks: list[dict[str, Any]]) -> dict[str, Any]:
        return parse_with(with_flows(checks))

    parent = run_day(dags[PARENT_DAG], dt.date(2025, 1, 9))
    assert parent.state == "success", task_states(parent)
    first = run_day(dags[CHILD_DAG], DAYS[0])
    assert first.state == "success", task_states(first)
    inbox.reset()

    # Day 2: every kind passes as `error` and fails as `warn`: published, one warning alert.
    warn_checks = every_kind(counts[:1], *day_windows[1], passing="error")
    dags = parse(warn_checks)
    second = run_day(dags[CHILD_DAG], DAYS[1])
    assert second.state == "success", task_states(second)
    assert task_states(second)[f"{G1}.prune_partition"] == "success"
    outcome = results(aws("redshift-data"), second)
    assert outcome == {c["name"]: (c["name"].endswith("_pass"), c["severity"], True) for c in warn_checks}
    (alert,) = inbox.assert_exactly(("warning", CHILD_DAG, f"{G1}.audit_data", second))
    failed_names = [c["name"] for c in warn_checks if c["name"].endswith("_fail")]
    assert all(name in alert["error"] for name in failed_names), alert["error"]
    assert "published" in alert["error"]
    inbox.reset()

    # Day 3, a bad load: every kind fails as `error` (Name nulled by the injection for not_null):
    # blocked, readers see what they saw, one failure alert naming the checks.
    strict = every_kind(counts[:2], *day_windows[2], passing="warn")
    strict = [c if c["name"] != "not_null_fail" else {**c, "column": "Name"} for c in strict]
    dags = parse(strict)
    before = readers_see(aws)
    sandbox.service("appflow").inject(f"dev-{G1}-qa_child", "null_field", field="Name")
    blocked = run_day(dags[CHILD_DAG], DAYS[2])
    states = task_states(blocked)
    assert blocked.state == "failed"
    assert states[f"{G1}.audit_data"] == "failed", states
    for task in ("keep_versions", "register_partition", "build_views", "prune_partition"):
        assert states[f"{G1}.{task}"] == "upstream_failed", states
    assert readers_see(aws) == before
    assert results(aws("redshift-data"), blocked) == {
        c["name"]: (c["name"].endswith("_pass"), c["severity"], False) for c in strict
    }
    (alert,) = inbox.assert_exactly(("failure", CHILD_DAG, f"{G1}.audit_data", blocked))
    assert "blocked the load of QaChild__c" in alert["error"]
    assert "not_null_fail [error] 1 of" in alert["error"], alert["error"]
    (staged,) = [  # the audit table keeps no partition once the audit is over
        t
        for t in aws("glue").get_tables(DatabaseName=f"{G1}_dev")["TableList"]
        if t["Name"] == "qa_child__audit"
    ]
    assert partitions(aws("glue"), f"{G1}_dev", staged["Name"]) == []
    sample = query(
        aws("redshift-data"),
        "SELECT failing_sample FROM quality_ext.check_results "
        f"WHERE run_id = '{blocked.run_id}' AND check_name = 'not_null_fail'",
    )
    (row,) = json.loads(sample[0][0])
    assert row["name"] is None
    assert row["description__c"] in ("***", None)
    inbox.reset()

    # The data fixed (the injection was one run only), the interval rerun: published.
    dags = parse([{"kind": "unique", "column": "Id"}, {"kind": "not_null", "column": "Name"}])
    fixed = run_day(dags[CHILD_DAG], DAYS[2])
    assert fixed.state == "success", task_states(fixed)
    after = readers_see(aws)
    assert len(after[0]) == len(before[0]) + 1
    ids = {str(r[0]) for r in query(aws("redshift-data"), f"SELECT id FROM {G1}.qa_child_current")}
    assert set(day_windows[2][0]) <= ids
    inbox.assert_none()


def test_a_check_on_a_column_the_load_lacks_fails_the_audit_naming_it(
    parse_with: Callable[[Callable[[Path], None]], dict[str, Any]], capfd: pytest.CaptureFixture[str]
) -> None:
    dags = parse_with(with_flows([{"kind": "not_null", "column": "Regoin__c"}]))
    run = run_day(dags[CHILD_DAG], DAYS[0])
    assert run.state == "failed"
    (audit,) = [ti for ti in run.get_task_instances() if ti.task_id == f"{G1}.audit_data"]
    assert audit.state == "failed"
    assert task_states(run)[f"{G1}.register_partition"] == "upstream_failed"
    output = capfd.readouterr()
    assert "check 'not_null_regoin__c' names column 'regoin__c', which the load does not have" in (
        output.out + output.err
    )


HCP_DAG = "onprem_feed__hcp_registry"
FEED_DAYS = [dt.date(2025, 1, 12), dt.date(2025, 1, 13), dt.date(2025, 1, 14)]
CURATED = "gtm-lakehouse-dev-curated"


def with_feed_checks(checks: list[dict[str, Any]], table: str = "hcp_registry") -> Callable[[Path], None]:
    """feeds.yaml with the checks of the feed landing in `table` replaced by `checks`."""

    def edit(include: Path) -> None:
        feeds = include / "config" / "feeds.yaml"
        text = feeds.read_text()
        start = text.index(f"    target_table: {table}\n") + len(f"    target_table: {table}\n")
        end = text.index("  - name: ", start) if "  - name: " in text[start:] else len(text)
        kept = [line for line in text[start:end].splitlines(keepends=True) if line.startswith("    schedule")]
        feeds.write_text(text[:start] + f"    checks: {json.dumps(checks)}\n" + "".join(kept) + text[end:])

    return edit


def feed_kinds(
    counts: list[int], rows: list[dict[str, Any]], interval_end: dt.datetime, passing: str
) -> list[dict[str, Any]]:
    """As `every_kind`, for the HCP registry's columns; the relationship refers to SalesTargets."""
    failing = "warn" if passing == "error" else "error"
    newest = max(dt.datetime.fromisoformat(r["updated_at"].replace("Z", "+00:00")) for r in rows)
    age = (interval_end - newest).total_seconds() / 3600
    median = statistics.median(counts)
    change = abs(len(rows) - median) / median
    assert change > 0, "the feed's load differs in size from the median: the failing volume needs it"

    def pair(name: str, kind: str, good: dict[str, Any], bad: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"name": f"{name}_pass", "kind": kind, "severity": passing, **good},
            {"name": f"{name}_fail", "kind": kind, "severity": failing, **bad},
        ]

    sold = "specialty IN ('oncology', 'immunology')"
    return [
        *pair("not_null", "not_null", {"column": "hcp_id"}, {"column": "last_name"}),
        *pair("unique", "unique", {"column": "hcp_id"}, {"column": "licensed"}),
        *pair(
            "accepted",
            "accepted_values",
            {"column": "licensed", "values": [True, False]},
            {"column": "specialty", "values": ["oncology"]},
        ),
        *pair(
            "relationships",
            "relationships",
            {"column": "specialty", "to": "SalesTargets", "field": "product", "where": sold},
            {"column": "specialty", "to": "SalesTargets", "field": "product"},
        ),
        *pair("row_count", "row_count", {"min": len(rows), "max": len(rows)}, {"max": len(rows) - 1}),
        *pair(
            "volume",
            "volume",
            {"max_change": change * 2, "loads": 3, "min_loads": 1},
            {"max_change": change / 2, "loads": 3, "min_loads": 1},
        ),
        *pair("freshness", "freshness", {"max_age_hours": age + 1}, {"max_age_hours": age / 2}),
        *pair(
            "expression",
            "expression",
            {"sql": "length(hcp_id) = 9"},
            {"sql": "city = 'Nowhere'"},
        ),
    ]


def test_feed_checks_block_an_error_and_publish_a_warning(
    parse_with: Callable[[Callable[[Path], None]], dict[str, Any]], aws: Any, sandbox: Any, inbox: Any
) -> None:
    from sandbox.feeds import data
    from sandbox.feeds.service import sources

    feed_sources = sources(sandbox.service("/_sandbox/feeds/"))
    dags = parse_with(with_feed_checks([{"kind": "unique", "column": "hcp_id"}]))
    windows = []
    for day in FEED_DAYS:
        start, end = interval_starting_on(dags[HCP_DAG], day)
        rows = [r for r in data.professionals() if data.in_window(r["updated_at"], start, end)]
        windows.append((rows, end))
    counts = [len(rows) for rows, _ in windows]
    targets = run_day(dags["onprem_feed__sales_targets"], dt.date(2025, 1, 14))
    assert targets.state == "success", task_states(targets)
    first = run_day(dags[HCP_DAG], FEED_DAYS[0])
    assert first.state == "success", task_states(first)
    inbox.reset()

    warn_checks = feed_kinds(counts[:1], *windows[1], passing="error")
    dags = parse_with(with_feed_checks(warn_checks))
    feed_sources.bad_record("last_name")  # a warn-level not_null lets it through
    try:
        second = run_day(dags[HCP_DAG], FEED_DAYS[1])
    finally:
        feed_sources.reset()
    assert second.state == "success", task_states(second)
    assert feed_results(aws("redshift-data"), second) == {
        c["name"]: (c["name"].endswith("_pass"), c["severity"], True) for c in warn_checks
    }
    (alert,) = inbox.assert_exactly(("warning", HCP_DAG, "audit_data", second))
    assert all(c["name"] in alert["error"] for c in warn_checks if c["name"].endswith("_fail"))
    inbox.reset()

    strict = feed_kinds(counts[:2], *windows[2], passing="warn")
    dags = parse_with(with_feed_checks(strict))
    before = feed_readers_see(aws)
    feed_sources.bad_record("last_name")
    try:
        blocked = run_day(dags[HCP_DAG], FEED_DAYS[2])
    finally:
        feed_sources.reset()
    states = task_states(blocked)
    assert blocked.state == "failed"
    assert states["audit_data"] == "failed", states
    assert states["register_partition"] == states["prune_partition"] == "upstream_failed"
    assert feed_readers_see(aws) == before
    assert feed_results(aws("redshift-data"), blocked) == {
        c["name"]: (c["name"].endswith("_pass"), c["severity"], False) for c in strict
    }
    (alert,) = inbox.assert_exactly(("failure", HCP_DAG, "audit_data", blocked))
    assert "not_null_fail [error] 1 of" in alert["error"], alert["error"]
    inbox.reset()

    dags = parse_with(with_feed_checks([{"kind": "not_null", "column": "last_name"}]))
    fixed = run_day(dags[HCP_DAG], FEED_DAYS[2])
    assert fixed.state == "success", task_states(fixed)
    registered = dict(partitions(aws("glue"), "onprem_dev", "hcp_registry"))
    location = registered["20250114"]
    assert location.startswith(f"s3://{CURATED}/onprem/hcp_registry/load_date=20250114/run=")
    listed = aws("s3").list_objects_v2(Bucket=CURATED, Prefix="onprem/hcp_registry/load_date=20250114/")
    assert all(f"s3://{CURATED}/{o['Key']}".startswith(location) for o in listed["Contents"]), (
        "the blocked run's folder was pruned once the fixed load was published"
    )
    inbox.assert_none()


def test_feed_range_checks_with_both_severities(
    parse_with: Callable[[Callable[[Path], None]], dict[str, Any]], aws: Any, inbox: Any
) -> None:
    """The HCP registry has no numeric column: the range kind is checked on the territories' quota."""
    checks = [
        {"name": "quota_pass_error", "kind": "range", "column": "quota", "min": 0, "severity": "error"},
        {"name": "quota_fail_warn", "kind": "range", "column": "quota", "max": 1000, "severity": "warn"},
        {"name": "quota_pass_warn", "kind": "range", "column": "quota", "max": 10**9, "severity": "warn"},
        {"name": "quota_fail_error", "kind": "range", "column": "quota", "min": 10**8, "severity": "error"},
    ]
    dags = parse_with(with_feed_checks(checks, "crm_territories"))
    run = run_day(dags["onprem_feed__crm_territories"], dt.date(2025, 1, 15))
    assert run.state == "failed"
    assert task_states(run)["audit_data"] == "failed"
    assert feed_results(aws("redshift-data"), run, "onprem_feed__crm_territories") == {
        c["name"]: ("_pass_" in c["name"], c["severity"], False) for c in checks
    }
    (alert,) = inbox.assert_exactly(("failure", "onprem_feed__crm_territories", "audit_data", run))
    assert "quota_fail_error [error]" in alert["error"]
    assert "quota_fail_warn [warn]" in alert["error"]


def feed_results(redshift: Any, run: Any, dag_id: str = HCP_DAG) -> dict[str, tuple[bool, str, bool]]:
    rows = query(
        redshift,
        "SELECT check_name, passed, severity, published FROM quality_ext.check_results "
        f"WHERE dag_id = '{dag_id}' AND run_id = '{run.run_id}'",
    )
    return {str(r[0]): (r[1] in (True, "true"), str(r[2]), r[3] in (True, "true")) for r in rows}


def feed_readers_see(aws: Callable[[str], Any]) -> tuple[Any, ...]:
    glue, s3 = aws("glue"), aws("s3")
    registered = sorted(partitions(glue, "onprem_dev", "hcp_registry"))
    files = []
    for _, location in registered:
        prefix = location.removeprefix(f"s3://{CURATED}/")
        for item in s3.list_objects_v2(Bucket=CURATED, Prefix=prefix).get("Contents", []):
            files.append((item["Key"], s3.get_object(Bucket=CURATED, Key=item["Key"])["Body"].read()))
    rows = query(aws("redshift-data"), "SELECT * FROM onprem_ext.hcp_registry ORDER BY load_date, hcp_id")
    return registered, files, rows
