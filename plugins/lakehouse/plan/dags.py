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
from lakehouse.plan.checks import AuditPlan, checks_doc, plan_checks, results_target
from lakehouse.plan.tasks import RECONCILE_TASKS, UPSERT_TASKS, ingest_tasks

DEFAULT_INGEST_PREFIX = "appflow"
DEFAULT_RESULTS_PREFIX = "results"
LIVE_IDS_SUFFIX = "__live_ids"
"""`<table>__live_ids`: one partition per reconciliation, the Ids that were live at its `as_of`."""
LATEST_SUFFIX = "__latest"
"""`<table>__latest` (full loads): the newest snapshot's files, which `<table>_current` reads."""
RECONCILE_PARTITION = "as_of"
RECONCILE_PARTITION_FORMAT = "%Y-%m-%d %H:%M:%S"
"""A reconciliation's partition value: its data interval's end, a Glue `timestamp`."""
Direction = Literal["ingest", "upsert", "reconcile"]


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

    views_schema: str = ""
    """Ingest: the Redshift schema of the table's views (`<table>_current`, `_history`, ...)."""

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}/"

    @property
    def live_ids_table(self) -> str:
        return f"{self.table}{LIVE_IDS_SUFFIX}"

    @property
    def live_ids_prefix(self) -> str:
        return f"{self.prefix}{LIVE_IDS_SUFFIX}"

    @property
    def live_ids_location(self) -> str:
        return f"s3://{self.bucket}/{self.live_ids_prefix}/"

    @property
    def live_ids_flow(self) -> str:
        """The Id-only AppFlow flow of the reconciliation (Terraform creates it beside the ingest flow)."""
        return f"{self.appflow_flow}-ids"

    @property
    def latest_table(self) -> str:
        return f"{self.table}{LATEST_SUFFIX}"

    def view(self, kind: Literal["current", "history", "merges"]) -> str:
        return f"{self.views_schema}.{self.table}_{kind}"


