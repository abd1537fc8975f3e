# The whole platform for one environment, wired from include/config/*.yaml: the root modules in
# envs/dev and envs/prod only add the provider and the state backend, so the two cannot drift.
# Names (flows, prefixes, Glue databases) are derived in ../config exactly as
# plugins/lakehouse/plan/dags.py derives them; tests/infra checks that they agree.

locals {
  env          = var.env
  config_dir   = var.config_dir
  environments = yamldecode(file("${local.config_dir}/environments.yaml")).environments
  environment  = local.environments[local.env]
  name_prefix  = "gtm-lakehouse-${local.env}"
  tags         = merge({ project = "gtm-lakehouse", environment = local.env, managed_by = "terraform" }, var.tags)
}

module "config" {
  source = "../config"

  env        = local.env
  config_dir = local.config_dir
}

# Every connector profile of the config needs its org's connection settings.
resource "terraform_data" "config_checks" {
  lifecycle {
    precondition {
      condition     = length(setsubtract(module.config.connector_profiles, keys(var.salesforce_connections))) == 0
      error_message = "salesforce_connections lacks: ${join(", ", setsubtract(module.config.connector_profiles, keys(var.salesforce_connections)))}."
    }
  }
}

module "lake" {
  source = "../lake"

  name_prefix = local.name_prefix
  buckets     = module.config.buckets
  logs_bucket = coalesce(var.logs_bucket, "${trimsuffix(module.config.buckets.raw, "-raw")}-logs")
  tags        = local.tags
}

module "appflow" {
  source = "../appflow"

  name_prefix = local.name_prefix
  connector_profiles = {
    for profile in module.config.connector_profiles : profile => var.salesforce_connections[profile]
  }
  flows = {
    for name, flow in module.config.appflow_flows : name => {
      direction     = flow.direction
      profile       = flow.profile
      sf_object     = flow.sf_object
      description   = flow.description
      bucket        = flow.bucket
      prefix        = flow.prefix
      upsert_fields = flow.upsert_fields
      error_bucket  = flow.error_bucket
      error_prefix  = flow.error_prefix
    }
  }
  object_fields = var.object_fields
  tags          = local.tags

  # The flows write into the lake's buckets, whose policies let AppFlow in.
  depends_on = [module.lake]
}

module "catalog" {
  source = "../catalog"

  name_prefix = local.name_prefix
  databases   = module.config.glue_databases
  kms_key_arn = module.lake.kms_key_arn
}

module "alerting" {
  source = "../alerting"

  name_prefix         = local.name_prefix
  topic_name          = module.config.alerts_topic_name
  webhook_secret_name = module.config.webhook_secret_name
  flow_name_prefix    = "${local.env}-"
  tags                = local.tags
}

# The DAGs publish to the topic named in environments.yaml: warn when the created one differs
# (another account or region in the YAML than the provider's).
check "alerts_topic_matches_config" {
  assert {
    condition     = module.alerting.topic_arn == local.environment.alerts.sns_topic_arn
    error_message = "The alerts topic is ${module.alerting.topic_arn}, environments.yaml says ${local.environment.alerts.sns_topic_arn}."
  }
}

# Redshift Serverless when environments.yaml names a workgroup (a provisioned cluster, as prod's
# cluster_identifier, is managed elsewhere) and private subnets are given.
module "warehouse" {
  source = "../warehouse"
  count  = try(local.environment.redshift.workgroup_name, null) != null && length(var.warehouse_subnet_ids) > 0 ? 1 : 0

  name_prefix        = local.name_prefix
  namespace_name     = local.name_prefix
  workgroup_name     = local.environment.redshift.workgroup_name
  database           = local.environment.redshift.database
  subnet_ids         = var.warehouse_subnet_ids
  security_group_ids = var.warehouse_security_group_ids
  spectrum_role_name = element(reverse(split("/", local.environment.redshift.spectrum_role_arn)), 0)
  glue_databases     = values(module.config.glue_databases)
  raw_bucket_arn     = module.lake.bucket_arns["raw"]
  lake_kms_key_arn   = module.lake.kms_key_arn
  tags               = local.tags
}
