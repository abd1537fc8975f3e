# One Glue database per connector profile (named by environments.yaml's glue_database template),
# the security configuration the Glue jobs run with, and the catalog's encryption at rest.

# Created after the Lake Formation settings cleared the IAMAllowedPrincipals defaults, so a new
# database never gets an IAMAllowedPrincipals grant.
resource "terraform_data" "after_lakeformation" {
  input = var.lakeformation_ready
}

resource "aws_glue_catalog_database" "profile" {
  for_each = var.databases

  name        = each.value
  description = "Salesforce objects of connector profile ${each.key}"

  depends_on = [terraform_data.after_lakeformation]
}

# The data-quality results' database (environments.yaml `quality:`): check_results, which the
# DAGs' audit_data creates and fills (awswrangler, like every table the DAGs register).
resource "aws_glue_catalog_database" "quality" {
  count = var.quality_database == null ? 0 : 1

  name        = var.quality_database
  description = "Outcome of every data-quality check of every audited load (docs/quality.md)"

  depends_on = [terraform_data.after_lakeformation]
}

# `<table>__live_ids`: one partition per reconciliation (as_of, the interval's end), the Ids that
# were live then; a fixed schema, so Terraform owns it (sandbox/provision.py creates the same).
resource "aws_glue_catalog_table" "live_ids" {
  for_each = var.live_ids_tables

  database_name = each.value.database
  name          = each.value.table
  description   = "Ids live in Salesforce at each reconciliation (sfdc_reconcile DAG)"
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    classification = "parquet"
    EXTERNAL       = "TRUE"
  }

  partition_keys {
    name = "as_of"
    type = "timestamp"
  }

  storage_descriptor {
    location      = each.value.location
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters = {
        "serialization.format" = "1"
      }
    }

    columns {
      name = "id"
      type = "string"
    }
  }

  depends_on = [aws_glue_catalog_database.profile]
}

resource "aws_glue_security_configuration" "jobs" {
  name = "${var.name_prefix}-jobs"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}

# Account-and-region wide (one per catalog): dev and prod are separate accounts. Turn off with
# manage_catalog_encryption where another stack owns this setting.
resource "aws_glue_data_catalog_encryption_settings" "this" {
  count = var.manage_catalog_encryption ? 1 : 0

  data_catalog_encryption_settings {
    connection_password_encryption {
      return_connection_password_encrypted = true
      aws_kms_key_id                       = var.kms_key_arn
    }

    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = var.kms_key_arn
    }
  }
}
