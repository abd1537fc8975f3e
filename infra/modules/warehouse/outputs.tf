output "workgroup_name" {
  description = "Name of the workgroup."
  value       = aws_redshiftserverless_workgroup.this.workgroup_name
}

output "spectrum_role_arn" {
  description = "ARN of the Spectrum role (must equal environments.yaml redshift.spectrum_role_arn)."
  value       = aws_iam_role.spectrum.arn
}

output "admin_secret_arn" {
  description = "Secrets Manager secret of the admin password, managed by Redshift."
  value       = aws_redshiftserverless_namespace.this.admin_password_secret_arn
}

output "workgroup_arn" {
  description = "ARN of the workgroup (redshift-data and GetCredentials permissions)."
  value       = aws_redshiftserverless_workgroup.this.arn
}
