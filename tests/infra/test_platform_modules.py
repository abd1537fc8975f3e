"""Static checks of the network, MWAA and feeds modules: what checkov does not know about this
platform (MWAA's secrets backend and lookup pattern, bundle object versions, private networking)."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import REPO
from tests.infra.hcl import MODULES, first, locals_of, module_blocks, parse


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


def test_feed_jobs_run_on_glue_5_with_the_tested_pyarrow_and_a_security_configuration() -> None:
    job = _resource("feeds", "aws_glue_job", "feed")
    assert job["for_each"] == "${var.feeds}"
    assert job["name"] == "${each.key}"
    assert job["security_configuration"] == "${var.security_configuration}"
    assert job["role_arn"] == "${aws_iam_role.job[each.key].arn}", "one role per feed"
    command = first(job, "command")
    assert command["name"] == "glueetl"
    assert job["glue_version"] == "5.0", "Python 3.11: the version jobs/ is type-checked for"
    variables = {k: v for e in parse(MODULES / "feeds" / "variables.tf")["variable"] for k, v in e.items()}
    locked = re.search(r"^pyarrow==(\S+)$", (REPO / "requirements-dev.lock").read_text(), re.MULTILINE)
    assert locked is not None
    assert variables["pyarrow_version"]["default"] == locked.group(1), "the job's pyarrow is the tested one"
    assert "pyarrow==${var.pyarrow_version}" in str(job["default_arguments"])
    assert first(job, "execution_property")["max_concurrent_runs"] == 1
    connection = _resource("feeds", "aws_glue_connection", "network")
    assert connection["connection_type"] == "NETWORK"
