"""Bad feeds are reported like bad flows: FILE:LINE: feeds[NAME].FIELD: WHAT, every one at once.

Laid out like test_bad_configs.py: a minimal valid feeds.yaml plus one mistake, the line and field
a user must go to, and a fragment of the sentence they read.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from lakehouse.cli import main
from lakehouse.config import load_config
from tests.config.test_bad_configs import BASE
from tests.conftest import SAMPLE_CONFIG

FEEDS = """\
defaults:
  partition_col: load_date
feeds:
  - name: Territories
    source:
      kind: database
      secret: crm/{env}/db
      table: territories
    target_table: territories
"""
# line numbers in FEEDS: defaults 1, partition_col 2, feeds 3, Territories 4, source 5, kind 6,
# secret 7, table 8, target_table 9


def files_feed(source: str = "", extra: str = "", name: str = "Targets", table: str = "targets") -> str:
    """FEEDS plus a files feed: name on line 10, target_table 11, source 12, kind 13, format 14,
    landing_prefix 15, then `source` lines (in the source) and `extra` lines (in the feed)."""
    source_lines = textwrap.indent(textwrap.dedent(source), "      ")
    extra_lines = textwrap.indent(textwrap.dedent(extra), "    ")
    return (
        FEEDS
        + f"  - name: {name}\n    target_table: {table}\n    source:\n      kind: files\n"
        + "      format: csv\n      landing_prefix: landing/targets\n"
        + source_lines
        + extra_lines
    )


def database_feed(source: str, extra: str = "") -> str:
    """FEEDS plus a database feed: name 10, target_table 11, source 12, kind 13, then `source` from 14."""
    source_lines = textwrap.indent(textwrap.dedent(source), "      ")
    extra_lines = textwrap.indent(textwrap.dedent(extra), "    ")
    return (
        FEEDS
        + "  - name: Regions\n    target_table: regions\n    source:\n      kind: database\n"
        + source_lines
        + extra_lines
    )


def write_config(tmp_path: Path, feeds: str, environments: str | None = None) -> Path:
    config = tmp_path / "config"
    config.mkdir()
    (config / "flows.yaml").write_text(BASE)
    (config / "feeds.yaml").write_text(feeds)
    if environments is None:
        shutil.copy(SAMPLE_CONFIG / "environments.yaml", config / "environments.yaml")
    else:
        (config / "environments.yaml").write_text(environments)
    return config


REGIONS = "secret: crm/db\ntable: regions\n"
"""A database source's keys (lines 14-15 of database_feed); `extra` then starts on line 16."""
SPARK_RANGE = (
    "engine: spark\nspark:\n  partition_column: id\n  lower_bound: {lower}\n  upper_bound: {upper}\n"
    "  num_partitions: 4\n"
)
"""engine 16, spark 17, partition_column 18, lower_bound 19, upper_bound 20, num_partitions 21."""

