variable "name_prefix" {
  description = "Prefix of names, e.g. gtm-lakehouse-dev."
  type        = string
}

variable "admin_arns" {
  description = <<-EOT
    Data lake administrators besides the role running Terraform (which is always one): the seed's
    administrator IAM role(s). The list REPLACES the account's admins (docs/deploy.md).
  EOT
  type        = list(string)
  default     = []
}

variable "registered_buckets" {
  description = "Zone => bucket ARN of the locations registered with Lake Formation (raw, curated)."
  type        = map(string)
}

variable "lake_kms_key_arn" {
  description = "KMS key of the lake buckets (the registration role decrypts through S3)."
  type        = string
}

variable "databases" {
  description = "Glue databases governed here (the profiles' and the feeds'), name => name."
  type        = map(string)
}

variable "tables" {
  description = <<-EOT
    database.table => {database, table, pii_columns}: every table the DAGs register (config module's
    lake_tables and feed_tables). pii_columns are withheld from every non-privileged principal.
  EOT
  type = map(object({
    database    = string
    table       = string
    pii_columns = list(string)
  }))
}

variable "writers" {
  description = <<-EOT
    Privileged principals that create and write tables (the MWAA execution role, the feeds' Glue job
    roles): key => {arn, databases, locations}. They read every column, PII included.
  EOT
  type = map(object({
    arn       = string
    databases = list(string)
    locations = list(string) # zones of registered_buckets
  }))
}

variable "readers" {
  description = <<-EOT
    Non-privileged principals (the Redshift Spectrum role, analysts' roles): key => role ARN. They
    get SELECT on the listed tables with every PII column withheld.
  EOT
  type        = map(string)
}

variable "grant_table_permissions" {
  description = <<-EOT
    Grant the readers' table permissions. Lake Formation grants need the table to exist, and the
    DAGs create their tables on the first run: apply with false first, true after the first runs.
  EOT
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
