"""Each bad config is reported as FILE:LINE: WHERE: WHAT, naming the right line and field.

Configs are written the way a new user would write them (a minimal valid file plus one mistake),
so the tests pin down what a user reads, not what the code happens to produce.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from lakehouse.cli import main
from lakehouse.config import load_config
from tests.conftest import SAMPLE_CONFIG

BASE = """\
defaults:
  connector_profile: roche-salesforce-connector-profile1
  description: daily load
flows:
  - name: Account
    bookmark_col: appflow_date_str
"""
# line numbers in BASE: defaults 1, connector_profile 2, flows 4, Account 5, bookmark_col 6


def write_config(tmp_path: Path, flows: str, environments: str | None = None) -> Path:
    config = tmp_path / "config"
    config.mkdir()
    (config / "flows.yaml").write_text(textwrap.dedent(flows))
    if environments is None:
        shutil.copy(SAMPLE_CONFIG / "environments.yaml", config / "environments.yaml")
    else:
        (config / "environments.yaml").write_text(textwrap.dedent(environments))
    return config


def flow(extra: str, name: str = "Lead") -> str:
    """BASE plus one more flow (starting on line 7) with `extra` keys from line 8."""
    body = textwrap.indent(textwrap.dedent(extra), "    ")
    return BASE + f"  - name: {name}\n" + body


# (id, flows.yaml, expected line, expected where, a fragment of the message)
CASES = [
    (
        "unknown-key-typo",
        flow("schedul_expression: rate(1 day)\n"),
        8,
        "flows[Lead].schedul_expression",
        "did you mean 'schedule_expression'",
    ),
    (
        "unknown-key-in-defaults",
        BASE.replace("  description: daily load\n", "  desc: x\n"),
        3,
        "defaults.desc",
        "unknown key 'desc'",
    ),
    ("bad-source", flow("source: oracle\n"), 8, "flows[Lead].source", "'salesforce' or 's3'"),
    (
        "both-salesforce",
        flow("source: salesforce\ndestination: salesforce\nupsert_field_list: Id\n"),
        9,
        "flows[Lead].destination",
        "one must be salesforce and the other s3",
    ),
    (
        "incremental-not-flag",
        flow("incremental_load: 2\n"),
        8,
        "flows[Lead].incremental_load",
        "must be 0 or 1",
    ),
    ("pii-not-flag", flow("pii: yes please\n"), 8, "flows[Lead].pii", "must be 0 or 1"),
    (
        "rate-plural",
        flow('schedule_expression: "rate(1 days)"\n'),
        8,
        "flows[Lead].schedule_expression",
        "rate(1 day)",
    ),
    (
        "rate-unit",
        flow('schedule_expression: "rate(2 weeks)"\n'),
        8,
        "flows[Lead].schedule_expression",
        "minute(s), hour(s) or day(s)",
    ),
    (
        "cron-five-fields",
        flow('schedule_expression: "cron(0 12 * * ?)"\n'),
        8,
        "flows[Lead].schedule_expression",
        "has 5 fields",
    ),
    (
        "cron-no-question-mark",
        flow('schedule_expression: "cron(0 12 * * * *)"\n'),
        8,
        "flows[Lead].schedule_expression",
        "must be '?'",
    ),
    (
        "cron-year",
        flow('schedule_expression: "cron(0 12 * * ? 2027)"\n'),
        8,
        "flows[Lead].schedule_expression",
        "year field must be '*'",
    ),
    (
        "cron-hour-range",
        flow('schedule_expression: "cron(0 24 * * ? *)"\n'),
        8,
        "flows[Lead].schedule_expression",
        "outside 0-23",
    ),
    (
        "cron-dow-range",
        flow('schedule_expression: "cron(0 2 ? * 0 *)"\n'),
        8,
        "flows[Lead].schedule_expression",
        "1 = Sunday",
    ),
    (
        "schedule-word",
        flow("schedule_expression: daily\n"),
        8,
        "flows[Lead].schedule_expression",
        "is not a schedule",
    ),
    (
        "sql-in-name",
        flow("", name="'Lead; DROP TABLE x'"),
        7,
        "flows[Lead; DROP TABLE x].name",
        "flow name starts with a letter",
    ),
    (
        "bad-object-name",
        flow("object_name: Lead Object\n"),
        8,
        "flows[Lead].object_name",
        "Salesforce API name",
    ),
    ("reserved-bookmark", flow("bookmark_col: select\n"), 8, "flows[Lead].bookmark_col", "reserved word"),
    ("uppercase-bookmark", flow("bookmark_col: LoadDate\n"), 8, "flows[Lead].bookmark_col", "lowercase"),
    ("prefix-traversal", flow("s3_prefix: ../secrets\n"), 8, "flows[Lead].s3_prefix", "'..' segment"),
    ("prefix-leading-slash", flow("s3_prefix: /raw\n"), 8, "flows[Lead].s3_prefix", "no leading"),
    (
        "profile-bad-chars",
        flow("connector_profile: profile one\n"),
        8,
        "flows[Lead].connector_profile",
        "connector profile name",
    ),
    (
        "profile-undeclared",
        flow("connector_profile: other-profile\n"),
        8,
        "flows[Lead].connector_profile",
        "not declared for environment",
    ),
    (
        "description-chars",
        flow("description: 'drop; <script>'\n"),
        8,
        "flows[Lead].description",
        "AppFlow descriptions allow",
    ),
    (
        "unknown-environment",
        flow("environment: staging\n"),
        8,
        "flows[Lead].environment",
        "allowed: all, dev, prod",
    ),
    (
        "upsert-needs-fields",
        flow("source: s3\ndestination: salesforce\nschedule_expression: na\n"),
        7,
        "flows[Lead].upsert_field_list",
        "needs the fields",
    ),
    (
        "upsert-fields-on-ingest",
        flow("upsert_field_list: ExternalId__c\n"),
        8,
        "flows[Lead].upsert_field_list",
        "only applies",
    ),
    (
        "upsert-two-orgs",
        flow(
            "source: s3\ndestination: salesforce\nupsert_field_list: Id\nconnector_profile: roche-salesforce-connector-profile1,roche-salesforce-connector-profile2\n"
        ),
        11,
        "flows[Lead].connector_profile",
        "exactly one org",
    ),
    (
        "trigger-results-on-ingest",
        flow("trigger: results\n"),
        8,
        "flows[Lead].trigger",
        "'results' only applies to flows whose destination is salesforce",
    ),
    (
        "trigger-unknown",
        flow(
            "source: s3\ndestination: salesforce\nupsert_field_list: Id\nschedule_expression: na\ntrigger: landed\n"
        ),
        12,
        "flows[Lead].trigger",
        "'schedule' or 'results'",
    ),
    (
        "manual-incremental",
        flow("schedule_expression: na\n"),
        7,
        "flows[Lead].incremental_load",
        "no data interval",
    ),
    ("pii-without-columns", flow("pii: 1\n"), 7, "flows[Lead].pii_columns", "list the columns"),
    ("pii-columns-without-pii", flow("pii_columns: Email\n"), 7, "flows[Lead].pii", "set pii: 1"),
    ("duplicate-name", flow("", name="account"), 7, "flows[account].name", "already used by flow 'Account'"),
    (
        "duplicate-object",
        flow("object_name: Account\n"),
        8,
        "flows[Lead].object_name",
        "already moved by flow 'Account'",
    ),
    ("duplicate-key", flow("pii: 0\npii: 1\n"), 9, "flows.1.pii", "duplicate key 'pii'"),
    ("retries-range", flow("retries: 99\n"), 8, "flows[Lead].retries", "less than or equal to 10"),
    ("bad-start-date", flow("start_date: 2026-13-01\n"), 8, "flows[Lead].start_date", "date"),
    ("tags-duplicate", flow("tags: [gtm, gtm]\n"), 8, "flows[Lead].tags", "more than once"),
    (
        "name-in-defaults",
        BASE.replace("  description: daily load\n", "  name: X\n"),
        3,
        "defaults.name",
        "cannot have a default",
    ),
    ("flows-not-a-list", "flows:\n  name: Account\n", 1, "", "'flows: [...]'"),
    ("flow-not-a-mapping", BASE + "  - Lead\n", 7, "flows[#2]", "expected a mapping"),
    ("missing-name", BASE + "  - object_name: Lead\n", 7, "flows[#2].name", "is required"),
    ("yaml-syntax", BASE + "  - name: [Lead\n", 8, "", "invalid YAML"),
    ("top-level-typo", BASE + "flow: []\n", 7, "flow", "unknown key"),
    # deletes and history: a window must be able to see a deletion
    (
        "window-cannot-see-deletions",
        flow("timestamp_field: LastModifiedDate\n"),
        8,
        "flows[Lead].timestamp_field",
        "'LastModifiedDate' cannot see deletions",
    ),
    (
        "window-cannot-see-deletions-from-defaults",
        BASE.replace(
            "  description: daily load\n", "  description: daily load\n  timestamp_field: CreatedDate\n"
        ),
        4,
        "flows[Account].timestamp_field (from defaults)",
        "use SystemModstamp",
    ),
    (
        "deleted-records-not-flag",
        flow("include_deleted_records: sometimes\n"),
        8,
        "flows[Lead].include_deleted_records",
        "must be 0 or 1",
    ),
    (
        "transfer-api-automatic",
        flow("data_transfer_api: AUTOMATIC\n"),
        8,
        "flows[Lead].data_transfer_api",
        "pin REST_SYNC (the default) or BULKV2",
    ),
    (
        "transfer-api-unknown",
        flow("data_transfer_api: SOAP\n"),
        8,
        "flows[Lead].data_transfer_api",
        "'REST_SYNC' or 'BULKV2'",
    ),
    (
        "reconcile-schedule",
        flow('reconcile_schedule: "weekly"\n'),
        8,
        "flows[Lead].reconcile_schedule",
        "is not a schedule",
    ),
]

ENV_CASES = [
    (
        "account-id",
        ('account_id: "111111111111"', 'account_id: "1111"'),
        3,
        "environments[dev].account_id",
        "12 digits",
    ),
    (
        "account-id-unquoted",
        ('account_id: "111111111111"', "account_id: 111111111111"),
        3,
        "environments[dev].account_id",
        "quote it",
    ),
    (
        "bucket-uppercase",
        ("raw: gtm-lakehouse-dev-raw", "raw: GTM_Raw"),
        7,
        "environments[dev].buckets.raw",
        "S3 bucket name",
    ),
    (
        "bucket-shared",
        ("curated: gtm-lakehouse-dev-curated", "curated: gtm-lakehouse-dev-raw"),
        6,
        "environments[dev].buckets",
        "its own bucket",
    ),
    (
        "role-arn",
        ("role/RedshiftSpectrumRole", "role/Spectrum Role"),
        18,
        "environments[dev].redshift.spectrum_role_arn",
        "IAM role ARN",
    ),
    (
        "glue-template",
        ('glue_database: "{profile}_{env}"', 'glue_database: "{profil}"'),
        14,
        "environments[dev].glue_database",
        "bad template",
    ),
    (
        "two-warehouses",
        (
            "workgroup_name: gtm-lakehouse-dev",
            "workgroup_name: gtm-lakehouse-dev\n      cluster_identifier: c1\n      db_user: x",
        ),
        15,
        "environments[dev].redshift",
        "exactly one of",
    ),
    (
        "limits-unknown-profile",
        (
            "roche-salesforce-connector-profile1:\n        daily_api_calls",
            "roche-salesforce-profile9:\n        daily_api_calls",
        ),
        32,
        "environments[dev].salesforce_limits.roche-salesforce-profile9",
        "is not in connector_profiles",
    ),
    (
        "limits-too-many-runs",
        ("concurrent_runs: 4", "concurrent_runs: 40"),
        34,
        "environments[dev].salesforce_limits.roche-salesforce-connector-profile1.concurrent_runs",
        "less than or equal to 25",
    ),
    (
        "limits-zero-calls",
        ("daily_api_calls: 15000", "daily_api_calls: 0"),
        33,
        "environments[dev].salesforce_limits.roche-salesforce-connector-profile1.daily_api_calls",
        "greater than or equal to 1",
    ),
    (
        "limits-typo",
        ("daily_api_calls: 15000", "daily_api_call: 15000"),
        33,
        "environments[dev].salesforce_limits.roche-salesforce-connector-profile1.daily_api_call",
        "unknown key 'daily_api_call'",
    ),
]


@pytest.mark.parametrize(
    ("flows_yaml", "line", "where", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_flow_is_reported_with_file_line_and_field(
    tmp_path: Path, flows_yaml: str, line: int, where: str, fragment: str
) -> None:
    config = write_config(tmp_path, flows_yaml)
    problems = load_config(config).problems
    rendered = [str(p) for p in problems]
    prefix = f"{config / 'flows.yaml'}:{line}:" + (f" {where}:" if where else "")
    matching = [r for r in rendered if r.startswith(prefix) and fragment in r]
    assert matching, f"expected '{prefix} ...{fragment}...' in:\n" + "\n".join(rendered)


@pytest.mark.parametrize(
    ("change", "line", "where", "fragment"), [c[1:] for c in ENV_CASES], ids=[c[0] for c in ENV_CASES]
)
def test_bad_environment_is_reported_with_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, where: str, fragment: str
) -> None:
    text = (SAMPLE_CONFIG / "environments.yaml").read_text()
    # The sample has a comment header of 4 lines; the cases count lines from `environments:`.
    header = text.index("environments:")
    body = text[header:]
    assert change[0] in body
    config = write_config(tmp_path, BASE, body.replace(change[0], change[1], 1))
    rendered = [str(p) for p in load_config(config).problems]
    prefix = f"{config / 'environments.yaml'}:{line}: {where}:"
    assert any(r.startswith(prefix) and fragment in r for r in rendered), "\n".join(rendered)


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        flow('schedule_expression: "rate(1 days)"\nbookmark_col: select\npii: 1\nsource: oracle\n'),
    )
    wheres = {p.where for p in load_config(config).problems}
    assert {
        "flows[Lead].schedule_expression",
        "flows[Lead].bookmark_col",
        "flows[Lead].source",
        "flows[Lead].pii_columns",
    } <= wheres


def test_invalid_flow_does_not_remove_valid_ones(tmp_path: Path) -> None:
    config = write_config(tmp_path, flow("source: oracle\n"))
    loaded = load_config(config)
    assert [f.name for f in loaded.flows] == ["Account"]
    assert not loaded.ok


def test_a_bad_default_is_reported_once_at_its_line(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        BASE.replace("  description: daily load\n", '  schedule_expression: "rate(5 day)"\n')
        + "  - name: Lead\n",
    )
    problems = [p for p in load_config(config).problems if "schedule_expression" in p.where]
    assert [(p.line, p.where) for p in problems] == [(3, "defaults.schedule_expression")]


def test_cli_validate_exit_codes_and_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SAMPLE_CONFIG)]) == 0
    assert "valid" in capsys.readouterr().out
    config = write_config(tmp_path, flow("source: oracle\nretries: -1\n"))
    assert main(["validate", str(config)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "2 problem(s) found"
    assert err[0].startswith(f"{config / 'flows.yaml'}:8: flows[Lead].source:")
    assert err[1].startswith(f"{config / 'flows.yaml'}:9: flows[Lead].retries:")
    assert main(["validate", str(SAMPLE_CONFIG), "--env", "qa"]) == 1


def test_a_window_on_lastmodifieddate_is_accepted_when_deleted_records_are_not_read(tmp_path: Path) -> None:
    """Live records only: the weekly reconciliation is then what removes deleted records."""
    config = load_config(
        write_config(tmp_path, flow("timestamp_field: LastModifiedDate\ninclude_deleted_records: 0\n"))
    )
    assert config.ok, config.error()
    (lead,) = [f for f in config.flows if f.name == "Lead"]
    assert (lead.timestamp_field, lead.include_deleted_records, lead.reconciles) == (
        "LastModifiedDate",
        False,
        True,
    )
