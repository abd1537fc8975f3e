# The warehouse environments.yaml names, exactly one of:
#   - redshift.workgroup_name: Redshift Serverless (namespace + workgroup);
#   - redshift.cluster_identifier: a provisioned cluster (subnet group, parameter group, audit
#     logging to CloudWatch);
# either way private (private subnets, 5439 from the VPC only, enhanced VPC routing), encrypted
# with this module's KMS key, the admin password generated and kept in Secrets Manager by Redshift,
# SSL required and audit logs (connection, user, user activity) exported. And the Spectrum role
# both kinds assume to read the lake through the Glue catalog. Least privilege: read only, only the
# raw zone (Salesforce objects) and the curated zone (on-prem feeds), only this environment's Glue
# databases. Lake Formation decides which tables and columns it reads.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  glue_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}"

  serverless = var.workgroup_name != null
  cluster    = var.cluster_identifier != null

  audit_logs = ["connectionlog", "userlog", "useractivitylog"]
}

module "key" {
  source = "../kms"

  alias       = "${var.name_prefix}-warehouse"
  description = local.cluster ? "${var.name_prefix} Redshift cluster ${var.cluster_identifier}" : "${var.name_prefix} Redshift Serverless namespace"
  # the cluster's audit log groups below are encrypted with it
  cloudwatch_logs = local.cluster
  tags            = var.tags
}

moved {
  from = aws_kms_key.warehouse
  to   = module.key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.warehouse
  to   = module.key.aws_kms_alias.this
}

# ---------------------------------------------------------------------------------------------
# Spectrum role
# ---------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "RedshiftAssumesRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "spectrum" {
  name               = var.spectrum_role_name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = local.serverless != local.cluster
      error_message = "Give exactly one of workgroup_name (Redshift Serverless) and cluster_identifier (provisioned cluster)."
    }
  }
}

