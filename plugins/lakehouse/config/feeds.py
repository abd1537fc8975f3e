"""On-prem feeds landed in the lake by Glue jobs: the `feeds.yaml` entries.

A feed reads one source (a database table through a connection URL, a paged REST API, or files
dropped in the raw bucket's landing zone) for a run's data interval and lands it as Parquet in one
`<partition_col>=YYYYMMDD` partition of the curated bucket. Everything named here reaches a Glue
job argument, an S3 key, a Glue table or a Redshift statement, so every name is checked against
the rule of the service it reaches, like the flows' names are.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lakehouse.config.checks import Check, checks_field
from lakehouse.config.dag_settings import STRICT, DagSettings
from lakehouse.config.feed_engine import Engine, SparkRead, Workers
from lakehouse.config.fields import named, sql_identifier
from lakehouse.config.names import (
    FLOW_NAME,
    GLUE_NAME,
    S3_PREFIX,
    NameRule,
    snake_case,
)
from lakehouse.config.schedule import Schedule, checked_expression, parse_schedule

_Strict = STRICT

SOURCE_TABLE = NameRule(
    re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?"),
    127,
    "a source table is an unquoted SQL identifier (letters, digits, '_', not starting with a digit), "
    "optionally schema-qualified as schema.table",
)
SOURCE_COLUMN = NameRule(
    re.compile(r"[A-Za-z_][A-Za-z0-9_]*"),
    63,
    "a source column is an unquoted SQL identifier: letters, digits and '_', not starting with a digit",
)
API_PATH = NameRule(
    re.compile(r"/(?!.*//)(?!.*(?:^|/)\.\.?(?:/|$))[A-Za-z0-9_.~/-]*"),
    1024,
    "an API path starts with '/' and holds letters, digits and _.~-/, without '//', '.' or '..' "
    "segments (no query string: the job adds the window and follows the API's next links)",
)
JSON_FIELD = NameRule(
    re.compile(r"[A-Za-z_][A-Za-z0-9_]*"),
    128,
    "a JSON field name is letters, digits and '_', not starting with a digit",
)
SECRET_TEMPLATE = NameRule(
    re.compile(r"(?:[A-Za-z0-9/_+=.@-]|\{env\})+"),
    512,
    "a Secrets Manager name holds letters, digits and /_+=.@-; {env} is replaced by the environment",
)


class DatabaseSource(BaseModel):
    """A table of an on-prem database, read through the connection URL in a secret."""

    model_config = _Strict

    kind: Literal["database"]
    secret: Annotated[str, named(SECRET_TEMPLATE)] = Field(
        description='Secrets Manager secret with JSON {"url": "postgresql://...[?sslmode=...]" | '
        '"sqlite:////...", "ca_pem": "<CA certificate, PEM>" (optional)}: PostgreSQL over TLS, '
        "verify-full unless the url says otherwise (docs/feeds.md); {env} is replaced by the environment."
    )
    table: Annotated[str, named(SOURCE_TABLE)] = Field(description="Table (or schema.table) to read.")
    timestamp_column: Annotated[str | None, named(SOURCE_COLUMN)] = Field(
        None,
        description="Column windowing each run (start <= column < end); without it a full snapshot per run.",
    )


class ApiSource(BaseModel):
    """A paged REST API returning JSON: records under `records_field`, the next page's URL under
    `next_field` (null or absent on the last page)."""

    model_config = _Strict

    kind: Literal["api"]
    secret: Annotated[str, named(SECRET_TEMPLATE)] = Field(
        description='Secrets Manager secret with JSON {"base_url": "https://...", "token": "..." '
        "(optional)}; {env} is replaced by the environment."
    )
    path: Annotated[str, named(API_PATH)] = Field(description="Path below base_url, e.g. /api/v1/items.")
    records_field: Annotated[str, named(JSON_FIELD)] = Field(
        "items", description="Field of a page that holds the records."
    )
    next_field: Annotated[str, named(JSON_FIELD)] = Field(
        "next", description="Field of a page that holds the next page's URL."
    )
    timestamp_column: Annotated[str | None, named(SOURCE_COLUMN)] = Field(
        None,
        description="Record field the API filters on: the job asks for ?since=<start>&until=<end>; "
        "without it a full snapshot per run.",
    )


class FilesSource(BaseModel):
    """Files dropped in the raw bucket's landing zone, one folder per day."""

    model_config = _Strict

    kind: Literal["files"]
    format: Literal["csv", "jsonl"] = Field(description="csv (with a header line) or jsonl.")
    landing_prefix: Annotated[str, named(S3_PREFIX)] = Field(
        description="Prefix in the raw bucket; a run reads <landing_prefix>/<YYYYMMDD of its start>/."
    )


