"""Terraform and the DAGs derive the same names from include/config, so they cannot drift.

infra/modules/config resolves the YAML for Terraform's for_each. This test re-implements those
locals in Python, step for step, taking the regular expressions straight from the HCL (RE2 and
Python's `re` agree on them), and compares the result with lakehouse.plan.plan_environment: the
AppFlow flow names, buckets, prefixes, objects, upsert keys, DAG ids and Glue databases.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from lakehouse.config import load_config
from lakehouse.config.names import slug, snake_case
from lakehouse.plan import plan_environment
from tests.infra.hcl import MODULES, REPO, locals_of

CONFIG_DIR = REPO / "include" / "config"
CONFIG_MAIN = MODULES / "config" / "main.tf"

# replace(<expr>, "/<re2>/", "<replacement>") as python-hcl2 renders it.
_REGEX_REPLACE = re.compile(r'"/((?:[^"\\]|\\.)+)/",\s*"((?:[^"\\]|\\.)*)"')


def _hcl_regex_replacements(expression: str) -> list[tuple[str, str]]:
    """The regex replace() calls of an HCL expression, innermost (= leftmost) first, with
    Go's `${n}` (written `$${n}` in HCL) turned into Python's `\\g<n>`."""
    found = []
    for pattern, replacement in _REGEX_REPLACE.findall(expression):
        go = replacement.replace("$${", "${")
        found.append((pattern, re.sub(r"\$\{(\d+)\}", r"\\g<\1>", go)))
    return found


def _local_expression(name: str, key: str | None = None) -> str:
    """local.<name>, or the value of `key = ...` inside it (a call: up to its closing parenthesis)."""
    text = str(locals_of(CONFIG_MAIN)[name])
    if key is None:
        return text
    match = re.search(rf"\b{key}\s*=\s*", text)
    assert match, f"local.{name} has no {key} ="
    depth, start = 0, match.end()
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    raise AssertionError(f"unbalanced expression for {key} in local.{name}")


def tf_snake_case(name: str) -> str:
    """local.flows_all[*].table: the RE2 replace() passes of the HCL, then lower()."""
    replacements = _hcl_regex_replacements(_local_expression("flows_all", "table"))
    assert len(replacements) == 2, replacements
    for pattern, replacement in replacements:
        name = re.sub(pattern, replacement, name)
    return name.lower()


def tf_slug(profile: str) -> str:
    """replace(lower(profile), "/[^a-z0-9_]/", "_") as written in local.appflow_flows."""
    replacements = _hcl_regex_replacements(_local_expression("appflow_flows"))
    assert replacements, "local.appflow_flows has no slug replace()"
    assert len(set(replacements)) == 1, f"one slug rule expected, got {set(replacements)}"
    pattern, replacement = replacements[0]
    return re.sub(pattern, replacement, profile.lower())


def _csv(value: Any) -> list[str]:
    """flatten([value]), split(",") each item, trimspace, drop empties."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def _flag(value: Any) -> bool:
    """contains(["1", "true"], lower(tostring(value))): 0/1 or false/true."""
    return str(value).lower() in {"1", "true"}


