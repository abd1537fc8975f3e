"""Warehouse (Spectrum / Redshift Data) faults on a real ingest run, after the data has landed.

A broken SQL template fails `build_views` with the engine's error: the failure alert goes out once,
and what was loaded before it (the Parquet partition, its Glue registration, Spectrum reading it) is
left intact, so a rerun with the template fixed only has to finish the job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.runs import run_day
from tests.pipeline.conftest import query, task_states
from tests.reliability.lake import G1, Inbox, Interval, failed_tasks

pytestmark = pytest.mark.airflow

OPPORTUNITY = "sfdc_ingest__opportunity_dev"
BUILD_VIEWS = f"{G1}.build_views"


def broken_view_template(include: Path) -> None:
    """A typo in the current-state views' SQL (incremental and snapshot), as a bad deploy of
    include/sql would bring."""
    for name, select in (
        ("current_state_view.sql", "SELECT ranked.*\nFROM ranked"),
        ("snapshot_current_view.sql", "SELECT latest.*\nFROM"),
    ):
        template = include / "sql" / name
        text = template.read_text()
        assert select in text, (name, select)
        template.write_text(text.replace(select, select.replace("SELECT", "SELEC"), 1))


def test_a_spectrum_sql_error_alerts_once_keeps_the_loaded_data_and_a_fixed_rerun_completes(
    dags: Any,
    dags_from: Callable[..., dict[str, Any]],
    aws: Callable[[str], Any],
    org: Callable[[str], Any],
    inbox: Inbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = dags_from(broken_view_template)[OPPORTUNITY]
    assert any("SELEC " in s for s in broken.get_task(BUILD_VIEWS).sql), "the fault reaches build_views"
    day = dt.date(2025, 1, 5)
    target = Interval(broken, day, G1, "opportunity_dev", "Opportunity", None)

    run = run_day(broken, day)
    assert run.state == "failed"
    assert failed_tasks(run) == [BUILD_VIEWS]
    states = task_states(run)
    assert states[f"{G1}.check_data"] == states[f"{G1}.register_partition"] == "success"
    assert states[f"{G1}.prune_partition"] == "upstream_failed"
    (alert,) = inbox.assert_exactly(("failure", OPPORTUNITY, BUILD_VIEWS, run))
    assert 'syntax error at or near "SELEC"' in alert["error"], alert["error"]
    target.assert_landed_exactly(aws, org)  # S3 and the Glue partition intact, Spectrum reads them

    inbox.reset()
    monkeypatch.undo()  # the fixed template: the session's include dir again
    fixed = dags[OPPORTUNITY]
    rerun = run_day(fixed, day)
    assert rerun.state == "success", task_states(rerun)
    target.assert_landed_exactly(aws, org)
    # A snapshot flow's current view is its newest snapshot's live rows (the worker's other tests may
    # have loaded later days than this one, and deleted records in them).
    ((newest,),) = query(
        aws("redshift-data"), f"SELECT MAX({target.bookmark_col}) FROM {G1}_ext.opportunity_dev"
    )
    ((live,),) = query(
        aws("redshift-data"),
        f"SELECT COUNT(*) FROM {G1}_ext.opportunity_dev "
        f"WHERE {target.bookmark_col} = '{newest}' AND NOT COALESCE(isdeleted, FALSE)",
    )
    ((current,),) = query(aws("redshift-data"), f"SELECT COUNT(*) FROM {G1}.opportunity_dev_current")
    assert current == live > 0, "the view the fixed template built reads the newest snapshot's live rows"
    inbox.assert_none()
