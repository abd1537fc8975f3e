# include/config/*.yaml as Terraform sees it: the flows of one environment with the defaults
# applied, and every name derived exactly as the DAGs derive it. No resources.
#
# Same rules as the Python side (tests/infra/test_config_parity.py proves the equality on the
# sample config and compares with lakehouse.plan.plan_environment):
#
#   Python (plugins/lakehouse/...)                     Terraform (below)
#   loader._flow: {**defaults, **flow}                 merge(local.defaults, raw)
#   fields._csv_list: "a,b" -> ["a", "b"]               split(",") of each item, trimmed, empties dropped
#   LoadedConfig.flows_for: environment in (all, env)  contains(["all", var.env], f.environment)
#   fields.optional_na: s3_prefix "na" -> None          s3_prefix == "na" ? null : s3_prefix
#   Flow.sf_object: object_name or name                coalesce(object_name, name)
#   Flow.direction: destination == "s3" -> ingest      same
#   names.snake_case: re.sub(lookarounds, "_").lower() two RE2 replace() passes + lower() (RE2 has no
#                                                      lookarounds; the two passes insert "_" at the
#                                                      same positions: see the test)
#   names.slug: re.sub("[^a-z0-9_]", "_", lower)       replace(lower(p), "/[^a-z0-9_]/", "_")
#   plan.dags._profile:
#     AppFlow flow   f"{env}-{profile_slug}-{table}"   "${var.env}-${slug}-${table}"
#     ingest prefix  f"{s3_prefix or 'appflow'}/{profile_slug}/{table}" in the raw bucket
#     upsert prefix  s3_prefix or f"results/{table}" in the results bucket
#     Glue database  glue_database.format(profile=slug(profile), env=slug(env))
#   dag_id_for: sfdc_ingest__<table> / sfdc_upsert__<table> / sfdc_reconcile__<table>
#   Flow defaults: incremental_load 1, include_deleted_records 1, data_transfer_api REST_SYNC,
#   reconcile_schedule "rate(7 days)" (na: no reconciliation); a flag is 0/1 or false/true
#   ProfilePlan.live_ids_flow  f"{appflow_flow}-ids"   "${name}-ids"
#   ProfilePlan.live_ids_table f"{table}__live_ids"     "${f.table}__live_ids"
#   ProfilePlan.latest_table   f"{table}__latest"       "${f.table}__latest"
#
# Terraform does not validate the config: `lakehouse validate` does (CI runs it), and a flow it
# rejects has no DAG; keep the YAML valid before applying.