# (id, feeds.yaml, expected line, expected where, a fragment of the message)
CASES = [
    (
        "source-key-typo",
        files_feed("landing_prefx: x\n"),
        16,
        "feeds[Targets].source.landing_prefx",
        "did you mean 'landing_prefix'",
    ),
    (
        "key-of-another-kind",
        database_feed("secret: crm/db\ntable: regions\nrecords_field: items\n"),
        16,
        "feeds[Regions].source.records_field",
        "allowed keys: kind, secret, table, timestamp_column",
    ),
    (
        "unknown-kind",
        FEEDS.replace("kind: database", "kind: oracle"),
        6,
        "feeds[Territories].source.kind",
        "'oracle' is not a source kind",
    ),
    (
        "missing-kind",
        FEEDS.replace("      kind: database\n", ""),
        5,
        "feeds[Territories].source",
        "needs 'kind'",
    ),
    (
        "bad-format",
        files_feed().replace("format: csv", "format: parquet"),
        14,
        "feeds[Targets].source.format",
        "'csv' or 'jsonl'",
    ),
    (
        "landing-traversal",
        files_feed().replace("landing/targets", "../secrets"),
        15,
        "feeds[Targets].source.landing_prefix",
        "'..' segment",
    ),
    (
        "sql-in-source-table",
        FEEDS.replace("  table: territories\n", "  table: 'territories; DROP TABLE x'\n"),
        8,
        "feeds[Territories].source.table",
        "unquoted SQL identifier",
    ),
    (
        "timestamp-column-space",
        database_feed("secret: crm/db\ntable: regions\ntimestamp_column: updated at\n"),
        16,
        "feeds[Regions].source.timestamp_column",
        "source column",
    ),
    (
        "secret-template",
        FEEDS.replace("crm/{env}/db", "crm/{environment}/db"),
        7,
        "feeds[Territories].source.secret",
        "{env} is replaced",
    ),
    (
        "api-path-query",
        FEEDS.replace("kind: database", "kind: api").replace(
            "  table: territories\n", "  path: /v1/items?page=1\n"
        ),
        8,
        "feeds[Territories].source.path",
        "starts with '/'",
    ),
    ("reserved-target", files_feed(table="select"), 11, "feeds[Targets].target_table", "reserved word"),
    ("uppercase-target", files_feed(table="Targets"), 11, "feeds[Targets].target_table", "lowercase"),
    (
        "duplicate-target",
        files_feed(table="territories"),
        11,
        "feeds[Targets].target_table",
        "already used by feed 'Territories'",
    ),
    (
        "duplicate-name",
        files_feed(name="territories"),
        10,
        "feeds[territories].name",
        "already used by feed 'Territories'",
    ),
    (
        "duplicate-landing",
        files_feed() + "  - name: Other\n    target_table: other\n    source: {kind: files, format: csv, "
        "landing_prefix: landing/targets}\n",
        18,
        "feeds[Other].source.landing_prefix",
        "read the same drop",
    ),
    (
        "hourly-schedule",
        files_feed(extra='schedule_expression: "rate(1 hour)"\n'),
        16,
        "feeds[Targets].schedule_expression",
        "more than once a day",
    ),
    (
        "manual-windowed",
        FEEDS.replace("  table: territories\n", "  table: territories\n      timestamp_column: updated_at\n")
        + "    schedule_expression: na\n",
        9,
        "feeds[Territories].source.timestamp_column",
        "no data interval",
    ),
    (
        "missing-target",
        FEEDS.replace("    target_table: territories\n", ""),
        4,
        "feeds[Territories].target_table",
        "is required",
    ),
    (
        "unknown-environment",
        files_feed(extra="environment: qa\n"),
        16,
        "feeds[Targets].environment",
        "allowed: all, dev, prod",
    ),
    (
        "bad-default",
        FEEDS.replace("partition_col: load_date", "partition_col: LoadDate"),
        2,
        "defaults.partition_col",
        "lowercase",
    ),
    (
        "source-in-defaults",
        FEEDS.replace("  partition_col: load_date\n", "  source: {kind: files}\n"),
        2,
        "defaults.source",
        "is per feed",
    ),
    (
        "feed-key-typo",
        files_feed(extra="target_tabel: x\n"),
        16,
        "feeds[Targets].target_tabel",
        "did you mean 'target_table'",
    ),
    ("feeds-not-a-list", "feeds:\n  name: X\n", 1, "", "'feeds: [...]'"),
    # engine, workers and spark (lakehouse.config.feed_engine, feed_rules.engine_rules)
    (
        "spark-on-files",
        files_feed(extra="engine: spark\n"),
        16,
        "feeds[Targets].engine",
        "spark reads database",
    ),
    (
        "unknown-engine",
        files_feed(extra="engine: flink\n"),
        16,
        "feeds[Targets].engine",
        "'python' or 'spark'",
    ),
    (
        "spark-keys-on-python",
        database_feed(REGIONS, extra="spark:\n  num_partitions: 4\n"),
        16,
        "feeds[Regions].spark",
        "engine: spark only",
    ),
    (
        "partition-column-alone",
        database_feed(REGIONS, extra="engine: spark\nspark:\n  partition_column: id\n"),
        17,
        "feeds[Regions].spark.lower_bound",
        "is required with partition_column",
    ),
    (
        "bounds-reversed",
        database_feed(REGIONS, extra=SPARK_RANGE.format(lower=100, upper=10)),
        20,
        "feeds[Regions].spark.upper_bound",
        "must be above lower_bound",
    ),
    (
        "bounds-of-two-kinds",
        database_feed(REGIONS, extra=SPARK_RANGE.format(lower=1, upper="'2025-01-01'")),
        20,
        "feeds[Regions].spark.upper_bound",
        "both be numbers or both dates",
    ),
    (
        "predicates-and-column",
        database_feed(REGIONS, extra=SPARK_RANGE.format(lower=1, upper=9) + "  predicates: ['a = 1']\n"),
        22,
        "feeds[Regions].spark.predicates",
        "give one or the other",
    ),
    (
        "predicate-with-a-statement",
        database_feed(REGIONS, extra="engine: spark\nspark:\n  predicates: ['a = 1; DROP TABLE x']\n"),
        18,
        "feeds[Regions].spark.predicates",
        "holds ';' or a comment",
    ),
    (
        "spark-key-typo",
        database_feed(REGIONS, extra="engine: spark\nspark:\n  partiton_column: id\n"),
        18,
        "feeds[Regions].spark.partiton_column",
        "did you mean 'partition_column'",
    ),
    (
        "python-with-idle-workers",
        database_feed(REGIONS, extra="workers:\n  count: 4\n"),
        17,
        "feeds[Regions].workers.count",
        "billed idle",
    ),
    (
        "workers-below-glue-minimum",
        database_feed(REGIONS, extra="engine: spark\nworkers: {type: G.1X, count: 1}\n"),
        17,
        "feeds[Regions].workers.count",
        "greater than or equal to 2",
    ),
    (
        "unknown-worker-type",
        database_feed(REGIONS, extra="engine: spark\nworkers:\n  type: G.3X\n"),
        18,
        "feeds[Regions].workers.type",
        "'G.1X'",
    ),
    (
        "engine-in-defaults-for-an-api",
        FEEDS.replace("  partition_col: load_date\n", "  engine: spark\n")
        + "  - name: Api\n    target_table: api\n    source: {kind: api, secret: s/x, path: /v1}\n",
        2,
        "feeds[Api].engine (from defaults)",
        "spark reads database sources",
    ),
]


