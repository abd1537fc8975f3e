"""MWAA's way to the lakehouse plugin: Airflow imports every module at the top of the plugins
folder (plugins.zip on MWAA), and this one hands it `lakehouse.airflow.plugin.LakehousePlugin`.

Where the package is installed with its `airflow.plugins` entry point (locally, `make airflow`),
Airflow registers the plugin from there; this module then exposes nothing, so the plugin is not
found twice (Airflow would list the second one as a plugin import error)."""

from importlib.metadata import entry_points

_ENTRY_POINT = "lakehouse.airflow.plugin:LakehousePlugin"

if not any(point.value == _ENTRY_POINT for point in entry_points(group="airflow.plugins")):
    from lakehouse.airflow.plugin import LakehousePlugin

    __all__ = ["LakehousePlugin"]