def tf_resolve(config_dir: Path, env: str) -> dict[str, Any]:
    """infra/modules/config's locals, in Python: what Terraform's for_each iterates."""
    flows_doc = yaml.safe_load((config_dir / "flows.yaml").read_text())
    environment = yaml.safe_load((config_dir / "environments.yaml").read_text())["environments"][env]
    defaults = flows_doc.get("defaults") or {}
    env_slug = tf_slug(env)
    appflow_flows: dict[str, dict[str, Any]] = {}
    reconcile_flows: dict[str, dict[str, Any]] = {}
    lake_tables: dict[str, dict[str, Any]] = {}
    for raw in flows_doc["flows"]:
        f = {**defaults, **raw}
        table = tf_snake_case(f["name"])
        direction = "ingest" if f.get("destination", "s3") == "s3" else "upsert"
        if f.get("environment", "all") not in ("all", env):
            continue
        s3_prefix = None if (f.get("s3_prefix") or "na") == "na" else str(f["s3_prefix"]).strip()
        incremental = _flag(f.get("incremental_load", 1))
        reconciled = (
            direction == "ingest" and incremental and f.get("reconcile_schedule", "rate(7 days)") != "na"
        )
        for profile in _csv(f.get("connector_profile")):
            profile_slug = tf_slug(profile)
            database = (
                environment.get("glue_database", "{profile}")
                .replace("{profile}", profile_slug)
                .replace("{env}", env_slug)
            )
            if reconciled:
                reconcile_flows[f"{env}-{profile_slug}-{table}-ids"] = {
                    "dag_id": f"sfdc_reconcile__{table}",
                    "profile": profile,
                    "sf_object": f.get("object_name") or f["name"],
                    "table": f"{table}__live_ids",
                    "bucket": environment["buckets"]["raw"],
                    "prefix": f"{s3_prefix or 'appflow'}/{profile_slug}/{table}__live_ids",
                    "database": database,
                }
            appflow_flows[f"{env}-{profile_slug}-{table}"] = {
                "dag_id": f"{'sfdc_ingest' if direction == 'ingest' else 'sfdc_upsert'}__{table}",
                "direction": direction,
                "profile": profile,
                "sf_object": f.get("object_name") or f["name"],
                "table": table,
                "bucket": environment["buckets"]["raw" if direction == "ingest" else "results"],
                "prefix": f"{s3_prefix or 'appflow'}/{profile_slug}/{table}"
                if direction == "ingest"
                else s3_prefix or f"results/{table}",
                "upsert_fields": _csv(f.get("upsert_field_list")),
                "include_deleted_records": _flag(f.get("include_deleted_records", 1)),
                "data_transfer_api": f.get("data_transfer_api", "REST_SYNC"),
            }
            if direction == "ingest":
                tables = [table, *([] if incremental else [f"{table}__latest"])]
                tables += [f"{table}__live_ids"] if reconciled else []
                for name in tables:
                    lake_tables[f"{database}.{name}"] = {
                        "database": database,
                        "table": name,
                        "pii_columns": []
                        if name.endswith("__live_ids")
                        else [c.lower() for c in _csv(f.get("pii_columns"))],
                    }
    template = environment.get("glue_database", "{profile}")
    glue_databases = {
        profile: template.replace("{profile}", tf_slug(profile)).replace("{env}", env_slug)
        for profile in _csv(environment["connector_profiles"])
    }
    return {
        "appflow_flows": appflow_flows,
        "reconcile_flows": reconcile_flows,
        "glue_databases": glue_databases,
        "lake_tables": lake_tables,
    }


def tf_resolve_feeds(config_dir: Path, env: str) -> dict[str, dict[str, Any]]:
    """local.feeds of infra/modules/config in Python: Glue job name => what the feeds module uses."""
    feeds_file = config_dir / "feeds.yaml"
    if not feeds_file.exists():
        return {}
    doc = yaml.safe_load(feeds_file.read_text()) or {}
    environment = yaml.safe_load((config_dir / "environments.yaml").read_text())["environments"][env]
    catalog = environment.get("feeds")
    prefix = (catalog or {}).get("prefix", "onprem")
    jobs: dict[str, dict[str, Any]] = {}
    for raw in doc.get("feeds", []):
        f = {**(doc.get("defaults") or {}), **raw}
        if f.get("environment", "all") not in ("all", env):
            continue
        source = f["source"]
        snake = tf_snake_case(f["name"])
        jobs[f"{env}-feed-{snake}"] = {
            "kind": source["kind"],
            "secret": source["secret"].replace("{env}", env) if "secret" in source else None,
            "target_table": f["target_table"],
            "glue_database": (catalog or {}).get("glue_database"),
            "curated_prefix": f"{prefix}/{f['target_table']}",
            "landing_prefix": source.get("landing_prefix"),
            "worker_type": (f.get("workers") or {}).get("type", "G.1X"),
            "number_of_workers": (f.get("workers") or {}).get("count", 2),
            "engine": f.get("engine", "python"),
        }
    return jobs