@pytest.mark.parametrize(
    ("feeds_yaml", "line", "where", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_feed_is_reported_with_file_line_and_field(
    tmp_path: Path, feeds_yaml: str, line: int, where: str, fragment: str
) -> None:
    config = write_config(tmp_path, feeds_yaml)
    rendered = [str(p) for p in load_config(config).problems]
    prefix = f"{config / 'feeds.yaml'}:{line}:" + (f" {where}:" if where else "")
    matching = [r for r in rendered if r.startswith(prefix) and fragment in r]
    assert matching, f"expected '{prefix} ...{fragment}...' in:\n" + "\n".join(rendered)


def test_an_environment_without_a_feeds_section_is_named_at_the_feed(tmp_path: Path) -> None:
    text = (SAMPLE_CONFIG / "environments.yaml").read_text()
    without = text.replace(
        "    feeds:\n      glue_database: onprem\n      external_schema: onprem_ext\n      prefix: onprem\n",
        "",
    )
    assert without != text
    config = write_config(tmp_path, FEEDS, without)
    rendered = [str(p) for p in load_config(config).problems]
    assert rendered == [
        f"{config / 'feeds.yaml'}:4: feeds[Territories].environment: environment 'prod' has no 'feeds:' "
        "section in environments.yaml (glue_database, external_schema, prefix)"
    ]


def test_every_problem_of_a_feed_is_reported_and_the_good_feeds_stay(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        files_feed(extra='target_tabel: x\nschedule_expression: "rate(1 hour)"\nretries: 99\n'),
    )
    loaded = load_config(config)
    assert {p.where for p in loaded.problems} == {
        "feeds[Targets].target_tabel",
        "feeds[Targets].retries",
        "feeds[Targets].schedule_expression",
    }
    assert [f.name for f in loaded.feeds] == ["Territories"]
    assert [f.name for f in loaded.flows] == ["Account"]


def test_no_feeds_file_means_no_feeds(tmp_path: Path) -> None:
    config = write_config(tmp_path, FEEDS)
    (config / "feeds.yaml").unlink()
    loaded = load_config(config)
    assert loaded.ok
    assert loaded.feeds == []


def test_the_secret_is_rendered_per_environment() -> None:
    feed = next(f for f in load_config(SAMPLE_CONFIG).feeds if f.name == "CrmTerritories")
    assert feed.secret_for("prod") == "gtm-lakehouse/prod/feeds/crm-db"


def test_cli_validate_counts_feeds_and_reports_their_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(SAMPLE_CONFIG)]) == 0
    assert "dev: 4 flows, 3 feeds" in capsys.readouterr().out
    config = write_config(tmp_path, files_feed(table="select"))
    assert main(["validate", str(config)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{config / 'feeds.yaml'}:11: feeds[Targets].target_table: 'select' is a reserved word in Redshift SQL; "
        "choose another name",
        "1 problem(s) found",
    ]


def test_a_spark_feed_plans_its_engine_arguments_and_workers(tmp_path: Path) -> None:
    from lakehouse.plan.feeds import plan_feeds

    spark = SPARK_RANGE.format(lower=1, upper=1000) + "workers: {type: G.2X, count: 5}\n"
    predicates = "engine: spark\nspark:\n  predicates: [\"region = 'EU'\", \"region <> 'EU'\"]\n"
    feeds = database_feed(REGIONS, extra=spark) + (
        "  - name: Split\n    target_table: split\n    source: {kind: database, secret: s/x, table: t}\n"
        + textwrap.indent(predicates, "    ")
    )
    config = load_config(write_config(tmp_path, feeds))
    assert config.ok, config.error()
    plans = {p.feed.name: p for p in plan_feeds(config, "dev")}
    regions, split, territories = plans["Regions"], plans["Split"], plans["Territories"]
    assert (regions.worker_type, regions.number_of_workers) == ("G.2X", 5)
    args = regions.script_args("S", "E", "D")
    assert {k: args[k] for k in ("--engine", "--partition_column", "--lower_bound", "--upper_bound")} == {
        "--engine": "spark",
        "--partition_column": "id",
        "--lower_bound": "1",
        "--upper_bound": "1000",
    }
    assert args["--num_partitions"] == "4"
    assert split.script_args("S", "E", "D")["--predicates"] == "[\"region = 'EU'\", \"region <> 'EU'\"]"
    assert "--engine" not in territories.script_args("S", "E", "D")
    assert (territories.worker_type, territories.number_of_workers) == ("G.1X", 2)
    assert regions.default_arguments["--extra-py-files"].endswith("/glue/feed_job.zip")
