"""The Airflow plugin of the lakehouse: what Airflow can only find through a plugin.

Loaded through the package's `airflow.plugins` entry point wherever the package is installed
(local runs, tests, `make airflow`), and on MWAA through `lakehouse_plugin.py` at the root of
plugins.zip (MWAA installs no entry points from plugins.zip). Airflow skips a plugin whose name
is already registered, so both may be present.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from lakehouse.airflow.priority import ScheduledBeforeBackfill


class LakehousePlugin(AirflowPlugin):
    name = "lakehouse"
    priority_weight_strategies = [ScheduledBeforeBackfill]
