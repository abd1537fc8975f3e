output "environment" {
  description = "The environment's entry of environments.yaml."
  value       = local.environment
}

output "buckets" {
  description = "Zone => bucket name (raw, curated, results, scripts)."
  value = {
    raw     = local.environment.buckets.raw
    curated = local.environment.buckets.curated
    results = local.environment.buckets.results
    scripts = local.environment.buckets.scripts
  }
}

output "connector_profiles" {
  description = "Connector profiles of the environment."
  value       = local.connector_profiles
}

output "appflow_flows" {
  description = "AppFlow flow name => what the appflow module needs (and the DAG it belongs to)."
  value       = local.appflow_flows
}

output "reconcile_flows" {
  description = "Id-only AppFlow flow name (<ingest flow>-ids) => the reconciliation's flow and its <table>__live_ids table."
  value       = local.reconcile_flows
}

output "glue_databases" {
  description = "Connector profile => Glue database name."
  value       = local.glue_databases
}

output "dag_ids" {
  description = "DAG ids the environment gets (for cross-checks)."
  value       = local.dag_ids
}

output "alerts_topic_name" {
  description = "Name of the alerts topic (last part of alerts.sns_topic_arn)."
  value       = element(split(":", local.environment.alerts.sns_topic_arn), 5)
}

output "webhook_secret_name" {
  description = "Secrets Manager name of the alert webhooks."
  value       = local.environment.alerts.webhook_secret
}

output "account_id" {
  description = "AWS account id of the environment."
  value       = local.environment.account_id
}

output "region" {
  description = "AWS region of the environment."
  value       = local.environment.region
}

output "lake_tables" {
  description = "database.table => {database, table, pii_columns} of every table the ingest DAGs register (Lake Formation grants)."
  value       = local.lake_tables
}

output "feeds" {
  description = "Glue job name (<env>-feed-<snake_name>) => the feed, as the job needs it."
  value       = local.feeds
}

output "feed_catalog" {
  description = "environments.yaml's feeds block of the environment (glue_database, external_schema, prefix), or null."
  value       = local.feed_catalog
}

output "feed_tables" {
  description = "database.table => {database, table, pii_columns} of the feeds' tables (Lake Formation grants)."
  value       = local.feed_tables
}

output "spectrum_role_arn" {
  description = "The Spectrum role of environments.yaml (redshift.spectrum_role_arn)."
  value       = local.environment.redshift.spectrum_role_arn
}

output "redshift" {
  description = "environments.yaml's redshift block of the environment."
  value       = local.environment.redshift
}

output "quality_catalog" {
  description = "environments.yaml's quality block of the environment (glue_database, external_schema, prefix), or null."
  value       = local.quality_catalog
}

output "quality_tables" {
  description = "database.table => {database, table, pii_columns} of the check results table (Lake Formation grants)."
  value       = local.quality_tables
}
