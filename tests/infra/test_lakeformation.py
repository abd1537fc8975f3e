"""Our own Lake Formation checks (checkov has none): no IAMAllowedPrincipals anywhere, the settings
clear its defaults, only lake buckets are registered, no grant to an admin, and every PII column
of every flow is withheld from every non-privileged principal.

The grants are simulated as Terraform expands them: the tables come from the YAML resolved as
infra/modules/config resolves it (tests/infra/test_config_parity.py proves that equals what the
DAGs register), the principals from the platform's wiring.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.infra.hcl import INFRA, MODULES, blocks, first, locals_of, module_blocks, parse
from tests.infra.test_config_parity import CONFIG_DIR, tf_resolve, tf_resolve_feeds

LF = MODULES / "lakeformation" / "main.tf"
PLATFORM = MODULES / "platform" / "main.tf"


def _hcl_without_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def _permissions() -> dict[str, dict[str, Any]]:
    return {
        b.name: b.body for b in module_blocks("lakeformation") if b.type == "aws_lakeformation_permissions"
    }


def _platform_call(name: str) -> dict[str, Any]:
    for entry in parse(PLATFORM)["module"]:
        if name in entry:
            return entry[name]  # type: ignore[no-any-return]
    raise AssertionError(f"platform does not call module {name}")


def test_no_grant_to_iam_allowed_principals_anywhere() -> None:
    for path in INFRA.rglob("*.tf"):
        code = _hcl_without_comments(path.read_text())
        # The principal's identifier; prose about IAMAllowedPrincipals in comments and descriptions is fine.
        assert "IAM_ALLOWED_PRINCIPALS" not in code, path
    for body in _permissions().values():
        assert "IAM_ALLOWED_PRINCIPALS" not in str(body["principal"])


def test_data_lake_settings_have_no_default_permissions() -> None:
    settings = [b for b in module_blocks("lakeformation") if b.type == "aws_lakeformation_data_lake_settings"]
    assert len(settings) == 1, "one settings resource: it owns the account's whole setting"
    body = settings[0].body
    # Leaving both blocks out clears the defaults (provider docs); any block would set them.
    assert "create_database_default_permissions" not in body
    assert "create_table_default_permissions" not in body
    everywhere = [b for b in blocks(INFRA) if b.type == "aws_lakeformation_data_lake_settings"]
    assert len(everywhere) == 1, "no other module manages the account's data lake settings"


def test_the_deploying_role_stays_admin_and_is_never_granted() -> None:
    admins = str(locals_of(LF)["admins"])
    assert "data.aws_iam_session_context.current.issuer_arn" in admins
    assert "var.admin_arns" in admins
    assert _hcl_without_comments(LF.read_text()).count("admins = local.admins") == 1
    for name, body in _permissions().items():
        assert body["principal"] == "${each.value.arn}", f"{name}: grants go to writers and readers only"
        assert re.fullmatch(r"\$\{local\.(writer|reader)_\w+\}", body["for_each"]), name
    precondition = first(
        first(
            next(b.body for b in module_blocks("lakeformation") if b.name == "no_grants_to_admins"),
            "lifecycle",
        ),
        "precondition",
    )
    assert "setintersection(toset(local.admins)" in precondition["condition"]


def test_only_lake_buckets_are_registered() -> None:
    (resource,) = [b for b in module_blocks("lakeformation") if b.type == "aws_lakeformation_resource"]
    assert resource.body["for_each"] == "${var.registered_buckets}"
    assert resource.body["arn"] == "${each.value}"
    assert resource.body["role_arn"] == "${aws_iam_role.registration.arn}"
    registered = _platform_call("lakeformation")["registered_buckets"]
    assert registered == {
        "raw": '${module.lake.bucket_arns["raw"]}',
        "curated": '${module.lake.bucket_arns["curated"]}',
    }, registered
    # And the lake's zone buckets are exactly the environment's configured ones.
    lake_buckets = str(_platform_call("lake")["buckets"])
    assert lake_buckets == "${module.config.buckets}"


def test_databases_are_created_after_the_settings() -> None:
    for module in ("catalog", "feeds"):
        (after,) = [
            b for b in module_blocks(module) if (b.type, b.name) == ("terraform_data", "after_lakeformation")
        ]
        assert after.body["input"] == "${var.lakeformation_ready}"
        for database in (b for b in module_blocks(module) if b.type == "aws_glue_catalog_database"):
            assert "${terraform_data.after_lakeformation}" in database.body["depends_on"], module
        assert _platform_call(module)["lakeformation_ready"] == "${module.lakeformation.settings_id}"


# --- PII: simulate the readers' grants --------------------------------------------------------


def test_reader_grants_withhold_the_pii_columns_and_nothing_else_reaches_readers() -> None:
    permissions = _permissions()
    reader = permissions["reader_table"]
    assert reader["permissions"] == ["SELECT"]
    columns = first(reader, "table_with_columns")
    assert columns["wildcard"] is True
    assert columns["excluded_column_names"] == "${each.value.pii_columns}"
    assert columns["name"] == "${each.value.table}", "one grant per table, never a table wildcard"
    assert permissions["reader_database"]["permissions"] == ["DESCRIBE"]
    assert "table" not in permissions["reader_database"]
    assert "table_with_columns" not in permissions["reader_database"]
    # Every other grant goes to writers.
    assert {n for n in permissions if n.startswith("reader_")} == {"reader_table", "reader_database"}
    reader_tables = str(locals_of(LF)["reader_tables"])
    assert "setproduct(keys(var.readers), keys(var.tables))" in reader_tables
    assert "merge(var.tables[pair[1]], {arn = var.readers[pair[0]]})" in reader_tables.replace(
        "{ arn", "{arn"
    ).replace("]] }", "]]}")
    # The platform passes every table the DAGs register, and the Spectrum role among the readers.
    call = _platform_call("lakeformation")
    assert call["tables"] == (
        "${merge(module.config.lake_tables, module.config.feed_tables, module.config.quality_tables)}"
    )
    assert "spectrum" in call["readers"]
    assert "module.mwaa.execution_role_arn" in call["writers"]
    assert "module.mwaa.execution_role_arn" not in call["readers"]


def _reader_grants(env: str, readers: list[str]) -> dict[str, dict[str, Any]]:
    """local.reader_tables for the sample config (table grants on)."""
    tables = dict(tf_resolve(CONFIG_DIR, env)["lake_tables"])
    environment_feeds = tf_resolve_feeds(CONFIG_DIR, env)
    for job in environment_feeds.values():
        if job["glue_database"]:
            tables[f"{job['glue_database']}.{job['target_table']}"] = {
                "database": job["glue_database"],
                "table": job["target_table"],
                "pii_columns": [],
            }
    return {f"{r}/{name}": {**table, "arn": r} for r in readers for name, table in tables.items()}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_pii_column_of_every_pii_flow_is_withheld_from_every_reader(env: str) -> None:
    import yaml

    readers = ["spectrum", "arn:aws:iam::111111111111:role/analyst"]
    grants = _reader_grants(env, readers)
    doc = yaml.safe_load((CONFIG_DIR / "flows.yaml").read_text())
    pii_flows = [f for f in doc["flows"] if {**(doc.get("defaults") or {}), **f}.get("pii") in (1, True)]
    assert pii_flows, "the sample config has PII flows"
    checked = 0
    for name, grant in grants.items():
        flow = next(
            (f for f in pii_flows if re.sub(r"[^a-z0-9_]", "", grant["table"]) == _snake(f["name"])), None
        )
        if flow is None:
            continue
        raw = flow.get("pii_columns")
        wanted = {
            c.strip().lower()
            for item in ([raw] if isinstance(raw, str) else raw)
            for c in str(item).split(",")
        }
        assert wanted <= set(grant["pii_columns"]), (
            f"{name}: {wanted - set(grant['pii_columns'])} reach the reader"
        )
        checked += 1
    assert checked >= len(readers), "every reader got the PII tables, columns withheld"


def _snake(name: str) -> str:
    from lakehouse.config.names import snake_case

    return snake_case(name)
