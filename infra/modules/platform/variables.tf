variable "env" {
  description = "Environment name: a key of include/config/environments.yaml."
  type        = string
}

variable "config_dir" {
  description = "Folder holding flows.yaml and environments.yaml (the DAGs' include/config)."
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

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "warehouse_subnet_ids" {
  description = "Private subnets for Redshift Serverless; empty = no warehouse from this stack (until the network module lands)."
  type        = list(string)
  default     = []
}

variable "warehouse_security_group_ids" {
  description = "Security groups for Redshift Serverless."
  type        = list(string)
  default     = []
}
