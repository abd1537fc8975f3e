"""Declared data-quality checks: the `checks:` list of a flow or a feed (and of their `defaults:`).

A check is an expectation about one new load, audited before the load is published (docs/quality.md).
Each kind is a model of its own, told apart by `kind`, so an unknown key or a missing one is
reported against the kind's own keys. Everything a check names reaches generated SQL: columns are
plain identifiers (and are always double-quoted in the SQL, so a column called `type` works),
accepted values are literals of a restricted shape, and the two free-form pieces (`sql` of an
`expression` check and `where` of any row-level check) are SQL *expressions*, refused when they
look like anything else (see `expression_problem`).

Trust: the config is code. It is reviewed and deployed like the DAGs, and its SQL expressions run
with the warehouse user of the DAGs. The validation below is there so that a typo or a paste cannot
turn an expression into a second statement, a subquery over another table or a write; it is not a
sandbox for untrusted input, and the warehouse user should hold SELECT only on the external schemas
(docs/quality.md, "Trust").
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from lakehouse.config.dag_settings import STRICT
from lakehouse.config.names import NameRule

Severity = Literal["error", "warn"]

CHECK_NAME = NameRule(
    re.compile(r"[a-z][a-z0-9_]*"),
    63,
    "a check name is lowercase letters, digits and '_', starting with a letter",
)
CHECK_COLUMN = NameRule(
    re.compile(r"[A-Za-z_][A-Za-z0-9_]*"),
    127,
    "a column is a Salesforce field or a feed column: letters, digits and '_', not starting with a digit",
)
TARGET_NAME = NameRule(
    re.compile(r"[A-Za-z][A-Za-z0-9_]*"),
    80,
    "the flow (or feed) the column refers to: its name in flows.yaml (or feeds.yaml)",
)
_TEXT_VALUE = re.compile(r"[^'\\\x00-\x1f\x7f]{0,255}")
"""Accepted text values: no quote, backslash or control character, so a literal is always `'...'`."""

EXPRESSION_MAX = 1000
_FORBIDDEN_WORDS = frozenset(
    [
        "select",
        "insert",
        "update",
        "delete",
        "merge",
        "drop",
        "create",
        "alter",
        "truncate",
        "grant",
        "revoke",
        "copy",
        "unload",
        "call",
        "execute",
        "exec",
        "union",
        "intersect",
        "except",
        "minus",
        "into",
        "from",
        "join",
        "with",
        "set",
        "commit",
        "rollback",
        "begin",
        "end",
        "transaction",
        "vacuum",
        "analyze",
        "declare",
        "fetch",
        "prepare",
        "deallocate",
        "lock",
        "listen",
        "notify",
        "show",
        "reset",
    ]
)
"""Words that make a statement or a subquery, or touch another table: an expression never needs one
(`end` is allowed inside CASE ... END, see `expression_problem`)."""


def expression_problem(text: str) -> str | None:
    """Why `text` is not a plain row-level SQL expression, or None.

    Refused: `;`, comments, backslashes, unbalanced quotes or parentheses, and the words that start
    a statement or a subquery (outside string literals). What is left can only be an expression over
    the load's columns; the SQL around it is generated.
    """
    if not text.strip():
        return "must not be empty"
    if len(text) > EXPRESSION_MAX:
        return f"is {len(text)} characters, at most {EXPRESSION_MAX} are allowed"
    for token, why in ((";", "a ';' would end the statement"), ("--", "no comments"), ("/*", "no comments")):
        if token in text:
            return f"'{token}' is not allowed ({why}): write one SQL expression"
    if "\\" in text:
        return "a backslash is not allowed"
    if text.count("'") % 2 or text.count('"') % 2:
        return "has an unclosed quote"
    bare = re.sub(r"'[^']*'", "''", text)
    bare = re.sub(r'"[^"]*"', '""', bare)
    depth = 0
    for char in bare:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        return "has unbalanced parentheses"
    words = {w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", bare)}
    bad = sorted(words & _FORBIDDEN_WORDS - ({"end"} if "case" in words else set()))
    if bad:
        return (
            f"uses {', '.join(repr(w) for w in bad)}: a check's SQL is one expression over the load's "
            "own columns (no statement, subquery or other table)"
        )
    return None


class CheckBase(BaseModel):
    """What every check has: a name (unique per object), a severity and, for row-level kinds, a
    row filter."""

    model_config = STRICT

    name: str | None = Field(
        None,
        description="Unique per object; default <kind>_<column> (or <kind>). Names the check in the "
        "results table, the log and the alert.",
    )
    severity: Severity = Field(
        "error", description="error: a failure blocks publication; warn: alert, flag and publish."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else str(_checked(CHECK_NAME, value))

    @property
    def column_name(self) -> str | None:
        column = getattr(self, "column", None)
        return column.lower() if isinstance(column, str) else None

    @property
    def check_name(self) -> str:
        kind = str(getattr(self, "kind", "check"))
        if self.name:
            return self.name
        return f"{kind}_{self.column_name}" if self.column_name else kind

    @property
    def row_level(self) -> bool:
        """Whether failing rows exist to sample (table-level checks have a number, not rows)."""
        return True


def _checked(rule: NameRule, value: Any) -> Any:
    if value is None:
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r} ({rule.explain})")
    problem = rule.problem(value)
    if problem:
        raise ValueError(problem)
    return value


class RowCheck(CheckBase):
    where: str | None = Field(
        None,
        description="Optional SQL expression: only rows where it is true are checked "
        "(e.g. NOT isdeleted). One expression over the load's columns.",
    )

    @field_validator("where")
    @classmethod
    def _where(cls, value: str | None) -> str | None:
        if value is not None:
            problem = expression_problem(value)
            if problem:
                raise ValueError(problem)
        return value


class ColumnCheck(RowCheck):
    column: str = Field(description="The column checked (a Salesforce field name, or a feed column).")

    @field_validator("column")
    @classmethod
    def _column(cls, value: str) -> str:
        return str(_checked(CHECK_COLUMN, value))


class NotNullCheck(ColumnCheck):
    """Every (filtered) row has a value in `column`."""

    kind: Literal["not_null"]


class UniqueCheck(ColumnCheck):
    """No value of `column` appears twice in the load (nulls are not counted)."""

    kind: Literal["unique"]


AcceptedValue = str | bool | int | float


class AcceptedValuesCheck(ColumnCheck):
    """Every non-null value of `column` is one of `values`."""

    kind: Literal["accepted_values"]
    values: list[AcceptedValue] = Field(min_length=1, max_length=1000, description="The allowed values.")

    @field_validator("values")
    @classmethod
    def _values(cls, values: list[AcceptedValue]) -> list[AcceptedValue]:
        kinds = {
            "text" if isinstance(v, str) else "boolean" if isinstance(v, bool) else "number" for v in values
        }
        if len(kinds) > 1:
            raise ValueError(f"mixes {' and '.join(sorted(kinds))} values; a column holds one type")
        for value in values:
            if isinstance(value, str) and not _TEXT_VALUE.fullmatch(value):
                raise ValueError(
                    f"{value!r}: a text value is at most 255 characters without quote, backslash or "
                    "control characters"
                )
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{value!r} is not a finite number")
        duplicates = sorted({str(v) for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"lists {', '.join(duplicates)} more than once")
        return values


class RelationshipsCheck(ColumnCheck):
    """Every non-null value of `column` is a `field` value of the object `to` of the same
    connector profile (flows) or of the feed `to` (feeds), as any load landed it."""

    kind: Literal["relationships"]
    to: str = Field(description="The flow (flows.yaml) or feed (feeds.yaml) referred to.")
    field: str = Field("Id", description="The column of `to` that `column` refers to (default Id).")

    @field_validator("to")
    @classmethod
    def _to(cls, value: str) -> str:
        return str(_checked(TARGET_NAME, value))

    @field_validator("field")
    @classmethod
    def _field(cls, value: str) -> str:
        return str(_checked(CHECK_COLUMN, value))


class RangeCheck(ColumnCheck):
    """Every non-null value of `column` lies in [min, max]."""

    kind: Literal["range"]
    min: float | None = Field(None, description="Smallest allowed value (inclusive).")
    max: float | None = Field(None, description="Largest allowed value (inclusive).")

    @model_validator(mode="after")
    def _bounds(self) -> RangeCheck:
        _bounded(self.min, self.max)
        return self


def _bounded(low: float | None, high: float | None) -> None:
    if low is None and high is None:
        raise ValueError("give min, max or both")
    for bound in (low, high):
        if bound is not None and not math.isfinite(bound):
            raise ValueError(f"{bound!r} is not a finite number")
    if low is not None and high is not None and low > high:
        raise ValueError(f"min ({low:g}) is greater than max ({high:g})")


class TableCheck(CheckBase):
    @property
    def row_level(self) -> bool:
        return False


class RowCountCheck(TableCheck):
    """The load holds between `min` and `max` rows."""

    kind: Literal["row_count"]
    min: int | None = Field(None, ge=0, description="Fewest rows allowed.")
    max: int | None = Field(None, ge=0, description="Most rows allowed.")

    @model_validator(mode="after")
    def _bounds(self) -> RowCountCheck:
        _bounded(self.min, self.max)
        return self


class VolumeCheck(TableCheck):
    """The load's rows are within `max_change` of the median of the previous `loads` partitions
    (e.g. 0.5: between half and one and a half times the median)."""

    kind: Literal["volume"]
    max_change: float = Field(gt=0, le=100, description="Allowed relative change, e.g. 0.5 for 50%.")
    loads: int = Field(7, ge=1, le=90, description="How many previous partitions the median covers.")
    min_loads: int = Field(
        3, ge=1, le=90, description="With fewer previous partitions than this, the check passes (no history)."
    )

    @model_validator(mode="after")
    def _history(self) -> VolumeCheck:
        if self.min_loads > self.loads:
            raise ValueError(f"min_loads ({self.min_loads}) is greater than loads ({self.loads})")
        return self


class FreshnessCheck(TableCheck):
    """The newest value of the timestamp column is at most `max_age_hours` before the end of the
    run's data interval."""

    kind: Literal["freshness"]
    column: str | None = Field(
        None,
        description="Timestamp column; default the flow's timestamp_field (the feed's timestamp_column).",
    )
    max_age_hours: float = Field(gt=0, le=24 * 366, description="Largest allowed age, in hours.")

    @field_validator("column")
    @classmethod
    def _column(cls, value: str | None) -> str | None:
        return None if value is None else str(_checked(CHECK_COLUMN, value))


