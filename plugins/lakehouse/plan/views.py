"""Which Spectrum views an ingest table gets, from which `include/sql/` templates, with which names.

Pure: the DAG builder renders the templates with these values at build time, and the benchmarks
and tests read the same lists. Windowed loads and full loads keep different tables, so their
current state and history are different SQL:

- incremental: `<table>_current` is the latest version of each Id, unless it is a deletion or a
  later reconciliation lacks the Id; `<table>_history` every version; `<table>_merges` for the
  objects merge() combines;
- full loads (snapshots): `<table>_current` is the newest snapshot (`<table>__latest`);
  `<table>_history` every version across snapshots.
"""

from __future__ import annotations

from lakehouse.config import Flow
from lakehouse.plan.dags import ProfilePlan

MERGEABLE_OBJECTS = frozenset({"Account", "Contact", "Lead"})
"""The objects Salesforce's merge() combines (SOAP API Developer Guide, merge()); they carry
MasterRecordId, which `<table>_merges` reads."""

REQUIRED_COLUMNS: dict[str, str] = {"isdeleted": "boolean"}
"""Columns every ingest table has, so the views' SQL always binds: an object Salesforce cannot
delete (User) has no IsDeleted, and its column reads as null, i.e. not deleted."""


def required_columns(flow: Flow) -> dict[str, str]:
    merged = {"masterrecordid": "string"} if flow.sf_object in MERGEABLE_OBJECTS else {}
    return {**REQUIRED_COLUMNS, **merged}


def view_templates(flow: Flow) -> list[str]:
    """The templates `build_views` runs, in order (the first creates the views schema)."""
    if not flow.incremental_load:
        return ["snapshot_current_view", "snapshot_history_view"]
    templates = ["current_state_view", "history_view"]
    if flow.sf_object in MERGEABLE_OBJECTS:
        templates.append("merges_view")
    return templates


def view_names(flow: Flow, profile: ProfilePlan) -> list[str]:
    names = [profile.view("current"), profile.view("history")]
    if flow.incremental_load and flow.sf_object in MERGEABLE_OBJECTS:
        names.append(profile.view("merges"))
    return names


def view_values(flow: Flow, profile: ProfilePlan) -> dict[str, str]:
    """The identifiers the view templates are filled with (each checked again by render_sql)."""
    values = {
        "views_schema": profile.views_schema,
        "table": profile.table,
        "external_schema": profile.external_schema,
        "timestamp_column": flow.timestamp_field.lower(),
        "bookmark_col": flow.bookmark_col,
    }
    if flow.incremental_load:
        values["live_ids_table"] = profile.live_ids_table
    else:
        values["latest_table"] = profile.latest_table
    return values
