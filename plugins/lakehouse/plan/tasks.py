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
    ("register_partition", "point the interval's partition at this run's files, in one catalog update"),
    ("ensure_external_schema", "CREATE EXTERNAL SCHEMA IF NOT EXISTS, outside a transaction"),
    ("build_views", "the object's Spectrum SQL from include/sql"),
    ("prune_partition", "delete the files of the loads this one replaced"),
)

UPSERT_TASKS: tuple[tuple[str, str], ...] = (
    ("validate_results", "results fit the object's fields (columns, upsert keys, types) before sending"),
    ("run_flow", "point the AppFlow flow at the results, start it"),
    ("wait_for_flow", "wait for the execution id's end, without holding a worker slot"),
    ("report_records", "records processed and failed, the error file and a sample; fail above the threshold"),
)
