# Amazon MWAA on Airflow 3.3.1 in the private subnets: a versioned, KMS-encrypted, TLS-only source
# bucket; the bundle of `make bundle` (dist/mwaa) uploaded as S3 objects whose version ids the
# environment pins, so every change of plugins.zip, requirements.txt or startup.sh is picked up
# (and an unchanged, byte-identical bundle changes nothing); Secrets Manager as the secrets backend
# with MWAA's own connections_lookup_pattern kept; every log at INFO in CloudWatch (KMS); and a
# least-privilege execution role that can do exactly what the DAGs do.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  arn_prefix = "arn:${local.partition}"

  environment_arn = "${local.arn_prefix}:airflow:${local.region}:${local.account_id}:environment/${var.name}"
  glue_arn        = "${local.arn_prefix}:glue:${local.region}:${local.account_id}"
  secret_arn      = "${local.arn_prefix}:secretsmanager:${local.region}:${local.account_id}:secret"

  # MWAA's default lookup pattern (connections other than aws_default come from Secrets Manager;
  # aws_default stays the execution role). Overriding backend_kwargs drops MWAA's default, so it is
  # written here again (ARCHITECTURE.md section 2).
  connections_lookup_pattern = "^(?!aws_default$).*$"

  airflow_configuration_options = {
    "secrets.backend" = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
    "secrets.backend_kwargs" = jsonencode({
      connections_prefix         = var.connections_prefix
      connections_lookup_pattern = local.connections_lookup_pattern
      variables_prefix           = var.variables_prefix
    })
    # The DAG files read AIRFLOW__LAKEHOUSE__ENV (lakehouse.airflow.dagfile); startup.sh copies it.
    "lakehouse.env" = var.env
  }

  # OpenLineage (docs/lineage.md): every task's datasets, sent where openlineage_transport says
  # (HTTP to Marquez or DataHub, Amazon DataZone's API, ...); without a transport nothing is sent.
  openlineage_options = merge(
    {
      "openlineage.namespace"  = "lakehouse-${var.env}"
      "openlineage.extractors" = "lakehouse.airflow.lineage_extractors.RedshiftDataExtractor"
      # emit from a thread of the task's process rather than a fork of it (cheaper, and safe)
      "openlineage.execute_in_thread" = "True"
    },
    var.openlineage_transport == "" ? {} : { "openlineage.transport" = var.openlineage_transport },
  )

  dag_files = fileset("${var.bundle_dir}/dags", "**")
}

# ---------------------------------------------------------------------------------------------
# KMS key: the environment, its logs and the source bucket
# ---------------------------------------------------------------------------------------------

module "key" {
  source = "../kms"

  alias           = "${var.name}-mwaa"
  description     = "${var.name} MWAA environment, logs and source bucket"
  cloudwatch_logs = true
  tags            = var.tags
}

# ---------------------------------------------------------------------------------------------
# Source bucket
# ---------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "source" {
  #checkov:skip=CKV_AWS_144:the bundle is rebuilt from git by make bundle; cross-region replication adds nothing
  #checkov:skip=CKV2_AWS_62:MWAA polls the bucket itself; nothing consumes event notifications
  bucket = var.source_bucket
  tags   = merge(var.tags, { zone = "mwaa" })
}

