output "job_names" {
  description = "Glue job names (one per feed)."
  value       = [for job in aws_glue_job.feed : job.name]
}

output "job_role_arns" {
  description = "Glue job name => its role ARN (Lake Formation grants)."
  value       = { for name, role in aws_iam_role.job : name => role.arn }
}

output "glue_database" {
  description = "The feeds' Glue database, or null."
  value       = try(aws_glue_catalog_database.feeds[0].name, null)
}

output "script_location" {
  description = "S3 location of the job script."
  value       = "s3://${var.buckets.scripts}/${aws_s3_object.script.key}"
}

output "package_location" {
  description = "S3 location of the job's package (--extra-py-files)."
  value       = "s3://${var.buckets.scripts}/${aws_s3_object.package.key}"
}
