# Alerts for runs started by Airflow and outside it: AppFlow end-of-run reports with errors and
# Glue job failures go through EventBridge to a KMS-encrypted SNS topic. The webhook secret the
# DAGs' notifier reads (environments.yaml alerts.webhook_secret) is created empty here: its value
# is written by an operator, never by code.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  root_arn   = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:a KMS key policy: Resource "*" is this key, and the account root keeps administering it (AWS default key policy)
  #checkov:skip=CKV_AWS_111:a KMS key policy: Resource "*" is this key; service principals are limited to this account by aws:SourceAccount
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

  # EventBridge publishes to the encrypted topic: it needs the key to encrypt the messages.
  statement {
    sid       = "EventBridgePublishesEncrypted"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_kms_key" "alerts" {
  description             = "${var.name_prefix} alerts topic and webhook secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "alerts" {
  name          = "alias/${var.name_prefix}-alerts"
  target_key_id = aws_kms_key.alerts.key_id
}

resource "aws_sns_topic" "alerts" {
  name              = var.topic_name
  kms_master_key_id = aws_kms_key.alerts.arn
  tags              = var.tags
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "EventBridgeRulesPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.appflow_errors.arn, aws_cloudwatch_event_rule.glue_failures.arn]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_secretsmanager_secret" "webhooks" {
  #checkov:skip=CKV2_AWS_57:webhook URLs are rotated in the chat/incident tool that issues them, not by a rotation Lambda
  name        = var.webhook_secret_name
  description = "Alert webhooks read by the DAGs' notifier: {\"webhooks\": [{name, kind, url}]}"
  kms_key_id  = aws_kms_key.alerts.arn
  tags        = var.tags
}

# A placeholder so the secret exists with a valid shape; the real value is put by an operator
# (aws secretsmanager put-secret-value) and Terraform never overwrites it.
resource "aws_secretsmanager_secret_version" "webhooks" {
  secret_id     = aws_secretsmanager_secret.webhooks.id
  secret_string = jsonencode({ webhooks = [] })

  lifecycle {
    ignore_changes = [secret_string]
  }
}

# AppFlow: a run that did not succeed, or succeeded with failed records (upserts).
resource "aws_cloudwatch_event_rule" "appflow_errors" {
  name        = "${var.name_prefix}-appflow-errors"
  description = "AppFlow runs of ${var.flow_name_prefix}* that failed or wrote failed records"
  event_pattern = jsonencode({
    source        = ["aws.appflow"]
    "detail-type" = ["AppFlow End Flow Run Report"]
    detail = {
      "flow-name" = [{ prefix = var.flow_name_prefix }]
      "$or" = [
        { status = [{ "anything-but" = ["Execution Successful"] }] },
        { "num-of-record-failures" = [{ numeric = [">", 0] }] },
      ]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "glue_failures" {
  name        = "${var.name_prefix}-glue-failures"
  description = "Glue job runs that failed or timed out"
  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["Glue Job State Change"]
    detail = {
      state = ["FAILED", "TIMEOUT"]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "appflow_errors" {
  rule      = aws_cloudwatch_event_rule.appflow_errors.name
  target_id = "sns"
  arn       = aws_sns_topic.alerts.arn
}

resource "aws_cloudwatch_event_target" "glue_failures" {
  rule      = aws_cloudwatch_event_rule.glue_failures.name
  target_id = "sns"
  arn       = aws_sns_topic.alerts.arn
}