def dag_side(config_dir: Path, env: str) -> dict[str, Any]:
    config = load_config(config_dir)
    assert config.ok, config.error()
    flows: dict[str, dict[str, Any]] = {}
    reconcile_flows: dict[str, dict[str, Any]] = {}
    databases: dict[str, str] = {}
    lake_tables: dict[str, dict[str, Any]] = {}
    for plan in plan_environment(config, env):
        flow = plan.flow
        for p in plan.profiles:
            if plan.direction == "reconcile":
                reconcile_flows[p.live_ids_flow] = {
                    "dag_id": plan.dag_id,
                    "profile": p.profile,
                    "sf_object": flow.sf_object,
                    "table": p.live_ids_table,
                    "bucket": p.bucket,
                    "prefix": p.live_ids_prefix,
                    "database": p.glue_database,
                }
                lake_tables[f"{p.glue_database}.{p.live_ids_table}"] = {
                    "database": p.glue_database,
                    "table": p.live_ids_table,
                    "pii_columns": [],
                }
                continue
            flows[p.appflow_flow] = {
                "dag_id": plan.dag_id,
                "direction": plan.direction,
                "profile": p.profile,
                "sf_object": flow.sf_object,
                "table": p.table,
                "bucket": p.bucket,
                "prefix": p.prefix,
                "upsert_fields": list(flow.upsert_field_list) if plan.direction == "upsert" else [],
                "include_deleted_records": flow.include_deleted_records,
                "data_transfer_api": flow.data_transfer_api,
            }
            if plan.direction == "ingest":
                databases[p.profile] = p.glue_database
                pii = [c.lower() for c in flow.pii_columns]
                for name in [p.table, *([] if flow.incremental_load else [p.latest_table])]:
                    lake_tables[f"{p.glue_database}.{name}"] = {
                        "database": p.glue_database,
                        "table": name,
                        "pii_columns": pii,
                    }
    return {
        "appflow_flows": flows,
        "reconcile_flows": reconcile_flows,
        "glue_databases": databases,
        "lake_tables": lake_tables,
    }


TRICKY_NAMES = [
    "Account",
    "OpportunityDev",
    "CustomSalesforceObject__c",
    "ABCObject",
    "HTTPServer2Go",
    "a1B",
    "Opportunity_Line_Item",
    "X",
    "URLId__c",
    "ABCdEFg",
    "Order2Cash__Line_Item__c",
    "SBQQ__QuoteLine__c",
]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_terraform_resolves_the_same_flows_as_the_dags(env: str) -> None:
    terraform = tf_resolve(CONFIG_DIR, env)
    dags = dag_side(CONFIG_DIR, env)
    assert terraform["appflow_flows"] == dags["appflow_flows"]
    assert terraform["appflow_flows"], "the sample config gives every environment flows"
    assert terraform["reconcile_flows"] == dags["reconcile_flows"]
    assert terraform["reconcile_flows"], "the sample config reconciles its incremental flows"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_profile_used_by_a_dag_has_its_glue_database(env: str) -> None:
    terraform = tf_resolve(CONFIG_DIR, env)["glue_databases"]
    dags = dag_side(CONFIG_DIR, env)["glue_databases"]
    assert dags.items() <= terraform.items()
    environment = load_config(CONFIG_DIR).environments[env]
    assert terraform == {p: environment.glue_database_for(p, env) for p in environment.connector_profiles}


def test_sample_environments_differ_as_configured() -> None:
    dev, prod = (set(tf_resolve(CONFIG_DIR, env)["appflow_flows"]) for env in ("dev", "prod"))
    assert any(name.endswith("-opportunity_dev") for name in dev)
    assert not any(name.endswith("-opportunity_dev") for name in prod)
    assert any(name.endswith("-opportunity") for name in prod)


