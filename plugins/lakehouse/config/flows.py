"""One Salesforce object moving between Salesforce and the lake: the `flows.yaml` entries.

Keys and meanings are the seed's AppFlow YAML (source, destination, name/object_name,
incremental_load, schedule_expression, s3_prefix, connector_profile, description, environment,
upsert_field_list, bookmark_col, pii), plus what operating it on Airflow needs (timestamp_field,
owner, tags, start_date, retries, pii_columns, the upsert keys max_failed_records and trigger, and
the alert keys alert_on_retry and recovery_alerts), and what keeps the warehouse equal to the org
over time (include_deleted_records, data_transfer_api, reconcile_schedule).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from lakehouse.config.checks import Check, checks_field
from lakehouse.config.dag_settings import DagSettings
from lakehouse.config.fields import Flag, named, named_list, optional_na
from lakehouse.config.names import (
    APPFLOW_CONNECTOR_PROFILE,
    APPFLOW_DESCRIPTION,
    FLOW_NAME,
    GLUE_NAME,
    S3_PREFIX,
    SALESFORCE_NAME,
    identifier_problem,
)
from lakehouse.config.schedule import Schedule, checked_expression, parse_schedule

Endpoint = Literal["salesforce", "s3"]
SalesforceName = Annotated[str, named(SALESFORCE_NAME)]
DataTransferApi = Literal["REST_SYNC", "BULKV2"]
DELETION_TIMESTAMP = "SystemModstamp"
"""The only field Salesforce moves when it deletes, restores or merges a record away (docs/pipeline.md)."""


def _pinned_api(value: Any) -> Any:
    """AUTOMATIC is refused: it switches between two APIs that shape the output differently."""
    if isinstance(value, str) and value.strip().upper() == "AUTOMATIC":
        raise ValueError(
            "AUTOMATIC switches from the REST API to Bulk API 2.0 at 1,000,000 records, and the two "
            "format dates and nulls differently (Bulk API 2.0 also drops compound fields), so one run's "
            "columns would not match the next; pin REST_SYNC (the default) or BULKV2"
        )
    return value


class FlowSettings(DagSettings):
    """Every key a flow may set; `defaults:` sets the same keys for all flows at once."""

    source: Endpoint = Field("salesforce", description="Where records come from: salesforce or s3.")
    destination: Endpoint = Field("s3", description="Where records go: s3 (the lake) or salesforce.")
    incremental_load: Flag = Field(
        True,
        description="1: each run loads the records whose timestamp_field lies in its data interval; "
        "0: each run loads a full snapshot.",
    )
    schedule_expression: str = Field(
        "rate(1 day)", description="rate(N unit), AWS six-field cron(...), or na (on demand only)."
    )
    s3_prefix: Annotated[str | None, BeforeValidator(optional_na), named(S3_PREFIX)] = Field(
        None,
        description="Prefix in the zone's bucket (raw for ingest, results for upserts); na = the "
        "default <profile>/<object>.",
    )
    connector_profile: Annotated[list[str], *named_list(APPFLOW_CONNECTOR_PROFILE)] = Field(
        default_factory=list, description="AppFlow connector profile(s): a CSV string or a list."
    )
    description: Annotated[str, named(APPFLOW_DESCRIPTION)] = Field(
        "AppFlow flow from Salesforce", description="Shown in AppFlow and in the DAG's documentation."
    )
    upsert_field_list: Annotated[list[str], *named_list(SALESFORCE_NAME)] = Field(
        default_factory=list,
        description="Salesforce fields that identify a record for upserts (s3 -> salesforce only).",
    )
    bookmark_col: Annotated[str, named(GLUE_NAME)] = Field(
        "appflow_date_str", description="Partition column registered in the Glue catalog (YYYYMMDD)."
    )
    pii: Flag = Field(False, description="1 when the object holds personal data (see pii_columns).")
    timestamp_field: SalesforceName = Field(
        DELETION_TIMESTAMP,
        description="Datetime field that windows incremental loads; with include_deleted_records it "
        "must be SystemModstamp, the only one a deletion moves.",
    )
    include_deleted_records: Flag = Field(
        True,
        description="1: also read records in the Recycle Bin (AppFlow includeDeletedRecords, Salesforce "
        "queryAll), so a deletion, restore or merge reaches <table>_current; 0: live records only.",
    )
    data_transfer_api: Annotated[DataTransferApi, BeforeValidator(_pinned_api)] = Field(
        "REST_SYNC",
        description="Salesforce API AppFlow reads through: REST_SYNC (the REST API: compound fields, "
        "nulls kept) or BULKV2 (Bulk API 2.0: for very large objects; no compound fields, text nulls "
        "arrive empty). AUTOMATIC is refused: its output changes shape at 1,000,000 records.",
    )
    reconcile_schedule: str = Field(
        "rate(7 days)",
        description="Incremental flows: how often an Id-only full load finds the records Salesforce "
        "purged (hard deletes, emptied Recycle Bin), which no incremental load can see; na = never.",
    )
    max_failed_records: int = Field(
        0, ge=0, description="Upserts: failed records tolerated before the run fails."
    )
    trigger: Literal["schedule", "results"] = Field(
        "schedule",
        description="Upserts: schedule = run on schedule_expression only; results = also run each time "
        "the results location's Asset is updated (by the DAG that writes the results), so results are "
        "sent as soon as they land.",
    )
    pii_columns: Annotated[list[str], *named_list(SALESFORCE_NAME)] = Field(
        default_factory=list, description="Salesforce fields withheld from non-privileged roles."
    )

    checks: list[Check] = checks_field(
        "Ingest flows: data-quality checks each new load must pass before it is published "
        "(docs/quality.md); severity error blocks the load, warn alerts and publishes."
    )

    _schedule = field_validator("schedule_expression", "reconcile_schedule")(checked_expression)

    @field_validator("bookmark_col")
    @classmethod
    def _bookmark_identifier(cls, value: str) -> str:
        problem = identifier_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class Flow(FlowSettings):
    """A flow after defaults are applied. Rules that tie fields together live in `rules.py`."""

    name: Annotated[str, named(FLOW_NAME)] = Field(description="Flow name: DAG id, table and AppFlow flow.")
    object_name: SalesforceName | None = Field(
        None, description="Salesforce object API name; defaults to name."
    )

    @property
    def sf_object(self) -> str:
        return self.object_name or self.name

    @property
    def schedule(self) -> Schedule:
        return parse_schedule(self.schedule_expression)

    @property
    def direction(self) -> Literal["ingest", "upsert"]:
        return "ingest" if self.destination == "s3" else "upsert"

    @property
    def reconciles(self) -> bool:
        """An incremental ingest with a reconcile schedule gets a reconciliation DAG; a full load
        needs none (each snapshot holds every live record)."""
        return (
            self.direction == "ingest"
            and self.incremental_load
            and parse_schedule(self.reconcile_schedule).kind != "manual"
        )

    @property
    def reconcile(self) -> Schedule:
        return parse_schedule(self.reconcile_schedule)
