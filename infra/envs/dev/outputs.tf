output "buckets" {
  description = "Zone => bucket name."
  value       = module.platform.buckets
}

output "appflow_flows" {
  description = "AppFlow flow name => ARN."
  value       = module.platform.appflow_flows
}

output "glue_databases" {
  description = "Connector profile => Glue database."
  value       = module.platform.glue_databases
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic (must equal environments.yaml alerts.sns_topic_arn)."
  value       = module.platform.alerts_topic_arn
}

output "dag_ids" {
  description = "DAG ids the flows belong to."
  value       = module.platform.dag_ids
}

output "feed_jobs" {
  description = "Glue jobs of the on-prem feeds."
  value       = module.platform.feed_jobs
}

output "mwaa_webserver_url" {
  description = "Private URL of the Airflow UI."
  value       = module.platform.mwaa_webserver_url
}

output "lakeformation_admins" {
  description = "The account's data lake administrators."
  value       = module.platform.lakeformation_admins
}

output "warehouse" {
  description = "The managed warehouse: kind, workgroup or cluster ARN, cluster endpoint, admin secret, Spectrum role."
  value       = module.platform.warehouse
}
