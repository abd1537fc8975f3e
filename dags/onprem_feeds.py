"""On-prem -> lake: one DAG per feed of include/config/feeds.yaml, each running its Glue job
(see lakehouse.airflow.feedfile and docs/feeds.md)."""

from lakehouse.airflow.task_startup import freeze_imported_heap_in_a_task, share_aws_service_models

freeze_imported_heap_in_a_task()  # before the operators' imports (see its module)
share_aws_service_models()

from lakehouse.airflow.feedfile import generate_feeds  # noqa: E402

globals().update(generate_feeds(__file__))
