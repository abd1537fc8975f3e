# Redshift Serverless (namespace + workgroup, private, KMS-encrypted, audit logs exported) and the
# Spectrum role Redshift assumes to read the lake through the Glue catalog. Least privilege: read
# only, only the raw zone, only this environment's Glue databases.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  root_arn   = "arn:${local.partition}:iam::${local.account_id}:root"
  glue_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:a KMS key policy: Resource "*" is this key, and the account root keeps administering it (AWS default key policy)
  #checkov:skip=CKV_AWS_111:a KMS key policy: Resource "*" is this key; IAM policies decide who may use it
  #checkov:skip=CKV_AWS_356:a KMS key policy must name Resource "*" (it means the key the policy is attached to)
  statement {
    sid       = "AccountAdministersKey"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.root_arn]
    }
  }
}

resource "aws_kms_key" "warehouse" {
  description             = "${var.name_prefix} Redshift Serverless namespace"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "warehouse" {
  name          = "alias/${var.name_prefix}-warehouse"
  target_key_id = aws_kms_key.warehouse.key_id
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
    sid       = "ListRawZone"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.raw_bucket_arn]
  }

  statement {
    sid       = "ReadRawZone"
    actions   = ["s3:GetObject"]
    resources = ["${var.raw_bucket_arn}/*"]
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
  kms_key_id            = aws_kms_key.warehouse.arn
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
  security_group_ids   = var.security_group_ids

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
