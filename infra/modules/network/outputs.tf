output "vpc_id" {
  description = "Id of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "The two private subnets (one per AZ): MWAA, Redshift Serverless, the Glue connection."
  value       = aws_subnet.private[*].id
}

output "private_subnet_azs" {
  description = "Availability zone of each private subnet (same order)."
  value       = aws_subnet.private[*].availability_zone
}

output "endpoint_security_group_id" {
  description = "Security group of the interface endpoints (443 from the VPC)."
  value       = aws_security_group.endpoints.id
}

output "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint (for security group egress rules)."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}
