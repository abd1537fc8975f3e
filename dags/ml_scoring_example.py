"""ML scoring example DAG: Account scores from the warehouse to the results zone, which triggers the
upsert into CustomSalesforceObject__c (see lakehouse.airflow.scoring and lakehouse.scoring)."""

from lakehouse.airflow.task_startup import freeze_imported_heap_in_a_task, share_aws_service_models

freeze_imported_heap_in_a_task()  # before the operators' imports (see its module)
share_aws_service_models()

from lakehouse.airflow.scoring import generate_scoring  # noqa: E402

globals().update(generate_scoring(__file__))
