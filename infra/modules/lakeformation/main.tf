# Lake Formation for the lake (the seed's steps: register the buckets, add the admins, grant the
# Glue job roles and the Airflow role their databases, grant the listed roles their tables):
#
# - data lake settings: the admins (the role running Terraform and var.admin_arns) and NO default
#   permissions for IAMAllowedPrincipals on new databases and tables (both default blocks left out,
#   which clears them), so Lake Formation grants are what decides access;
# - the raw and curated buckets registered with a role of their own;
# - writers (MWAA execution role, feeds' Glue job roles): data location access on their zones,
#   CREATE_TABLE/ALTER/DESCRIBE on their databases, and every table permission on every table;
# - readers (Redshift Spectrum role, analysts): DESCRIBE on the databases and SELECT on each table
#   with its PII columns (flows.yaml pii_columns) withheld through a column wildcard with
#   excluded_column_names. No reader ever gets a table wildcard, which would include PII columns.
#
# Never granted here: IAM_ALLOWED_PRINCIPALS, the admins, the deploying role (their implicit
# permissions make a revoke fail on destroy). tests/infra/test_lakeformation.py checks all of it.

data "aws_caller_identity" "current" {}

# The role (not the assumed-role session) running Terraform: it must stay an admin, or it locks
# itself out of the grants below.
data "aws_iam_session_context" "current" {
  arn = data.aws_caller_identity.current.arn
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  admins     = distinct(concat([data.aws_iam_session_context.current.issuer_arn], var.admin_arns))

  writer_databases = merge([
    for key, writer in var.writers : {
      for database in writer.databases : "${key}/${database}" => { arn = writer.arn, database = database }
    }
  ]...)

  writer_locations = merge([
    for key, writer in var.writers : {
      for zone in writer.locations : "${key}/${zone}" => { arn = writer.arn, zone = zone }
    }
  ]...)

  reader_databases = merge([
    for key, arn in var.readers : {
      for database in values(var.databases) : "${key}/${database}" => { arn = arn, database = database }
    }
  ]...)

  # reader key/database.table => the table and the reader (no grants until the tables exist).
  reader_tables = {
    for pair in(var.grant_table_permissions ? setproduct(keys(var.readers), keys(var.tables)) : []) :
    "${pair[0]}/${pair[1]}" => merge(var.tables[pair[1]], { arn = var.readers[pair[0]] })
  }
}

# Grants to an admin (or to the deploying role) fail on revoke: no writer or reader may be one.
resource "terraform_data" "no_grants_to_admins" {
  lifecycle {
    precondition {
      condition     = length(setintersection(toset(local.admins), toset(concat(values(var.readers), [for w in values(var.writers) : w.arn])))) == 0
      error_message = "A Lake Formation admin (or the role running Terraform) is also a writer or reader: grants to admins fail on revoke."
    }
  }
}

resource "aws_lakeformation_data_lake_settings" "this" {
  admins = local.admins

  # create_database_default_permissions and create_table_default_permissions are deliberately
  # absent: that clears the IAMAllowedPrincipals defaults ("Use only IAM access control") for new
  # databases and tables. Never add a block granting IAM_ALLOWED_PRINCIPALS here.
}

# ---------------------------------------------------------------------------------------------
# Registered locations
# ---------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "registration_assume" {
  statement {
    sid     = "LakeFormationAssumesRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lakeformation.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "registration" {
  name               = "${var.name_prefix}-lakeformation-registration"
  assume_role_policy = data.aws_iam_policy_document.registration_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "registration" {
  statement {
    sid       = "ListRegisteredBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = values(var.registered_buckets)
  }

  statement {
    sid       = "ReadWriteRegisteredBuckets"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [for arn in values(var.registered_buckets) : "${arn}/*"]
  }

  statement {
    sid       = "LakeKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.lake_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "registration" {
  name   = "lakeformation-registered-locations"
  role   = aws_iam_role.registration.id
  policy = data.aws_iam_policy_document.registration.json
}

resource "aws_lakeformation_resource" "bucket" {
  for_each = var.registered_buckets

  arn      = each.value
  role_arn = aws_iam_role.registration.arn

  depends_on = [aws_lakeformation_data_lake_settings.this, aws_iam_role_policy.registration]
}

# ---------------------------------------------------------------------------------------------
# Writers: the MWAA execution role and the feeds' Glue job roles
# ---------------------------------------------------------------------------------------------

resource "aws_lakeformation_permissions" "writer_location" {
  for_each = local.writer_locations

  principal   = each.value.arn
  permissions = ["DATA_LOCATION_ACCESS"]

  data_location {
    arn = aws_lakeformation_resource.bucket[each.value.zone].arn
  }
}

resource "aws_lakeformation_permissions" "writer_database" {
  for_each = local.writer_databases

  principal   = each.value.arn
  permissions = ["CREATE_TABLE", "ALTER", "DESCRIBE"]

  database {
    name = each.value.database
  }

  depends_on = [aws_lakeformation_data_lake_settings.this]
}

resource "aws_lakeformation_permissions" "writer_tables" {
  for_each = local.writer_databases

  principal   = each.value.arn
  permissions = ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"]

  table {
    database_name = each.value.database
    wildcard      = true
  }

  depends_on = [aws_lakeformation_data_lake_settings.this]
}

# ---------------------------------------------------------------------------------------------
# Readers: the Spectrum role and the roles listed for the environment, PII columns withheld
# ---------------------------------------------------------------------------------------------

resource "aws_lakeformation_permissions" "reader_database" {
  for_each = local.reader_databases

  principal   = each.value.arn
  permissions = ["DESCRIBE"]

  database {
    name = each.value.database
  }

  depends_on = [aws_lakeformation_data_lake_settings.this]
}

resource "aws_lakeformation_permissions" "reader_table" {
  for_each = local.reader_tables

  principal   = each.value.arn
  permissions = ["SELECT"]

  # Every column but the PII ones (the provider wants wildcard = true with excluded_column_names).
  table_with_columns {
    database_name         = each.value.database
    name                  = each.value.table
    wildcard              = true
    excluded_column_names = each.value.pii_columns
  }

  depends_on = [aws_lakeformation_data_lake_settings.this]
}
