output "topic_arn" {
  description = "ARN of the alerts topic."
  value       = aws_sns_topic.alerts.arn
}

output "webhook_secret_arn" {
  description = "ARN of the webhooks secret."
  value       = aws_secretsmanager_secret.webhooks.arn
}

output "kms_key_arn" {
  description = "ARN of the alerts KMS key."
  value       = module.key.arn
}

output "rule_arns" {
  description = "EventBridge rule name => ARN (the topic policy lets exactly these publish)."
  value = {
    appflow_errors = aws_cloudwatch_event_rule.appflow_errors.arn
    glue_failures  = aws_cloudwatch_event_rule.glue_failures.arn
  }
}
