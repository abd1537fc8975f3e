"""Every DAG an environment gets, by id: the Salesforce flows, the on-prem feeds and the scoring
example. One list, so the CLI, the local stack's checks and the docs count the same DAGs."""

from __future__ import annotations

from lakehouse.config import LoadedConfig
from lakehouse.plan.dags import plan_environment
from lakehouse.plan.feeds import plan_feeds
from lakehouse.scoring.plan import plan_scoring


def environment_dag_ids(config: LoadedConfig, env: str) -> list[str]:
    ids = [plan.dag_id for plan in plan_environment(config, env)]
    ids += [plan.dag_id for plan in plan_feeds(config, env)]
    scoring = plan_scoring(config, env)
    if scoring is not None:
        ids.append(scoring.dag_id)
    return sorted(ids)
