# The whole platform for one environment, wired from include/config/*.yaml: the root modules in
# envs/dev and envs/prod only add the provider and the state backend, so the two cannot drift.
# Names (flows, prefixes, Glue databases, feed jobs) are derived in ../config exactly as
# plugins/lakehouse/plan derives them; tests/infra checks that they agree.
#
# Order inside one apply (references and the lakeformation_ready inputs):
#   network, lake (KMS, buckets) -> Lake Formation settings (admins, no IAMAllowedPrincipals
#   defaults) + registered locations -> Glue databases (catalog, feeds) -> grants;
#   lake -> AppFlow flows; bundle objects -> MWAA.

locals {
  env         = var.env
  environment = module.config.environment
  name_prefix = "gtm-lakehouse-${local.env}"
  tags        = merge({ project = "gtm-lakehouse", environment = local.env, managed_by = "terraform" }, var.tags)
  bucket_stem = trimsuffix(module.config.buckets.raw, "-raw")

  feed_database    = try(module.config.feed_catalog.glue_database, null)
  quality_database = try(module.config.quality_catalog.glue_database, null)
  glue_databases = concat(
    values(module.config.glue_databases),
    local.feed_database == null ? [] : [local.feed_database],
    local.quality_database == null ? [] : [local.quality_database],
  )

  # environments.yaml's redshift block names a workgroup (serverless) or a cluster_identifier.
  warehouse_kind = (
    try(local.environment.redshift.workgroup_name, null) != null ? "serverless" :
    try(local.environment.redshift.cluster_identifier, null) != null ? "cluster" : null
  )
}

module "config" {
  source = "../config"

  env        = local.env
  config_dir = var.config_dir
}

# Every connector profile of the config needs its org's connection settings; feeds need the
# environment's feeds block.
resource "terraform_data" "config_checks" {
  lifecycle {
    precondition {
      condition     = length(setsubtract(module.config.connector_profiles, keys(var.salesforce_connections))) == 0
      error_message = "salesforce_connections lacks: ${join(", ", setsubtract(module.config.connector_profiles, keys(var.salesforce_connections)))}."
    }
    precondition {
      condition     = length(module.config.feeds) == 0 || module.config.feed_catalog != null
      error_message = "feeds.yaml has feeds for ${local.env}, but environments.yaml has no feeds: block for it."
    }
  }
}

module "network" {
  source = "../network"

  name_prefix = local.name_prefix
  cidr_block  = var.network.cidr_block
  enable_nat  = var.network.enable_nat
  tags        = local.tags
}

module "lake" {
  source = "../lake"

  name_prefix = local.name_prefix
  buckets     = module.config.buckets
  logs_bucket = coalesce(var.logs_bucket, "${local.bucket_stem}-logs")
  tags        = local.tags
}

module "lakeformation" {
  source = "../lakeformation"

  name_prefix        = local.name_prefix
  admin_arns         = var.lakeformation.admin_arns
  registered_buckets = { raw = module.lake.bucket_arns["raw"], curated = module.lake.bucket_arns["curated"] }
  lake_kms_key_arn   = module.lake.kms_key_arn
  databases = merge(
    module.catalog.database_names,
    module.feeds.glue_database == null ? tomap({}) : tomap({ (module.feeds.glue_database) = module.feeds.glue_database }),
    local.quality_database == null ? tomap({}) : tomap({ (local.quality_database) = local.quality_database }),
  )
  tables = merge(module.config.lake_tables, module.config.feed_tables, module.config.quality_tables)

  writers = merge(
    {
      airflow = {
        arn       = module.mwaa.execution_role_arn
        databases = local.glue_databases
        locations = ["raw", "curated"]
      }
    },
    {
      for job, arn in module.feeds.job_role_arns : job => {
        arn       = arn
        databases = [local.feed_database]
        locations = ["raw", "curated"]
      }
    },
  )

  readers = merge(
    # The warehouse module's role when it creates it (the grant waits for the role to exist).
    { spectrum = try(module.warehouse[0].spectrum_role_arn, module.config.spectrum_role_arn) },
    { for arn in var.lakeformation.reader_arns : arn => arn },
  )
  grant_table_permissions = var.lakeformation.table_grants
  tags                    = local.tags
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

      include_deleted_records = flow.include_deleted_records
      data_transfer_api       = flow.data_transfer_api
    }
  }
  reconcile_flows = {
    for name, flow in module.config.reconcile_flows : name => {
      profile   = flow.profile
      sf_object = flow.sf_object
      bucket    = flow.bucket
      prefix    = flow.prefix
    }
  }
  object_fields = var.object_fields
  tags          = local.tags

  # The flows write into the lake's buckets, whose policies let AppFlow in.
  depends_on = [module.lake]
}

module "catalog" {
  source = "../catalog"

  name_prefix         = local.name_prefix
  databases           = module.config.glue_databases
  kms_key_arn         = module.lake.kms_key_arn
  lakeformation_ready = module.lakeformation.settings_id
  quality_database    = local.quality_database
  live_ids_tables = {
    for name, flow in module.config.reconcile_flows : "${flow.database}.${flow.table}" => {
      database = flow.database
      table    = flow.table
      location = "s3://${flow.bucket}/${flow.prefix}/"
    }
  }
}

