"""Rules that tie fields together, within one flow and across flows and files.

Each rule returns (field, message) pairs so the loader can point at the line of the field that
has to change, rather than at the flow as a whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from lakehouse.config.check_rules import check_name_rules, quality_rules, relationship_problems
from lakehouse.config.environments import Environment
from lakehouse.config.flows import DELETION_TIMESTAMP, Flow
from lakehouse.config.names import snake_case

FieldProblem = tuple[str, str]


def flow_rules(flow: Flow) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if {flow.source, flow.destination} != {"salesforce", "s3"}:
        problems.append(
            (
                "destination",
                f"source '{flow.source}' and destination '{flow.destination}': one must be salesforce "
                "and the other s3",
            )
        )
    if not flow.connector_profile:
        problems.append(("connector_profile", "at least one AppFlow connector profile is required"))
    if flow.destination == "salesforce":
        if not flow.upsert_field_list:
            problems.append(
                ("upsert_field_list", "a flow into Salesforce needs the fields that identify a record")
            )
        if len(flow.connector_profile) > 1:
            problems.append(
                ("connector_profile", "a flow into Salesforce writes to exactly one org; list one profile")
            )
    elif flow.upsert_field_list:
        problems.append(("upsert_field_list", "only applies to flows whose destination is salesforce"))
    if flow.trigger == "results" and flow.destination != "salesforce":
        problems.append(
            ("trigger", "'results' only applies to flows whose destination is salesforce (upserts)")
        )
    if flow.direction == "ingest" and flow.incremental_load and flow.schedule.kind == "manual":
        problems.append(
            (
                "incremental_load",
                "an on-demand flow (schedule_expression: na) has no data interval to window; "
                "use incremental_load: 0 or give it a schedule",
            )
        )
    if (
        flow.direction == "ingest"
        and flow.incremental_load
        and flow.include_deleted_records
        and flow.timestamp_field.lower() != DELETION_TIMESTAMP.lower()
    ):
        problems.append(
            (
                "timestamp_field",
                f"'{flow.timestamp_field}' cannot see deletions: when Salesforce deletes, restores or "
                f"merges away a record it moves {DELETION_TIMESTAMP} and leaves {flow.timestamp_field} "
                "as it was, so no window would load the change and the record would stay in "
                f"<table>_current; use {DELETION_TIMESTAMP} (it moves whenever LastModifiedDate does), "
                "or set include_deleted_records: 0 to load live records only (then only the "
                "reconciliation, reconcile_schedule, removes deleted records)",
            )
        )
    if flow.checks and flow.direction != "ingest":
        problems.append(("checks", "checks audit what a load lands in the lake: only ingest flows have them"))
    problems += check_name_rules(flow.checks)
    if flow.pii and not flow.pii_columns:
        problems.append(("pii_columns", "pii is 1, so list the columns to withhold"))
    if flow.pii_columns and not flow.pii:
        problems.append(("pii", "pii_columns are listed, so set pii: 1"))
    return problems


def environment_rules(flow: Flow, environments: Mapping[str, Environment]) -> list[FieldProblem]:
    """The flow's environment exists and declares every connector profile the flow uses."""
    if flow.environment != "all" and flow.environment not in environments:
        allowed = ", ".join(["all", *sorted(environments)])
        return [("environment", f"'{flow.environment}' is not an environment; allowed: {allowed}")]
    problems: list[FieldProblem] = quality_rules(flow.checks, deployed_to(flow, environments), environments)
    for env_name in deployed_to(flow, environments):
        declared = environments[env_name].connector_profiles
        for profile in flow.connector_profile:
            if profile not in declared:
                problems.append(
                    (
                        "connector_profile",
                        f"'{profile}' is not declared for environment '{env_name}' in environments.yaml "
                        f"(declared: {', '.join(declared) or 'none'})",
                    )
                )
    return problems


def deployed_to(flow: Flow, environments: Iterable[str]) -> list[str]:
    return sorted(environments) if flow.environment == "all" else [flow.environment]


def uniqueness_rules(
    flows: Iterable[tuple[int, Flow]], environments: Iterable[str]
) -> list[tuple[int, str, str]]:
    """Names that must be unique per environment: flow names (DAG ids, tables) and ingested objects.

    Returns (flow index, field, message) for every flow after the first that collides.
    """
    env_names = list(environments)
    problems: list[tuple[int, str, str]] = []
    seen_names: dict[tuple[str, str], str] = {}
    seen_objects: dict[tuple[str, str, str, str], str] = defaultdict(str)
    for index, flow in flows:
        for env in deployed_to(flow, env_names):
            key = (env, snake_case(flow.name))
            first = seen_names.get(key)
            if first is not None:
                problems.append(
                    (
                        index,
                        "name",
                        f"'{flow.name}' is already used by flow '{first}' in environment '{env}' "
                        "(names are compared as lowercase snake_case: they become DAG ids and tables)",
                    )
                )
            else:
                seen_names[key] = flow.name
            for profile in flow.connector_profile:
                object_key = (env, profile, flow.sf_object.lower(), flow.direction)
                if seen_objects[object_key] and seen_objects[object_key] != flow.name:
                    problems.append(
                        (
                            index,
                            "object_name",
                            f"'{flow.sf_object}' from '{profile}' is already moved by flow "
                            f"'{seen_objects[object_key]}' in environment '{env}'; two flows would "
                            "write the same data twice",
                        )
                    )
                seen_objects[object_key] = seen_objects[object_key] or flow.name
    return problems


def reference_rules(flows: Iterable[tuple[int, Flow]]) -> list[tuple[int, str, str]]:
    """`relationships` checks refer to an ingest flow that loads every profile of the checking flow."""
    listed = list(flows)
    targets = {f.name: tuple(f.connector_profile) for _, f in listed if f.direction == "ingest"}
    return [
        (index, field_name, message)
        for index, flow in listed
        for field_name, message in relationship_problems(
            flow.checks, targets, tuple(flow.connector_profile), "flow"
        )
    ]
