"""The audit's SQL and its evaluation, on DuckDB directly: each kind counts exactly the rows it
should, nulls and `where` included, and the generated text holds nothing a name could inject."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pytest

from lakehouse.config.checks import CHECK_MODELS
from lakehouse.plan.checks import AuditPlan, ResultsTarget, plan_checks
from lakehouse.quality.outcomes import evaluate, masked, parse_timestamp
from lakehouse.quality.sql import measure_query, sample_query

END = dt.datetime(2025, 1, 15, tzinfo=dt.UTC)


def check(kind: str, **keys: Any) -> Any:
    return CHECK_MODELS[kind].model_validate({"kind": kind, **keys})


def plan(*checks: Any) -> AuditPlan:
    return AuditPlan(
        object_name="Thing",
        source="p1",
        glue_database="db",
        table="thing",
        external_schema="ext",
        partition_column="day",
        checks=plan_checks(list(checks), timestamp_column="stamp", target_schema="ext"),
        results=ResultsTarget("b", "quality", "q", "q_ext"),
        masked_columns=("secret",),
    )


@pytest.fixture
def db() -> Any:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA ext")
    con.execute(
        "CREATE TABLE ext.thing__audit (id VARCHAR, name VARCHAR, rating VARCHAR, amount DOUBLE, "
        "parent VARCHAR, secret VARCHAR, deleted BOOLEAN, stamp TIMESTAMP, load_id VARCHAR)"
    )
    rows = [
        ("1", "a", "Hot", 5.0, "p1", "s1", False, "2025-01-14 10:00:00"),
        ("2", None, "Warm", -1.0, "p2", "s2", False, "2025-01-14 20:00:00"),
        ("2", "c", "Bad", 500.0, "zz", "s3", True, "2025-01-14 12:00:00"),
        ("4", None, None, None, None, None, True, "2025-01-14 09:00:00"),
    ]
    con.executemany("INSERT INTO ext.thing__audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'L')", rows)
    con.execute(
        "INSERT INTO ext.thing__audit VALUES ('9', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'OTHER')"
    )
    con.execute("CREATE TABLE ext.parent (id VARCHAR)")
    con.execute("INSERT INTO ext.parent VALUES ('p1'), ('p2'), (NULL)")
    return con


def run(db: Any, audit: AuditPlan, history: tuple[int, ...] = ()) -> list[Any]:
    query = measure_query(audit)
    row = db.execute(query.sql.replace(":load_id", "$load_id"), {"load_id": "L"}).fetchone()
    return evaluate(audit.checks, dict(zip(query.columns, row, strict=True)), history, END)


def test_each_row_level_kind_counts_its_failing_rows_in_one_statement(db: Any) -> None:
    audit = plan(
        check("not_null", column="Name"),
        check("not_null", column="Name", where="NOT deleted", name="live_named"),
        check("unique", column="Id"),
        check("accepted_values", column="Rating", values=["Hot", "Warm"]),
        check("relationships", column="Parent", to="Parent"),
        check("range", column="Amount", min=0, max=100),
        check("expression", name="positive", sql="amount > 0"),
    )
    outcomes = run(db, audit)
    assert {o.check.name: o.failing_rows for o in outcomes} == {
        "not_null_name": 2,
        "live_named": 1,
        "unique_id": 1,  # '2' twice: one more than distinct
        "accepted_values_rating": 1,  # Bad (null is not checked)
        "relationships_parent": 1,  # zz
        "range_amount": 2,  # -1 and 500
        "positive": 2,  # -1, and a null amount counts as failing
    }
    assert measure_query(audit).sql.count("FROM audited_load") >= 1
    assert measure_query(audit).sql.count(";") == 0


def test_table_level_kinds_and_the_volume_history(db: Any) -> None:
    audit = plan(
        check("row_count", min=1, max=3),
        check("volume", max_change=0.5, loads=2, min_loads=1),
        check("volume", name="tight", max_change=0.1, loads=2, min_loads=1),
        check("volume", name="no_history", max_change=0.1, loads=7, min_loads=3),
        check("freshness", max_age_hours=5),
    )
    outcomes = {o.check.name: o for o in run(db, audit, (8, 4))}
    assert (outcomes["row_count"].passed, outcomes["row_count"].observed) == (False, 4.0)
    assert outcomes["volume"].passed  # 4 rows vs median(8, 4) = 6: 33% off
    assert not outcomes["tight"].passed
    assert outcomes["no_history"].passed
    assert "no baseline" in outcomes["no_history"].detail
    assert outcomes["freshness"].passed  # newest 20:00, 4 h before the end
    assert outcomes["freshness"].observed == pytest.approx(4.0)


def test_the_sample_shows_failing_rows_with_pii_masked(db: Any) -> None:
    audit = plan(check("unique", column="Id"), check("not_null", column="Name"))
    sql = sample_query(audit, [0, 1])
    assert sql is not None
    cursor = db.execute(sql.replace(":load_id", "$load_id"), {"load_id": "L"})
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    assert sorted((r["check_name"], r["id"]) for r in rows) == [
        ("not_null_name", "2"),
        ("not_null_name", "4"),
        ("unique_id", "2"),
        ("unique_id", "2"),
    ]
    assert {masked(r, audit.masked_columns)["secret"] for r in rows} <= {"***", None}


@pytest.mark.parametrize(
    "value",
    [
        "2025-01-14T20:00:00.000+0000",
        "2025-01-14 20:00:00",
        "2025-01-14T20:00:00Z",
        "2025-01-14T21:00:00+01:00",
    ],
)
def test_timestamps_as_the_data_api_returns_them(value: str) -> None:
    assert parse_timestamp(value) == dt.datetime(2025, 1, 14, 20, tzinfo=dt.UTC)


def test_names_that_reach_the_sql_are_checked_again() -> None:
    bad = plan(check("not_null", column="Name"))
    with pytest.raises(ValueError, match=r"reserved word|not allowed"):
        measure_query(AuditPlan(**{**bad.__dict__, "external_schema": "select"}))
