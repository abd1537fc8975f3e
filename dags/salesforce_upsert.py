"""Lake -> Salesforce: one DAG per upsert flow of include/config/flows.yaml (see lakehouse.airflow)."""

from lakehouse.airflow.task_startup import freeze_imported_heap_in_a_task, share_aws_service_models

freeze_imported_heap_in_a_task()  # before the operators' imports (see its module)
share_aws_service_models()

from lakehouse.airflow.dagfile import generate  # noqa: E402

globals().update(generate(__file__, "upsert"))
