variable "env" {
  description = "Environment name (dev, prod): the Airflow option lakehouse.env the DAGs read."
  type        = string
}

variable "name" {
  description = "Name of the MWAA environment (its log groups are airflow-<name>-*)."
  type        = string
}

variable "airflow_version" {
  description = "Airflow version MWAA runs: the one the bundle's requirements and constraints are pinned to."
  type        = string
  default     = "3.3.1"
}

variable "environment_class" {
  description = "MWAA environment class (mw1.micro, mw1.small, mw1.medium, mw1.large, ...)."
  type        = string
  default     = "mw1.small"
}

variable "min_workers" {
  description = "Minimum number of workers."
  type        = number
  default     = 1
}

variable "max_workers" {
  description = "Maximum number of workers."
  type        = number
  default     = 5
}

variable "weekly_maintenance_window_start" {
  description = "Start of the weekly maintenance window (DAY:HH:MM, UTC)."
  type        = string
  default     = "SUN:03:00"
}

variable "source_bucket" {
  description = "Name of the MWAA source bucket (DAGs, plugins.zip, requirements.txt, startup.sh)."
  type        = string
}

variable "access_logs_bucket" {
  description = "Bucket receiving the source bucket's server access logs (the lake's logs bucket)."
  type        = string
}

variable "bundle_dir" {
  description = "The built MWAA bundle (make bundle: dist/mwaa) with plugins.zip, requirements.txt, startup.sh and dags/."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the environment (the network module's)."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC: the environment's security group talks to it (endpoints, Redshift)."
  type        = string
}

variable "subnet_ids" {
  description = "Two private subnets in two availability zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) == 2
    error_message = "MWAA needs exactly two private subnets."
  }
}

variable "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint (egress to S3)."
  type        = string
}

variable "internet_egress" {
  description = "Allow HTTPS to the internet (with the network's NAT gateway: PyPI for requirements.txt)."
  type        = bool
  default     = false
}

variable "connections_prefix" {
  description = "Secrets Manager prefix of Airflow connections."
  type        = string
  default     = "airflow/connections"
}

variable "variables_prefix" {
  description = "Secrets Manager prefix of Airflow variables."
  type        = string
  default     = "airflow/variables"
}

variable "secret_arns" {
  description = "Further secrets the DAGs read by ARN (the alert webhooks secret)."
  type        = list(string)
  default     = []
}

variable "secret_kms_key_arns" {
  description = "KMS keys of those secrets (decrypt through Secrets Manager only)."
  type        = list(string)
  default     = []
}

variable "appflow_flow_arns" {
  description = "AppFlow flows the DAGs run (flow name => ARN)."
  type        = map(string)
}

variable "appflow_connector_profile_arns" {
  description = "Connector profiles the flows use (UseConnectorProfile, DescribeConnectorEntity)."
  type        = list(string)
}

variable "appflow_kms_key_arn" {
  description = "KMS key of the flows (used through AppFlow only)."
  type        = string
}

variable "glue_databases" {
  description = "Glue databases the DAGs register tables and partitions in."
  type        = list(string)
}

variable "glue_job_names" {
  description = "Glue jobs the DAGs start and watch (the feeds' jobs)."
  type        = list(string)
  default     = []
}

variable "lake_bucket_arns" {
  description = "Zone => bucket ARN of the lake (raw, curated, results, scripts)."
  type        = map(string)
}

variable "lake_kms_key_arn" {
  description = "KMS key of the lake buckets."
  type        = string
}

variable "feeds_prefix" {
  description = "Key prefix of the feeds' tables in the curated bucket."
  type        = string
  default     = "onprem"
}

variable "redshift" {
  description = <<-EOT
    The warehouse the DAGs' SQL runs on (environments.yaml redshift): a Serverless workgroup
    (workgroup_arn) or a provisioned cluster (cluster_identifier with db_user and database).
  EOT
  type = object({
    workgroup_arn      = optional(string)
    cluster_identifier = optional(string)
    db_user            = optional(string)
    database           = string
  })

  validation {
    condition     = (var.redshift.workgroup_arn == null) != (var.redshift.cluster_identifier == null)
    error_message = "Give exactly one of workgroup_arn and cluster_identifier."
  }
}

variable "alerts_topic_arn" {
  description = "SNS topic the DAGs' failure notifier publishes to."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "config_dir" {
  description = "The repository's include/config: tools/mwaa_pools.py sizes the Airflow pools from environments.yaml."
  type        = string
}

variable "tools_dir" {
  description = "The repository's tools/ (mwaa_pools.py)."
  type        = string
}

variable "openlineage_transport" {
  description = "OpenLineage transport as the Airflow option openlineage.transport takes it (JSON), e.g. {\"type\": \"http\", \"url\": \"https://marquez.internal:5000\"}; empty: no lineage is sent."
  type        = string
  default     = ""
}

variable "quality_prefix" {
  description = "Curated-zone prefix of the data-quality results (environments.yaml quality.prefix)."
  type        = string
  default     = "quality"
}
