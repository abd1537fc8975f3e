"""A field added in Salesforce between two daily runs: the catalog evolves, nothing is lost.

Day 1 loads Accounts as they are; then the first org gains `Region__c`; day 2 loads them with it.
The Glue table gains the column (never drops or retypes one), day 1's partition still reads (the
column is NULL there), day 2 holds the field's values, and both days hold exactly their records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from sandbox.runs import run_day
from sandbox.salesforce.schema import FieldSpec
from tests.pipeline.conftest import query, task_states
from tests.reliability.lake import ACCOUNT, G1, G2, PROFILE, Inbox, account

pytestmark = pytest.mark.airflow

REGION = "EMEA-CH"


def columns(glue: Any, group: str) -> list[str]:
    table = glue.get_table(DatabaseName=f"{group}_dev", Name="account")["Table"]
    return [c["Name"] for c in table["StorageDescriptor"]["Columns"]]


def test_a_field_added_between_two_days_becomes_a_column_and_both_days_stay_whole(
    dags: Any, aws: Callable[[str], Any], org: Callable[[str], Any], inbox: Inbox
) -> None:
    dag = dags[ACCOUNT]
    day1, day2 = dt.date(2025, 1, 14), dt.date(2025, 1, 15)
    assert run_day(dag, day1).state == "success"
    before = columns(aws("glue"), G1)
    assert "region__c" not in before

    org(PROFILE[G1]).add_field("Account", FieldSpec(name="Region__c", type="string"), default=REGION)
    run = run_day(dag, day2)
    assert run.state == "success", task_states(run)

    after = columns(aws("glue"), G1)
    assert after == [*before, "region__c"], "the column is added; none dropped, none reordered"
    assert "region__c" not in columns(aws("glue"), G2), "the other org did not change"
    first, second = account(dag, day1, G1), account(dag, day2, G1)
    old_rows = first.assert_landed_exactly(aws, org)
    new_rows = second.assert_landed_exactly(aws, org)
    assert all("Region__c" not in row for row in old_rows), "day 1 was written before the change"
    assert {row["Region__c"] for row in new_rows} == {REGION}
    for day in (day1, day2):
        account(dag, day, G2).assert_landed_exactly(aws, org)

    by_day = query(
        aws("redshift-data"),
        f"SELECT appflow_date_str, COUNT(*), COUNT(region__c), MIN(region__c) FROM {G1}_ext.account "
        f"WHERE appflow_date_str IN ('{first.value}', '{second.value}') GROUP BY 1 ORDER BY 1",
    )
    assert by_day == [
        [first.value, len(old_rows), 0, None],
        [second.value, len(new_rows), len(new_rows), REGION],
    ]
    ((current,),) = query(aws("redshift-data"), f"SELECT COUNT(region__c) FROM {G1}.account_current")
    assert current >= len(new_rows), "the current-state view reads across both schemas"
    inbox.assert_none()