resource "aws_s3_bucket_ownership_controls" "source" {
  bucket = aws_s3_bucket.source.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "source" {
  bucket                  = aws_s3_bucket.source.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "source" {
  bucket = aws_s3_bucket.source.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "source" {
  bucket = aws_s3_bucket.source.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.key.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "source" {
  bucket = aws_s3_bucket.source.id
  rule {
    id     = "noncurrent-and-multipart-cleanup"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_logging" "source" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = var.access_logs_bucket
  target_prefix = "s3/${var.source_bucket}/"
}

data "aws_iam_policy_document" "source" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.source.arn, "${aws_s3_bucket.source.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "source" {
  bucket = aws_s3_bucket.source.id
  policy = data.aws_iam_policy_document.source.json

  depends_on = [aws_s3_bucket_public_access_block.source]
}

# ---------------------------------------------------------------------------------------------
# The bundle (make bundle -> dist/mwaa). source_hash, not etag: SSE-KMS objects have no MD5 etag.
# ---------------------------------------------------------------------------------------------

resource "terraform_data" "bundle_built" {
  lifecycle {
    precondition {
      condition     = alltrue([for file in ["plugins.zip", "requirements.txt", "startup.sh"] : fileexists("${var.bundle_dir}/${file}")])
      error_message = "No MWAA bundle in ${var.bundle_dir}: run `make bundle` first (docs/deploy.md)."
    }
  }
}

resource "aws_s3_object" "plugins" {
  bucket      = aws_s3_bucket.source.id
  key         = "plugins.zip"
  source      = "${var.bundle_dir}/plugins.zip"
  source_hash = filemd5("${var.bundle_dir}/plugins.zip")
  kms_key_id  = module.key.arn
  tags        = var.tags

  depends_on = [terraform_data.bundle_built, aws_s3_bucket_versioning.source]
}

resource "aws_s3_object" "requirements" {
  bucket      = aws_s3_bucket.source.id
  key         = "requirements.txt"
  source      = "${var.bundle_dir}/requirements.txt"
  source_hash = filemd5("${var.bundle_dir}/requirements.txt")
  kms_key_id  = module.key.arn
  tags        = var.tags

  depends_on = [terraform_data.bundle_built, aws_s3_bucket_versioning.source]
}

resource "aws_s3_object" "startup" {
  bucket      = aws_s3_bucket.source.id
  key         = "startup.sh"
  source      = "${var.bundle_dir}/startup.sh"
  source_hash = filemd5("${var.bundle_dir}/startup.sh")
  kms_key_id  = module.key.arn
  tags        = var.tags

  depends_on = [terraform_data.bundle_built, aws_s3_bucket_versioning.source]
}

# MWAA syncs the dags/ prefix continuously; the DAG files need no pinned version.
resource "aws_s3_object" "dags" {
  for_each = local.dag_files

  bucket      = aws_s3_bucket.source.id
  key         = "dags/${each.value}"
  source      = "${var.bundle_dir}/dags/${each.value}"
  source_hash = filemd5("${var.bundle_dir}/dags/${each.value}")
  kms_key_id  = module.key.arn
  tags        = var.tags

  depends_on = [aws_s3_bucket_versioning.source]
}

# ---------------------------------------------------------------------------------------------
# Security group: MWAA's components talk to each other (self), and reach AWS through the VPC
# endpoints, S3 through its gateway endpoint, Redshift inside the VPC.
# ---------------------------------------------------------------------------------------------

resource "aws_security_group" "mwaa" {
  name        = "${var.name}-mwaa"
  description = "MWAA ${var.name}: self-referencing, egress to the VPC and S3"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-mwaa" })
}

resource "aws_vpc_security_group_ingress_rule" "self" {
  security_group_id            = aws_security_group.mwaa.id
  description                  = "MWAA components (scheduler, workers, web server, metadata DB) talk to each other"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.mwaa.id
}

resource "aws_vpc_security_group_egress_rule" "self" {
  security_group_id            = aws_security_group.mwaa.id
  description                  = "MWAA components talk to each other"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.mwaa.id
}

resource "aws_vpc_security_group_egress_rule" "vpc_https" {
  security_group_id = aws_security_group.mwaa.id
  description       = "Interface VPC endpoints (AWS APIs)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_egress_rule" "vpc_postgres" {
  security_group_id = aws_security_group.mwaa.id
  description       = "MWAA metadata database endpoint in the VPC"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_egress_rule" "vpc_redshift" {
  security_group_id = aws_security_group.mwaa.id
  description       = "Redshift in the VPC"
  ip_protocol       = "tcp"
  from_port         = 5439
  to_port           = 5439
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_egress_rule" "s3" {
  security_group_id = aws_security_group.mwaa.id
  description       = "S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = var.s3_prefix_list_id
}

resource "aws_vpc_security_group_egress_rule" "internet_https" {
  count = var.internet_egress ? 1 : 0

  security_group_id = aws_security_group.mwaa.id
  description       = "HTTPS through the NAT gateway (PyPI for requirements.txt)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# ---------------------------------------------------------------------------------------------
# Execution role
# ---------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "MwaaAssumesRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-mwaa-execution"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  # --- What MWAA itself needs (AWS's execution role policy, narrowed) -------------------------
  statement {
    sid       = "PublishMetrics"
    actions   = ["airflow:PublishMetrics"]
    resources = [local.environment_arn]
  }

  statement {
    sid       = "DenyListAllBuckets"
    effect    = "Deny"
    actions   = ["s3:ListAllMyBuckets"]
    resources = [aws_s3_bucket.source.arn, "${aws_s3_bucket.source.arn}/*"]
  }

  statement {
    sid = "ReadSourceBucket"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetBucketLocation",
      "s3:GetBucketVersioning",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetEncryptionConfiguration",
      "s3:ListBucket",
      "s3:ListBucketVersions",
    ]
    resources = [aws_s3_bucket.source.arn, "${aws_s3_bucket.source.arn}/*"]
  }

  statement {
    sid       = "AccountPublicAccessBlock"
    actions   = ["s3:GetAccountPublicAccessBlock"]
    resources = ["*"]
  }

  statement {
    sid = "AirflowLogs"
    actions = [
      "logs:CreateLogStream",
      "logs:CreateLogGroup",
      "logs:PutLogEvents",
      "logs:GetLogEvents",
      "logs:GetLogRecord",
      "logs:GetLogGroupFields",
      "logs:GetQueryResults",
    ]
    resources = [
      "${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:airflow-${var.name}-*",
      "${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:airflow-${var.name}-*:*",
    ]
  }

  statement {
    sid       = "DescribeLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"]
  }

  statement {
    sid       = "PutMetricData"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
  }

  # The Celery queues live in MWAA's service account: AWS documents the account as "*".
  statement {
    sid = "CeleryQueues"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    resources = ["${local.arn_prefix}:sqs:${local.region}:*:airflow-celery-*"]
  }

  statement {
    sid       = "EnvironmentKeyThroughServices"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "kms:Encrypt"]
    resources = [module.key.arn]
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["sqs.${local.region}.amazonaws.com", "s3.${local.region}.amazonaws.com", "logs.${local.region}.amazonaws.com"]
    }
  }

  # --- Secrets Manager backend and the secrets the DAGs read ----------------------------------
  statement {
    sid     = "ReadAirflowSecrets"
    actions = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = concat(
      [
        "${local.secret_arn}:${var.connections_prefix}/*",
        "${local.secret_arn}:${var.variables_prefix}/*",
      ],
      var.secret_arns,
    )
  }

  dynamic "statement" {
    for_each = length(var.secret_kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "SecretKeysThroughSecretsManager"
      actions   = ["kms:Decrypt", "kms:DescribeKey"]
      resources = var.secret_kms_key_arns
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }

  # --- AppFlow: run this environment's flows ---------------------------------------------------
  statement {
    sid = "RunFlows"
    actions = [
      "appflow:DescribeFlow",
      "appflow:DescribeFlowExecutionRecords",
      "appflow:StartFlow",
      "appflow:StopFlow",
      "appflow:UpdateFlow",
    ]
    resources = values(var.appflow_flow_arns)
  }

  statement {
    sid       = "UseConnectorProfiles"
    actions   = ["appflow:UseConnectorProfile", "appflow:DescribeConnectorEntity"]
    resources = var.appflow_connector_profile_arns
  }

  statement {
    sid       = "FlowKeyThroughAppFlow"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "kms:Encrypt"]
    resources = [var.appflow_kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["appflow.${local.region}.amazonaws.com"]
    }
  }

  # --- Glue catalog and the feeds' jobs --------------------------------------------------------
  statement {
    sid = "RegisterTablesAndPartitions"
    actions = [
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:CreateDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
      "glue:BatchUpdatePartition", # register_partition moves a rerun's partition to its new load
      "glue:DeletePartition",      # audit_data drops a load's <table>__audit partition once audited
    ]
    resources = concat(
      ["${local.glue_arn}:catalog"],
      [for db in var.glue_databases : "${local.glue_arn}:database/${db}"],
      [for db in var.glue_databases : "${local.glue_arn}:table/${db}/*"],
    )
  }

  dynamic "statement" {
    for_each = length(var.glue_job_names) > 0 ? [1] : []
    content {
      sid       = "RunFeedJobs"
      actions   = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:GetJob", "glue:BatchStopJobRun"]
      resources = [for job in var.glue_job_names : "${local.glue_arn}:job/${job}"]
    }
  }

  # Lake Formation vends credentials for registered locations; the action has no resource-level
  # permissions (what the role may read is decided by Lake Formation grants).
  statement {
    sid       = "LakeFormationDataAccess"
    actions   = ["lakeformation:GetDataAccess"]
    resources = ["*"]
  }

  # --- Lake buckets ----------------------------------------------------------------------------
  statement {
    sid       = "ListLakeBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.lake_bucket_arns["raw"], var.lake_bucket_arns["curated"], var.lake_bucket_arns["results"]]
  }

  # AppFlow writes the raw zone (its own bucket policy); check_data reads a load, prune_partition
  # deletes the loads a newer one replaced.
  statement {
    sid       = "ReadAndPruneRawZone"
    actions   = ["s3:GetObject", "s3:DeleteObject"]
    resources = ["${var.lake_bucket_arns["raw"]}/*"]
  }

  # keep_versions: a rerun's load folder gets the versions of the load it replaces that it no
  # longer sees (kept-versions*.parquet), the only objects of the raw zone it writes but the claims below.
  statement {
    sid       = "KeepVersionsInReruns"
    actions   = ["s3:PutObject"]
    resources = ["${var.lake_bucket_arns["raw"]}/*/kept-versions*.parquet"]
  }

  # run_flow claims the day's "Salesforce API limit reached" alert of an org with a conditional
  # write (If-None-Match), so each org alerts once a day however many of its runs are paused.
  statement {
    sid       = "ClaimLimitAlerts"
    actions   = ["s3:PutObject"]
    resources = ["${var.lake_bucket_arns["raw"]}/_lakehouse/salesforce-limits/*"]
  }

  statement {
    sid       = "ReplaceFeedPartitions"
    actions   = ["s3:GetObject", "s3:DeleteObject"]
    resources = ["${var.lake_bucket_arns["curated"]}/${var.feeds_prefix}/*"]
  }

  # audit_data: one Parquet file of check results per audit; nothing else of the curated zone.
  statement {
    sid       = "WriteCheckResults"
    actions   = ["s3:PutObject"]
    resources = ["${var.lake_bucket_arns["curated"]}/${var.quality_prefix}/check_results/*"]
  }

  statement {
    sid       = "ReadResults"
    actions   = ["s3:GetObject"]
    resources = ["${var.lake_bucket_arns["results"]}/*"]
  }

  statement {
    sid       = "LakeKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "kms:Encrypt"]
    resources = [var.lake_kms_key_arn]
  }

  # --- Redshift: the Data API on this environment's warehouse ----------------------------------
  statement {
    sid     = "RunStatementsOnTheWarehouse"
    actions = ["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement"]
    resources = compact([
      var.redshift.workgroup_arn,
      var.redshift.cluster_identifier == null ? null : "${local.arn_prefix}:redshift:${local.region}:${local.account_id}:cluster:${var.redshift.cluster_identifier}",
    ])
  }

  # DescribeStatement & co. have no resource-level permissions; the condition limits them to the
  # statements this role ran (AWS's documented scoping).
  statement {
    sid       = "ReadOwnStatements"
    actions   = ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult", "redshift-data:CancelStatement", "redshift-data:ListStatements"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "redshift-data:statement-owner-iam-userid"
      values   = ["$${aws:userid}"]
    }
  }

  dynamic "statement" {
    for_each = var.redshift.workgroup_arn == null ? [] : [var.redshift.workgroup_arn]
    content {
      sid       = "ServerlessCredentials"
      actions   = ["redshift-serverless:GetCredentials"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.redshift.cluster_identifier == null ? [] : [var.redshift.cluster_identifier]
    content {
      sid     = "ClusterCredentials"
      actions = ["redshift:GetClusterCredentials"]
      resources = [
        "${local.arn_prefix}:redshift:${local.region}:${local.account_id}:dbuser:${statement.value}/${var.redshift.db_user}",
        "${local.arn_prefix}:redshift:${local.region}:${local.account_id}:dbname:${statement.value}/${var.redshift.database}",
      ]
    }
  }

  # --- Alerts ----------------------------------------------------------------------------------
  statement {
    sid       = "PublishAlerts"
    actions   = ["sns:Publish"]
    resources = [var.alerts_topic_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "mwaa-lakehouse"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# ---------------------------------------------------------------------------------------------
# The environment
# ---------------------------------------------------------------------------------------------

resource "aws_mwaa_environment" "this" {
  name                            = var.name
  airflow_version                 = var.airflow_version
  environment_class               = var.environment_class
  min_workers                     = var.min_workers
  max_workers                     = var.max_workers
  weekly_maintenance_window_start = var.weekly_maintenance_window_start
  webserver_access_mode           = "PRIVATE_ONLY"
  execution_role_arn              = aws_iam_role.execution.arn
  kms_key                         = module.key.arn

  source_bucket_arn                = aws_s3_bucket.source.arn
  dag_s3_path                      = "dags/"
  plugins_s3_path                  = aws_s3_object.plugins.key
  plugins_s3_object_version        = aws_s3_object.plugins.version_id
  requirements_s3_path             = aws_s3_object.requirements.key
  requirements_s3_object_version   = aws_s3_object.requirements.version_id
  startup_script_s3_path           = aws_s3_object.startup.key
  startup_script_s3_object_version = aws_s3_object.startup.version_id

  airflow_configuration_options = merge(local.airflow_configuration_options, local.openlineage_options)

  network_configuration {
    security_group_ids = [aws_security_group.mwaa.id]
    subnet_ids         = var.subnet_ids
  }

  logging_configuration {
    dag_processing_logs {
      enabled   = true
      log_level = "INFO"
    }
    scheduler_logs {
      enabled   = true
      log_level = "INFO"
    }
    task_logs {
      enabled   = true
      log_level = "INFO"
    }
    webserver_logs {
      enabled   = true
      log_level = "INFO"
    }
    worker_logs {
      enabled   = true
      log_level = "INFO"
    }
  }

  tags = var.tags

  # The role's policy must exist before MWAA validates the environment with it.
  depends_on = [aws_iam_role_policy.execution, aws_s3_bucket_policy.source]
}

# ---------------------------------------------------------------------------------------------
# Airflow pools: one per Salesforce org, sized by environments.yaml's salesforce_limits
# (`lakehouse pools`). They live in the metadata database, which only Airflow reaches, so
# tools/mwaa_pools.py sets them through MWAA's InvokeRestApi once the environment is up and again
# whenever the config changes (the deploying role needs airflow:InvokeRestApi; docs/deploy.md).
# ---------------------------------------------------------------------------------------------

resource "terraform_data" "pools" {
  triggers_replace = [aws_mwaa_environment.this.arn, filemd5("${var.config_dir}/environments.yaml")]

  provisioner "local-exec" {
    command = "python3 ${var.tools_dir}/mwaa_pools.py --env ${var.env} --environment-name ${var.name} --region ${local.region} --config-dir ${var.config_dir}"
  }
}
