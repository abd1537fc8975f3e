"""What the DAG files in `dags/` call: a few lines each, all logic here.

Isolation: an invalid flow is left out of the generated DAGs, and its problems are raised by
`dags/lakehouse_config_check.py`, so they show as that file's import error in the Airflow UI
while every valid flow keeps its DAG. (An import error on the generating file itself would mark
all of its DAGs stale.) With LAKEHOUSE_STRICT=1 (CI), any problem fails the generating files too.

Parsing context: when a worker runs one task, Airflow says which DAG it wants and only that DAG
is built, so a task's start-up cost does not grow with the number of flows.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Literal

from airflow.sdk import DAG, get_parsing_context

from lakehouse.airflow.build import build_dag
from lakehouse.airflow.tuning import Tuning
from lakehouse.config import ConfigError, LoadedConfig, load_config
from lakehouse.config.errors import Problem
from lakehouse.paths import find_include_dir
from lakehouse.plan import plan_environment
from lakehouse.plan.dags import table_of

ENV_VARS = ("LAKEHOUSE_ENV", "AIRFLOW__LAKEHOUSE__ENV")
"""The environment to generate; on MWAA set the Airflow option `lakehouse.env`."""
STRICT_VAR = "LAKEHOUSE_STRICT"
DEFAULT_ENV = "dev"


def current_env() -> str:
    return next((os.environ[v] for v in ENV_VARS if os.environ.get(v)), DEFAULT_ENV)


def strict() -> bool:
    return os.environ.get(STRICT_VAR, "").lower() in {"1", "true", "yes"}


def generate(dag_file: str, direction: Literal["ingest", "upsert", "reconcile"]) -> dict[str, DAG]:
    """The DAGs of `direction` for the current environment, keyed by DAG id."""
    include = find_include_dir(dag_file)
    wanted = get_parsing_context().dag_id
    if wanted is not None and table_of(wanted) is None:
        return {}  # a worker running a DAG of another file
    config, env = environment_config(include, only_table=None if wanted is None else table_of(wanted))
    plans = [
        plan for plan in plan_environment(config, env, only_dag_id=wanted) if plan.direction == direction
    ]
    tuning = Tuning.from_airflow_config()
    return {plan.dag_id: build_dag(plan, include / "sql", tuning) for plan in plans}


def environment_config(
    include: Path, *, only_table: str | None = None, only_feed: str | None = None
) -> tuple[LoadedConfig, str]:
    """The config (cached per parse) and the environment to generate, for any generating DAG file:
    strict mode fails on any problem, an unknown environment fails every generating file."""
    config = _load(include / "config", only_table, only_feed)
    env = current_env()
    if strict() and not config.ok:
        raise config.error()
    if env not in config.environments:
        raise _environment_error(config, env)
    return config, env


def raise_config_problems(dag_file: str) -> None:
    """Raise every problem of the configuration, so the UI shows them as this file's import error."""
    if get_parsing_context().dag_id is not None:
        return  # a worker running a task: the generating file is all it needs
    config = _load(find_include_dir(dag_file) / "config")
    if not config.ok:
        raise config.error()


@functools.lru_cache(maxsize=4)
def _load_cached(
    config_dir: Path, stamp: tuple[float, ...], only_table: str | None, only_feed: str | None
) -> LoadedConfig:
    return load_config(config_dir, only_table, only_feed)


def _load(config_dir: Path, only_table: str | None = None, only_feed: str | None = None) -> LoadedConfig:
    """One load per process while the files are unchanged (the DagBag imports several DAG files)."""
    stamp = tuple(p.stat().st_mtime for p in sorted(config_dir.glob("*.yaml")))
    return _load_cached(config_dir, stamp, only_table, only_feed)


def loaded_config(dag_file: str) -> LoadedConfig:
    """The whole config next to `dag_file`, shared with the other DAG files of the same parse
    (the scoring example builds on the flows' plans)."""
    return _load(find_include_dir(dag_file) / "config")


def _environment_error(config: LoadedConfig, env: str) -> ConfigError:
    known = ", ".join(sorted(config.environments)) or "none valid"
    problems = [p for p in config.problems if p.where.startswith(f"environments[{env}]")]
    problems.append(
        Problem(
            config.config_dir / "environments.yaml",
            1,
            f"environments[{env}]",
            f"environment '{env}' (from LAKEHOUSE_ENV) is not defined or not valid; valid: {known}",
        )
    )
    return ConfigError(problems)
