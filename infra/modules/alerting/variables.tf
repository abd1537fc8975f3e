variable "name_prefix" {
  description = "Prefix of names, e.g. gtm-lakehouse-dev."
  type        = string
}

variable "topic_name" {
  description = "SNS topic name: the last part of environments.yaml's alerts.sns_topic_arn."
  type        = string
}

variable "webhook_secret_name" {
  description = "Secrets Manager name of the webhooks (environments.yaml alerts.webhook_secret)."
  type        = string
}

variable "flow_name_prefix" {
  description = "Prefix of this environment's AppFlow flow names (<env>-), so alerts cover them all."
  type        = string
}

variable "job_name_prefix" {
  description = "Prefix of this environment's Glue job names (<env>-), so failures of all its jobs alert."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
