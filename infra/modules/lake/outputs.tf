output "kms_key_arn" {
  description = "ARN of the lake's KMS key (SSE-KMS of the zone buckets)."
  value       = module.key.arn
}

output "bucket_names" {
  description = "Zone => bucket name."
  value       = { for zone, bucket in aws_s3_bucket.zone : zone => bucket.id }
}

output "bucket_arns" {
  description = "Zone => bucket ARN."
  value       = { for zone, bucket in aws_s3_bucket.zone : zone => bucket.arn }
}

output "logs_bucket" {
  description = "Name of the access-logs bucket."
  value       = aws_s3_bucket.logs.id
}