def test_re2_snake_case_equals_python_on_every_flow_name() -> None:
    names = [flow["name"] for flow in yaml.safe_load((CONFIG_DIR / "flows.yaml").read_text())["flows"]]
    for name in [*names, *TRICKY_NAMES]:
        assert tf_snake_case(name) == snake_case(name), name


def test_re2_slug_equals_python_on_every_profile() -> None:
    environments = yaml.safe_load((CONFIG_DIR / "environments.yaml").read_text())["environments"]
    profiles = {p for env in environments.values() for p in _csv(env["connector_profiles"])}
    for profile in [*profiles, "Roche.SF-Org#1", "dev"]:
        assert tf_slug(profile) == slug(profile), profile


def test_hcl_uses_the_names_this_test_reimplements() -> None:
    """Guards the parts of the HCL the Python re-implementation mirrors by hand."""
    text = CONFIG_MAIN.read_text()
    for fragment in (
        "merge(local.defaults, raw)",
        'contains(["all", var.env], f.environment)',
        "coalesce(try(f.object_name, null), f.name)",
        'try(f.destination, "s3") == "s3" ? "ingest" : "upsert"',
        'coalesce(try(f.s3_prefix, null), "na") == "na" ? null',
        '"${var.env}-${replace(lower(profile), "/[^a-z0-9_]/", "_")}-${f.table}"',
        '"${coalesce(f.s3_prefix, "appflow")}/${replace(lower(profile), "/[^a-z0-9_]/", "_")}/${f.table}"',
        'coalesce(f.s3_prefix, "results/${f.table}")',
        '"${f.direction == "ingest" ? "sfdc_ingest" : "sfdc_upsert"}__${f.table}"',
        'replace(replace(local.glue_database_template, "{profile}"',
        'split(",", value)',
        "pii_columns = try(f.pii_columns, null) == null ? [] : [",
        'lower(trimspace(item)) if trimspace(item) != ""',
        'pii_columns = endswith(table, "__live_ids") ? [] : f.pii_columns',
        '] if f.direction == "ingest"',
        'contains(["1", "true"], lower(tostring(try(f.incremental_load, 1))))',
        'contains(["1", "true"], lower(tostring(try(f.include_deleted_records, 1))))',
        'data_transfer_api       = try(f.data_transfer_api, "REST_SYNC")',
        'reconcile_schedule      = try(f.reconcile_schedule, "rate(7 days)")',
        'f.direction == "ingest" && f.incremental && f.reconcile_schedule != "na"',
        '"${var.env}-${replace(lower(profile), "/[^a-z0-9_]/", "_")}-${f.table}-ids"',
        'dag_id    = "sfdc_reconcile__${f.table}"',
        'f.incremental ? [] : ["${f.table}__latest"]',
    ):
        assert fragment in text, f"infra/modules/config/main.tf no longer contains {fragment!r}"


def test_csv_and_defaults_follow_the_loader(tmp_path: Path) -> None:
    """A config exercising the loader's rules: CSV lists, list values, na, env filter, empty defaults."""
    (tmp_path / "environments.yaml").write_text((CONFIG_DIR / "environments.yaml").read_text())
    (tmp_path / "flows.yaml").write_text(
        "defaults:\n"
        "  connector_profile: roche-salesforce-connector-profile1, roche-salesforce-connector-profile2\n"
        "flows:\n"
        "  - name: Lead\n"
        "    s3_prefix: na\n"
        "  - name: Case\n"
        "    connector_profile: [roche-salesforce-connector-profile2]\n"
        "    s3_prefix: support/cases\n"
        "    environment: prod\n"
        "  - name: ScoreResult\n"
        "    object_name: Score__c\n"
        "    source: s3\n"
        "    destination: salesforce\n"
        "    schedule_expression: na\n"
        "    connector_profile: roche-salesforce-connector-profile1\n"
        "    upsert_field_list: External_Id__c , Other_Id__c\n"
        "  - name: Task\n"
        "    include_deleted_records: false\n"
        "    timestamp_field: LastModifiedDate\n"
        "    data_transfer_api: BULKV2\n"
        "    reconcile_schedule: na\n"
        "  - name: Event\n"
        "    incremental_load: 0\n"
    )
    for env in ("dev", "prod"):
        terraform, dags = tf_resolve(tmp_path, env), dag_side(tmp_path, env)
        assert terraform["appflow_flows"] == dags["appflow_flows"]
        assert terraform["reconcile_flows"] == dags["reconcile_flows"]
        assert terraform["lake_tables"] == dags["lake_tables"]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_terraform_resolves_the_same_lake_tables_and_pii_columns(env: str) -> None:
    terraform = tf_resolve(CONFIG_DIR, env)["lake_tables"]
    assert terraform == dag_side(CONFIG_DIR, env)["lake_tables"]
    assert any(t["pii_columns"] for t in terraform.values()), "the sample config has PII flows"


