variable "name_prefix" {
  description = "Prefix of names (KMS alias), e.g. gtm-lakehouse-dev."
  type        = string
}

variable "buckets" {
  description = "Zone name => bucket name, from environments.yaml (raw, curated, results, scripts)."
  type        = map(string)

  validation {
    condition     = alltrue([for zone in ["raw", "curated", "results", "scripts"] : contains(keys(var.buckets), zone)])
    error_message = "buckets must name the raw, curated, results and scripts zones."
  }
}

variable "logs_bucket" {
  description = "Name of the bucket that receives the zones' server access logs."
  type        = string
}

variable "noncurrent_version_days" {
  description = "Days a noncurrent object version is kept before it expires."
  type        = number
  default     = 90
}

variable "abort_multipart_days" {
  description = "Days before an incomplete multipart upload is aborted."
  type        = number
  default     = 7
}

variable "log_retention_days" {
  description = "Days access logs are kept."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
