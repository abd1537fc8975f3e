output "buckets" {
  description = "Zone => bucket name."
  value       = module.lake.bucket_names
}

output "appflow_flows" {
  description = "AppFlow flow name => ARN."
  value       = module.appflow.flow_arns
}

output "glue_databases" {
  description = "Connector profile => Glue database."
  value       = module.catalog.databases
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic (must equal environments.yaml alerts.sns_topic_arn)."
  value       = module.alerting.topic_arn
}

output "dag_ids" {
  description = "DAG ids the flows belong to."
  value       = module.config.dag_ids
}