locals {
  flows_doc   = yamldecode(file("${var.config_dir}/flows.yaml"))
  envs_doc    = yamldecode(file("${var.config_dir}/environments.yaml"))
  environment = local.envs_doc.environments[var.env]
  defaults    = try(local.flows_doc.defaults, null) # merge() skips a null (an empty `defaults:`)

  env_slug = replace(lower(var.env), "/[^a-z0-9_]/", "_")

  # environments.yaml: connector_profiles is a list or a CSV string.
  connector_profiles = [
    for item in flatten([for value in flatten([local.environment.connector_profiles]) : split(",", value)]) :
    trimspace(item) if trimspace(item) != ""
  ]

  glue_database_template = try(local.environment.glue_database, "{profile}")

  flows_merged = [for raw in local.flows_doc.flows : merge(local.defaults, raw)]

  flows_all = [
    for f in local.flows_merged : {
      name        = f.name
      sf_object   = coalesce(try(f.object_name, null), f.name)
      table       = lower(replace(replace(f.name, "/([a-z0-9])([A-Z])/", "$${1}_$${2}"), "/([A-Z])([A-Z][a-z])/", "$${1}_$${2}"))
      direction   = try(f.destination, "s3") == "s3" ? "ingest" : "upsert"
      environment = try(f.environment, "all")
      description = try(f.description, "AppFlow flow from Salesforce")
      incremental = contains(["1", "true"], lower(tostring(try(f.incremental_load, 1))))
      # data-quality checks: each load is staged in <table>__audit, which Spectrum reads
      audited = length(try(f.checks, [])) > 0
      # queryAll (the Recycle Bin too) and the pinned Salesforce API: the flow the DAG runs
      include_deleted_records = contains(["1", "true"], lower(tostring(try(f.include_deleted_records, 1))))
      data_transfer_api       = try(f.data_transfer_api, "REST_SYNC")
      reconcile_schedule      = try(f.reconcile_schedule, "rate(7 days)")
      s3_prefix               = coalesce(try(f.s3_prefix, null), "na") == "na" ? null : trimspace(try(f.s3_prefix, ""))
      profiles = try(f.connector_profile, null) == null ? [] : [
        for item in flatten([for value in flatten([try(f.connector_profile, [])]) : split(",", value)]) :
        trimspace(item) if trimspace(item) != ""
      ]
      upsert_fields = try(f.upsert_field_list, null) == null ? [] : [
        for item in flatten([for value in flatten([try(f.upsert_field_list, [])]) : split(",", value)]) :
        trimspace(item) if trimspace(item) != ""
      ]
      # Glue (and so Lake Formation) column names are the lower-cased Salesforce field names
      # (lakehouse.aws.salesforce_types: SalesforceField.column).
      pii_columns = try(f.pii_columns, null) == null ? [] : [
        for item in flatten([for value in flatten([try(f.pii_columns, [])]) : split(",", value)]) :
        lower(trimspace(item)) if trimspace(item) != ""
      ]
    }
  ]

  flows = [for f in local.flows_all : f if contains(["all", var.env], f.environment)]

  # One AppFlow flow per flow and connector profile, keyed by its name.
  appflow_flows = merge([
    for f in local.flows : {
      for profile in f.profiles :
      "${var.env}-${replace(lower(profile), "/[^a-z0-9_]/", "_")}-${f.table}" => {
        flow_name     = f.name
        dag_id        = "${f.direction == "ingest" ? "sfdc_ingest" : "sfdc_upsert"}__${f.table}"
        direction     = f.direction
        profile       = profile
        profile_slug  = replace(lower(profile), "/[^a-z0-9_]/", "_")
        sf_object     = f.sf_object
        table         = f.table
        description   = f.description
        bucket        = f.direction == "ingest" ? local.environment.buckets.raw : local.environment.buckets.results
        prefix        = f.direction == "ingest" ? "${coalesce(f.s3_prefix, "appflow")}/${replace(lower(profile), "/[^a-z0-9_]/", "_")}/${f.table}" : coalesce(f.s3_prefix, "results/${f.table}")
        upsert_fields = f.upsert_fields
        error_bucket  = local.environment.buckets.results
        error_prefix  = "errors/${f.table}"
        # Salesforce source settings (ingest only; the upsert flows read S3)
        include_deleted_records = f.include_deleted_records
        data_transfer_api       = f.data_transfer_api
      }
    }
  ]...)

  # The incremental ingest flows that a reconciliation DAG covers (an Id-only full load each).
  reconciled_flows = [
    for f in local.flows : f if f.direction == "ingest" && f.incremental && f.reconcile_schedule != "na"
  ]

  # One Id-only AppFlow flow per reconciled flow and connector profile: <ingest flow>-ids.
  reconcile_flows = merge([
    for f in local.reconciled_flows : {
      for profile in f.profiles :
      "${var.env}-${replace(lower(profile), "/[^a-z0-9_]/", "_")}-${f.table}-ids" => {
        flow_name = f.name
        dag_id    = "sfdc_reconcile__${f.table}"
        profile   = profile
        sf_object = f.sf_object
        table     = "${f.table}__live_ids"
        bucket    = local.environment.buckets.raw
        prefix    = "${coalesce(f.s3_prefix, "appflow")}/${replace(lower(profile), "/[^a-z0-9_]/", "_")}/${f.table}__live_ids"
        database  = replace(replace(local.glue_database_template, "{profile}", replace(lower(profile), "/[^a-z0-9_]/", "_")), "{env}", local.env_slug)
      }
    }
  ]...)

  # One Glue database per connector profile of the environment.
  glue_databases = {
    for profile in local.connector_profiles :
    profile => replace(replace(local.glue_database_template, "{profile}", replace(lower(profile), "/[^a-z0-9_]/", "_")), "{env}", local.env_slug)
  }

  dag_ids = sort(distinct(concat(
    [for flow in values(local.appflow_flows) : flow.dag_id],
    [for flow in values(local.reconcile_flows) : flow.dag_id],
  )))

  # The Glue tables the ingest DAGs register (database.table => its PII columns), for Lake
  # Formation: one per ingest flow and connector profile, in the profile's database; a full load's
  # `<table>__latest` (the newest snapshot, the same columns), an incremental flow's
  # `<table>__live_ids` (Ids only) and, with checks, `<table>__audit` (loads under audit) beside it.
  lake_tables = merge(flatten([
    for f in local.flows : [
      for profile in f.profiles : {
        for table in concat(
          [f.table],
          f.incremental ? [] : ["${f.table}__latest"],
          contains(local.reconciled_flows[*].name, f.name) ? ["${f.table}__live_ids"] : [],
          f.audited ? ["${f.table}__audit"] : [],
        ) :
        "${replace(replace(local.glue_database_template, "{profile}", replace(lower(profile), "/[^a-z0-9_]/", "_")), "{env}", local.env_slug)}.${table}" => {
          database    = replace(replace(local.glue_database_template, "{profile}", replace(lower(profile), "/[^a-z0-9_]/", "_")), "{env}", local.env_slug)
          table       = table
          pii_columns = endswith(table, "__live_ids") ? [] : f.pii_columns
        }
      }
    ] if f.direction == "ingest"
  ])...)

  # ---------------------------------------------------------------------------------------------
  # On-prem feeds: feeds.yaml (optional) and environments.yaml's `feeds:` block.
  #   Python (lakehouse.config.feeds*)                 Terraform (below)
  #   feeds_loader._feed: {**defaults, **raw}          merge(local.feed_defaults, raw)
  #   LoadedConfig.feeds_for: environment in (all, env) contains(["all", var.env], environment)
  #   Feed.snake_name: snake_case(name)                the flows' two RE2 passes + lower()
  #   Feed.secret_for(env): secret.replace("{env}", env) replace(secret, "{env}", var.env)
  #   Glue job                                         "${var.env}-feed-${snake_name}"
  #   curated location                                 <feeds.prefix>/<target_table>/
  # ---------------------------------------------------------------------------------------------
  feeds_doc     = fileexists("${var.config_dir}/feeds.yaml") ? yamldecode(file("${var.config_dir}/feeds.yaml")) : null
  feed_defaults = try(local.feeds_doc.defaults, null)
  feed_catalog  = try(local.environment.feeds, null)
  feed_prefix   = try(local.feed_catalog.prefix, "onprem")

  feeds_merged = [for raw in try(local.feeds_doc.feeds, []) : merge(local.feed_defaults, raw)]

  feeds = {
    for f in local.feeds_merged :
    "${var.env}-feed-${lower(replace(replace(f.name, "/([a-z0-9])([A-Z])/", "$${1}_$${2}"), "/([A-Z])([A-Z][a-z])/", "$${1}_$${2}"))}" => {
      name             = f.name
      snake_name       = lower(replace(replace(f.name, "/([a-z0-9])([A-Z])/", "$${1}_$${2}"), "/([A-Z])([A-Z][a-z])/", "$${1}_$${2}"))
      description      = try(f.description, "On-prem feed")
      kind             = f.source.kind
      secret           = try(replace(f.source.secret, "{env}", var.env), null)
      source_table     = try(f.source.table, null)
      timestamp_column = try(f.source.timestamp_column, null)
      path             = try(f.source.path, null)
      records_field    = f.source.kind == "api" ? try(f.source.records_field, "items") : null
      next_field       = f.source.kind == "api" ? try(f.source.next_field, "next") : null
      format           = try(f.source.format, null)
      landing_prefix   = try(f.source.landing_prefix, null)
      target_table     = f.target_table
      partition_col    = try(f.partition_col, "load_date")
      glue_database    = try(local.feed_catalog.glue_database, null)
      curated_prefix   = "${local.feed_prefix}/${f.target_table}"
      # lakehouse.config.feed_engine: engine, workers {type, count}, spark {...} (FeedPlan.engine_args)
      engine            = try(f.engine, "python")
      worker_type       = try(f.workers.type, "G.1X")
      number_of_workers = try(f.workers.count, 2)
      spark_arguments = try(f.engine, "python") != "spark" ? {} : merge(
        { "--engine" = "spark", "--fetch_size" = tostring(try(f.spark.fetch_size, 10000)) },
        try(f.spark.predicates, null) != null ? { "--predicates" = jsonencode(f.spark.predicates) } : {},
        try(f.spark.predicates, null) == null && try(f.spark.partition_column, null) != null ? {
          "--partition_column" = f.spark.partition_column
          "--lower_bound"      = tostring(f.spark.lower_bound)
          "--upper_bound"      = tostring(f.spark.upper_bound)
          "--num_partitions"   = tostring(f.spark.num_partitions)
        } : {},
      )
      audited = length(try(f.checks, [])) > 0
    } if contains(["all", var.env], try(f.environment, "all"))
  }

  feed_tables = merge([
    for job, feed in local.feeds : {
      for table in concat([feed.target_table], feed.audited ? ["${feed.target_table}__audit"] : []) :
      "${feed.glue_database}.${table}" => {
        database    = feed.glue_database
        table       = table
        pii_columns = []
      }
    } if feed.glue_database != null
  ]...)

}

locals {
  # Data-quality results (environments.yaml `quality:`; lakehouse.plan.checks.ResultsTarget): the
  # table check_results at s3://<curated>/<quality.prefix>/check_results/, written by audit_data.
  quality_catalog = try(local.environment.quality, null)
  quality_tables = local.quality_catalog == null ? {} : {
    "${local.quality_catalog.glue_database}.check_results" = {
      database    = local.quality_catalog.glue_database
      table       = "check_results"
      pii_columns = []
    }
  }
}

