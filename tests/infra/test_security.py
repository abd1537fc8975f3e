"""Our own static checks of infra/: IAM wildcards, bucket hardening, KMS everywhere, and the
attributes Airflow rewrites being ignored by Terraform."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.infra.hcl import (
    INFRA,
    MODULES,
    Block,
    blocks,
    first,
    ignore_changes,
    module_blocks,
    parse,
    statements,
)

# Every wildcard in an Allow statement across infra/modules, by (module, statement sid), with the
# reason AWS requires it. The test fails on a wildcard missing here AND on an entry no longer used.
#
# Actions with a "*": only AWS's default key-policy statement (infra/modules/kms).
WILDCARD_ACTIONS_ALLOW_LIST: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    ("kms", "AccountAdministersKey"): (
        frozenset({"kms:*"}),
        "AWS's default key policy statement: the account root administers the key, so IAM policies "
        "decide who may use it and the key cannot be locked out",
    ),
}
# Resource "*" (or an ARN with a wildcard account) outside key policies: actions that support no
# resource-level permissions, or resources that live in an AWS service account.
WILDCARD_RESOURCES_ALLOW_LIST: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    ("warehouse", "LakeFormationDataAccess"): (
        frozenset({"lakeformation:GetDataAccess"}),
        "GetDataAccess supports no resource-level permissions; Lake Formation grants decide what is read",
    ),
    ("mwaa", "LakeFormationDataAccess"): (
        frozenset({"lakeformation:GetDataAccess"}),
        "GetDataAccess supports no resource-level permissions; Lake Formation grants decide what is read",
    ),
    ("mwaa", "AccountPublicAccessBlock"): (
        frozenset({"s3:GetAccountPublicAccessBlock"}),
        "an account-level setting MWAA checks; the action has no resource type",
    ),
    ("mwaa", "DescribeLogGroups"): (
        frozenset({"logs:DescribeLogGroups"}),
        "DescribeLogGroups lists log groups of the account: it supports no resource-level permissions",
    ),
    ("mwaa", "PutMetricData"): (
        frozenset({"cloudwatch:PutMetricData"}),
        "PutMetricData supports no resource-level permissions (MWAA publishes its metrics with it)",
    ),
    ("mwaa", "ReadOwnStatements"): (
        frozenset(
            {
                "redshift-data:DescribeStatement",
                "redshift-data:GetStatementResult",
                "redshift-data:CancelStatement",
                "redshift-data:ListStatements",
            }
        ),
        "statement ids are not resources; the statement-owner-iam-userid condition limits them to the "
        "role's own statements (AWS's documented scoping)",
    ),
    ("mwaa", "CeleryQueues"): (
        frozenset(
            {
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ReceiveMessage",
                "sqs:SendMessage",
            }
        ),
        "MWAA's Celery queues (airflow-celery-*) live in MWAA's service account, whose id is not known: "
        "AWS's execution role policy names the account as *",
    ),
    ("feeds", "ConnectionNetworkDescribe"): (
        frozenset(
            {
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcAttribute",
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeRouteTables",
            }
        ),
        "EC2 Describe* actions support no resource-level permissions (Glue checks the connection's network)",
    ),
}
# The conditions that must come with some of those wildcards.
WILDCARD_CONDITIONS = {("mwaa", "ReadOwnStatements"): "redshift-data:statement-owner-iam-userid"}
KEY_POLICY_RESOURCE_REASON = (
    'In a KMS key policy the only valid Resource is "*": it means the key the policy is attached to'
)
_ANY_ACCOUNT_ARN = re.compile(r"^(arn:[^:]*|\$\{[^}]*\}):[^:]*:[^:]*:\*:")  # arn:<partition>:svc:region:*:


def _policy_documents() -> list[Block]:
    return [b for b in blocks(INFRA, "data") if b.type == "aws_iam_policy_document"]


def _as_list(value: list[str] | str) -> list[str]:
    """A literal list, or an expression (concat(...)) reduced to the string literals it holds."""
    if isinstance(value, list):
        return value
    return re.findall(r'"((?:[^"\\]|\\.)*)"', value)


def _key_policy_documents() -> set[tuple[str, str]]:
    """(module, document name) of the documents used as aws_kms_key policies."""
    used = set()
    for key in (b for b in blocks(INFRA) if b.type == "aws_kms_key"):
        match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}", key.body.get("policy", ""))
        assert match, f"{key.module}: {key.address} needs a policy from an aws_iam_policy_document"
        used.add((key.module, match.group(1)))
    return used


def test_every_policy_is_a_policy_document() -> None:
    """So the statement checks below see every policy (no inline JSON policies)."""
    for block in blocks(INFRA):
        for attribute in ("policy", "assume_role_policy"):
            if attribute in block.body:
                assert re.fullmatch(
                    r"\$\{data\.aws_iam_policy_document\.\w+(\[each\.key\])?\.json\}", block.body[attribute]
                ), f"{block.module}: {block.address}.{attribute} is not an aws_iam_policy_document"
    assert "jsonencode({\n    Version" not in "".join(p.read_text() for p in INFRA.rglob("*.tf"))


def _wildcard_uses() -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]:
    """(module, sid) => actions, for wildcard actions and for wildcard resources (key policies apart)."""
    key_documents = _key_policy_documents()
    assert key_documents, "the KMS keys have policies"
    action_uses: dict[tuple[str, str], set[str]] = {}
    resource_uses: dict[tuple[str, str], set[str]] = {}
    for document in _policy_documents():
        is_key_policy = (document.module, document.name) in key_documents
        for statement in statements(document.body):
            if statement.get("effect", "Allow") == "Deny":
                continue  # a Deny narrows access: `s3:*` for non-TLS requests is the point
            where = (document.module, statement.get("sid", "?"))
            actions = _as_list(statement.get("actions", []))
            for action in actions:
                if "*" in action:
                    assert is_key_policy, f"{where}: {action} is only allowed in a key policy"
                    action_uses.setdefault(where, set()).add(action)
            resources = _as_list(statement.get("resources", []))
            if not is_key_policy and any(r == "*" or _ANY_ACCOUNT_ARN.match(r) for r in resources):
                resource_uses.setdefault(where, set()).update(actions)
    return action_uses, resource_uses


def test_every_wildcard_is_in_the_allow_lists() -> None:
    action_uses, resource_uses = _wildcard_uses()
    for where, actions in action_uses.items():
        assert where in WILDCARD_ACTIONS_ALLOW_LIST, f"{where} allows {sorted(actions)}"
        assert actions <= WILDCARD_ACTIONS_ALLOW_LIST[where][0], f"{where} allows {sorted(actions)}"
    for where, actions in resource_uses.items():
        assert where in WILDCARD_RESOURCES_ALLOW_LIST, (
            f"{where} allows Resource * (or any account) for {sorted(actions)} outside a key policy "
            f"and WILDCARD_RESOURCES_ALLOW_LIST ({KEY_POLICY_RESOURCE_REASON})"
        )
        assert actions <= WILDCARD_RESOURCES_ALLOW_LIST[where][0], (
            f"{where}: {sorted(actions - WILDCARD_RESOURCES_ALLOW_LIST[where][0])} with Resource *"
        )


def test_the_allow_lists_have_no_stale_entries() -> None:
    action_uses, resource_uses = _wildcard_uses()
    assert set(WILDCARD_ACTIONS_ALLOW_LIST) == set(action_uses)
    assert set(WILDCARD_RESOURCES_ALLOW_LIST) == set(resource_uses)
    for entry in (*WILDCARD_ACTIONS_ALLOW_LIST.values(), *WILDCARD_RESOURCES_ALLOW_LIST.values()):
        assert len(entry[1]) > 30, "every allow-list entry says why AWS requires the wildcard"


def test_scoped_wildcards_keep_their_condition() -> None:
    for (module, sid), variable in WILDCARD_CONDITIONS.items():
        found = [
            s
            for d in _policy_documents()
            if d.module == module
            for s in statements(d.body)
            if s.get("sid") == sid
        ]
        assert found, (module, sid)
        for statement in found:
            assert variable in {c.get("variable") for c in statement.get("condition", [])}, (module, sid)


def test_no_allow_to_every_principal_and_services_are_scoped() -> None:
    for document in _policy_documents():
        for statement in statements(document.body):
            if statement.get("effect", "Allow") == "Deny":
                continue
            sid = statement.get("sid", "?")
            for principal in statement.get("principals", []):
                assert "*" not in principal.get("identifiers", []), f"{sid}: Allow to every principal"
            if any(p.get("type") == "Service" for p in statement.get("principals", [])):
                conditions = {c.get("variable") for c in statement.get("condition", [])}
                # CloudWatch Logs: AWS's documented scope is the log group ARN in the encryption context.
                scoped = {"aws:SourceAccount", "aws:SourceArn", "kms:EncryptionContext:aws:logs:arn"}
                assert conditions & scoped, (
                    f"{document.module}: {document.address} statement {sid}: a service principal needs "
                    "aws:SourceAccount or aws:SourceArn (confused deputy)"
                )


def _by_bucket(resource_type: str) -> dict[str, Block]:
    """Lake module resources of a type, by the aws_s3_bucket they belong to (logs / zone)."""
    found = {}
    for block in module_blocks("lake"):
        if block.type == resource_type:
            found[block.name] = block
    return found


BUCKETS = [b.name for b in module_blocks("lake") if b.type == "aws_s3_bucket"]


def test_buckets_are_logs_and_zones() -> None:
    assert sorted(BUCKETS) == ["logs", "zone"]
    variables = (MODULES / "lake" / "variables.tf").read_text()
    for zone in ("raw", "curated", "results", "scripts"):
        assert f'"{zone}"' in variables


def _refers_to_bucket(block: Block, bucket: str) -> None:
    assert re.fullmatch(rf"\$\{{aws_s3_bucket\.{bucket}(\[each\.key\])?\.id\}}", block.body["bucket"]), (
        f"{block.address} must point at aws_s3_bucket.{bucket}"
    )
    if bucket == "zone":
        assert block.body.get("for_each") == "${var.buckets}", f"{block.address}: one per zone bucket"


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_blocks_public_access(bucket: str) -> None:
    block = _by_bucket("aws_s3_bucket_public_access_block")[bucket]
    _refers_to_bucket(block, bucket)
    for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert block.body[flag] is True, f"{block.address}.{flag}"


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_is_tls_only(bucket: str) -> None:
    policy = _by_bucket("aws_s3_bucket_policy")[bucket]
    _refers_to_bucket(policy, bucket)
    document_name = re.search(r"aws_iam_policy_document\.(\w+)", policy.body["policy"])
    assert document_name
    document = next(d for d in module_blocks("lake", "data") if d.name == document_name.group(1))
    deny = [
        s
        for s in statements(document.body)
        if s.get("effect") == "Deny"
        and "s3:*" in s.get("actions", [])
        and any(
            c.get("variable") == "aws:SecureTransport"
            and c.get("values") == ["false"]
            and c.get("test") == "Bool"
            for c in s.get("condition", [])
        )
    ]
    assert deny, f"{document.address} has no Deny on aws:SecureTransport = false"
    assert len(deny[0]["resources"]) == 2, "the bucket and its objects"


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_versioning_lifecycle_encryption_ownership(bucket: str) -> None:
    versioning = _by_bucket("aws_s3_bucket_versioning")[bucket]
    _refers_to_bucket(versioning, bucket)
    assert first(versioning.body, "versioning_configuration")["status"] == "Enabled"

    lifecycle = _by_bucket("aws_s3_bucket_lifecycle_configuration")[bucket]
    _refers_to_bucket(lifecycle, bucket)
    rule = first(lifecycle.body, "rule")
    assert rule["status"] == "Enabled"
    assert first(rule, "noncurrent_version_expiration")["noncurrent_days"]
    assert first(rule, "abort_incomplete_multipart_upload")["days_after_initiation"]

    encryption = _by_bucket("aws_s3_bucket_server_side_encryption_configuration")[bucket]
    _refers_to_bucket(encryption, bucket)
    default = first(first(encryption.body, "rule"), "apply_server_side_encryption_by_default")
    # The logs bucket: S3 server access logging only delivers to SSE-S3 buckets.
    assert default["sse_algorithm"] == ("AES256" if bucket == "logs" else "aws:kms")

    ownership = _by_bucket("aws_s3_bucket_ownership_controls")[bucket]
    assert first(ownership.body, "rule")["object_ownership"] == "BucketOwnerEnforced"


def test_zone_buckets_log_to_the_logs_bucket() -> None:
    logging = _by_bucket("aws_s3_bucket_logging")["zone"]
    _refers_to_bucket(logging, "zone")
    assert logging.body["target_bucket"] == "${aws_s3_bucket.logs.id}"


def test_kms_keys_rotate_and_come_from_the_kms_module() -> None:
    keys = [b for b in blocks(INFRA) if b.type == "aws_kms_key"]
    assert {k.module for k in keys} == {"kms"}, "every key is made by infra/modules/kms"
    for key in keys:
        assert key.body.get("enable_key_rotation") is True, f"{key.module}: {key.address}"
    callers = {
        path.parent.name
        for path in MODULES.rglob("main.tf")
        for entry in parse(path).get("module", [])
        for body in entry.values()
        if body["source"] == "../kms"
    }
    assert callers >= {"lake", "appflow", "alerting", "warehouse", "network", "mwaa"}


@pytest.mark.parametrize(
    ("resource_type", "attribute"),
    [
        ("aws_sns_topic", "kms_master_key_id"),
        ("aws_secretsmanager_secret", "kms_key_id"),
        ("aws_appflow_flow", "kms_arn"),
        ("aws_appflow_connector_profile", "kms_arn"),
    ],
)
def test_customer_managed_kms(resource_type: str, attribute: str) -> None:
    found = [b for b in blocks(INFRA) if b.type == resource_type]
    assert found, resource_type
    for block in found:
        assert re.fullmatch(r"\$\{(aws_kms_key\.\w+|module\.key)\.arn\}", str(block.body.get(attribute))), (
            block.address
        )


def test_glue_security_configuration_uses_kms() -> None:
    (config,) = [b for b in module_blocks("catalog") if b.type == "aws_glue_security_configuration"]
    encryption = first(config.body, "encryption_configuration")
    assert first(encryption, "s3_encryption")["s3_encryption_mode"] == "SSE-KMS"
    assert first(encryption, "cloudwatch_encryption")["cloudwatch_encryption_mode"] == "SSE-KMS"
    assert first(encryption, "job_bookmarks_encryption")["job_bookmarks_encryption_mode"] == "CSE-KMS"


def test_no_secret_values_in_code() -> None:
    (version,) = [b for b in module_blocks("alerting") if b.type == "aws_secretsmanager_secret_version"]
    assert "secret_string" in ignore_changes(version.body), "the placeholder must never overwrite the value"
    assert json.loads(
        version.body["secret_string"]
        .removeprefix("${jsonencode(")
        .removesuffix(")}")
        .replace("webhooks = []", '"webhooks": []')
    ) == {"webhooks": []}
    text = "\n".join(p.read_text() for p in INFRA.rglob("*.tf"))
    for pattern in (
        r"https://hooks\.",
        r"(?i)client_secret\s*=\s*\"",
        r"(?i)password\s*=\s*\"",
        r"AKIA[0-9A-Z]{16}",
    ):
        assert not re.search(pattern, text), pattern
    (profile,) = [b for b in module_blocks("appflow") if b.type == "aws_appflow_connector_profile"]
    credentials = first(
        first(first(profile.body, "connector_profile_config"), "connector_profile_credentials"), "salesforce"
    )
    for value in credentials.values():
        assert str(value).startswith("${"), f"a connector profile credential is a literal: {value}"


def _flow(name: str) -> dict[str, Any]:
    (flow,) = [b for b in module_blocks("appflow") if b.type == "aws_appflow_flow" and b.name == name]
    return flow.body


def test_flows_ignore_what_airflow_rewrites() -> None:
    ingest, upsert = _flow("ingest"), _flow("upsert")
    assert {"task", "trigger_config"} <= set(ignore_changes(ingest))
    assert (
        "destination_flow_config[0].destination_connector_properties[0].s3[0].bucket_prefix"
        in ignore_changes(ingest)
    )
    assert {"task", "trigger_config"} <= set(ignore_changes(upsert))
    assert "source_flow_config[0].source_connector_properties[0].s3[0].bucket_prefix" in ignore_changes(
        upsert
    )
    for flow in (ingest, upsert):
        assert first(flow, "trigger_config")["trigger_type"] == "OnDemand"


def test_ingest_writes_typed_parquet_with_projection_or_map_all() -> None:
    ingest = _flow("ingest")
    s3 = first(first(first(ingest, "destination_flow_config"), "destination_connector_properties"), "s3")
    output = first(s3, "s3_output_format_config")
    assert output["file_type"] == "PARQUET"
    assert output["preserve_source_data_typing"] is True
    tasks = [
        body["content"][0]
        for dynamic in ingest["dynamic"]
        for label, body in dynamic.items()
        if label == "task"
    ]
    types = {(t["task_type"], first(t, "connector_operator").get("salesforce")) for t in tasks}
    assert types == {("Filter", "PROJECTION"), ("Map", "NO_OP"), ("Map_all", "NO_OP")}


def test_upsert_has_keys_and_an_error_location() -> None:
    upsert = _flow("upsert")
    salesforce = first(
        first(first(upsert, "destination_flow_config"), "destination_connector_properties"), "salesforce"
    )
    assert salesforce["write_operation_type"] == "UPSERT"
    assert salesforce["id_field_names"] == "${each.value.upsert_fields}"
    errors = first(salesforce, "error_handling_config")
    assert errors["bucket_name"] == "${each.value.error_bucket}"
    assert errors["bucket_prefix"] == "${each.value.error_prefix}"


def test_alert_rules_reach_the_topic() -> None:
    rules = {b.name: b.body for b in module_blocks("alerting") if b.type == "aws_cloudwatch_event_rule"}
    appflow, glue = rules["appflow_errors"]["event_pattern"], rules["glue_failures"]["event_pattern"]
    for fragment in ("aws.appflow", "AppFlow End Flow Run Report", "Execution Successful", '"flow-name"'):
        assert fragment in appflow
    # AppFlow sends num-of-record-failures as a string ("0"): a numeric matcher would never match.
    assert re.search(r'"num-of-record-failures"\s*=\s*\[\{\s*"anything-but"\s*=\s*\["0"\]', appflow)
    assert "numeric" not in appflow
    for fragment in ("aws.glue", "Glue Job State Change", '"FAILED"', '"TIMEOUT"', '"ERROR"', "jobName"):
        assert fragment in glue
    targets = {
        b.body["rule"]: b.body["arn"]
        for b in module_blocks("alerting")
        if b.type == "aws_cloudwatch_event_target"
    }
    assert targets == {
        "${aws_cloudwatch_event_rule.appflow_errors.name}": "${aws_sns_topic.alerts.arn}",
        "${aws_cloudwatch_event_rule.glue_failures.name}": "${aws_sns_topic.alerts.arn}",
    }
    (topic_policy,) = [d for d in module_blocks("alerting", "data") if d.name == "topic"]
    (publish,) = statements(topic_policy.body)
    assert publish["actions"] == ["sns:Publish"]
    assert publish["principals"][0]["identifiers"] == ["events.amazonaws.com"]
    (key,) = [body for entry in parse(MODULES / "alerting" / "main.tf")["module"] for body in entry.values()]
    assert "events.amazonaws.com" in key["service_principals"], "EventBridge needs the topic's key to publish"
    assert set(key["service_actions"]) == {"kms:GenerateDataKey", "kms:Decrypt"}


def test_every_checkov_skip_has_a_reason() -> None:
    skips = [
        (path, line.strip())
        for path in INFRA.rglob("*.tf")
        for line in path.read_text().splitlines()
        if "checkov:skip" in line
    ]
    assert skips
    for path, line in skips:
        assert re.fullmatch(r"#checkov:skip=CKV2?_AWS_\d+:\S.{15,}", line), f"{path}: {line}"


def test_warehouse_is_private_encrypted_and_keeps_no_password() -> None:
    resources = {b.type: b.body for b in module_blocks("warehouse")}
    assert resources["aws_redshiftserverless_workgroup"]["publicly_accessible"] is False
    namespace = resources["aws_redshiftserverless_namespace"]
    assert namespace["kms_key_id"] == "${module.key.arn}"
    assert namespace["manage_admin_password"] is True
    assert "admin_user_password" not in namespace
    assert namespace["log_exports"] == "${local.audit_logs}"  # the three (test_platform_modules)


def test_spectrum_role_only_reads_the_lake() -> None:
    (document,) = [d for d in module_blocks("warehouse", "data") if d.name == "spectrum"]
    actions = {a for s in statements(document.body) for a in _as_list(s["actions"])}
    assert not {
        a
        for a in actions
        if not a.split(":")[1].startswith(("Get", "List", "BatchGet", "Decrypt", "Describe"))
    }
    resources = " ".join(str(s["resources"]) for s in statements(document.body))
    for expected in ("${var.raw_bucket_arn}", "${var.raw_bucket_arn}/*", "${var.lake_kms_key_arn}"):
        assert expected in resources, expected
