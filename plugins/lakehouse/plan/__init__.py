"""What each DAG does, decided from the config alone: pure, no Airflow, no network."""

from lakehouse.plan.dags import DagPlan, ProfilePlan, plan_environment
from lakehouse.plan.tasks import INGEST_TASKS, UPSERT_TASKS

__all__ = ["INGEST_TASKS", "UPSERT_TASKS", "DagPlan", "ProfilePlan", "plan_environment"]
