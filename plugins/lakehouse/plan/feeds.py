"""One FeedPlan per feed and environment: every name, path and Glue job argument a feed DAG needs.

Names are derived here once, so the DAG, the sandbox's provisioning and the docs agree:

- DAG id `onprem_feed__<snake name>`; Glue job `<env>-feed-<snake name>` (created by Terraform,
  running `s3://<scripts bucket>/glue/feed_ingest.py` with the package
  `s3://<scripts bucket>/glue/feed_job.zip` as `--extra-py-files`, on the feed's workers);
- the table `<feeds glue_database>.<target_table>` at `s3://<curated>/<prefix>/<target_table>/`,
  one partition `<partition_col>=YYYYMMDD` per run (the run's data interval start, UTC);
- a files feed reads `s3://<raw>/<landing_prefix>/YYYYMMDD/`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from lakehouse.config import Environment, LoadedConfig
from lakehouse.config.environments import FeedCatalog
from lakehouse.config.feeds import ApiSource, DatabaseSource, Feed, FilesSource
from lakehouse.config.names import snake_case
from lakehouse.config.schedule import Schedule
from lakehouse.plan.assets import AssetRef
from lakehouse.plan.checks import AuditPlan, checks_doc, plan_checks, results_target

DAG_PREFIX = "onprem_feed__"
SCRIPT_KEY = "glue/feed_ingest.py"
PACKAGE_KEY = "glue/feed_job.zip"
PARTITION_FORMAT = "%Y%m%d"

RUN_FOLDER = "run"
"""A run's load lands in `<partition_col>=YYYYMMDD/run=<token>/` (a `name=value` segment, as the job
contract wants its target): readers see it only once `register_partition` points the partition there."""

FEED_TASKS: tuple[tuple[str, str], ...] = (
    ("run_job", "run the feed's Glue job for the interval into a folder of this run's own"),
    ("discover_schema", "read the columns and types of the landed Parquet"),
    ("register_table", "create or evolve the Glue table"),
    ("ensure_external_schema", "CREATE EXTERNAL SCHEMA IF NOT EXISTS over the feeds' Glue database"),
    (
        "audit_data",
        "the declared checks on this run's load through Spectrum; an error blocks it, results to the lake",
    ),
    ("register_partition", "point the interval's partition at this run's folder, in one catalog update"),
    ("check_data", "rows Spectrum reads for the partition equal the rows of its Parquet files"),
    ("prune_partition", "delete the files of the loads this one replaced"),
)


@dataclass(frozen=True)
class FeedPlan:
    dag_id: str
    env: str
    environment: Environment
    catalog: FeedCatalog
    feed: Feed
    schedule: Schedule
    glue_job: str
    table: str
    bucket: str
    prefix: str
    """Key prefix of the table in the curated bucket, no trailing '/'."""
    script_location: str
    package_location: str

    @property
    def worker_type(self) -> str:
        return self.feed.workers.type

    @property
    def number_of_workers(self) -> int:
        return self.feed.workers.count

    @property
    def default_arguments(self) -> dict[str, str]:
        """What the job definition carries whatever the run (Terraform's default_arguments too)."""
        return {
            "--job-language": "python",
            "--extra-py-files": self.package_location,
            "--enable-continuous-cloudwatch-log": "true",
        }

    feed_tables: dict[str, str] = field(default_factory=dict)
    """Every feed of the environment by name -> its target table (what `relationships` refer to)."""

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}/"

    @property
    def glue_database(self) -> str:
        return self.catalog.glue_database

    @property
    def external_schema(self) -> str:
        return self.catalog.external_schema

    @property
    def asset_name(self) -> str:
        return f"{self.glue_database}.{self.table}"

    @property
    def asset(self) -> AssetRef:
        """Published once a run's partition is checked, named like the Salesforce tables' Assets."""
        return AssetRef(name=self.asset_name, uri=self.location.rstrip("/"))

    @property
    def tasks(self) -> tuple[tuple[str, str], ...]:
        if self.feed.checks:
            return FEED_TASKS
        return tuple(task for task in FEED_TASKS if task[0] != "audit_data")

    def audit(self) -> AuditPlan | None:
        """The audit step: None without checks."""
        results = results_target(self.environment.quality, self.environment.buckets.curated)
        if not self.feed.checks or results is None:
            return None
        return AuditPlan(
            object_name=self.feed.name,
            source="feeds",
            glue_database=self.glue_database,
            table=self.table,
            external_schema=self.external_schema,
            partition_column=self.feed.partition_col,
            checks=plan_checks(
                self.feed.checks,
                timestamp_column=self.feed.timestamp_column,
                target_schema=self.external_schema,
                target_table=self._feed_table,
            ),
            results=results,
        )

    def _feed_table(self, feed_name: str) -> str:
        """A relationship's target feed, by name: its target table (the loader checked it exists)."""
        return self.feed_tables.get(feed_name, snake_case(feed_name))

    @property
    def start_date(self) -> dt.datetime:
        return dt.datetime.combine(self.feed.start_date, dt.time(), tzinfo=dt.UTC)

    @property
    def tags(self) -> list[str]:
        base = ["lakehouse", self.env, "feed", self.feed.source.kind]
        return list(dict.fromkeys([*base, *self.feed.tags]))

    @property
    def source_secret(self) -> str | None:
        return self.feed.secret_for(self.env)

    def landing_location(self, day: str) -> str | None:
        """The drop folder a files feed reads for the day `day` (YYYYMMDD or a template of it)."""
        source = self.feed.source
        if not isinstance(source, FilesSource):
            return None
        return f"s3://{self.environment.buckets.raw}/{source.landing_prefix}/{day}/"

    def partition_location(self, value: str) -> str:
        return f"{self.location}{self.feed.partition_col}={value}/"

    def partition_prefix(self, value: str) -> str:
        """The key prefix (no bucket) under which every run of the partition writes its folder."""
        return f"{self.prefix}/{self.feed.partition_col}={value}/"

    def load_location(self, value: str, token: str) -> str:
        """The run's own folder under the partition (`token`: unique per try, may be a template)."""
        return f"{self.partition_location(value)}{RUN_FOLDER}={token}/"

    def script_args(
        self, window_start: str, window_end: str, day: str, target_location: str | None = None
    ) -> dict[str, str]:
        """The job's arguments (docs/feeds.md, "The job contract"); values may be Jinja templates."""
        source = self.feed.source
        args: dict[str, str] = {"--source_kind": source.kind}
        if isinstance(source, DatabaseSource):
            args["--source_secret"] = self.source_secret or ""
            args["--source_table"] = source.table
        elif isinstance(source, ApiSource):
            args["--source_secret"] = self.source_secret or ""
            args["--source_path"] = source.path
            args["--records_field"] = source.records_field
            args["--next_field"] = source.next_field
        else:
            args["--source_location"] = self.landing_location(day) or ""
            args["--file_format"] = source.format
        if self.feed.timestamp_column is not None:
            args["--timestamp_column"] = self.feed.timestamp_column
        args.update(self.engine_args)
        args["--window_start"] = window_start
        args["--window_end"] = window_end
        args["--target_location"] = target_location or self.partition_location(day)
        return args

    @property
    def engine_args(self) -> dict[str, str]:
        """`--engine spark` and how the read is split (none for the python engine, the default)."""
        if self.feed.engine != "spark":
            return {}
        spark = self.feed.spark
        args = {"--engine": "spark", "--fetch_size": str(spark.fetch_size)}
        if spark.predicates is not None:
            args["--predicates"] = json.dumps(spark.predicates)
        elif spark.partition_column is not None:
            args["--partition_column"] = spark.partition_column
            args["--lower_bound"] = str(spark.lower_bound)
            args["--upper_bound"] = str(spark.upper_bound)
            args["--num_partitions"] = str(spark.num_partitions)
        return args

    def doc_md(self) -> str:
        feed = self.feed
        source = feed.source
        if isinstance(source, DatabaseSource):
            what = f"table `{source.table}` of the database in secret `{self.source_secret}`"
        elif isinstance(source, ApiSource):
            what = (
                f"`{source.path}` of the API in secret `{self.source_secret}` "
                f"(pages via `{source.next_field}`)"
            )
        else:
            drop = f"s3://{self.environment.buckets.raw}/{source.landing_prefix}/YYYYMMDD/"
            what = f"{source.format} files dropped under `{drop}`"
        window = (
            f"records whose `{feed.timestamp_column}` lies in the run's data interval"
            if feed.timestamp_column
            else (
                "the interval's drop folder" if isinstance(source, FilesSource) else "a full snapshot per run"
            )
        )
        steps = "\n".join(f"{i}. `{task}`: {why}" for i, (task, why) in enumerate(self.tasks, 1))
        audit = self.audit()
        checks = f"{checks_doc(audit.checks)}\n\n" if audit else ""
        return (
            f"### {feed.name} ({self.env})\n\n{feed.description}\n\n"
            f"Glue job `{self.glue_job}` reads {what}: {window}. It lands Parquet in "
            f"`{self.location}{feed.partition_col}=YYYYMMDD/`, registered as `{self.asset_name}` and "
            f"readable in Spectrum as `{self.external_schema}.{self.table}`.\n\n"
            f"Engine: `{feed.engine}` on {feed.workers.count} {feed.workers.type} workers.\n\n"
            f"Schedule: `{self.schedule.expression}` = {self.schedule.describe}. One run at a time.\n\n"
            f"Steps:\n{steps}\n\n{checks}"
            "Rerun an interval by clearing its run: the new load replaces the old one once it is "
            "checked, never appended; a rerun that fails leaves the old one in place."
        )


