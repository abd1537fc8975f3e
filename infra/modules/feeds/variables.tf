variable "name_prefix" {
  description = "Prefix of names, e.g. gtm-lakehouse-dev."
  type        = string
}

variable "feeds" {
  description = <<-EOT
    Glue job name (<env>-feed-<snake_name>) => feed, as infra/modules/config derives it from
    feeds.yaml (the names lakehouse.plan.feeds derives: tests/infra/test_config_parity.py).
  EOT
  type = map(object({
    name             = string
    snake_name       = string
    description      = string
    kind             = string
    secret           = optional(string)
    source_table     = optional(string)
    timestamp_column = optional(string)
    path             = optional(string)
    records_field    = optional(string)
    next_field       = optional(string)
    format           = optional(string)
    landing_prefix   = optional(string)
    target_table     = string
    partition_col    = string
    glue_database    = string
    curated_prefix   = string
    # engine python: the driver streams the source (2 workers, Glue's minimum); spark: Spark's JDBC
    # source across number_of_workers - 1 executors (docs/feeds.md, "Engines and cost").
    engine            = optional(string, "python")
    worker_type       = optional(string, "G.1X")
    number_of_workers = optional(number, 2)
    spark_arguments   = optional(map(string), {})
  }))

  validation {
    condition     = alltrue([for feed in values(var.feeds) : contains(["database", "api", "files"], feed.kind)])
    error_message = "A feed's source kind is database, api or files."
  }

  validation {
    condition = alltrue([
      for feed in values(var.feeds) :
      contains(["python", "spark"], feed.engine) && contains(["G.1X", "G.2X", "G.4X", "G.8X"], feed.worker_type) && feed.number_of_workers >= 2
    ])
    error_message = "A feed's engine is python or spark, its workers G.1X, G.2X, G.4X or G.8X, at least 2 of them."
  }
}

variable "glue_database" {
  description = "Glue database of the feeds' tables (environments.yaml feeds.glue_database); null = no feeds."
  type        = string
  default     = null
}

variable "buckets" {
  description = "Zone => bucket name of the lake (raw, curated, scripts)."
  type        = map(string)
}

variable "lake_kms_key_arn" {
  description = "KMS key of the lake buckets and of the jobs' security configuration."
  type        = string
}

variable "security_configuration" {
  description = "Glue security configuration of the jobs (S3 SSE-KMS, CloudWatch and bookmarks encryption)."
  type        = string
}

variable "script_path" {
  description = "Local path of the job's entry script (the repository's jobs/feed_ingest.py)."
  type        = string
}

variable "package_path" {
  description = "Local path of the job's package, feed_job.zip (make bundle: dist/glue/feed_job.zip), passed as --extra-py-files."
  type        = string
}

variable "pyarrow_version" {
  description = "pyarrow installed into the job (--additional-python-modules): the version jobs/feed_ingest.py is tested with."
  type        = string
  default     = "25.0.1"
}

variable "pg8000_version" {
  description = "pg8000 (the PostgreSQL driver) installed into the job (--additional-python-modules): the version jobs/feed_ingest.py is tested with."
  type        = string
  default     = "1.31.5"
}

variable "timeout_minutes" {
  description = "Job run timeout."
  type        = number
  default     = 120
}

variable "vpc_id" {
  description = "VPC of the Glue connection (database feeds reach on-prem through it)."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC (the endpoints the job reaches)."
  type        = string
}

variable "subnet_id" {
  description = "Private subnet of the Glue connection."
  type        = string
}

variable "availability_zone" {
  description = "Availability zone of that subnet."
  type        = string
}

variable "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint."
  type        = string
}

variable "onprem_cidrs" {
  description = "On-prem networks (VPN / Direct Connect) the database feeds connect to."
  type        = list(string)
  default     = []
}

variable "onprem_ports" {
  description = "Database ports on those networks."
  type        = list(number)
  default     = [5432]
}

variable "lakeformation_ready" {
  description = "Id of the Lake Formation settings: the feeds' database is created after them (no IAMAllowedPrincipals defaults)."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
