"""Bad data-quality check declarations are reported as FILE:LINE: WHERE: WHAT, like any other key.

Each case is a minimal valid config plus one bad check, written the way a user would write it; the
test pins the line, the field (`flows[Lead].checks.0.column`) and a fragment of the sentence.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from lakehouse.cli import main
from lakehouse.config import load_config
from tests.config.test_bad_configs import BASE, flow, write_config
from tests.config.test_bad_feeds import files_feed
from tests.conftest import SAMPLE_CONFIG


def checks(*entries: str) -> str:
    """A Lead flow (line 7) whose `checks:` is on line 8, each entry's first line from line 9 on."""
    return flow("checks:\n" + "".join(textwrap.indent(textwrap.dedent(e), "  ") for e in entries))


ONE = "flows[Lead].checks.0"
# (id, flows.yaml, line, where, fragment)
FLOW_CASES = [
    (
        "unknown-kind",
        checks("- kind: not_nul\n  column: Name\n"),
        9,
        f"{ONE}.kind",
        "'not_nul' is not a check kind",
    ),
    ("no-kind", checks("- column: Name\n"), 9, ONE, "needs 'kind': one of not_null, unique"),
    (
        "unknown-key",
        checks("- kind: not_null\n  column: Name\n  colum: Phone\n"),
        11,
        f"{ONE}.colum",
        "unknown key 'colum'; did you mean 'column'?",
    ),
    ("no-column", checks("- kind: unique\n"), 9, f"{ONE}.column", "is required"),
    (
        "bad-column",
        checks("- kind: not_null\n  column: 1Name\n"),
        10,
        f"{ONE}.column",
        "'1Name' is not allowed",
    ),
    (
        "bad-severity",
        checks("- kind: not_null\n  column: Name\n  severity: fatal\n"),
        11,
        f"{ONE}.severity",
        "'error' or 'warn'",
    ),
    (
        "no-values",
        checks("- kind: accepted_values\n  column: Rating\n  values: []\n"),
        11,
        f"{ONE}.values",
        "at least 1 item",
    ),
    (
        "quote-in-value",
        checks('- kind: accepted_values\n  column: LastName\n  values: ["O\'Brien"]\n'),
        11,
        f"{ONE}.values",
        "without quote, backslash or control characters",
    ),
    (
        "mixed-values",
        checks("- kind: accepted_values\n  column: Rating\n  values: [Hot, 1]\n"),
        11,
        f"{ONE}.values",
        "mixes number and text values",
    ),
    ("range-unbounded", checks("- kind: range\n  column: AnnualRevenue\n"), 9, ONE, "give min, max or both"),
    (
        "range-inverted",
        checks("- kind: range\n  column: AnnualRevenue\n  min: 10\n  max: 1\n"),
        9,
        ONE,
        "min (10) is greater than max (1)",
    ),
    (
        "row-count-negative",
        checks("- kind: row_count\n  min: -1\n"),
        10,
        f"{ONE}.min",
        "greater than or equal to 0",
    ),
    ("volume-zero", checks("- kind: volume\n  max_change: 0\n"), 10, f"{ONE}.max_change", "greater than 0"),
    (
        "volume-history",
        checks("- kind: volume\n  max_change: 0.5\n  loads: 7\n  min_loads: 8\n"),
        9,
        ONE,
        "min_loads (8) is greater than loads (7)",
    ),
    ("freshness-no-age", checks("- kind: freshness\n"), 9, f"{ONE}.max_age_hours", "is required"),
    (
        "expression-statement",
        checks('- kind: expression\n  name: positive\n  sql: "amount > 0; DROP TABLE account"\n'),
        11,
        f"{ONE}.sql",
        "';' is not allowed",
    ),
    (
        "expression-subquery",
        checks('- kind: expression\n  name: known\n  sql: "id IN (SELECT id FROM other)"\n'),
        11,
        f"{ONE}.sql",
        "uses 'from', 'select'",
    ),
    (
        "expression-parentheses",
        checks('- kind: expression\n  name: open\n  sql: "(amount > 0"\n'),
        11,
        f"{ONE}.sql",
        "unbalanced parentheses",
    ),
    (
        "expression-no-name",
        checks("- kind: expression\n  sql: amount > 0\n"),
        9,
        f"{ONE}.name",
        "is required",
    ),
    (
        "where-comment",
        checks('- kind: not_null\n  column: Email\n  where: "isdeleted -- live only"\n'),
        11,
        f"{ONE}.where",
        "no comments",
    ),
    (
        "bad-check-name",
        checks("- kind: not_null\n  name: Email Present\n  column: Email\n"),
        10,
        f"{ONE}.name",
        "lowercase letters",
    ),
    (
        "relationship-unknown",
        checks("- kind: relationships\n  column: AccountId\n  to: Acount\n"),
        11,
        f"{ONE}.to",
        "'Acount' is not an ingested flow (known: Account, Lead)",
    ),
    (
        "relationship-other-org",
        flow(
            "connector_profile: roche-salesforce-connector-profile2\n"
            "checks:\n  - {kind: relationships, column: AccountId, to: Account}\n"
        ),
        10,
        f"{ONE}.to",
        "'Account' is not loaded from roche-salesforce-connector-profile2",
    ),
    (
        "duplicate-name",
        checks("- {kind: unique, column: Id}\n", "- {kind: unique, column: Id, severity: warn}\n"),
        10,
        "flows[Lead].checks.1.kind",
        "a second check named 'unique_id'",
    ),
    (
        "checks-on-upsert",
        flow(
            "source: s3\ndestination: salesforce\nupsert_field_list: Id\n"
            "checks:\n  - {kind: unique, column: Id}\n"
        ),
        11,
        "flows[Lead].checks",
        "only ingest flows have them",
    ),
    (
        "bad-check-in-defaults",
        BASE.replace("  description: daily load\n", "  checks:\n    - {kind: unique, colum: Id}\n"),
        4,
        "defaults.checks.0.colum",
        "unknown key 'colum'",
    ),
]


