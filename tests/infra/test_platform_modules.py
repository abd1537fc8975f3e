"""Static checks of the network, MWAA, feeds and warehouse modules: what checkov does not know about
this platform (MWAA's secrets backend and lookup pattern, bundle object versions, private networking,
the warehouse kind each environment gets)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.conftest import REPO
from tests.infra.hcl import MODULES, first, locals_of, module_blocks, parse, statements


def _resource(module: str, type_: str, name: str) -> dict[str, Any]:
    (found,) = [b.body for b in module_blocks(module) if b.type == type_ and b.name == name]
    return found


# --- network ---------------------------------------------------------------------------------


def test_private_subnets_have_no_internet_gateway_route() -> None:
    subnet = _resource("network", "aws_subnet", "private")
    assert subnet["map_public_ip_on_launch"] is False
    assert subnet["count"] == 2
    routes = [b for b in module_blocks("network") if b.type == "aws_route"]
    for route in routes:
        if "private" in route.body["route_table_id"]:
            assert "gateway_id" not in route.body, "private subnets never route to an internet gateway"
            assert "nat_gateway_id" in route.body
    assert _resource("network", "aws_nat_gateway", "this")["count"] == "${var.enable_nat ? 1 : 0}"
    variables = {k: v for e in parse(MODULES / "network" / "variables.tf")["variable"] for k, v in e.items()}
    assert variables["enable_nat"]["default"] is False


def test_endpoints_are_private_and_https_from_the_vpc_only() -> None:
    interface = _resource("network", "aws_vpc_endpoint", "interface")
    assert interface["private_dns_enabled"] is True
    assert interface["vpc_endpoint_type"] == "Interface"
    assert interface["security_group_ids"] == ["${aws_security_group.endpoints.id}"]
    assert _resource("network", "aws_vpc_endpoint", "s3")["vpc_endpoint_type"] == "Gateway"
    rules = [b.body for b in module_blocks("network") if b.type == "aws_vpc_security_group_ingress_rule"]
    assert rules == [
        {
            "security_group_id": "${aws_security_group.endpoints.id}",
            "description": "HTTPS from the VPC",
            "ip_protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "cidr_ipv4": "${aws_vpc.this.cidr_block}",
        }
    ]
    variables = {k: v for e in parse(MODULES / "network" / "variables.tf")["variable"] for k, v in e.items()}
    services = set(variables["interface_endpoints"]["default"])
    assert {
        "glue",
        "secretsmanager",
        "sns",
        "sts",
        "logs",
        "monitoring",
        "sqs",
        "airflow.api",
        "airflow.env",
        "redshift-data",
        "kms",
        "appflow",
    } <= services


def test_flow_logs_go_to_an_encrypted_log_group() -> None:
    flow_log = _resource("network", "aws_flow_log", "this")
    assert flow_log["traffic_type"] == "ALL"
    group = _resource("network", "aws_cloudwatch_log_group", "flow_logs")
    assert group["kms_key_id"] == "${module.key.arn}"
    assert _resource("network", "aws_default_security_group", "this").keys() == {"vpc_id", "tags"}


# --- MWAA --------------------------------------------------------------------------------------


def test_mwaa_runs_the_pinned_airflow_privately() -> None:
    env = _resource("mwaa", "aws_mwaa_environment", "this")
    variables = {k: v for e in parse(MODULES / "mwaa" / "variables.tf")["variable"] for k, v in e.items()}
    assert env["airflow_version"] == "${var.airflow_version}"
    assert variables["airflow_version"]["default"] == "3.3.1"
    assert env["webserver_access_mode"] == "PRIVATE_ONLY"
    assert env["kms_key"] == "${module.key.arn}"
    logging = first(env, "logging_configuration")
    for kind in ("dag_processing_logs", "scheduler_logs", "task_logs", "webserver_logs", "worker_logs"):
        assert first(logging, kind) == {"enabled": True, "log_level": "INFO"}, kind


def test_mwaa_pins_the_bundle_object_versions() -> None:
    env = _resource("mwaa", "aws_mwaa_environment", "this")
    for attribute, obj in (
        ("plugins", "plugins"),
        ("requirements", "requirements"),
        ("startup_script", "startup"),
    ):
        assert env[f"{attribute}_s3_object_version"] == f"${{aws_s3_object.{obj}.version_id}}"
        assert env[f"{attribute}_s3_path"] == f"${{aws_s3_object.{obj}.key}}"
    for obj, key in (
        ("plugins", "plugins.zip"),
        ("requirements", "requirements.txt"),
        ("startup", "startup.sh"),
    ):
        body = _resource("mwaa", "aws_s3_object", obj)
        assert body["key"] == key
        assert body["source_hash"] == f'${{filemd5("${{var.bundle_dir}}/{key}")}}'
        assert "etag" not in body, "SSE-KMS objects have no MD5 etag: source_hash detects changes"
    dags = _resource("mwaa", "aws_s3_object", "dags")
    assert dags["key"] == "dags/${each.value}"
    assert env["dag_s3_path"] == "dags/"
    versioning = _resource("mwaa", "aws_s3_bucket_versioning", "source")
    assert first(versioning, "versioning_configuration")["status"] == "Enabled"


def test_mwaa_secrets_backend_keeps_the_default_lookup_pattern() -> None:
    values = locals_of(MODULES / "mwaa" / "main.tf")
    assert values["connections_lookup_pattern"] == "^(?!aws_default$).*$"
    options = values["airflow_configuration_options"]
    assert (
        options["secrets.backend"]
        == "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
    )
    kwargs = options["secrets.backend_kwargs"]
    assert kwargs.startswith("${jsonencode(")
    assert "connections_lookup_pattern = local.connections_lookup_pattern" in kwargs
    assert "connections_prefix = var.connections_prefix" in kwargs
    assert options["lakehouse.env"] == "${var.env}"


def test_mwaa_source_bucket_is_hardened() -> None:
    block = _resource("mwaa", "aws_s3_bucket_public_access_block", "source")
    for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert block[flag] is True
    encryption = _resource("mwaa", "aws_s3_bucket_server_side_encryption_configuration", "source")
    assert (
        first(first(encryption, "rule"), "apply_server_side_encryption_by_default")["sse_algorithm"]
        == "aws:kms"
    )
    assert "aws:SecureTransport" in str([b.body for b in module_blocks("mwaa", "data") if b.name == "source"])
    assert (
        _resource("mwaa", "aws_s3_bucket_logging", "source")["target_bucket"] == "${var.access_logs_bucket}"
    )


# --- feeds -----------------------------------------------------------------------------------


def test_feed_jobs_run_on_glue_5_with_the_tested_pyarrow_and_pg8000_and_a_security_configuration() -> None:
    job = _resource("feeds", "aws_glue_job", "feed")
    assert job["for_each"] == "${var.feeds}"
    assert job["name"] == "${each.key}"
    assert job["security_configuration"] == "${var.security_configuration}"
    assert job["role_arn"] == "${aws_iam_role.job[each.key].arn}", "one role per feed"
    command = first(job, "command")
    assert command["name"] == "glueetl"
    assert job["glue_version"] == "5.0", "Python 3.11: the version jobs/ is type-checked for"
    variables = {k: v for e in parse(MODULES / "feeds" / "variables.tf")["variable"] for k, v in e.items()}
    lock = (REPO / "requirements-dev.lock").read_text()
    for package in ("pyarrow", "pg8000"):  # pg8000: the PostgreSQL driver of a database feed
        locked = re.search(rf"^{package}==(\S+)$", lock, re.MULTILINE)
        assert locked is not None, package
        assert variables[f"{package}_version"]["default"] == locked.group(1), (
            f"the job's {package} is the tested one"
        )
    modules = "pyarrow==${var.pyarrow_version},pg8000==${var.pg8000_version}"
    assert f'"--additional-python-modules" = "{modules}"' in str(job["default_arguments"])
    assert first(job, "execution_property")["max_concurrent_runs"] == 1
    connection = _resource("feeds", "aws_glue_connection", "network")
    assert connection["connection_type"] == "NETWORK"


# --- warehouse: the kind environments.yaml names, private, encrypted, audited -------------------

ENVIRONMENTS_YAML = REPO / "include" / "config" / "environments.yaml"
PLATFORM_MAIN = MODULES / "platform" / "main.tf"


def _platform_module(name: str) -> dict[str, Any]:
    (found,) = [
        body for entry in parse(PLATFORM_MAIN)["module"] for key, body in entry.items() if key == name
    ]
    assert isinstance(found, dict)
    return found


def _warehouse_of(env: str) -> tuple[dict[str, Any], set[str]]:
    """What Terraform creates in the warehouse module for `env`: the module's inputs resolved from
    environments.yaml (try(x, null) = a missing key is null) and the addresses its counts keep."""
    redshift = yaml.safe_load(ENVIRONMENTS_YAML.read_text())["environments"][env]["redshift"]
    module = _platform_module("warehouse")
    # The HCL this resolution mirrors.
    assert module["count"] == "${local.warehouse_kind != null && var.manage_warehouse ? 1 : 0}"
    assert locals_of(PLATFORM_MAIN)["warehouse_kind"] == (
        '${(try(local.environment.redshift.workgroup_name, null) != null ? "serverless" : '
        'try(local.environment.redshift.cluster_identifier, null) != null ? "cluster" : null)}'
    )
    inputs: dict[str, Any] = {}
    for name in ("workgroup_name", "cluster_identifier"):
        assert module[name] == f"${{try(local.environment.redshift.{name}, null)}}"
        inputs[name] = redshift.get(name)
    assert module["database"] == "${local.environment.redshift.database}"
    inputs["database"] = redshift["database"]
    if inputs["workgroup_name"] is None and inputs["cluster_identifier"] is None:
        return inputs, set()  # count = 0: no warehouse module instance

    values = locals_of(MODULES / "warehouse" / "main.tf")
    assert values["serverless"] == "${var.workgroup_name != null}"
    assert values["cluster"] == "${var.cluster_identifier != null}"
    flags = {
        "local.serverless": inputs["workgroup_name"] is not None,
        "local.cluster": inputs["cluster_identifier"] is not None,
    }
    created = set()
    for block in module_blocks("warehouse"):
        count = block.body.get("count")
        if count is None:
            created.add(block.address)
            continue
        match = re.fullmatch(r"\$\{(local\.\w+) \? 1 : 0\}", count)
        assert match, f"{block.address}: unexpected count {count}"
        if flags[match.group(1)]:
            created.add(block.address)
    return inputs, created


SERVERLESS = {
    "aws_redshiftserverless_namespace.this",
    "aws_redshiftserverless_workgroup.this",
    "aws_security_group.workgroup",
}
CLUSTER = {
    "aws_redshift_cluster.this",
    "aws_redshift_logging.this",
    "aws_redshift_subnet_group.this",
    "aws_redshift_parameter_group.this",
    "aws_security_group.cluster",
}


def test_each_environment_gets_the_warehouse_its_yaml_names() -> None:
    environments = yaml.safe_load(ENVIRONMENTS_YAML.read_text())["environments"]
    for env, environment in environments.items():
        redshift = environment["redshift"]
        assert ("workgroup_name" in redshift) != ("cluster_identifier" in redshift), (
            f"{env}: the warehouse module's precondition wants exactly one kind"
        )

    dev, dev_created = _warehouse_of("dev")
    assert dev["workgroup_name"] == "gtm-lakehouse-dev"
    assert dev_created >= SERVERLESS
    assert not CLUSTER & dev_created

    prod, prod_created = _warehouse_of("prod")
    assert prod["cluster_identifier"] == "gtm-lakehouse-prod"
    assert prod["database"] == "gtm"
    assert prod_created >= CLUSTER
    assert not SERVERLESS & prod_created

    # One Spectrum role, whatever the kind, attached to either.
    assert "aws_iam_role.spectrum" in dev_created & prod_created
    assert _resource("warehouse", "aws_redshiftserverless_namespace", "this")["iam_roles"] == [
        "${aws_iam_role.spectrum.arn}"
    ]
    assert _resource("warehouse", "aws_redshift_cluster", "this")["iam_roles"] == [
        "${aws_iam_role.spectrum.arn}"
    ]
    assert [b.address for b in module_blocks("warehouse") if b.type == "aws_iam_role"] == [
        "aws_iam_role.spectrum"
    ]


def test_cluster_is_private_encrypted_with_the_cmk_and_keeps_no_password() -> None:
    cluster = _resource("warehouse", "aws_redshift_cluster", "this")
    assert cluster["cluster_identifier"] == "${var.cluster_identifier}"
    assert cluster["database_name"] == "${var.database}"
    assert cluster["publicly_accessible"] is False
    assert cluster["encrypted"] is True
    assert cluster["kms_key_id"] == "${module.key.arn}"
    (key,) = [body for entry in parse(MODULES / "warehouse" / "main.tf")["module"] for body in entry.values()]
    assert key["source"] == "../kms", "a customer-managed key with rotation"
    assert cluster["manage_master_password"] is True
    assert not {"master_password", "master_password_wo"} & set(cluster)
    assert cluster["master_password_secret_kms_key_id"] == "${module.key.arn}"
    assert cluster["automated_snapshot_retention_period"] == "${var.snapshot_retention_days}"
    assert cluster["skip_final_snapshot"] is False
    variables = {
        k: v for e in parse(MODULES / "warehouse" / "variables.tf")["variable"] for k, v in e.items()
    }
    assert 1 <= variables["snapshot_retention_days"]["default"] <= 35
    assert variables["snapshot_retention_days"]["validation"], "automated snapshots cannot be turned off"
    assert variables["number_of_nodes"]["default"] == 1
    assert cluster["number_of_nodes"] == "${var.number_of_nodes}"
    assert cluster["node_type"] == "${var.node_type}"


def test_cluster_requires_ssl_and_exports_its_audit_logs() -> None:
    cluster = _resource("warehouse", "aws_redshift_cluster", "this")
    group = _resource("warehouse", "aws_redshift_parameter_group", "this")
    assert cluster["cluster_parameter_group_name"] == "${aws_redshift_parameter_group.this[0].name}"
    parameters = {p["name"]: p["value"] for p in group["parameter"]}
    assert parameters["require_ssl"] == "true"
    assert parameters["enable_user_activity_logging"] == "true"
    logging = _resource("warehouse", "aws_redshift_logging", "this")
    assert logging["cluster_identifier"] == "${aws_redshift_cluster.this[0].id}"
    assert logging["log_destination_type"] == "cloudwatch"
    audit_logs = locals_of(MODULES / "warehouse" / "main.tf")["audit_logs"]
    assert set(audit_logs) == {"connectionlog", "userlog", "useractivitylog"}
    assert logging["log_exports"] == "${local.audit_logs}"
    # Redshift writes into the groups created first, with our key and a retention, instead of
    # creating its own (unencrypted, never expiring).
    groups = _resource("warehouse", "aws_cloudwatch_log_group", "audit")
    assert groups["name"] == "/aws/redshift/cluster/${var.cluster_identifier}/${each.key}"
    assert groups["kms_key_id"] == "${module.key.arn}"
    assert groups["retention_in_days"] == "${var.audit_log_retention_days}"
    assert logging["depends_on"] == ["${aws_cloudwatch_log_group.audit}"]
    # The serverless kind: the same logs and parameters.
    namespace = _resource("warehouse", "aws_redshiftserverless_namespace", "this")
    assert namespace["log_exports"] == "${local.audit_logs}"
    workgroup = _resource("warehouse", "aws_redshiftserverless_workgroup", "this")
    config = {p["parameter_key"]: p["parameter_value"] for p in workgroup["config_parameter"]}
    assert config == {"require_ssl": "true", "enable_user_activity_logging": "true"}


def test_cluster_lives_in_the_private_subnets_behind_5439_from_the_vpc() -> None:
    cluster = _resource("warehouse", "aws_redshift_cluster", "this")
    assert cluster["enhanced_vpc_routing"] is True
    assert cluster["cluster_subnet_group_name"] == "${aws_redshift_subnet_group.this[0].name}"
    assert _resource("warehouse", "aws_redshift_subnet_group", "this")["subnet_ids"] == "${var.subnet_ids}"
    assert (
        cluster["vpc_security_group_ids"]
        == "${concat([aws_security_group.cluster[0].id], var.security_group_ids)}"
    )
    module = _platform_module("warehouse")
    assert module["subnet_ids"] == "${module.network.private_subnet_ids}"
    assert module["vpc_cidr"] == "${module.network.vpc_cidr}"
    assert "security_group_ids" not in module
    ingress = {
        b.name: b.body for b in module_blocks("warehouse") if b.type == "aws_vpc_security_group_ingress_rule"
    }
    assert ingress["cluster_vpc"]["security_group_id"] == "${aws_security_group.cluster[0].id}"
    for rule in ingress.values():
        assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 5439, 5439)
        assert rule["cidr_ipv4"] == "${var.vpc_cidr}"
    for rule in (
        b.body for b in module_blocks("warehouse") if b.type == "aws_vpc_security_group_egress_rule"
    ):
        assert rule.get("cidr_ipv4", "${var.vpc_cidr}") == "${var.vpc_cidr}", "egress stays in the VPC"
        assert rule["from_port"] == rule["to_port"] == 443
    workgroup = _resource("warehouse", "aws_redshiftserverless_workgroup", "this")
    assert workgroup["publicly_accessible"] is False
    assert workgroup["enhanced_vpc_routing"] is True
    assert workgroup["subnet_ids"] == "${var.subnet_ids}"


def test_mwaa_gets_cluster_credentials_for_prods_cluster_and_db_user_only() -> None:
    redshift = _platform_module("mwaa")["redshift"]
    assert redshift["cluster_identifier"] == (
        '${local.warehouse_kind == "cluster" ? try(module.warehouse[0].cluster_identifier, '
        "local.environment.redshift.cluster_identifier) : null}"
    )
    assert redshift["db_user"] == "${try(local.environment.redshift.db_user, null)}"
    assert redshift["database"] == "${local.environment.redshift.database}"
    outputs = {k: v for e in parse(MODULES / "warehouse" / "outputs.tf")["output"] for k, v in e.items()}
    assert outputs["cluster_identifier"]["value"] == "${one(aws_redshift_cluster.this[*].cluster_identifier)}"

    prod = yaml.safe_load(ENVIRONMENTS_YAML.read_text())["environments"]["prod"]["redshift"]
    (document,) = [d for d in module_blocks("mwaa", "data") if d.name == "execution"]
    by_sid = {s.get("sid"): s for s in statements(document.body)}
    credentials = by_sid["ClusterCredentials"]
    assert credentials["actions"] == ["redshift:GetClusterCredentials"]
    resolved = [
        r.replace("${statement.value}", prod["cluster_identifier"])
        .replace("${var.redshift.db_user}", prod["db_user"])
        .replace("${var.redshift.database}", prod["database"])
        .replace("${local.arn_prefix}:redshift:${local.region}:${local.account_id}:", "")
        for r in credentials["resources"]
    ]
    assert resolved == ["dbuser:gtm-lakehouse-prod/lakehouse", "dbname:gtm-lakehouse-prod/gtm"]
    statement_resources = by_sid["RunStatementsOnTheWarehouse"]["resources"]
    assert ":cluster:${var.redshift.cluster_identifier}" in str(statement_resources)
    assert "*" not in str(credentials["resources"]) + str(statement_resources)
