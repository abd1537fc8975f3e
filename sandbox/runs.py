"""Run a generated DAG for a given day with `dag.test()`, the way the scheduler would schedule it.

`dag.test(logical_date=X)` runs the manual interval that ends at X, so the run for "the interval
that starts on `day`" passes that interval's end, found from the DAG's own cron.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from croniter import croniter


def interval_starting_on(dag: Any, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The DAG's first data interval that starts on or after midnight of `day` (UTC)."""
    expression = getattr(dag.timetable, "expression", None)
    if expression is None:
        raise ValueError(f"{dag.dag_id} has no cron schedule to derive its intervals from")
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    start = croniter(expression, midnight - dt.timedelta(seconds=1)).get_next(dt.datetime)
    end = croniter(expression, start).get_next(dt.datetime)
    return start, end


def run_day(dag: Any, day: dt.date) -> Any:
    """Run the interval that starts on `day`; returns the DagRun."""
    _, end = interval_starting_on(dag, day)
    return dag.test(logical_date=end)