data "aws_iam_policy_document" "spectrum" {
  statement {
    sid = "ReadCatalogOfTheLake"
    actions = [
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:GetTable",
      "glue:GetTables",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
    ]
    resources = concat(
      ["${local.glue_arn}:catalog"],
      [for db in var.glue_databases : "${local.glue_arn}:database/${db}"],
      [for db in var.glue_databases : "${local.glue_arn}:table/${db}/*"],
    )
  }

  statement {
    sid       = "ListLakeZones"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = compact([var.raw_bucket_arn, var.curated_bucket_arn])
  }

  statement {
    sid       = "ReadLakeZones"
    actions   = ["s3:GetObject"]
    resources = compact(["${var.raw_bucket_arn}/*", var.curated_bucket_arn == null ? null : "${var.curated_bucket_arn}/*"])
  }

  statement {
    sid       = "DecryptRawZone"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [var.lake_kms_key_arn]
  }

  # Lake Formation vends credentials for registered locations; the action has no resource-level
  # permissions, so AWS requires Resource "*" (what the role may read is decided by LF grants).
  statement {
    sid       = "LakeFormationDataAccess"
    actions   = ["lakeformation:GetDataAccess"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "spectrum" {
  name   = "spectrum-read-lake"
  role   = aws_iam_role.spectrum.id
  policy = data.aws_iam_policy_document.spectrum.json
}

# ---------------------------------------------------------------------------------------------
# Redshift Serverless
# ---------------------------------------------------------------------------------------------

resource "aws_redshiftserverless_namespace" "this" {
  count = local.serverless ? 1 : 0

  namespace_name        = coalesce(var.namespace_name, var.name_prefix)
  db_name               = var.database
  admin_username        = var.admin_username
  manage_admin_password = true # generated and kept in Secrets Manager by Redshift, never in state
  kms_key_id            = module.key.arn
  iam_roles             = [aws_iam_role.spectrum.arn]
  default_iam_role_arn  = aws_iam_role.spectrum.arn
  log_exports           = local.audit_logs
  tags                  = var.tags
}

resource "aws_redshiftserverless_workgroup" "this" {
  count = local.serverless ? 1 : 0

  namespace_name       = aws_redshiftserverless_namespace.this[0].namespace_name
  workgroup_name       = var.workgroup_name
  base_capacity        = var.base_capacity
  publicly_accessible  = false
  enhanced_vpc_routing = true
  subnet_ids           = var.subnet_ids
  security_group_ids   = concat([aws_security_group.workgroup[0].id], var.security_group_ids)

  config_parameter {
    parameter_key   = "enable_user_activity_logging"
    parameter_value = "true"
  }

  config_parameter {
    parameter_key   = "require_ssl"
    parameter_value = "true"
  }

  tags = var.tags
}

# Clients inside the VPC (MWAA through the Data API's endpoint, tools over VPN) reach 5439.
resource "aws_security_group" "workgroup" {
  count = local.serverless ? 1 : 0

  name        = "${var.name_prefix}-redshift"
  description = "Redshift Serverless ${var.workgroup_name}: 5439 from the VPC"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name_prefix}-redshift" })
}

resource "aws_vpc_security_group_ingress_rule" "workgroup_vpc" {
  count = local.serverless ? 1 : 0

  security_group_id = aws_security_group.workgroup[0].id
  description       = "Redshift from inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 5439
  to_port           = 5439
  cidr_ipv4         = var.vpc_cidr
}

# The workgroup's addresses before the cluster path existed (one warehouse kind per environment).
moved {
  from = aws_redshiftserverless_namespace.this
  to   = aws_redshiftserverless_namespace.this[0]
}

moved {
  from = aws_redshiftserverless_workgroup.this
  to   = aws_redshiftserverless_workgroup.this[0]
}

moved {
  from = aws_security_group.workgroup
  to   = aws_security_group.workgroup[0]
}

moved {
  from = aws_vpc_security_group_ingress_rule.workgroup_vpc
  to   = aws_vpc_security_group_ingress_rule.workgroup_vpc[0]
}

# ---------------------------------------------------------------------------------------------
# Provisioned cluster
# ---------------------------------------------------------------------------------------------

resource "aws_redshift_subnet_group" "this" {
  count = local.cluster ? 1 : 0

  name        = var.cluster_identifier
  description = "Private subnets of the Redshift cluster ${var.cluster_identifier}"
  subnet_ids  = var.subnet_ids
  tags        = var.tags
}

resource "aws_redshift_parameter_group" "this" {
  count = local.cluster ? 1 : 0

  name        = var.cluster_identifier
  family      = "redshift-1.0"
  description = "Redshift cluster ${var.cluster_identifier}: SSL required, user activity logged"

  parameter {
    name  = "require_ssl"
    value = "true"
  }

  # Without it the user activity log (every query) stays empty even with audit logging on.
  parameter {
    name  = "enable_user_activity_logging"
    value = "true"
  }

  tags = var.tags
}

resource "aws_redshift_cluster" "this" {
  #checkov:skip=CKV_AWS_71:audit logging is on through aws_redshift_logging.this below (CloudWatch); checkov only reads the deprecated logging block
  count = local.cluster ? 1 : 0

  cluster_identifier = var.cluster_identifier
  database_name      = var.database
  node_type          = var.node_type
  number_of_nodes    = var.number_of_nodes
  cluster_type       = var.number_of_nodes > 1 ? "multi-node" : "single-node"

  master_username                   = var.admin_username
  manage_master_password            = true # generated and kept in Secrets Manager by Redshift, never in state
  master_password_secret_kms_key_id = module.key.arn

  encrypted                    = true
  kms_key_id                   = module.key.arn
  publicly_accessible          = false
  enhanced_vpc_routing         = true
  cluster_subnet_group_name    = aws_redshift_subnet_group.this[0].name
  vpc_security_group_ids       = concat([aws_security_group.cluster[0].id], var.security_group_ids)
  cluster_parameter_group_name = aws_redshift_parameter_group.this[0].name
  port                         = 5439

  iam_roles            = [aws_iam_role.spectrum.arn]
  default_iam_role_arn = aws_iam_role.spectrum.arn

  allow_version_upgrade               = true
  automated_snapshot_retention_period = var.snapshot_retention_days
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.cluster_identifier}-final"

  tags = var.tags
}

# Audit logging (connections, user changes, every query) to CloudWatch Logs; the cluster's own
# `logging` block is deprecated in favour of this resource.
resource "aws_redshift_logging" "this" {
  count = local.cluster ? 1 : 0

  cluster_identifier   = aws_redshift_cluster.this[0].id
  log_destination_type = "cloudwatch"
  log_exports          = local.audit_logs

  # Redshift writes into existing groups of these names; otherwise it creates them itself,
  # unencrypted and never expiring.
  depends_on = [aws_cloudwatch_log_group.audit]
}

# The groups Redshift exports a cluster's audit logs to (/aws/redshift/cluster/<id>/<log type>),
# created first so they carry this module's KMS key and a retention.
resource "aws_cloudwatch_log_group" "audit" {
  for_each = local.cluster ? toset(local.audit_logs) : toset([])

  name              = "/aws/redshift/cluster/${var.cluster_identifier}/${each.key}"
  retention_in_days = var.audit_log_retention_days
  kms_key_id        = module.key.arn
  tags              = var.tags
}

# Clients inside the VPC (MWAA through the Data API's endpoint, tools over VPN) reach 5439.
resource "aws_security_group" "cluster" {
  count = local.cluster ? 1 : 0

  name        = "${var.name_prefix}-redshift"
  description = "Redshift cluster ${var.cluster_identifier}: 5439 from the VPC"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name_prefix}-redshift" })
}

resource "aws_vpc_security_group_ingress_rule" "cluster_vpc" {
  count = local.cluster ? 1 : 0

  security_group_id = aws_security_group.cluster[0].id
  description       = "Redshift from inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 5439
  to_port           = 5439
  cidr_ipv4         = var.vpc_cidr
}

# ---------------------------------------------------------------------------------------------
# Egress of either kind: with enhanced VPC routing, Spectrum's and COPY's traffic stays in the VPC:
# S3 through the gateway endpoint, Glue, Lake Formation, KMS and STS through the interface
# endpoints (HTTPS inside the VPC).
# ---------------------------------------------------------------------------------------------

locals {
  security_group_id = local.cluster ? one(aws_security_group.cluster[*].id) : one(aws_security_group.workgroup[*].id)
}

resource "aws_vpc_security_group_egress_rule" "vpc_https" {
  security_group_id = local.security_group_id
  description       = "Interface VPC endpoints (Glue, Lake Formation, KMS, STS)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_egress_rule" "s3" {
  security_group_id = local.security_group_id
  description       = "S3 through the gateway endpoint (the lake Spectrum reads)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = var.s3_prefix_list_id
}
