"""What `dags/onprem_feeds.py` calls: the feed DAGs of the current environment.

The same rules as the flows' DAG files (lakehouse.airflow.dagfile): an invalid feed is left out
and surfaces through `dags/lakehouse_config_check.py`; LAKEHOUSE_STRICT=1 fails this file too;
a worker running one feed task builds only that feed's DAG, validating only that feed.
"""

from __future__ import annotations

from airflow.sdk import DAG, get_parsing_context

from lakehouse.airflow.dagfile import environment_config
from lakehouse.airflow.feed_dags import build_feed_dag
from lakehouse.airflow.tuning import Tuning
from lakehouse.paths import find_include_dir
from lakehouse.plan.feeds import feed_of, plan_feeds


def generate_feeds(dag_file: str) -> dict[str, DAG]:
    """The feed DAGs for the current environment, keyed by DAG id."""
    include = find_include_dir(dag_file)
    wanted = get_parsing_context().dag_id
    only_feed = None if wanted is None else feed_of(wanted)
    if wanted is not None and only_feed is None:
        return {}  # a worker running a DAG of another file
    config, env = environment_config(include, only_feed=only_feed)
    tuning = Tuning.from_airflow_config()
    plans = plan_feeds(config, env, only_dag_id=wanted)
    return {plan.dag_id: build_feed_dag(plan, include / "sql", tuning) for plan in plans}
