"""Lake -> Salesforce: one DAG per upsert flow of include/config/flows.yaml (see lakehouse.airflow)."""

from lakehouse.airflow.task_startup import freeze_imported_heap_in_a_task

freeze_imported_heap_in_a_task()  # before the operators' imports (see its module)

from lakehouse.airflow.dagfile import generate  # noqa: E402

globals().update(generate(__file__, "upsert"))
