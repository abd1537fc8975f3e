variable "name_prefix" {
  description = "Prefix of names, e.g. gtm-lakehouse-dev."
  type        = string
}

variable "namespace_name" {
  description = "Redshift Serverless namespace name; null = name_prefix (serverless only)."
  type        = string
  default     = null
}

variable "workgroup_name" {
  description = <<-EOT
    Workgroup name: environments.yaml redshift.workgroup_name (what the DAGs connect to). Set
    exactly one of workgroup_name (Redshift Serverless) and cluster_identifier (provisioned cluster).
  EOT
  type        = string
  default     = null
}

variable "cluster_identifier" {
  description = <<-EOT
    Provisioned cluster: environments.yaml redshift.cluster_identifier (what the DAGs connect to,
    with redshift.db_user). Set exactly one of workgroup_name and cluster_identifier.
  EOT
  type        = string
  default     = null
}

variable "database" {
  description = "Database the DAGs' SQL runs in (environments.yaml redshift.database)."
  type        = string
}

variable "admin_username" {
  description = "Admin user; its password is managed by Redshift in Secrets Manager."
  type        = string
  default     = "lakehouse_admin"
}

variable "base_capacity" {
  description = "Base RPUs of the workgroup (serverless only)."
  type        = number
  default     = 8
}

variable "node_type" {
  description = "Node type of the provisioned cluster (cluster only)."
  type        = string
  default     = "ra3.xlplus"
}

variable "number_of_nodes" {
  description = "Nodes of the provisioned cluster: 1 = single-node (cluster only)."
  type        = number
  default     = 1

  validation {
    condition     = var.number_of_nodes >= 1
    error_message = "number_of_nodes is at least 1."
  }
}

variable "snapshot_retention_days" {
  description = "Days the cluster's automated snapshots are kept (1-35; cluster only)."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_days >= 1 && var.snapshot_retention_days <= 35
    error_message = "snapshot_retention_days is 1-35: automated snapshots stay on."
  }
}

variable "audit_log_retention_days" {
  description = "Days the provisioned cluster's audit logs are kept in CloudWatch Logs (cluster only)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.audit_log_retention_days)
    error_message = "audit_log_retention_days must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the workgroup or the cluster's subnet group (the network module's)."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Further security groups of the workgroup or cluster (one admitting 5439 from the VPC is created)."
  type        = list(string)
  default     = []
}

variable "vpc_id" {
  description = "VPC of the subnets."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR admitted on 5439 (and reached on 443: the interface endpoints)."
  type        = string
}

variable "s3_prefix_list_id" {
  description = "Prefix list of the VPC's S3 gateway endpoint (egress with enhanced VPC routing)."
  type        = string
}

variable "spectrum_role_name" {
  description = "Name of the Spectrum role: the last part of environments.yaml redshift.spectrum_role_arn."
  type        = string
}

variable "glue_databases" {
  description = "Glue databases the Spectrum role may read."
  type        = list(string)
}

variable "raw_bucket_arn" {
  description = "ARN of the raw zone bucket Spectrum reads."
  type        = string
}

variable "curated_bucket_arn" {
  description = "ARN of the curated zone bucket (the feeds' tables); null = raw zone only."
  type        = string
  default     = null
}

variable "lake_kms_key_arn" {
  description = "ARN of the lake's KMS key (SSE-KMS of the raw zone)."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