class ExpressionCheck(RowCheck):
    """Every (filtered) row makes `sql` true; a row where it is false or null fails. `sql` is one
    SQL expression over the load's columns (lowercase names), run inside a generated SELECT."""

    kind: Literal["expression"]
    name: str = Field(description="Required: names the check (unique per object).")
    sql: str = Field(description="A boolean SQL expression, e.g. \"amount >= 0 OR stagename = 'Lost'\".")

    @field_validator("sql")
    @classmethod
    def _sql(cls, value: str) -> str:
        problem = expression_problem(value)
        if problem:
            raise ValueError(problem)
        return value


Check = Annotated[
    NotNullCheck
    | UniqueCheck
    | AcceptedValuesCheck
    | RelationshipsCheck
    | RangeCheck
    | RowCountCheck
    | VolumeCheck
    | FreshnessCheck
    | ExpressionCheck,
    Field(discriminator="kind"),
]
CHECK_MODELS: dict[str, type[CheckBase]] = {
    "not_null": NotNullCheck,
    "unique": UniqueCheck,
    "accepted_values": AcceptedValuesCheck,
    "relationships": RelationshipsCheck,
    "range": RangeCheck,
    "row_count": RowCountCheck,
    "volume": VolumeCheck,
    "freshness": FreshnessCheck,
    "expression": ExpressionCheck,
}
CHECK_KINDS = tuple(CHECK_MODELS)


