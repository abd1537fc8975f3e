# The on-prem feeds of feeds.yaml: one Glue job per feed and environment (<env>-feed-<snake_name>)
# running s3://<scripts>/glue/feed_ingest.py (uploaded from jobs/feed_ingest.py) with the feed_job
# package s3://<scripts>/glue/feed_job.zip (make bundle's dist/glue/feed_job.zip) as --extra-py-files,
# on the feed's engine and workers, each with a role
# of its own that reads only its source (its secret, or its landing prefix in the raw zone) and
# writes only its table's prefix in the curated zone; the jobs run with the platform's Glue security
# configuration. Database feeds reach on-prem through a NETWORK Glue connection in a private subnet.
# The feeds' Glue database is created here, after the Lake Formation settings.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  glue_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  secret_arn = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret"
  raw_arn    = "arn:${local.partition}:s3:::${var.buckets.raw}"
  cur_arn    = "arn:${local.partition}:s3:::${var.buckets.curated}"

  database_feeds  = { for name, feed in var.feeds : name => feed if feed.kind == "database" }
  script_key      = "glue/feed_ingest.py"
  package_key     = "glue/feed_job.zip"
  with_connection = length(local.database_feeds) > 0

  # What the job always runs with; the DAG passes the window and the partition per run.
  static_arguments = {
    for name, feed in var.feeds : name => {
      for key, value in {
        "--source_kind"      = feed.kind
        "--source_secret"    = feed.secret
        "--source_table"     = feed.source_table
        "--source_path"      = feed.path
        "--records_field"    = feed.records_field
        "--next_field"       = feed.next_field
        "--file_format"      = feed.format
        "--timestamp_column" = feed.timestamp_column
      } : key => value if value != null
    }
  }
  engine_arguments = { for name, feed in var.feeds : name => feed.spark_arguments }
}

resource "terraform_data" "after_lakeformation" {
  input = var.lakeformation_ready
}

resource "aws_glue_catalog_database" "feeds" {
  count = var.glue_database == null ? 0 : 1

  name        = var.glue_database
  description = "On-prem feeds (feeds.yaml)"

  depends_on = [terraform_data.after_lakeformation]
}

resource "aws_s3_object" "script" {
  bucket      = var.buckets.scripts
  key         = local.script_key
  source      = var.script_path
  source_hash = filemd5(var.script_path)
  kms_key_id  = var.lake_kms_key_arn
  tags        = var.tags
}

resource "terraform_data" "package_built" {
  lifecycle {
    precondition {
      condition     = fileexists(var.package_path)
      error_message = "No feed job package at ${var.package_path}: run `make bundle` first (docs/deploy.md)."
    }
  }
}

resource "aws_s3_object" "package" {
  bucket      = var.buckets.scripts
  key         = local.package_key
  source      = var.package_path
  source_hash = fileexists(var.package_path) ? filemd5(var.package_path) : null
  kms_key_id  = var.lake_kms_key_arn
  tags        = var.tags

  depends_on = [terraform_data.package_built]
}

# ---------------------------------------------------------------------------------------------
# One role per feed
# ---------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "GlueAssumesRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "job" {
  for_each = var.feeds

  name               = "${each.key}-glue"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = merge(var.tags, { feed = each.value.name })
}

