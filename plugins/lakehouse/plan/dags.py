"""One DagPlan per flow and environment: every name and path a DAG needs, already validated.

Plans are plain data so the CLI can list them, tests can compare them, and the Airflow builder
only maps them onto operators.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from lakehouse.config import Environment, Flow, LoadedConfig
from lakehouse.config.names import APPFLOW_FLOW_NAME, slug, snake_case
from lakehouse.config.schedule import Schedule
from lakehouse.plan.tasks import INGEST_TASKS, UPSERT_TASKS

DEFAULT_INGEST_PREFIX = "appflow"
DEFAULT_RESULTS_PREFIX = "results"


@dataclass(frozen=True)
class ProfilePlan:
    """The part of a DAG that serves one connector profile (one Salesforce org)."""

    profile: str
    group_id: str
    appflow_flow: str
    glue_database: str
    external_schema: str
    table: str
    bucket: str
    prefix: str
    """Key prefix of the table (ingest) or of the results to upsert (upsert), no trailing '/'."""

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}/"


@dataclass(frozen=True)
class DagPlan:
    dag_id: str
    env: str
    environment: Environment
    flow: Flow
    direction: Literal["ingest", "upsert"]
    schedule: Schedule
    profiles: tuple[ProfilePlan, ...]
    partition_format: str
    """strftime format of the partition value: YYYYMMDD, or with the time for sub-daily runs."""

    @property
    def tasks(self) -> tuple[tuple[str, str], ...]:
        return INGEST_TASKS if self.direction == "ingest" else UPSERT_TASKS

    @property
    def start_date(self) -> dt.datetime:
        return dt.datetime.combine(self.flow.start_date, dt.time(), tzinfo=dt.UTC)

    @property
    def tags(self) -> list[str]:
        base = ["lakehouse", self.env, self.direction, self.flow.sf_object]
        return list(dict.fromkeys([*base, *self.flow.tags]))

    @property
    def asset_names(self) -> list[str]:
        return [f"{p.glue_database}.{p.table}" for p in self.profiles]

    def doc_md(self) -> str:
        flow = self.flow
        if self.direction == "ingest":
            what = (
                f"Moves Salesforce **{flow.sf_object}** into the lake "
                + (
                    "(records whose `" + flow.timestamp_field + "` lies in the run's data interval)"
                    if flow.incremental_load
                    else "(a full snapshot per run)"
                )
                + f", partitioned by `{flow.bookmark_col}`."
            )
            rows = "\n".join(
                f"| `{p.profile}` | `{p.appflow_flow}` | `{p.location}` | `{p.glue_database}.{p.table}` "
                f"| `{p.external_schema}.{p.table}` |"
                for p in self.profiles
            )
            table = (
                "| connector profile | AppFlow flow | S3 location | Glue table | Spectrum |\n"
                "|---|---|---|---|---|\n" + rows
            )
        else:
            what = (
                f"Upserts results into Salesforce **{flow.sf_object}** by "
                f"`{', '.join(flow.upsert_field_list)}`."
            )
            rows = "\n".join(
                f"| `{p.profile}` | `{p.appflow_flow}` | `{p.location}` |" for p in self.profiles
            )
            table = "| connector profile | AppFlow flow | results read from |\n|---|---|---|\n" + rows
        steps = "\n".join(f"{i}. `{task}`: {why}" for i, (task, why) in enumerate(self.tasks, 1))
        return (
            f"### {flow.name} ({self.env})\n\n{flow.description}\n\n{what}\n\n{table}\n\n"
            f"Schedule: `{self.schedule.expression}` = {self.schedule.describe}. "
            "One run at a time: the flow is rewritten per run.\n\n"
            f"Steps:\n{steps}\n\n"
            "Rerun an interval by clearing its run: the new load replaces the old one once it is "
            "checked, never appended; a rerun that fails leaves the old one in place."
        )


def plan_environment(config: LoadedConfig, env: str, only_dag_id: str | None = None) -> list[DagPlan]:
    """Plans for the valid flows deployed to `env`, sorted by DAG id; or only `only_dag_id`'s,
    which is all a worker running one task needs."""
    environment = config.environments.get(env)
    if environment is None:
        return []
    flows = [f for f in config.flows_for(env) if only_dag_id is None or dag_id_for(f) == only_dag_id]
    return sorted((plan_flow(flow, env, environment) for flow in flows), key=lambda p: p.dag_id)


DAG_KINDS = {"ingest": "sfdc_ingest", "upsert": "sfdc_upsert"}


def dag_id_for(flow: Flow) -> str:
    return f"{DAG_KINDS[flow.direction]}__{snake_case(flow.name)}"


def table_of(dag_id: str) -> str | None:
    """The flow table a generated DAG id names (`sfdc_ingest__account` -> `account`), or None."""
    kind, _, table = dag_id.partition("__")
    return table if kind in DAG_KINDS.values() and table else None


def plan_flow(flow: Flow, env: str, environment: Environment) -> DagPlan:
    table = snake_case(flow.name)
    profiles = tuple(_profile(flow, env, environment, table, p) for p in flow.connector_profile)
    schedule = flow.schedule
    return DagPlan(
        dag_id=dag_id_for(flow),
        env=env,
        environment=environment,
        flow=flow,
        direction=flow.direction,
        schedule=schedule,
        profiles=profiles,
        partition_format="%Y%m%d%H%M" if schedule.sub_daily else "%Y%m%d",
    )


def _profile(flow: Flow, env: str, environment: Environment, table: str, profile: str) -> ProfilePlan:
    profile_slug = slug(profile)
    if flow.direction == "ingest":
        bucket = environment.buckets.raw
        prefix = f"{flow.s3_prefix or DEFAULT_INGEST_PREFIX}/{profile_slug}/{table}"
    else:
        bucket = environment.buckets.results
        prefix = flow.s3_prefix or f"{DEFAULT_RESULTS_PREFIX}/{table}"
    appflow_flow = f"{env}-{profile_slug}-{table}"
    problem = APPFLOW_FLOW_NAME.problem(appflow_flow)
    if problem:  # unreachable with validated names; kept so a rule change cannot slip through
        raise ValueError(problem)
    return ProfilePlan(
        profile=profile,
        group_id=profile_slug,
        appflow_flow=appflow_flow,
        glue_database=environment.glue_database_for(profile, env),
        external_schema=environment.external_schema_for(profile, env),
        table=table,
        bucket=bucket,
        prefix=prefix,
    )
