variable "env" {
  description = "Environment name: a key of include/config/environments.yaml."
  type        = string
}

variable "config_dir" {
  description = "Folder holding flows.yaml, environments.yaml and feeds.yaml (the DAGs' include/config)."
  type        = string
}

variable "bundle_dir" {
  description = "The MWAA bundle built by `make bundle` (the repository's dist/mwaa)."
  type        = string
}

variable "feed_script_path" {
  description = "The feeds' Glue job script (the repository's jobs/feed_ingest.py)."
  type        = string
}

variable "feed_package_path" {
  description = "The feeds' Glue job package (make bundle's dist/glue/feed_job.zip, --extra-py-files)."
  type        = string
}

variable "salesforce_connections" {
  description = <<-EOT
    Connector profile (environments.yaml connector_profiles) => its Salesforce org. Secret ARNs
    only: the connected app's client credentials and the OAuth tokens live in Secrets Manager.
  EOT
  type = map(object({
    instance_url           = string
    client_credentials_arn = string
    oauth_secret_arn       = string
    is_sandbox             = optional(bool, false)
  }))
}

variable "object_fields" {
  description = "Salesforce object => fields to ingest (PROJECTION + Map tasks); unlisted objects get Map_all."
  type        = map(list(string))
  default     = {}
}

variable "logs_bucket" {
  description = "Access-logs bucket; null = the raw bucket's name with -raw replaced by -logs."
  type        = string
  default     = null
}

variable "mwaa_bucket" {
  description = "MWAA source bucket; null = the raw bucket's name with -raw replaced by -mwaa."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "network" {
  description = "The VPC: CIDR, optional NAT gateway (internet egress for MWAA's PyPI installs), on-prem networks and ports the database feeds reach."
  type = object({
    cidr_block   = optional(string, "10.40.0.0/16")
    enable_nat   = optional(bool, false)
    onprem_cidrs = optional(list(string), [])
    onprem_ports = optional(list(number), [5432])
  })
  default = {}
}

variable "mwaa" {
  description = "MWAA sizing: environment class and worker counts."
  type = object({
    environment_class = optional(string, "mw1.small")
    min_workers       = optional(number, 1)
    max_workers       = optional(number, 5)
  })
  default = {}
}

variable "lakeformation" {
  description = <<-EOT
    admin_arns: data lake admins besides the role running Terraform (the list replaces the
    account's admins); reader_arns: roles that read the lake with PII columns withheld (besides the
    Spectrum role); table_grants: grant the readers their tables (true once the DAGs created them).
  EOT
  type = object({
    admin_arns   = optional(list(string), [])
    reader_arns  = optional(list(string), [])
    table_grants = optional(bool, false)
  })
  default = {}
}

variable "manage_warehouse" {
  description = <<-EOT
    Create the warehouse environments.yaml names: the Redshift Serverless workgroup
    (redshift.workgroup_name) or the provisioned cluster (redshift.cluster_identifier). false = it
    exists already and is managed elsewhere (MWAA's role is still scoped to it by name).
  EOT
  type        = bool
  default     = true
}

variable "warehouse" {
  description = <<-EOT
    Warehouse sizing: base_capacity (RPUs) of a workgroup; node_type, number_of_nodes and
    snapshot_retention_days (automated snapshots, 1-35 days) and audit_log_retention_days (its
    audit logs in CloudWatch Logs) of a provisioned cluster.
  EOT
  type = object({
    base_capacity            = optional(number, 8)
    node_type                = optional(string, "ra3.xlplus")
    number_of_nodes          = optional(number, 1)
    snapshot_retention_days  = optional(number, 7)
    audit_log_retention_days = optional(number, 365)
  })
  default = {}
}

variable "existing_workgroup_arn" {
  description = "ARN of the workgroup when manage_warehouse is false and environments.yaml names a workgroup."
  type        = string
  default     = null
}

variable "openlineage_transport" {
  description = "OpenLineage transport of the MWAA environment (JSON of the Airflow option openlineage.transport); empty: none."
  type        = string
  default     = ""
}
