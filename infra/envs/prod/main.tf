# The prod environment: the platform module, driven by include/config/*.yaml (the files the DAGs
# read), in prod's account and region. Everything else is in ../../modules/platform.

locals {
  env         = "prod"
  config_dir  = "${path.module}/../../../include/config"
  environment = yamldecode(file("${local.config_dir}/environments.yaml")).environments[local.env]
}

provider "aws" {
  region              = local.environment.region
  allowed_account_ids = [local.environment.account_id]

  default_tags {
    tags = merge({ project = "gtm-lakehouse", environment = local.env, managed_by = "terraform" }, var.tags)
  }
}

module "platform" {
  source = "../../modules/platform"

  env              = local.env
  config_dir       = local.config_dir
  bundle_dir       = "${path.module}/../../../dist/mwaa"
  feed_script_path = "${path.module}/../../../jobs/feed_ingest.py"
  # make bundle builds it, beside the MWAA bundle
  feed_package_path = "${path.module}/../../../dist/glue/feed_job.zip"

  salesforce_connections = var.salesforce_connections
  object_fields          = var.object_fields
  network                = var.network
  mwaa                   = var.mwaa
  warehouse              = var.warehouse
  manage_warehouse       = var.manage_warehouse
  tags                   = var.tags

  lakeformation = {
    admin_arns   = var.lakeformation_admin_arns
    reader_arns  = var.lakeformation_reader_arns
    table_grants = var.lakeformation_table_grants
  }
}
