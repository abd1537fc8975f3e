variable "name_prefix" {
  description = "Prefix of names, e.g. gtm-lakehouse-dev."
  type        = string
}

variable "namespace_name" {
  description = "Redshift Serverless namespace name."
  type        = string
}

variable "workgroup_name" {
  description = "Workgroup name: environments.yaml redshift.workgroup_name (what the DAGs connect to)."
  type        = string
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
  description = "Base RPUs of the workgroup."
  type        = number
  default     = 8
}

variable "subnet_ids" {
  description = "Private subnets of the workgroup (the network module's)."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Further security groups of the workgroup (one admitting 5439 from the VPC is created)."
  type        = list(string)
  default     = []
}

variable "vpc_id" {
  description = "VPC of the subnets."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR admitted on 5439."
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
