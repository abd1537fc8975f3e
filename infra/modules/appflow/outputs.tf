output "kms_key_arn" {
  description = "ARN of the AppFlow KMS key."
  value       = module.key.arn
}

output "connector_profiles" {
  description = "Connector profile name => ARN."
  value       = { for name, profile in aws_appflow_connector_profile.salesforce : name => profile.arn }
}

output "flow_arns" {
  description = "AppFlow flow name => ARN (ingest, reconciliation and upsert)."
  value = merge(
    { for name, flow in aws_appflow_flow.ingest : name => flow.arn },
    { for name, flow in aws_appflow_flow.reconcile : name => flow.arn },
    { for name, flow in aws_appflow_flow.upsert : name => flow.arn },
  )
}
