variable "name_prefix" {
  description = "Prefix of names, e.g. gtm-lakehouse-dev."
  type        = string
}

variable "cidr_block" {
  description = "CIDR of the VPC; split into private (and, with NAT, public) subnets over two AZs."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "The two availability zones (names); null = the region's a and b zones."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zones == null || length(coalesce(var.availability_zones, [])) == 2
    error_message = "Give exactly two availability zones."
  }
}

variable "enable_nat" {
  description = <<-EOT
    Public subnets, an internet gateway and one NAT gateway, so private subnets reach the internet
    (MWAA installing requirements.txt from PyPI, Salesforce-bound traffic of tasks). Off: only VPC
    endpoints; then MWAA's requirements must come from a private repository or wheels in plugins.zip.
  EOT
  type        = bool
  default     = false
}

variable "interface_endpoints" {
  description = <<-EOT
    AWS services reached through interface endpoints with private DNS (the suffix after
    com.amazonaws.<region>.). The defaults are what MWAA needs without internet (airflow.api,
    airflow.env, airflow.ops, sqs, logs, monitoring, kms, ecr) plus what the DAGs and Glue jobs call.
  EOT
  type        = list(string)
  default = [
    "airflow.api",
    "airflow.env",
    "airflow.ops",
    "appflow",
    "ecr.api",
    "ecr.dkr",
    "glue",
    "kms",
    "lakeformation",
    "logs",
    "monitoring",
    "redshift-data",
    "redshift-serverless",
    "secretsmanager",
    "sns",
    "sqs",
    "sts",
  ]
}

variable "flow_log_retention_days" {
  description = "Days the VPC flow logs are kept."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
