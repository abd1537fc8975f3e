variable "name_prefix" {
  description = "Prefix of names, e.g. gtm-lakehouse-dev."
  type        = string
}

variable "databases" {
  description = "Connector profile => Glue database name (environments.yaml's glue_database, rendered)."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "KMS key for Glue job logs, bookmarks, job output and the catalog."
  type        = string
}

variable "manage_catalog_encryption" {
  description = "Own the account's Data Catalog encryption settings (one per account and region)."
  type        = bool
  default     = true
}

variable "lakeformation_ready" {
  description = "Id of the Lake Formation settings (the lakeformation module's settings_id): databases are created after them."
  type        = string
}

variable "live_ids_tables" {
  description = "database.table => {database, table, location} of each reconciliation's <table>__live_ids table."
  type = map(object({
    database = string
    table    = string
    location = string
  }))
  default = {}
}

variable "quality_database" {
  description = "Glue database of the data-quality results (environments.yaml quality.glue_database), or null for none."
  type        = string
  default     = null
}