@pytest.mark.parametrize(
    ("flows_yaml", "line", "where", "fragment"), [c[1:] for c in FLOW_CASES], ids=[c[0] for c in FLOW_CASES]
)
def test_bad_check_is_reported_with_file_line_and_field(
    tmp_path: Path, flows_yaml: str, line: int, where: str, fragment: str
) -> None:
    config = write_config(tmp_path, flows_yaml)
    rendered = [str(p) for p in load_config(config).problems]
    prefix = f"{config / 'flows.yaml'}:{line}: {where}:"
    assert any(r.startswith(prefix) and fragment in r for r in rendered), (
        f"expected '{prefix} ...{fragment}...' in:\n" + "\n".join(rendered)
    )


def test_a_flow_with_bad_checks_gets_no_dag_and_the_others_stay(tmp_path: Path) -> None:
    config = write_config(tmp_path, checks("- {kind: unique}\n"))
    loaded = load_config(config)
    assert [f.name for f in loaded.flows] == ["Account"]


def test_checks_need_the_results_table_of_the_environment(tmp_path: Path) -> None:
    environments = (SAMPLE_CONFIG / "environments.yaml").read_text()
    start = environments.index("    quality:\n")
    end = environments.index("\n  prod:")
    without = environments[:start] + environments[end + 1 :]
    config = write_config(tmp_path, checks("- {kind: unique, column: Id}\n"), without)
    rendered = [str(p) for p in load_config(config).problems]
    assert any(
        r.startswith(f"{config / 'flows.yaml'}:8: flows[Lead].checks: environment 'dev' has no 'quality:'")
        for r in rendered
    ), rendered


FEED_CASES = [
    (
        "freshness-without-timestamp",
        files_feed(extra="checks:\n  - {kind: freshness, max_age_hours: 24}\n"),
        17,
        "feeds[Targets].checks.0.column",
        "a freshness check needs a timestamp column",
    ),
    (
        "relationship-unknown-feed",
        files_feed(extra="checks:\n  - {kind: relationships, column: region, to: Regions}\n"),
        17,
        "feeds[Targets].checks.0.to",
        "'Regions' is not an ingested feed (known: Targets, Territories)",
    ),
    (
        "feed-unknown-kind",
        files_feed(extra="checks:\n  - {kind: uniq, column: region}\n"),
        17,
        "feeds[Targets].checks.0.kind",
        "'uniq' is not a check kind",
    ),
    (
        "feed-unknown-key",
        files_feed(extra="checks:\n  - kind: not_null\n    columns: [region]\n"),
        18,
        "feeds[Targets].checks.0.columns",
        "did you mean 'column'?",
    ),
]


@pytest.mark.parametrize(
    ("feeds_yaml", "line", "where", "fragment"), [c[1:] for c in FEED_CASES], ids=[c[0] for c in FEED_CASES]
)
def test_bad_feed_check_is_reported_with_file_line_and_field(
    tmp_path: Path, feeds_yaml: str, line: int, where: str, fragment: str
) -> None:
    config = write_config(tmp_path, BASE)
    (config / "feeds.yaml").write_text(feeds_yaml)
    rendered = [str(p) for p in load_config(config).problems]
    prefix = f"{config / 'feeds.yaml'}:{line}: {where}:"
    assert any(r.startswith(prefix) and fragment in r for r in rendered), (
        f"expected '{prefix} ...{fragment}...' in:\n" + "\n".join(rendered)
    )


def test_validate_names_every_bad_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, checks("- {kind: range, column: AnnualRevenue}\n", "- {kind: volume}\n"))
    shutil.copy(SAMPLE_CONFIG / "feeds.yaml", config / "feeds.yaml")
    assert main(["validate", str(config)]) == 1
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "flows[Lead].checks.0: give min, max or both" in out
    assert "flows[Lead].checks.1.max_change: is required" in out