FeedSource = Annotated[DatabaseSource | ApiSource | FilesSource, Field(discriminator="kind")]
SOURCE_MODELS: dict[str, type[BaseModel]] = {
    "database": DatabaseSource,
    "api": ApiSource,
    "files": FilesSource,
}


class FeedSettings(DagSettings):
    """Every key a feed may set except its identity; `defaults:` sets them for all feeds at once."""

    description: str = Field("On-prem feed", max_length=2048, description="Shown in the DAG's documentation.")
    schedule_expression: str = Field(
        "rate(1 day)",
        description="rate(N unit), AWS six-field cron(...), or na (on demand only); daily "
        "or slower, as a run owns one YYYYMMDD partition.",
    )
    partition_col: Annotated[str, named(GLUE_NAME)] = Field(
        "load_date", description="Partition column registered in the Glue catalog (YYYYMMDD)."
    )
    engine: Engine = Field(
        "python",
        description="python: the job streams the source on its driver; spark (database sources): "
        "Spark's JDBC source reads it across the executors (docs/feeds.md).",
    )
    workers: Workers = Field(default_factory=Workers, description="The job's Glue workers.")
    spark: SparkRead = Field(
        default_factory=SparkRead, description="engine spark: how executors split the read."
    )

    checks: list[Check] = checks_field(
        "Data-quality checks each new load must pass before it is published (docs/quality.md); "
        "severity error blocks the load, warn alerts and publishes."
    )

    _schedule = field_validator("schedule_expression")(checked_expression)

    _partition_identifier = field_validator("partition_col")(sql_identifier)


class Feed(FeedSettings):
    """A feed after defaults are applied. Rules across fields and feeds live in `feed_rules.py`."""

    name: Annotated[str, named(FLOW_NAME)] = Field(description="Feed name: DAG id and Glue job name.")
    source: FeedSource = Field(description="What the Glue job reads: kind database, api or files.")
    target_table: Annotated[str, named(GLUE_NAME)] = Field(
        description="Glue table (and Spectrum table) the feed lands in."
    )

    _table_identifier = field_validator("target_table")(sql_identifier)

    @property
    def snake_name(self) -> str:
        return snake_case(self.name)

    @property
    def schedule(self) -> Schedule:
        return parse_schedule(self.schedule_expression)

    def secret_for(self, env: str) -> str | None:
        """The source's secret name in `env` (`{env}` replaced); files feeds have none."""
        if isinstance(self.source, DatabaseSource | ApiSource):
            return self.source.secret.replace("{env}", env)
        return None

    @property
    def timestamp_column(self) -> str | None:
        return None if isinstance(self.source, FilesSource) else self.source.timestamp_column


class FeedsFile(BaseModel):
    """feeds.yaml: defaults for every feed, and the feeds (its schema is what editors validate)."""

    model_config = ConfigDict(extra="forbid")

    defaults: FeedSettings | None = Field(None, description="Keys every feed inherits unless it sets them.")
    feeds: list[Feed] = Field(description="One entry per on-prem feed.")
