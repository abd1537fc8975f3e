"""MWAA's way to the lakehouse plugin: Airflow imports every module at the top of the plugins
folder (plugins.zip on MWAA), and this one hands it `lakehouse.airflow.plugin.LakehousePlugin`."""

from lakehouse.airflow.plugin import LakehousePlugin

__all__ = ["LakehousePlugin"]