def check_error_location(error: Any) -> tuple[tuple[str | int, ...], str | None, type[BaseModel] | None]:
    """Where a pydantic error inside `checks` sits in the YAML, and the message for the kind tag.

    pydantic puts the kind into the path (`checks.0.not_null.column`); the YAML has no such level,
    so it is taken out (the line lookup and the user both need `checks.0.column`). Returns the
    location, a message replacing pydantic's for a missing or unknown kind (else None), and the
    check model the error is about (for "unknown key" suggestions).
    """
    loc: tuple[str | int, ...] = tuple(error["loc"])
    if len(loc) < 2 or loc[0] != "checks" or not isinstance(loc[1], int):
        return loc, None, None
    kinds = ", ".join(CHECK_KINDS)
    if error["type"] == "union_tag_not_found":
        return loc, f"needs 'kind': one of {kinds}", None
    if error["type"] == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag")
        return (*loc, "kind"), f"'{tag}' is not a check kind; allowed: {kinds}", None
    if len(loc) >= 3 and loc[2] in CHECK_MODELS:
        return (*loc[:2], *loc[3:]), None, CHECK_MODELS[str(loc[2])]
    return loc, None, None


def checks_field(description: str) -> Any:
    return Field(default_factory=list, max_length=200, description=description)
