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

variable "lakeformation_admin_arns" {
  description = <<-EOT
    Data lake administrators besides the role running Terraform (the seed: the CI deployment role
    and the administrator IAM role). The list REPLACES the account's admins: name every one.
  EOT
  type        = list(string)
  default     = []
}

variable "lakeformation_reader_arns" {
  description = "Roles that read the lake through Lake Formation with PII columns withheld (besides the Spectrum role)."
  type        = list(string)
  default     = []
}

variable "lakeformation_table_grants" {
  description = "Grant the readers their tables: set true once the DAGs' first runs created the tables (docs/deploy.md)."
  type        = bool
  default     = false
}

variable "object_fields" {
  description = "Salesforce object => fields to ingest (PROJECTION + Map tasks); unlisted objects get Map_all."
  type        = map(list(string))
  default     = {}
}

variable "network" {
  description = "VPC CIDR, NAT gateway (off by default), on-prem networks and ports of the database feeds."
  type = object({
    cidr_block   = optional(string, "10.40.0.0/16")
    enable_nat   = optional(bool, false)
    onprem_cidrs = optional(list(string), [])
    onprem_ports = optional(list(number), [5432])
  })
  default = {}
}

variable "mwaa" {
  description = "MWAA environment class and worker counts."
  type = object({
    environment_class = optional(string, "mw1.small")
    min_workers       = optional(number, 1)
    max_workers       = optional(number, 5)
  })
  default = {}
}

variable "warehouse" {
  description = "Warehouse sizing: base_capacity (RPUs) of a workgroup; node_type, number_of_nodes, snapshot_retention_days, audit_log_retention_days of a provisioned cluster."
  type = object({
    base_capacity            = optional(number, 8)
    node_type                = optional(string, "ra3.xlplus")
    number_of_nodes          = optional(number, 1)
    snapshot_retention_days  = optional(number, 7)
    audit_log_retention_days = optional(number, 365)
  })
  default = {}
}

variable "manage_warehouse" {
  description = "Create the workgroup or cluster environments.yaml names; false = it exists and is managed elsewhere."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
