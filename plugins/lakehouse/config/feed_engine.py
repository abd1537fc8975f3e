"""How a feed's Glue job runs: the engine, its workers and (spark) how executors split the read.

`engine: python` streams the source on the job's driver (the cheapest Glue job that runs it is a
Spark job's minimum of two G.1X workers: docs/feeds.md, "Engines and cost"); `engine: spark`
reads a database table with Spark's JDBC source across the executors, split by a numeric column's
range (`partition_column`, `lower_bound`, `upper_bound`, `num_partitions`, as Spark's options of
those names) or by a list of `predicates` (one WHERE condition per partition). Rules across these
keys and the source live in feed_rules.py.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from lakehouse.config.dag_settings import STRICT
from lakehouse.config.fields import named
from lakehouse.config.names import NameRule

Engine = Literal["python", "spark"]
WorkerType = Literal["G.1X", "G.2X", "G.4X", "G.8X"]
PYTHON_WORKERS = 2
"""A Spark job's minimum (2 DPUs: Glue's API allows 2 to 100 for glueetl): the python engine's."""

PARTITION_COLUMN = NameRule(
    re.compile(r"[A-Za-z_][A-Za-z0-9_]*"),
    63,
    "a partition column is an unquoted SQL identifier: letters, digits and '_', not starting with a digit",
)
_PREDICATE_FORBIDDEN = re.compile(r";|--|/\*|\*/")


class Workers(BaseModel):
    """The Glue workers of the feed's job (Terraform's worker_type / number_of_workers)."""

    model_config = STRICT

    type: WorkerType = Field("G.1X", description="Glue worker type: G.1X (4 vCPU, 16 GB), G.2X, G.4X, G.8X.")
    count: int = Field(
        PYTHON_WORKERS,
        ge=2,
        le=300,
        description="Workers, the driver's included (Glue: 2 at least); the spark engine reads on the "
        "others (one executor each). The python engine uses the driver only: it takes 2.",
    )


class SparkRead(BaseModel):
    """How the spark engine splits a table's read across executors (Spark's JDBC options)."""

    model_config = STRICT

    partition_column: Annotated[str | None, named(PARTITION_COLUMN)] = Field(
        None,
        description="Numeric, date or timestamp column Spark splits the read on (partitionColumn); "
        "with lower_bound, upper_bound and num_partitions.",
    )
    lower_bound: int | str | None = Field(
        None, description="Lowest value of the column's range (lowerBound); rows below still land."
    )
    upper_bound: int | str | None = Field(
        None, description="Highest value of the column's range (upperBound); rows above still land."
    )
    num_partitions: int | None = Field(
        None, ge=1, le=10_000, description="Partitions, i.e. concurrent reads against the database."
    )
    predicates: list[str] | None = Field(
        None,
        min_length=1,
        description="Instead of a column: one SQL WHERE condition per partition; together they must "
        "cover every row exactly once (each is ANDed with the window filter).",
    )
    fetch_size: int = Field(10_000, ge=1, le=1_000_000, description="Rows per JDBC fetch (fetchsize).")

    @field_validator("predicates")
    @classmethod
    def _plain_conditions(cls, value: list[str] | None) -> list[str] | None:
        for condition in value or []:
            if not condition.strip():
                raise ValueError("a predicate is an SQL condition; an empty one selects nothing")
            if _PREDICATE_FORBIDDEN.search(condition):
                raise ValueError(
                    f"predicate {condition!r} holds ';' or a comment: one condition per entry, no statements"
                )
        return value

    @property
    def is_set(self) -> bool:
        return bool(self.model_fields_set - {"fetch_size"})
