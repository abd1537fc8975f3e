# Salesforce connector profiles (one per org) and one on-demand AppFlow flow per object and
# profile. Airflow decides when a flow runs and rewrites parts of it on every run (see the
# lifecycle blocks); Terraform owns everything else.
#
# Tasks (terraform-provider-aws#34508): an ingest flow whose object has a field list in
# var.object_fields gets a Filter task with the PROJECTION operator over those fields plus one Map
# task per field - the shape AppFlow requires when Map tasks name Salesforce fields. Without a field
# list the flow gets a single Map_all task (a TaskType the provider accepts, the shape the AppFlow
# console creates for "map all fields", and what sandbox/provision.py creates): the DAG discovers
# the object's fields on every run (discover_schema), so new Salesforce fields land without a
# Terraform change. List fields when an object must be narrowed (PII minimisation, very wide
# objects) or if Map_all is refused in an account.

locals {
  ingest_flows = { for name, flow in var.flows : name => flow if flow.direction == "ingest" }
  upsert_flows = { for name, flow in var.flows : name => flow if flow.direction == "upsert" }
}

# ---------------------------------------------------------------------------------------------
# KMS key for flow data and connector profile credentials (AppFlow creates grants on it)
# ---------------------------------------------------------------------------------------------

module "key" {
  source = "../kms"

  alias              = "${var.name_prefix}-appflow"
  description        = "${var.name_prefix} AppFlow flows and connector profiles"
  service_principals = ["appflow.amazonaws.com"]
  service_actions    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"]
  tags               = var.tags
}

moved {
  from = aws_kms_key.appflow
  to   = module.key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.appflow
  to   = module.key.aws_kms_alias.this
}

# ---------------------------------------------------------------------------------------------
# Connector profiles: credentials come from Secrets Manager, never from code
# ---------------------------------------------------------------------------------------------

# The OAuth tokens of each org's integration user: a secret with {"access_token", "refresh_token"},
# written by an operator (see docs/deploy.md), read at apply time.
data "aws_secretsmanager_secret_version" "oauth" {
  for_each = var.connector_profiles

  secret_id = each.value.oauth_secret_arn
}

resource "aws_appflow_connector_profile" "salesforce" {
  for_each = var.connector_profiles

  name            = each.key
  connector_type  = "Salesforce"
  connection_mode = "Public"
  kms_arn         = module.key.arn

  connector_profile_config {
    connector_profile_credentials {
      salesforce {
        # The connected app's client id and secret: a Secrets Manager secret ARN.
        client_credentials_arn = each.value.client_credentials_arn
        access_token           = jsondecode(data.aws_secretsmanager_secret_version.oauth[each.key].secret_string)["access_token"]
        refresh_token          = jsondecode(data.aws_secretsmanager_secret_version.oauth[each.key].secret_string)["refresh_token"]
      }
    }
    connector_profile_properties {
      salesforce {
        instance_url           = each.value.instance_url
        is_sandbox_environment = each.value.is_sandbox
      }
    }
  }

  lifecycle {
    # AppFlow never returns credentials, and it refreshes the access token itself.
    ignore_changes = [connector_profile_config[0].connector_profile_credentials]
  }
}

# ---------------------------------------------------------------------------------------------
# Ingest: Salesforce -> S3 (Parquet, source types preserved)
# ---------------------------------------------------------------------------------------------

resource "aws_appflow_flow" "ingest" {
  for_each = local.ingest_flows

  name        = each.key
  description = each.value.description
  kms_arn     = module.key.arn
  tags        = merge(var.tags, { sf_object = each.value.sf_object, direction = "ingest" })

  source_flow_config {
    connector_type         = "Salesforce"
    connector_profile_name = aws_appflow_connector_profile.salesforce[each.value.profile].name
    source_connector_properties {
      salesforce {
        object                      = each.value.sf_object
        enable_dynamic_field_update = false
        # queryAll: deleted records too (IsDeleted), so a deletion reaches <table>_current;
        # and one Salesforce API, so every run's output has the same shape (docs/pipeline.md).
        include_deleted_records = each.value.include_deleted_records
        data_transfer_api       = each.value.data_transfer_api
      }
    }
  }

  destination_flow_config {
    connector_type = "S3"
    destination_connector_properties {
      s3 {
        bucket_name   = each.value.bucket
        bucket_prefix = each.value.prefix
        s3_output_format_config {
          file_type                   = "PARQUET"
          preserve_source_data_typing = true
          aggregation_config {
            aggregation_type = "None"
          }
        }
      }
    }
  }

  # Field list given: PROJECTION filter + one Map task per field (#34508).
  dynamic "task" {
    for_each = length(lookup(var.object_fields, each.value.sf_object, [])) > 0 ? [1] : []
    content {
      task_type     = "Filter"
      source_fields = var.object_fields[each.value.sf_object]
      connector_operator {
        salesforce = "PROJECTION"
      }
    }
  }

  dynamic "task" {
    for_each = toset(lookup(var.object_fields, each.value.sf_object, []))
    content {
      task_type         = "Map"
      source_fields     = [task.value]
      destination_field = task.value
      connector_operator {
        salesforce = "NO_OP"
      }
    }
  }

  # No field list: every field of the object.
  dynamic "task" {
    for_each = length(lookup(var.object_fields, each.value.sf_object, [])) > 0 ? [] : [1]
    content {
      task_type     = "Map_all"
      source_fields = []
      connector_operator {
        salesforce = "NO_OP"
      }
      task_properties = {
        EXCLUDE_SOURCE_FIELDS_LIST = "[]"
      }
    }
  }

  trigger_config {
    trigger_type = "OnDemand"
  }

  lifecycle {
    # Rewritten by Airflow on every run (plugins/lakehouse/aws/appflow_requests.py):
    # - task: the window Filter task (BETWEEN on the timestamp field) is replaced per run; `task`
    #   is a set, so the Filter tasks cannot be singled out: a changed field list needs
    #   `terraform apply -replace` of the flow (docs/deploy.md);
    # - trigger_config: set to OnDemand again by every run;
    # - the S3 destination prefix: pointed at the run's partition (.../appflow_date_str=YYYYMMDD).
    ignore_changes = [
      task,
      trigger_config,
      destination_flow_config[0].destination_connector_properties[0].s3[0].bucket_prefix,
    ]
  }
}