module "feeds" {
  source = "../feeds"

  name_prefix            = local.name_prefix
  feeds                  = module.config.feeds
  glue_database          = local.feed_database
  buckets                = module.config.buckets
  lake_kms_key_arn       = module.lake.kms_key_arn
  security_configuration = module.catalog.security_configuration
  script_path            = var.feed_script_path
  package_path           = var.feed_package_path
  vpc_id                 = module.network.vpc_id
  vpc_cidr               = module.network.vpc_cidr
  subnet_id              = module.network.private_subnet_ids[0]
  availability_zone      = module.network.private_subnet_azs[0]
  s3_prefix_list_id      = module.network.s3_prefix_list_id
  onprem_cidrs           = var.network.onprem_cidrs
  onprem_ports           = var.network.onprem_ports
  lakeformation_ready    = module.lakeformation.settings_id
  tags                   = local.tags

  # The script lands in the scripts bucket, encrypted with the lake key.
  depends_on = [module.lake]
}

module "alerting" {
  source = "../alerting"

  name_prefix         = local.name_prefix
  topic_name          = module.config.alerts_topic_name
  webhook_secret_name = module.config.webhook_secret_name
  flow_name_prefix    = "${local.env}-"
  job_name_prefix     = "${local.env}-"
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

# The warehouse environments.yaml names, in the private subnets: Redshift Serverless for
# redshift.workgroup_name (dev), a provisioned cluster for redshift.cluster_identifier (prod).
# manage_warehouse = false leaves an existing one alone (docs/deploy.md, "Warehouse").
module "warehouse" {
  source = "../warehouse"
  count  = local.warehouse_kind != null && var.manage_warehouse ? 1 : 0

  name_prefix              = local.name_prefix
  namespace_name           = local.name_prefix
  workgroup_name           = try(local.environment.redshift.workgroup_name, null)
  cluster_identifier       = try(local.environment.redshift.cluster_identifier, null)
  database                 = local.environment.redshift.database
  base_capacity            = var.warehouse.base_capacity
  node_type                = var.warehouse.node_type
  number_of_nodes          = var.warehouse.number_of_nodes
  snapshot_retention_days  = var.warehouse.snapshot_retention_days
  audit_log_retention_days = var.warehouse.audit_log_retention_days
  subnet_ids               = module.network.private_subnet_ids
  vpc_id                   = module.network.vpc_id
  vpc_cidr                 = module.network.vpc_cidr
  s3_prefix_list_id        = module.network.s3_prefix_list_id
  spectrum_role_name       = element(reverse(split("/", module.config.spectrum_role_arn)), 0)
  glue_databases           = local.glue_databases
  raw_bucket_arn           = module.lake.bucket_arns["raw"]
  curated_bucket_arn       = module.lake.bucket_arns["curated"]
  lake_kms_key_arn         = module.lake.kms_key_arn
  tags                     = local.tags
}

module "mwaa" {
  source = "../mwaa"

  env                = local.env
  name               = local.name_prefix
  environment_class  = var.mwaa.environment_class
  min_workers        = var.mwaa.min_workers
  max_workers        = var.mwaa.max_workers
  source_bucket      = coalesce(var.mwaa_bucket, "${local.bucket_stem}-mwaa")
  access_logs_bucket = module.lake.logs_bucket
  bundle_dir         = var.bundle_dir
  config_dir         = var.config_dir
  tools_dir          = "${var.config_dir}/../../tools"

  openlineage_transport = var.openlineage_transport

  vpc_id            = module.network.vpc_id
  vpc_cidr          = module.network.vpc_cidr
  subnet_ids        = module.network.private_subnet_ids
  s3_prefix_list_id = module.network.s3_prefix_list_id
  internet_egress   = var.network.enable_nat

  secret_arns         = [module.alerting.webhook_secret_arn]
  secret_kms_key_arns = [module.alerting.kms_key_arn]

  appflow_flow_arns              = module.appflow.flow_arns
  appflow_connector_profile_arns = values(module.appflow.connector_profiles)
  appflow_kms_key_arn            = module.appflow.kms_key_arn

  glue_databases   = local.glue_databases
  glue_job_names   = keys(module.config.feeds)
  lake_bucket_arns = module.lake.bucket_arns
  lake_kms_key_arn = module.lake.kms_key_arn
  feeds_prefix     = try(module.config.feed_catalog.prefix, "onprem")
  quality_prefix   = try(module.config.quality_catalog.prefix, "quality")

  # GetCredentials / GetClusterCredentials and the Data API scoped to this warehouse: the workgroup's
  # ARN, or the cluster (taken from the created one, so the policy follows it) and its db_user.
  redshift = {
    workgroup_arn      = local.warehouse_kind == "serverless" ? try(module.warehouse[0].workgroup_arn, var.existing_workgroup_arn) : null
    cluster_identifier = local.warehouse_kind == "cluster" ? try(module.warehouse[0].cluster_identifier, local.environment.redshift.cluster_identifier) : null
    db_user            = try(local.environment.redshift.db_user, null)
    database           = local.environment.redshift.database
  }

  alerts_topic_arn = module.alerting.topic_arn
  tags             = local.tags
}
