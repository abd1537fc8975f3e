# The lake's S3 zones (raw, curated, results, scripts) and the logs bucket that receives their
# server access logs. Every bucket: public access blocked, TLS only, versioned, lifecycle rules,
# owner-enforced object ownership. Zone buckets are SSE-KMS with the lake key; the logs bucket is
# SSE-S3 because S3 server access logging cannot deliver to an SSE-KMS default-encrypted bucket.

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
}

# ---------------------------------------------------------------------------------------------
# KMS key of the lake: AppFlow writes Parquet into the raw zone and reads results as its service
# principal; CloudWatch Logs encrypts the Glue jobs' logs with it (the security configurations).
# ---------------------------------------------------------------------------------------------

module "key" {
  source = "../kms"

  alias              = "${var.name_prefix}-lake"
  description        = "${var.name_prefix} lake buckets"
  service_principals = ["appflow.amazonaws.com"]
  cloudwatch_logs    = true
  tags               = var.tags
}

moved {
  from = aws_kms_key.lake
  to   = module.key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.lake
  to   = module.key.aws_kms_alias.this
}

# ---------------------------------------------------------------------------------------------
# Logs bucket
# ---------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_18:this is the access-log target; logging it into itself would loop
  #checkov:skip=CKV_AWS_144:cross-region replication of access logs is not required for this data
  #checkov:skip=CKV_AWS_145:S3 server access logging cannot deliver to an SSE-KMS bucket (SSE-S3 is used)
  #checkov:skip=CKV2_AWS_62:no consumer needs event notifications for access logs
  bucket = var.logs_bucket
  tags   = merge(var.tags, { zone = "logs" })
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_multipart_days
    }
  }
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
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

  # With BucketOwnerEnforced, access logs are delivered through this grant instead of an ACL.
  statement {
    sid       = "S3ServerAccessLogsDelivery"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/s3/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs.json

  depends_on = [aws_s3_bucket_public_access_block.logs]
}

# ---------------------------------------------------------------------------------------------
# Zone buckets: raw, curated, results, scripts
# ---------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "zone" {
  #checkov:skip=CKV_AWS_144:single-region lake; backups are versioning plus the source in Salesforce
  #checkov:skip=CKV2_AWS_62:the pipeline is driven by Airflow, not by S3 event notifications
  for_each = var.buckets

  bucket = each.value
  tags   = merge(var.tags, { zone = each.key })
}

resource "aws_s3_bucket_ownership_controls" "zone" {
  for_each = var.buckets

  bucket = aws_s3_bucket.zone[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "zone" {
  for_each = var.buckets

  bucket                  = aws_s3_bucket.zone[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "zone" {
  for_each = var.buckets

  bucket = aws_s3_bucket.zone[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "zone" {
  for_each = var.buckets

  bucket = aws_s3_bucket.zone[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.key.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "zone" {
  for_each = var.buckets

  bucket = aws_s3_bucket.zone[each.key].id
  rule {
    id     = "noncurrent-and-multipart-cleanup"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_multipart_days
    }
  }
}

resource "aws_s3_bucket_logging" "zone" {
  for_each = var.buckets

  bucket        = aws_s3_bucket.zone[each.key].id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/${each.value}/"
}

data "aws_iam_policy_document" "zone" {
  for_each = var.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.zone[each.key].arn, "${aws_s3_bucket.zone[each.key].arn}/*"]
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

  # AppFlow writes the raw zone (ingest) and reads the results zone (upserts), and writes the
  # upserts' failed records under errors/ there. Only for this account's flows.
  dynamic "statement" {
    for_each = contains(["raw", "results"], each.key) ? [each.key] : []
    content {
      sid = "AppFlowAccess"
      actions = [
        "s3:PutObject",
        "s3:GetObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
        "s3:ListBucketMultipartUploads",
        "s3:GetBucketAcl",
        "s3:PutObjectAcl",
        "s3:ListBucket",
      ]
      resources = [aws_s3_bucket.zone[each.key].arn, "${aws_s3_bucket.zone[each.key].arn}/*"]
      principals {
        type        = "Service"
        identifiers = ["appflow.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "zone" {
  for_each = var.buckets

  bucket = aws_s3_bucket.zone[each.key].id
  policy = data.aws_iam_policy_document.zone[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.zone]
}
