"""Salesforce purges -> lake: one reconciliation DAG per incremental object of include/config/flows.yaml."""

from lakehouse.airflow.task_startup import freeze_imported_heap_in_a_task

freeze_imported_heap_in_a_task()  # before the operators' imports (see its module)

from lakehouse.airflow.dagfile import generate  # noqa: E402

globals().update(generate(__file__, "reconcile"))
