"""Config-generated Airflow DAGs for a Salesforce <-> AWS lakehouse.

`lakehouse.config` and `lakehouse.plan` are pure (no Airflow, no network); `lakehouse.airflow`
turns plans into DAGs; `lakehouse.aws` holds the thin adapters that call AWS at run time.
"""

__version__ = "0.1.0"
