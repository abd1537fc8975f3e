"""SQL from include/sql is filled only with validated identifiers."""

from __future__ import annotations

import pytest

from lakehouse.sql import SqlTemplateError, render_sql
from tests.conftest import REPO

SQL = REPO / "include" / "sql"
GOOD = {
    "external_schema": "p1_ext",
    "glue_database": "p1_dev",
    "spectrum_role_arn": "arn:aws:iam::111111111111:role/RedshiftSpectrumRole",
    "region": "eu-west-1",
}


def test_external_schema_is_one_statement() -> None:
    statements = render_sql(SQL, "external_schema", **GOOD)
    assert len(statements) == 1
    assert statements[0].startswith("CREATE EXTERNAL SCHEMA IF NOT EXISTS p1_ext")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("external_schema", "x; DROP TABLE users"),
        ("external_schema", "select"),
        ("glue_database", "db' IAM_ROLE 'evil"),
        ("spectrum_role_arn", "arn:aws:iam::111111111111:role/x' --"),
        ("region", "eu-west-1'; --"),
    ],
)
def test_injection_is_refused(key: str, value: str) -> None:
    with pytest.raises(SqlTemplateError, match=key):
        render_sql(SQL, "external_schema", **{**GOOD, key: value})


def test_missing_value_is_named() -> None:
    values = dict(GOOD)
    del values["region"]
    with pytest.raises(SqlTemplateError, match="region"):
        render_sql(SQL, "external_schema", **values)
