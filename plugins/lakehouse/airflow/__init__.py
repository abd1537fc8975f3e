"""Airflow edge: builds DAGs from plans with the Amazon provider's operators and ours."""