data "aws_iam_policy_document" "job" {
  for_each = var.feeds

  statement {
    sid     = "ReadScriptAndPackage"
    actions = ["s3:GetObject"]
    resources = [
      "arn:${local.partition}:s3:::${var.buckets.scripts}/${local.script_key}",
      "arn:${local.partition}:s3:::${var.buckets.scripts}/${local.package_key}",
    ]
  }

  # Secrets Manager ARNs end in -XXXXXX (six random characters).
  dynamic "statement" {
    for_each = each.value.secret == null ? [] : [each.value.secret]
    content {
      sid       = "ReadOwnSourceSecret"
      actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
      resources = ["${local.secret_arn}:${statement.value}-??????"]
    }
  }

  dynamic "statement" {
    for_each = each.value.landing_prefix == null ? [] : [each.value.landing_prefix]
    content {
      sid       = "ListOwnLandingPrefix"
      actions   = ["s3:ListBucket"]
      resources = [local.raw_arn]
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["${statement.value}/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.value.landing_prefix == null ? [] : [each.value.landing_prefix]
    content {
      sid       = "ReadOwnLandingPrefix"
      actions   = ["s3:GetObject"]
      resources = ["${local.raw_arn}/${statement.value}/*"]
    }
  }

  statement {
    sid       = "ListOwnTablePrefix"
    actions   = ["s3:ListBucket"]
    resources = [local.cur_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${each.value.curated_prefix}/*"]
    }
  }

  statement {
    sid       = "ReplaceOwnTablePartitions"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${local.cur_arn}/${each.value.curated_prefix}/*"]
  }

  statement {
    sid       = "LakeKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "kms:Encrypt"]
    resources = [var.lake_kms_key_arn]
  }

  # Glue job logs (encrypted by the security configuration: log groups /aws-glue/...).
  statement {
    sid       = "JobLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/*"]
  }

  dynamic "statement" {
    for_each = each.value.kind == "database" ? [1] : []
    content {
      sid       = "UseNetworkConnection"
      actions   = ["glue:GetConnection"]
      resources = ["${local.glue_arn}:catalog", "${local.glue_arn}:connection/${var.name_prefix}-feeds-network"]
    }
  }

  # Glue places the job's network interfaces in the connection's subnet.
  dynamic "statement" {
    for_each = each.value.kind == "database" ? [1] : []
    content {
      sid     = "ConnectionNetworkInterfaces"
      actions = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"]
      resources = [
        "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*",
        "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/${var.subnet_id}",
        "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/${aws_security_group.connection[0].id}",
      ]
    }
  }

  # EC2 Describe* calls have no resource-level permissions.
  dynamic "statement" {
    for_each = each.value.kind == "database" ? [1] : []
    content {
      sid = "ConnectionNetworkDescribe"
      actions = [
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeRouteTables",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "job" {
  for_each = var.feeds

  name   = "feed-job"
  role   = aws_iam_role.job[each.key].id
  policy = data.aws_iam_policy_document.job[each.key].json
}

# ---------------------------------------------------------------------------------------------
# Network connection for the database feeds
# ---------------------------------------------------------------------------------------------

resource "aws_security_group" "connection" {
  #checkov:skip=CKV2_AWS_5:attached to the Glue NETWORK connection below (physical_connection_requirements), which checkov does not follow
  count = local.with_connection ? 1 : 0

  name        = "${var.name_prefix}-feeds-glue"
  description = "Glue jobs of the database feeds: self-referencing, egress to AWS endpoints, S3 and on-prem databases"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name_prefix}-feeds-glue" })
}

# Glue requires a self-referencing rule on the connection's security group.
resource "aws_vpc_security_group_ingress_rule" "connection_self" {
  #checkov:skip=CKV_AWS_24:self-referencing rule (no CIDR): only the connection's own Glue workers, as Glue requires
  #checkov:skip=CKV_AWS_25:self-referencing rule (no CIDR): only the connection's own Glue workers, as Glue requires
  #checkov:skip=CKV_AWS_260:self-referencing rule (no CIDR): only the connection's own Glue workers, as Glue requires
  count = local.with_connection ? 1 : 0

  security_group_id            = aws_security_group.connection[0].id
  description                  = "Glue workers of the connection talk to each other"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = aws_security_group.connection[0].id
}

resource "aws_vpc_security_group_egress_rule" "connection_self" {
  count = local.with_connection ? 1 : 0

  security_group_id            = aws_security_group.connection[0].id
  description                  = "Glue workers of the connection talk to each other"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = aws_security_group.connection[0].id
}

resource "aws_vpc_security_group_egress_rule" "connection_endpoints" {
  count = local.with_connection ? 1 : 0

  security_group_id = aws_security_group.connection[0].id
  description       = "Interface VPC endpoints (Secrets Manager, Glue, logs, KMS)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_egress_rule" "connection_s3" {
  count = local.with_connection ? 1 : 0

  security_group_id = aws_security_group.connection[0].id
  description       = "S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = var.s3_prefix_list_id
}

resource "aws_vpc_security_group_egress_rule" "connection_onprem" {
  for_each = {
    for pair in(local.with_connection ? setproduct(var.onprem_cidrs, var.onprem_ports) : []) : "${pair[0]}:${pair[1]}" => pair
  }

  security_group_id = aws_security_group.connection[0].id
  description       = "On-prem database ${each.key}"
  ip_protocol       = "tcp"
  from_port         = each.value[1]
  to_port           = each.value[1]
  cidr_ipv4         = each.value[0]
}

resource "aws_glue_connection" "network" {
  count = local.with_connection ? 1 : 0

  name            = "${var.name_prefix}-feeds-network"
  description     = "Private subnet for the database feeds (on-prem through VPN / Direct Connect)"
  connection_type = "NETWORK"

  physical_connection_requirements {
    availability_zone      = var.availability_zone
    subnet_id              = var.subnet_id
    security_group_id_list = [aws_security_group.connection[0].id]
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# The jobs
# ---------------------------------------------------------------------------------------------

resource "aws_glue_job" "feed" {
  for_each = var.feeds

  name                   = each.key
  description            = each.value.description
  role_arn               = aws_iam_role.job[each.key].arn
  security_configuration = var.security_configuration
  timeout                = var.timeout_minutes
  connections            = each.value.kind == "database" ? [aws_glue_connection.network[0].name] : []

  # Glue 5.0 runs the script on Python 3.11 and Spark 3.5, the versions it is tested with (Python
  # shell jobs stop at 3.9, below pyarrow's). engine python reads on the driver: 2 workers, Glue's
  # least; engine spark reads on number_of_workers - 1 executors (feeds.yaml workers:).
  glue_version      = "5.0"
  worker_type       = each.value.worker_type
  number_of_workers = each.value.number_of_workers

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${var.buckets.scripts}/${aws_s3_object.script.key}"
  }

  default_arguments = merge(
    {
      "--job-language"                     = "python"
      "--enable-continuous-cloudwatch-log" = "true"
      "--extra-py-files"                   = "s3://${var.buckets.scripts}/${aws_s3_object.package.key}"
      # The pyarrow and pg8000 (a PostgreSQL source's driver) the script is tested with
      # (requirements-dev.lock; a test keeps them equal), not the older pyarrow Glue bundles.
      "--additional-python-modules" = "pyarrow==${var.pyarrow_version},pg8000==${var.pg8000_version}"
    },
    local.static_arguments[each.key],
    local.engine_arguments[each.key],
  )

  # Two runs of one feed would replace the same partition: one at a time (the DAG's max_active_runs
  # is 1 as well).
  execution_property {
    max_concurrent_runs = 1
  }

  tags = merge(var.tags, { feed = each.value.name })

  depends_on = [aws_iam_role_policy.job]
}
