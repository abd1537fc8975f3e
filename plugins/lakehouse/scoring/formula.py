"""The example's score: simple, deterministic, explainable, and computed from the warehouse alone.

    Score__c = round(100 * (0.5 * min(AnnualRevenue / 250000, 1)
                            + 0.3 * min(NumberOfEmployees / 5000, 1)
                            + 0.2 * rating), 2)

with rating = 1 for `Hot`, 0.5 for `Warm`, 0 for `Cold` or none; a null or negative revenue or
headcount counts 0. The score lies in [0, 100] (a Salesforce percent field). The caps are where
a component saturates: above them an account is "as large as it gets" for this example.

Each Account (of the org the upsert writes to) becomes one CustomSalesforceObject__c record keyed
by External_Id__c = the Account's Id, so rescoring updates that record instead of adding one; Name
(required when the record is inserted, at most 80 characters) is the Account's name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

REVENUE_CAP = 250_000.0
EMPLOYEES_CAP = 5_000.0
RATING_WEIGHTS: dict[str, float] = {"Hot": 1.0, "Warm": 0.5, "Cold": 0.0}
WEIGHTS = (0.5, 0.3, 0.2)
NAME_LENGTH = 80

COLUMNS = ("id", "name", "annualrevenue", "numberofemployees", "rating")
"""What the score reads from the Account current-state view (Glue lower-cases column names)."""


def _share(value: object, cap: float) -> float:
    if value is None or isinstance(value, bool):
        return 0.0
    number = float(value) if isinstance(value, int | float | str) else 0.0
    if not math.isfinite(number) or number <= 0:
        return 0.0
    return min(number / cap, 1.0)


def account_score(annual_revenue: object, employees: object, rating: object) -> float:
    """The score of one Account (see the module's formula)."""
    revenue_weight, employees_weight, rating_weight = WEIGHTS
    raw = (
        revenue_weight * _share(annual_revenue, REVENUE_CAP)
        + employees_weight * _share(employees, EMPLOYEES_CAP)
        + rating_weight * RATING_WEIGHTS.get(str(rating), 0.0)
    )
    return round(100 * raw, 2)


def score_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One results record (CustomSalesforceObject__c fields) from one row of the Account view."""
    account_id = str(row["id"])
    name = str(row.get("name") or account_id)[:NAME_LENGTH]
    return {
        "External_Id__c": account_id,
        "Name": name,
        "Score__c": account_score(row.get("annualrevenue"), row.get("numberofemployees"), row.get("rating")),
    }


def field_value(field: Mapping[str, Any]) -> Any:
    """A value of a Redshift Data API result field (`{"stringValue": ...}`, `{"isNull": true}`, ...)."""
    if field.get("isNull"):
        return None
    for key in ("stringValue", "longValue", "doubleValue", "booleanValue"):
        if key in field:
            return field[key]
    return None
