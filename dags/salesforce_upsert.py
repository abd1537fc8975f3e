"""Lake -> Salesforce: one DAG per upsert flow of include/config/flows.yaml (see lakehouse.airflow)."""

from lakehouse.airflow.dagfile import generate

globals().update(generate(__file__, "upsert"))
