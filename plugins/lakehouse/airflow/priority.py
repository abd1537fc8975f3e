"""Today's scheduled runs before a backfill's: a priority weight strategy on run type.

Airflow orders the task instances waiting for a pool's slots by priority weight. A static weight
is the task's, the same in every run, so a backfill of a year would compete as an equal with the
morning's scheduled load. This strategy keeps Airflow's default (`downstream`: the task's weight
plus its downstream tasks', so a run's first tasks go first) and adds `NOT_BACKFILL_BONUS` to
every run that is not a backfill. Between two runs of the same weight Airflow takes the earlier
logical date first, so a backfill also proceeds in interval order.

Airflow computes the weight when it creates the task instance, from a task instance that has no
DAG run attached yet, only its run id; a backfill run's id is `backfill__<run after>` (Airflow's
`DagRun.generate_run_id` for run type `backfill`), so that prefix is what is tested. A custom
run id given to a manual run counts as not a backfill.

Registered through an Airflow plugin (`lakehouse.airflow.plugin`), which every component that
parses or schedules the DAGs must load: the package's entry point locally, `plugins.zip` on MWAA.
"""

from __future__ import annotations

from typing import Any

from airflow.task.priority_strategy import PriorityWeightStrategy, _DownstreamPriorityWeightStrategy

NOT_BACKFILL_BONUS = 10_000
"""Far above any pipeline's downstream sum (ten tasks of weight 1 each), so no backfill task
outranks a scheduled or manual run's task."""
BACKFILL_RUN_PREFIX = "backfill__"


def is_backfill_run(run_id: str | None) -> bool:
    return bool(run_id) and str(run_id).startswith(BACKFILL_RUN_PREFIX)


class ScheduledBeforeBackfill(PriorityWeightStrategy):
    """Stateless, as Airflow requires (it stores only the class's import path)."""

    def get_weight(self, ti: Any) -> int:
        weight = int(_DownstreamPriorityWeightStrategy().get_weight(ti))
        return weight if is_backfill_run(getattr(ti, "run_id", None)) else weight + NOT_BACKFILL_BONUS
