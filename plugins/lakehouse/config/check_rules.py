"""Rules on declared checks that a single check's model cannot see: names unique per object, the
timestamp column a freshness check defaults to, the results table of the environment, and what a
`relationships` check refers to. Each returns (field, message) pairs like `rules.py`, the field
being the check's key (`checks.2.to`), so the loader points at its line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from lakehouse.config.checks import CheckBase, FreshnessCheck, RelationshipsCheck
from lakehouse.config.environments import Environment

FieldProblem = tuple[str, str]


def check_name_rules(checks: Sequence[CheckBase]) -> list[FieldProblem]:
    """Every check of an object has its own name: the results table and the alerts name it."""
    problems: list[FieldProblem] = []
    seen: dict[str, int] = {}
    for index, check in enumerate(checks):
        name = check.check_name
        if name in seen:
            key = "name" if check.name else "kind"
            problems.append(
                (
                    f"checks.{index}.{key}",
                    f"a second check named '{name}' (the first is checks[{seen[name]}]); give one a "
                    "`name:` of its own",
                )
            )
        else:
            seen[name] = index
    return problems


def freshness_rules(
    checks: Sequence[CheckBase], timestamp_column: str | None, what: str
) -> list[FieldProblem]:
    """A freshness check without `column` needs the flow's or feed's timestamp column."""
    return [
        (
            f"checks.{index}.column",
            f"a freshness check needs a timestamp column: give `column:` ({what} has no timestamp column)",
        )
        for index, check in enumerate(checks)
        if isinstance(check, FreshnessCheck) and check.column is None and timestamp_column is None
    ]


def quality_rules(
    checks: Sequence[CheckBase], envs: Iterable[str], environments: Mapping[str, Environment]
) -> list[FieldProblem]:
    """Checks write their results to the environment's results table, which must be declared."""
    if not checks:
        return []
    return [
        (
            "checks",
            f"environment '{env}' has no 'quality:' section in environments.yaml (glue_database, "
            "external_schema, prefix): the check results need a table",
        )
        for env in envs
        if env in environments and environments[env].quality is None
    ]


def relationship_problems(
    checks: Sequence[CheckBase], targets: Mapping[str, tuple[str, ...]], needed: tuple[str, ...], kind: str
) -> list[FieldProblem]:
    """Each `relationships.to` names a known target (a flow ingesting every connector profile of
    this one, or a feed): `targets` maps a name to the profiles it has."""
    problems: list[FieldProblem] = []
    for index, check in enumerate(checks):
        if not isinstance(check, RelationshipsCheck):
            continue
        found = targets.get(check.to)
        if found is None:
            known = ", ".join(sorted(targets)) or "none"
            problems.append(
                (f"checks.{index}.to", f"'{check.to}' is not an ingested {kind} (known: {known})")
            )
            continue
        missing = [p for p in needed if p not in found]
        if missing:
            problems.append(
                (
                    f"checks.{index}.to",
                    f"'{check.to}' is not loaded from {', '.join(missing)}: a relationship is checked "
                    "within one connector profile",
                )
            )
    return problems