def feed_dag_id(feed: Feed) -> str:
    return f"{DAG_PREFIX}{feed.snake_name}"


def feed_of(dag_id: str) -> str | None:
    """The feed (snake_case name) a generated DAG id names, or None for any other DAG."""
    name = dag_id.removeprefix(DAG_PREFIX)
    return name if name != dag_id and name else None


def glue_job_name(feed: Feed, env: str) -> str:
    return f"{env}-feed-{feed.snake_name}"


def plan_feeds(config: LoadedConfig, env: str, only_dag_id: str | None = None) -> list[FeedPlan]:
    """Plans for the valid feeds deployed to `env`, sorted by DAG id (or only `only_dag_id`'s)."""
    environment = config.environments.get(env)
    if environment is None or environment.feeds is None:
        return []
    tables = {f.name: f.target_table for f in config.feeds_for(env)}
    feeds = [f for f in config.feeds_for(env) if only_dag_id is None or feed_dag_id(f) == only_dag_id]
    return sorted((plan_feed(f, env, environment, tables) for f in feeds), key=lambda p: p.dag_id)


def plan_feed(
    feed: Feed, env: str, environment: Environment, feed_tables: dict[str, str] | None = None
) -> FeedPlan:
    catalog = environment.feeds
    if catalog is None:  # the loader refuses such feeds; kept so a rule change cannot slip through
        raise ValueError(f"environment '{env}' has no feeds section")
    return FeedPlan(
        dag_id=feed_dag_id(feed),
        env=env,
        environment=environment,
        catalog=catalog,
        feed=feed,
        schedule=feed.schedule,
        glue_job=glue_job_name(feed, env),
        table=feed.target_table,
        bucket=environment.buckets.curated,
        prefix=f"{catalog.prefix}/{feed.target_table}",
        script_location=f"s3://{environment.buckets.scripts}/{SCRIPT_KEY}",
        package_location=f"s3://{environment.buckets.scripts}/{PACKAGE_KEY}",
        feed_tables=dict(feed_tables or {}),
    )
