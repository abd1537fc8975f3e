# Redshift Serverless (namespace + workgroup, private, KMS-encrypted, audit logs exported) and the
# Spectrum role Redshift assumes to read the lake through the Glue catalog. Least privilege: read
# only, only the raw zone (Salesforce objects) and the curated zone (on-prem feeds), only this
# environment's Glue databases. Lake Formation decides which tables and columns it reads.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  glue_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
}

module "key" {
  source = "../kms"

  alias       = "${var.name_prefix}-warehouse"
  description = "${var.name_prefix} Redshift Serverless namespace"
  tags        = var.tags
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
  namespace_name        = var.namespace_name
  db_name               = var.database
  admin_username        = var.admin_username
  manage_admin_password = true # generated and kept in Secrets Manager by Redshift, never in state
  kms_key_id            = module.key.arn
  iam_roles             = [aws_iam_role.spectrum.arn]
  default_iam_role_arn  = aws_iam_role.spectrum.arn
  log_exports           = ["userlog", "connectionlog", "useractivitylog"]
  tags                  = var.tags
}

resource "aws_redshiftserverless_workgroup" "this" {
  namespace_name       = aws_redshiftserverless_namespace.this.namespace_name
  workgroup_name       = var.workgroup_name
  base_capacity        = var.base_capacity
  publicly_accessible  = false
  enhanced_vpc_routing = true
  subnet_ids           = var.subnet_ids
  security_group_ids   = concat([aws_security_group.workgroup.id], var.security_group_ids)

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
  name        = "${var.name_prefix}-redshift"
  description = "Redshift Serverless ${var.workgroup_name}: 5439 from the VPC"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name_prefix}-redshift" })
}

resource "aws_vpc_security_group_ingress_rule" "workgroup_vpc" {
  security_group_id = aws_security_group.workgroup.id
  description       = "Redshift from inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 5439
  to_port           = 5439
  cidr_ipv4         = var.vpc_cidr
}