# ---------------------------------------------------------------------------------------------
# Reconciliation: the Ids of every live record (no Recycle Bin), weekly by default. Bulk API 2.0:
# millions of Ids in a few API calls, where the REST API pages 2,000 records a call.
# ---------------------------------------------------------------------------------------------

resource "aws_appflow_flow" "reconcile" {
  for_each = var.reconcile_flows

  name        = each.key
  description = "Ids of the live ${each.value.sf_object} records (reconciliation)"
  kms_arn     = module.key.arn
  tags        = merge(var.tags, { sf_object = each.value.sf_object, direction = "reconcile" })

  source_flow_config {
    connector_type         = "Salesforce"
    connector_profile_name = aws_appflow_connector_profile.salesforce[each.value.profile].name
    source_connector_properties {
      salesforce {
        object                      = each.value.sf_object
        enable_dynamic_field_update = false
        include_deleted_records     = false
        data_transfer_api           = "BULKV2"
      }
    }
  }

  destination_flow_config {
    connector_type = "S3"
    destination_connector_properties {
      s3 {
        bucket_name   = each.value.bucket
        bucket_prefix = each.value.prefix
        s3_output_format_config {
          file_type                   = "PARQUET"
          preserve_source_data_typing = true
          aggregation_config {
            aggregation_type = "None"
          }
        }
      }
    }
  }

  # Id only: a PROJECTION filter and its Map task (the shape #34508 requires).
  task {
    task_type     = "Filter"
    source_fields = ["Id"]
    connector_operator {
      salesforce = "PROJECTION"
    }
  }

  task {
    task_type         = "Map"
    source_fields     = ["Id"]
    destination_field = "Id"
    connector_operator {
      salesforce = "NO_OP"
    }
  }

  trigger_config {
    trigger_type = "OnDemand"
  }

  lifecycle {
    # Rewritten by Airflow on every run: the trigger and the S3 destination prefix (pointed at
    # the reconciliation's partition, .../as_of=YYYYMMDDTHHMMSS).
    ignore_changes = [
      trigger_config,
      destination_flow_config[0].destination_connector_properties[0].s3[0].bucket_prefix,
    ]
  }
}

# ---------------------------------------------------------------------------------------------
# Upsert: S3 results -> Salesforce, failed records written to the results bucket
# ---------------------------------------------------------------------------------------------

resource "aws_appflow_flow" "upsert" {
  for_each = local.upsert_flows

  name        = each.key
  description = each.value.description
  kms_arn     = module.key.arn
  tags        = merge(var.tags, { sf_object = each.value.sf_object, direction = "upsert" })

  source_flow_config {
    connector_type = "S3"
    source_connector_properties {
      s3 {
        bucket_name   = each.value.bucket
        bucket_prefix = each.value.prefix
        s3_input_format_config {
          s3_input_file_type = "JSON"
        }
      }
    }
  }

  destination_flow_config {
    connector_type         = "Salesforce"
    connector_profile_name = aws_appflow_connector_profile.salesforce[each.value.profile].name
    destination_connector_properties {
      salesforce {
        object               = each.value.sf_object
        write_operation_type = "UPSERT"
        id_field_names       = each.value.upsert_fields
        error_handling_config {
          fail_on_first_destination_error = false
          bucket_name                     = each.value.error_bucket
          bucket_prefix                   = each.value.error_prefix
        }
      }
    }
  }

  task {
    task_type     = "Map_all"
    source_fields = []
    connector_operator {
      s3 = "NO_OP"
    }
    task_properties = {
      EXCLUDE_SOURCE_FIELDS_LIST = "[]"
    }
  }

  trigger_config {
    trigger_type = "OnDemand"
  }

  lifecycle {
    # Rewritten by Airflow on every run: the tasks (Filter tasks replaced), the trigger (OnDemand)
    # and the S3 source prefix (pointed at the run's results).
    ignore_changes = [
      task,
      trigger_config,
      source_flow_config[0].source_connector_properties[0].s3[0].bucket_prefix,
    ]
  }
}
