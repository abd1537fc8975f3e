# The dev environment: the platform module, driven by include/config/*.yaml (the files the DAGs
# read), in dev's account and region. Everything else is in ../../modules/platform.

locals {
  env         = "dev"
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

  env                          = local.env
  config_dir                   = local.config_dir
  salesforce_connections       = var.salesforce_connections
  object_fields                = var.object_fields
  logs_bucket                  = var.logs_bucket
  tags                         = var.tags
  warehouse_subnet_ids         = var.warehouse_subnet_ids
  warehouse_security_group_ids = var.warehouse_security_group_ids
}