# --- on-prem feeds: one Glue job per feed and environment ---------------------------------------


def test_hcl_derives_feed_jobs_as_this_test_does() -> None:
    text = CONFIG_MAIN.read_text()
    feeds = str(locals_of(CONFIG_MAIN)["feeds"])
    # The job name is <env>-feed-<snake_name>, snake_case with the flows' own RE2 passes.
    assert '"${var.env}-feed-${lower(replace(replace(f.name,' in text
    assert _hcl_regex_replacements(feeds)[:2] == _hcl_regex_replacements(
        _local_expression("flows_all", "table")
    )
    for fragment in (
        "merge(local.feed_defaults, raw)",
        'contains(["all", var.env], try(f.environment, "all"))',
        'replace(f.source.secret, "{env}", var.env)',
        '"${local.feed_prefix}/${f.target_table}"',
        'try(f.workers.type, "G.1X")',
        "try(f.workers.count, 2)",
        'try(f.engine, "python")',
    ):
        assert fragment in text, fragment


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_feed_maps_to_its_glue_job(env: str) -> None:
    if not (CONFIG_DIR / "feeds.yaml").exists():
        pytest.skip("include/config/feeds.yaml does not exist (no on-prem feeds)")
    from lakehouse.plan.feeds import plan_feeds

    config = load_config(CONFIG_DIR)
    assert config.ok, config.error()
    terraform = tf_resolve_feeds(CONFIG_DIR, env)
    plans = plan_feeds(config, env)
    assert set(terraform) == {p.glue_job for p in plans}
    assert terraform, "the sample config has feeds"
    for plan in plans:
        job = terraform[plan.glue_job]
        assert job["kind"] == plan.feed.source.kind
        assert job["secret"] == plan.source_secret
        assert job["target_table"] == plan.table
        assert job["glue_database"] == plan.glue_database
        assert job["curated_prefix"] == plan.prefix
        assert (
            plan.bucket
            == yaml.safe_load((CONFIG_DIR / "environments.yaml").read_text())["environments"][env]["buckets"][
                "curated"
            ]
        )
        if job["landing_prefix"] is not None:
            assert (
                plan.landing_location("D")
                == f"s3://{plan.environment.buckets.raw}/{job['landing_prefix']}/D/"
            )
        assert plan.script_location.endswith("/glue/feed_ingest.py")
        assert (job["worker_type"], job["number_of_workers"]) == (plan.worker_type, plan.number_of_workers)
        assert job["engine"] == plan.feed.engine


def test_feed_jobs_run_the_script_terraform_uploads() -> None:
    feeds_main = (MODULES / "feeds" / "main.tf").read_text()
    assert 'script_key      = "glue/feed_ingest.py"' in feeds_main
    assert "source_hash = filemd5(var.script_path)" in feeds_main
    for env in ("dev", "prod"):
        main = (REPO / "infra" / "envs" / env / "main.tf").read_text()
        assert 'feed_script_path = "${path.module}/../../../jobs/feed_ingest.py"' in main
