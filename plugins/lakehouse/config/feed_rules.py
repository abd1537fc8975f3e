"""Rules that tie a feed's fields together, and feeds to environments and to each other.

Like `rules.py` for flows, each rule returns (field, message) pairs so the loader points at the
line of the field to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lakehouse.config.check_rules import (
    check_name_rules,
    freshness_rules,
    quality_rules,
    relationship_problems,
)
from lakehouse.config.environments import Environment
from lakehouse.config.feed_engine import PYTHON_WORKERS
from lakehouse.config.feeds import DatabaseSource, Feed, FilesSource
from lakehouse.config.names import SECRET_NAME

FieldProblem = tuple[str, str]


def feed_rules(feed: Feed) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    schedule = feed.schedule
    if schedule.sub_daily:
        problems.append(
            (
                "schedule_expression",
                f"'{feed.schedule_expression}' runs more than once a day, but a run owns one YYYYMMDD "
                "partition and replaces it: runs of one day would overwrite each other; use a daily "
                "or slower schedule",
            )
        )
    if schedule.kind == "manual" and feed.timestamp_column is not None:
        problems.append(
            (
                "source.timestamp_column",
                "an on-demand feed (schedule_expression: na) has no data interval to window; "
                "remove timestamp_column (a full snapshot per run) or give it a schedule",
            )
        )
    problems += check_name_rules(feed.checks)
    problems += freshness_rules(feed.checks, feed.timestamp_column, f"feed '{feed.name}'")
    return problems + engine_rules(feed)


def engine_rules(feed: Feed) -> list[FieldProblem]:
    """The engine fits the source, and the spark keys are set together and only for spark."""
    spark = feed.spark
    if feed.engine == "python":
        problems: list[FieldProblem] = []
        if spark.is_set:
            problems.append(("spark", "is read by engine: spark only; set engine: spark or remove it"))
        if feed.workers.count != PYTHON_WORKERS:
            problems.append(
                (
                    "workers.count",
                    f"the python engine runs on the job's driver: workers beyond {PYTHON_WORKERS} (Glue's "
                    "minimum) would be billed idle; use engine: spark to read across workers",
                )
            )
        return problems
    if not isinstance(feed.source, DatabaseSource):
        return [("engine", f"spark reads database sources (JDBC); a {feed.source.kind} feed uses python")]
    ranged = [spark.partition_column, spark.lower_bound, spark.upper_bound, spark.num_partitions]
    if spark.predicates is not None:
        if any(value is not None for value in ranged):
            return [
                (
                    "spark.predicates",
                    "predicates replace partition_column/lower_bound/upper_bound/num_partitions: "
                    "give one or the other",
                )
            ]
        return []
    if spark.partition_column is None:
        if any(value is not None for value in ranged):
            return [("spark.partition_column", "is required with lower_bound, upper_bound, num_partitions")]
        return []
    missing = [
        name
        for name, value in (
            ("lower_bound", spark.lower_bound),
            ("upper_bound", spark.upper_bound),
            ("num_partitions", spark.num_partitions),
        )
        if value is None
    ]
    if missing:
        return [(f"spark.{missing[0]}", f"is required with partition_column ({', '.join(missing)} missing)")]
    lower, upper = spark.lower_bound, spark.upper_bound
    if isinstance(lower, int) and isinstance(upper, int):
        below = lower < upper
    elif isinstance(lower, str) and isinstance(upper, str):
        below = lower < upper  # ISO dates and timestamps compare as text
    else:
        return [("spark.upper_bound", "lower_bound and upper_bound must both be numbers or both dates")]
    if not below:
        return [("spark.upper_bound", f"must be above lower_bound ({lower!r})")]
    return []


def deployed_to(feed: Feed, environments: Iterable[str]) -> list[str]:
    return sorted(environments) if feed.environment == "all" else [feed.environment]


def environment_rules(feed: Feed, environments: Mapping[str, Environment]) -> list[FieldProblem]:
    """The feed's environments exist, have a `feeds:` section, and its secret renders to a valid name."""
    if feed.environment != "all" and feed.environment not in environments:
        allowed = ", ".join(["all", *sorted(environments)])
        return [("environment", f"'{feed.environment}' is not an environment; allowed: {allowed}")]
    problems: list[FieldProblem] = quality_rules(feed.checks, deployed_to(feed, environments), environments)
    for env in deployed_to(feed, environments):
        if environments[env].feeds is None:
            problems.append(
                (
                    "environment",
                    f"environment '{env}' has no 'feeds:' section in environments.yaml "
                    "(glue_database, external_schema, prefix)",
                )
            )
        secret = feed.secret_for(env)
        problem = SECRET_NAME.problem(secret) if secret is not None else None
        if problem:
            problems.append(("source.secret", f"in environment '{env}': {problem}"))
    return problems


def uniqueness_rules(
    feeds: Iterable[tuple[int, Feed]], environments: Iterable[str]
) -> list[tuple[int, str, str]]:
    """Per environment: feed names (DAG ids, Glue jobs), target tables and landing prefixes.

    Returns (feed index, field, message) for every feed after the first that collides.
    """
    env_names = list(environments)
    problems: list[tuple[int, str, str]] = []
    seen: dict[tuple[str, str, str], str] = {}
    for index, feed in feeds:
        keys = [
            (
                "name",
                feed.snake_name,
                "names are compared as lowercase snake_case: they become DAG ids and Glue job names",
            ),
            ("target_table", feed.target_table, "two feeds would replace each other's partitions"),
        ]
        if isinstance(feed.source, FilesSource):
            keys.append(
                (
                    "source.landing_prefix",
                    feed.source.landing_prefix.rstrip("/"),
                    "two feeds would read the same drop",
                )
            )
        for env in deployed_to(feed, env_names):
            for field_name, value, why in keys:
                first = seen.get((env, field_name, value))
                if first is not None:
                    problems.append(
                        (
                            index,
                            field_name,
                            f"'{value}' is already used by feed '{first}' in environment '{env}'; {why}",
                        )
                    )
                else:
                    seen[(env, field_name, value)] = feed.name
    return problems


def reference_rules(feeds: Iterable[tuple[int, Feed]]) -> list[tuple[int, str, str]]:
    """`relationships` checks of a feed refer to another feed (its target table, same Glue database)."""
    listed = list(feeds)
    targets = {f.name: ("feeds",) for _, f in listed}
    return [
        (index, field_name, message)
        for index, feed in listed
        for field_name, message in relationship_problems(feed.checks, targets, ("feeds",), "feed")
    ]
