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
