variable "alias" {
  description = "Alias name without the alias/ prefix, e.g. gtm-lakehouse-dev-lake."
  type        = string
}

variable "description" {
  description = "What the key encrypts."
  type        = string
}

variable "service_principals" {
  description = <<-EOT
    Service principals (e.g. appflow.amazonaws.com, events.amazonaws.com) that use the key on
    behalf of this account; limited to this account by aws:SourceAccount.
  EOT
  type        = list(string)
  default     = []
}

variable "service_actions" {
  description = "KMS actions the service principals may call."
  type        = list(string)
  default     = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]

  validation {
    condition     = alltrue([for action in var.service_actions : startswith(action, "kms:") && !strcontains(action, "*")])
    error_message = "service_actions are named KMS actions (no wildcards)."
  }
}

variable "cloudwatch_logs" {
  description = "Let CloudWatch Logs encrypt this account's log groups with the key (MWAA, Glue, VPC flow logs)."
  type        = bool
  default     = false
}

variable "deletion_window_in_days" {
  description = "Days a deleted key waits before it is destroyed."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
