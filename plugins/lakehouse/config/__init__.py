"""The configuration model: pure pydantic, no Airflow, no network."""

from lakehouse.config.environments import Environment
from lakehouse.config.errors import ConfigError, Problem
from lakehouse.config.flows import Flow, FlowSettings
from lakehouse.config.loader import ENVIRONMENTS_FILE, FLOWS_FILE, LoadedConfig, load_config

__all__ = [
    "ENVIRONMENTS_FILE",
    "FLOWS_FILE",
    "ConfigError",
    "Environment",
    "Flow",
    "FlowSettings",
    "LoadedConfig",
    "Problem",
    "load_config",
]
