"""The AWS-to-Airflow schedule translation table, checked against Airflow's own timetables."""

from __future__ import annotations

import datetime as dt

import pytest

from lakehouse.config.schedule import ScheduleError, parse_schedule

TABLE = [
    ("rate(1 day)", "cron", "0 0 * * *", None),
    ("rate(2 days)", "interval", None, 172800),
    ("rate(1 hour)", "cron", "0 * * * *", None),
    ("rate(6 hours)", "cron", "0 */6 * * *", None),
    ("rate(5 hours)", "interval", None, 18000),
    ("rate(15 minutes)", "cron", "*/15 * * * *", None),
    ("rate(7 minutes)", "interval", None, 420),
    ("cron(0 12 * * ? *)", "cron", "0 12 * * *", None),
    ("cron(30 3 ? * 2-6 *)", "cron", "30 3 * * 1-5", None),
    ("cron(0 8 ? * MON-FRI *)", "cron", "0 8 * * MON-FRI", None),
    ("cron(0 8 ? * 1,7 *)", "cron", "0 8 * * 0,6", None),
    ("cron(0 0 L * ? *)", "cron", "0 0 L * *", None),
    ("cron(0 10 ? * 6#3 *)", "cron", "0 10 * * 5#3", None),
    ("cron(0/15 * * JAN-MAR ? *)", "cron", "0/15 * * JAN-MAR *", None),
    ("na", "manual", None, None),
]


@pytest.mark.parametrize(("expression", "kind", "cron", "seconds"), TABLE)
def test_translation_table(expression: str, kind: str, cron: str | None, seconds: int | None) -> None:
    schedule = parse_schedule(expression)
    assert (schedule.kind, schedule.cron, schedule.interval_seconds) == (kind, cron, seconds)


@pytest.mark.parametrize(
    ("expression", "kind", "cron", "seconds"), [row for row in TABLE if row[1] != "manual"]
)
def test_airflow_accepts_every_translation(
    expression: str, kind: str, cron: str | None, seconds: int | None
) -> None:
    from lakehouse.airflow.build import timetable

    table = timetable(parse_schedule(expression))
    assert table is not None
    table.validate()


def test_weekday_numbers_mean_the_same_days() -> None:
    """AWS 2-6 is Monday to Friday; the translated cron must fire on exactly those days."""
    from croniter import croniter

    cron = parse_schedule("cron(30 3 ? * 2-6 *)").cron
    runs = croniter(cron, dt.datetime(2026, 11, 29, tzinfo=dt.UTC))  # a Sunday
    days = {runs.get_next(dt.datetime).strftime("%a") for _ in range(10)}
    assert days == {"Mon", "Tue", "Wed", "Thu", "Fri"}


def test_daily_rate_gives_calendar_day_intervals() -> None:
    from airflow.timetables.interval import CronDataIntervalTimetable

    from lakehouse.airflow.build import timetable

    built = timetable(parse_schedule("rate(1 day)"))
    assert built is not None
    # The scheduler's side of the same timetable decides the intervals.
    table = CronDataIntervalTimetable(built.expression, "UTC")  # type: ignore[attr-defined]
    interval = table.infer_manual_data_interval(run_after=dt.datetime(2026, 11, 27, 15, 30, tzinfo=dt.UTC))
    assert (interval.start.isoformat(), interval.end.isoformat()) == (
        "2026-11-26T00:00:00+00:00",
        "2026-11-27T00:00:00+00:00",
    )


@pytest.mark.parametrize(
    "expression",
    [
        "rate(0 days)",
        "rate(1 days)",
        "rate(2 day)",
        "rate(1 week)",
        "cron(* * * * *)",
        "cron(0 0 ? * ? *)",
        "cron(0 0 15W * ? *)",
        "cron(0 0 ? * 8 *)",
        "@daily",
        "",
    ],
)
def test_rejected_expressions(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(expression)