@dataclass(frozen=True)
class DagPlan:
    dag_id: str
    env: str
    environment: Environment
    flow: Flow
    direction: Direction
    schedule: Schedule
    profiles: tuple[ProfilePlan, ...]
    partition_format: str
    """strftime format of the partition value: YYYYMMDD, or with the time for sub-daily runs."""

    @property
    def tasks(self) -> tuple[tuple[str, str], ...]:
        if self.direction == "ingest":
            return ingest_tasks(self.flow.incremental_load, audited=bool(self.flow.checks))
        return RECONCILE_TASKS if self.direction == "reconcile" else UPSERT_TASKS

    @property
    def start_date(self) -> dt.datetime:
        return dt.datetime.combine(self.flow.start_date, dt.time(), tzinfo=dt.UTC)

    @property
    def tags(self) -> list[str]:
        base = ["lakehouse", self.env, self.direction, self.flow.sf_object]
        return list(dict.fromkeys([*base, *self.flow.tags]))

    def audit(self, profile: ProfilePlan) -> AuditPlan | None:
        """The audit step of `profile`'s group: None without checks (or on another direction)."""
        flow = self.flow
        results = results_target(self.environment.quality, self.environment.buckets.curated)
        if self.direction != "ingest" or not flow.checks or results is None:
            return None
        return AuditPlan(
            object_name=flow.sf_object,
            source=profile.profile,
            glue_database=profile.glue_database,
            table=profile.table,
            external_schema=profile.external_schema,
            partition_column=flow.bookmark_col,
            checks=plan_checks(
                flow.checks, timestamp_column=flow.timestamp_field, target_schema=profile.external_schema
            ),
            results=results,
            masked_columns=tuple(c.lower() for c in flow.pii_columns),
        )

    @property
    def asset_names(self) -> list[str]:
        return [f"{p.glue_database}.{p.table}" for p in self.profiles]

    def doc_md(self) -> str:
        flow = self.flow
        if self.direction == "reconcile":
            what = (
                f"Finds the **{flow.sf_object}** records Salesforce purged (hard deletes, an emptied "
                "Recycle Bin), which no incremental load can see: an Id-only full load of the live "
                "records, registered as the reconciliation as of the interval's end. "
                f"`<table>_current` leaves out every Id whose last version is older than the latest "
                "reconciliation and that it does not hold."
            )
            rows = "\n".join(
                f"| `{p.profile}` | `{p.live_ids_flow}` | `{p.live_ids_location}` "
                f"| `{p.glue_database}.{p.live_ids_table}` | `{p.view('current')}` |"
                for p in self.profiles
            )
            table = (
                "| connector profile | AppFlow flow | S3 location | Glue table | current view |\n"
                "|---|---|---|---|---|\n" + rows
            )
        elif self.direction == "ingest":
            what = (
                f"Moves Salesforce **{flow.sf_object}** into the lake "
                + (
                    "(records whose `" + flow.timestamp_field + "` lies in the run's data interval)"
                    if flow.incremental_load
                    else "(a full snapshot per run)"
                )
                + f", partitioned by `{flow.bookmark_col}`"
                + (", deleted records included (queryAll)." if flow.include_deleted_records else ".")
            )
            rows = "\n".join(
                f"| `{p.profile}` | `{p.appflow_flow}` | `{p.location}` | `{p.glue_database}.{p.table}` "
                f"| `{p.external_schema}.{p.table}` | `{p.view('current')}`, `{p.view('history')}` |"
                for p in self.profiles
            )
            table = (
                "| connector profile | AppFlow flow | S3 location | Glue table | Spectrum | views |\n"
                "|---|---|---|---|---|---|\n" + rows
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
        audit = self.audit(self.profiles[0]) if self.profiles else None
        checks = f"{checks_doc(audit.checks)}\n\n" if audit else ""
        return (
            f"### {flow.name} ({self.env})\n\n{flow.description}\n\n{what}\n\n{table}\n\n"
            f"Schedule: `{self.schedule.expression}` = {self.schedule.describe}. "
            "One run at a time: the flow is rewritten per run.\n\n"
            f"Steps:\n{steps}\n\n{checks}"
            "Rerun an interval by clearing its run: the new load replaces the old one once it is "
            "checked, never appended; a rerun that fails leaves the old one in place."
        )


def plan_environment(config: LoadedConfig, env: str, only_dag_id: str | None = None) -> list[DagPlan]:
    """Plans for the valid flows deployed to `env` (their ingest or upsert DAG, and an incremental
    ingest's reconciliation DAG), sorted by DAG id; or only `only_dag_id`'s, which is all a
    worker running one task needs."""
    environment = config.environments.get(env)
    if environment is None:
        return []
    plans = []
    for flow in config.flows_for(env):
        directions: list[Direction] = [flow.direction]
        if flow.reconciles:
            directions.append("reconcile")
        for direction in directions:
            if only_dag_id is None or dag_id_for(flow, direction) == only_dag_id:
                plans.append(plan_flow(flow, env, environment, direction))
    return sorted(plans, key=lambda p: p.dag_id)


DAG_KINDS = {"ingest": "sfdc_ingest", "upsert": "sfdc_upsert", "reconcile": "sfdc_reconcile"}


def dag_id_for(flow: Flow, direction: Direction | None = None) -> str:
    return f"{DAG_KINDS[direction or flow.direction]}__{snake_case(flow.name)}"


def table_of(dag_id: str) -> str | None:
    """The flow table a generated DAG id names (`sfdc_ingest__account` -> `account`), or None."""
    kind, _, table = dag_id.partition("__")
    return table if kind in DAG_KINDS.values() and table else None


def plan_flow(flow: Flow, env: str, environment: Environment, direction: Direction | None = None) -> DagPlan:
    """The DAG of `flow` in `direction` (its own by default; `reconcile` for its reconciliation)."""
    table = snake_case(flow.name)
    profiles = tuple(_profile(flow, env, environment, table, p) for p in flow.connector_profile)
    direction = direction or flow.direction
    schedule = flow.reconcile if direction == "reconcile" else flow.schedule
    return DagPlan(
        dag_id=dag_id_for(flow, direction),
        env=env,
        environment=environment,
        flow=flow,
        direction=direction,
        schedule=schedule,
        profiles=profiles,
        partition_format="%Y%m%d%H%M" if flow.schedule.sub_daily else "%Y%m%d",
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
        views_schema=environment.views_schema_for(profile) if flow.direction == "ingest" else "",
    )
