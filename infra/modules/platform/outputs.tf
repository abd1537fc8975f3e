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

output "feed_jobs" {
  description = "Glue jobs of the on-prem feeds."
  value       = module.feeds.job_names
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic (must equal environments.yaml alerts.sns_topic_arn)."
  value       = module.alerting.topic_arn
}

output "dag_ids" {
  description = "DAG ids the flows belong to."
  value       = module.config.dag_ids
}

output "mwaa_webserver_url" {
  description = "Private URL of the Airflow UI."
  value       = module.mwaa.webserver_url
}

output "mwaa_execution_role_arn" {
  description = "The Airflow tasks' AWS identity."
  value       = module.mwaa.execution_role_arn
}

output "lakeformation_admins" {
  description = "The account's data lake administrators."
  value       = module.lakeformation.admins
}

output "warehouse" {
  description = <<-EOT
    The warehouse this stack manages (null when manage_warehouse is false or environments.yaml names
    none): kind (serverless or cluster), workgroup_arn, or cluster_arn and cluster_endpoint (host:port,
    inside the VPC), the admin password's secret and the Spectrum role.
  EOT
  value = try({
    kind              = module.warehouse[0].kind
    workgroup_arn     = module.warehouse[0].workgroup_arn
    cluster_arn       = module.warehouse[0].cluster_arn
    cluster_endpoint  = module.warehouse[0].cluster_endpoint
    admin_secret_arn  = module.warehouse[0].admin_secret_arn
    spectrum_role_arn = module.warehouse[0].spectrum_role_arn
  }, null)
}
