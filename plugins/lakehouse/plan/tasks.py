"""The steps of each pipeline, in order. Task ids are part of the operator's vocabulary (the UI,
`airflow tasks clear`, alerts), so they are named once, here."""

from __future__ import annotations

INGEST_TASKS: tuple[tuple[str, str], ...] = (
    ("run_flow", "point the AppFlow flow at the interval and partition path, start it"),
    ("wait_for_flow", "wait for the execution id's end, without holding a worker slot"),
    ("has_records", "skip the catalog steps when the interval has no records"),
    ("discover_schema", "read the object's fields from Salesforce (DescribeConnectorEntity)"),
    ("register_table", "create or evolve the Glue table"),
    ("check_data", "this run's files: rows equal AppFlow's count; Id never null or duplicated"),
    ("ensure_external_schema", "CREATE EXTERNAL SCHEMA IF NOT EXISTS, outside a transaction"),
    (
        "audit_data",
        "the declared checks on this run's load through Spectrum; an error blocks it, results to the lake",
    ),
    ("keep_versions", "copy in the versions an earlier load of the interval saw and this one no longer does"),
    ("register_partition", "point the interval's partition at this run's files, in one catalog update"),
    ("point_latest", "point the <table>__latest table at the newest snapshot, in one catalog update"),
    ("build_views", "the object's current, history (and merges) views from include/sql"),
    ("prune_partition", "delete the files of the loads this one replaced"),
)
"""Every step an ingest DAG may have; `ingest_tasks` says which a flow gets."""

INCREMENTAL_ONLY = frozenset({"keep_versions"})
SNAPSHOT_ONLY = frozenset({"point_latest"})
AUDITED_ONLY = frozenset({"audit_data"})


def ingest_tasks(incremental: bool, audited: bool = False) -> tuple[tuple[str, str], ...]:
    """Windowed loads keep every version a load saw; full loads point `__latest` at the newest;
    a flow with checks audits each load before any of that publishes it."""
    skipped = (SNAPSHOT_ONLY if incremental else INCREMENTAL_ONLY) | (
        frozenset() if audited else AUDITED_ONLY
    )
    return tuple(task for task in INGEST_TASKS if task[0] not in skipped)


RECONCILE_TASKS: tuple[tuple[str, str], ...] = (
    ("run_flow", "start the Id-only full load of the live records (no window, no Recycle Bin)"),
    ("wait_for_flow", "wait for the execution id's end, without holding a worker slot"),
    ("check_data", "this run's files: rows equal AppFlow's count; Id never null or duplicated"),
    ("register_partition", "register the Ids as the reconciliation as of the interval's end"),
    ("prune_partition", "delete the files of the loads this one replaced"),
)

UPSERT_TASKS: tuple[tuple[str, str], ...] = (
    ("validate_results", "results fit the object's fields (columns, upsert keys, types) before sending"),
    ("run_flow", "point the AppFlow flow at the results, start it"),
    ("wait_for_flow", "wait for the execution id's end, without holding a worker slot"),
    ("report_records", "records processed and failed, the error file and a sample; fail above the threshold"),
)
