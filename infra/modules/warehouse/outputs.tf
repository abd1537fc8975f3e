output "kind" {
  description = "serverless or cluster: the warehouse environments.yaml names."
  value       = local.cluster ? "cluster" : "serverless"
}

output "workgroup_name" {
  description = "Name of the workgroup (null for a provisioned cluster)."
  value       = one(aws_redshiftserverless_workgroup.this[*].workgroup_name)
}

output "workgroup_arn" {
  description = "ARN of the workgroup (redshift-data and GetCredentials permissions); null for a cluster."
  value       = one(aws_redshiftserverless_workgroup.this[*].arn)
}

output "cluster_identifier" {
  description = "Identifier of the provisioned cluster (null for serverless)."
  value       = one(aws_redshift_cluster.this[*].cluster_identifier)
}

output "cluster_arn" {
  description = "ARN of the provisioned cluster (null for serverless)."
  value       = one(aws_redshift_cluster.this[*].arn)
}

output "cluster_endpoint" {
  description = "host:port of the provisioned cluster, reachable inside the VPC only (null for serverless)."
  value       = one(aws_redshift_cluster.this[*].endpoint)
}

output "spectrum_role_arn" {
  description = "ARN of the Spectrum role (must equal environments.yaml redshift.spectrum_role_arn)."
  value       = aws_iam_role.spectrum.arn
}

output "admin_secret_arn" {
  description = "Secrets Manager secret of the admin password (namespace or cluster), managed by Redshift."
  value       = local.cluster ? one(aws_redshift_cluster.this[*].master_password_secret_arn) : one(aws_redshiftserverless_namespace.this[*].admin_password_secret_arn)
}

output "security_group_id" {
  description = "Security group of the warehouse (5439 from the VPC)."
  value       = local.security_group_id
}
