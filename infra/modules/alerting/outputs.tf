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
  value       = aws_kms_key.alerts.arn
}
