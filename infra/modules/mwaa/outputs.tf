output "environment_arn" {
  description = "ARN of the MWAA environment."
  value       = aws_mwaa_environment.this.arn
}

output "webserver_url" {
  description = "Private URL of the Airflow UI."
  value       = aws_mwaa_environment.this.webserver_url
}

output "execution_role_arn" {
  description = "ARN of the execution role (the Airflow tasks' AWS identity: Lake Formation grants)."
  value       = aws_iam_role.execution.arn
}

output "source_bucket" {
  description = "Name of the source bucket."
  value       = aws_s3_bucket.source.id
}

output "object_versions" {
  description = "S3 object versions MWAA runs (plugins.zip, requirements.txt, startup.sh)."
  value = {
    plugins      = aws_s3_object.plugins.version_id
    requirements = aws_s3_object.requirements.version_id
    startup      = aws_s3_object.startup.version_id
  }
}
