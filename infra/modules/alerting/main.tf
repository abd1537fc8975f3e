# Alerts for runs started by Airflow and outside it: AppFlow end-of-run reports with errors and
# Glue job failures go through EventBridge to a KMS-encrypted SNS topic. The webhook secret the
# DAGs' notifier reads (environments.yaml alerts.webhook_secret) is created empty here: its value
# is written by an operator, never by code.

# EventBridge publishes to the encrypted topic: it needs the key to encrypt the messages.
module "key" {
  source = "../kms"

  alias              = "${var.name_prefix}-alerts"
  description        = "${var.name_prefix} alerts topic and webhook secret"
  service_principals = ["events.amazonaws.com"]
  service_actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
  tags               = var.tags
}

moved {
  from = aws_kms_key.alerts
  to   = module.key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.alerts
  to   = module.key.aws_kms_alias.this
}

resource "aws_sns_topic" "alerts" {
  name              = var.topic_name
  kms_master_key_id = module.key.arn
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
  kms_key_id  = module.key.arn
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

# AppFlow: a run that did not succeed, or succeeded with failed records (upserts). Checked against
# AWS's "Flow notifications" page and published events: detail-type "AppFlow End Flow Run Report",
# detail.flow-name, detail.status ("Execution Successful" on success) and
# detail.num-of-record-failures, which AppFlow sends as a STRING ("0"): a numeric matcher never
# matches a string, so failures are "anything but the string 0".
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
        { "num-of-record-failures" = [{ "anything-but" = ["0"] }] },
      ]
    }
  })
  tags = var.tags
}

# Glue: detail-type "Glue Job State Change" with detail.jobName and detail.state, one of SUCCEEDED,
# FAILED, TIMEOUT, STOPPED, ERROR. Failed, timed-out and errored runs of this environment's jobs
# alert, whoever started them (Airflow, the console, a schedule). STOPPED is a deliberate stop.
resource "aws_cloudwatch_event_rule" "glue_failures" {
  name        = "${var.name_prefix}-glue-failures"
  description = "Glue job runs of ${var.job_name_prefix}* that failed, timed out or errored"
  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["Glue Job State Change"]
    detail = {
      jobName = [{ prefix = var.job_name_prefix }]
      state   = ["FAILED", "TIMEOUT", "ERROR"]
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
