variable "name_prefix" {
  description = "Prefix of names (KMS alias), e.g. gtm-lakehouse-dev."
  type        = string
}

variable "connector_profiles" {
  description = <<-EOT
    Connector profile name (environments.yaml) => how to reach its Salesforce org. No credential
    is a literal: client_credentials_arn is the Secrets Manager secret of the connected app
    (clientId, clientSecret), oauth_secret_arn the secret holding {access_token, refresh_token}.
  EOT
  type = map(object({
    instance_url           = string
    client_credentials_arn = string
    oauth_secret_arn       = string
    is_sandbox             = optional(bool, false)
  }))
}

variable "flows" {
  description = <<-EOT
    AppFlow flow name (<env>-<profile_slug>-<table>) => flow, as derived by infra/modules/config
    from flows.yaml (the same names as plugins/lakehouse/plan/dags.py).
  EOT
  type = map(object({
    direction     = string # ingest (Salesforce -> S3) or upsert (S3 -> Salesforce)
    profile       = string # connector profile name
    sf_object     = string
    description   = string
    bucket        = string # raw bucket (ingest) or results bucket (upsert)
    prefix        = string # destination (ingest) or source (upsert) key prefix
    upsert_fields = list(string)
    error_bucket  = string
    error_prefix  = string
    # Salesforce source (ingest): queryAll, and the one Salesforce API every run uses
    include_deleted_records = optional(bool, true)
    data_transfer_api       = optional(string, "REST_SYNC")
  }))

  validation {
    condition     = alltrue([for flow in values(var.flows) : contains(["REST_SYNC", "BULKV2"], flow.data_transfer_api)])
    error_message = "data_transfer_api is REST_SYNC or BULKV2: AUTOMATIC changes the output's shape at 1,000,000 records."
  }

  validation {
    condition     = alltrue([for flow in values(var.flows) : contains(["ingest", "upsert"], flow.direction)])
    error_message = "A flow's direction is ingest or upsert."
  }

  validation {
    condition     = alltrue([for flow in values(var.flows) : flow.direction == "ingest" || length(flow.upsert_fields) > 0])
    error_message = "An upsert flow needs upsert_fields (upsert_field_list in flows.yaml)."
  }
}

variable "reconcile_flows" {
  description = <<-EOT
    Id-only AppFlow flow name (<env>-<profile_slug>-<table>-ids) => the reconciliation of an
    incremental ingest flow, as derived by infra/modules/config (plugins/lakehouse/plan/dags.py:
    ProfilePlan.live_ids_flow).
  EOT
  type = map(object({
    profile   = string # connector profile name
    sf_object = string
    bucket    = string # raw bucket
    prefix    = string # <ingest prefix>__live_ids
  }))
  default = {}
}

variable "object_fields" {
  description = "Salesforce object => fields to ingest (PROJECTION + Map tasks). Objects not listed get Map_all."
  type        = map(list(string))
  default     = {}
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
