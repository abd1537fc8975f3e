"""Field types shared by the config models: the seed's spellings accepted, one meaning kept.

The seed writes flags as 0/1 and lists as CSV strings (`connector_profile: a,b`); YAML users
also write `true` and real lists. Both are accepted and normalised here, and anything else is
refused with a sentence that says what is allowed.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from lakehouse.config.names import NameRule, identifier_problem


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"must be 0 or 1 (or false/true), got {value!r}")


def _csv_list(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]
"""0/1 as in the seed, or false/true."""


def named(rule: NameRule) -> BeforeValidator:
    """Check a string against a service's naming rule.

    Numbers are refused rather than converted: `account_id: 011111111111` would lose its zero.
    """

    def check(value: Any) -> Any:
        if value is None:  # optional fields: absence is checked by the model, not the rule
            return value
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {value!r}; quote it in YAML ({rule.explain})")
        problem = rule.problem(value.strip())
        if problem:
            raise ValueError(problem)
        return value

    return BeforeValidator(check)


def named_list(rule: NameRule) -> tuple[BeforeValidator, AfterValidator]:
    """A CSV string or a list, each item checked against `rule`, duplicates refused."""

    def check(values: list[str]) -> list[str]:
        problems = [p for p in (rule.problem(v) for v in values) if p]
        if problems:
            raise ValueError("; ".join(problems))
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"lists {', '.join(duplicates)} more than once")
        return values

    return BeforeValidator(_csv_list), AfterValidator(check)


def optional_na(value: Any) -> Any:
    """The seed writes `na` for "not set"."""
    return None if value == "na" else value


def sql_identifier(value: str | None) -> str | None:
    """A field validator: Glue and Spectrum names are also Redshift identifiers (no uppercase,
    no reserved word)."""
    if value is not None:
        problem = identifier_problem(value)
        if problem:
            raise ValueError(problem)
    return value
