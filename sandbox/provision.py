"""Create in the sandbox what Terraform creates on AWS for one environment of the config.

Buckets per zone, a Salesforce connector profile per org, one on-demand AppFlow flow per object
and profile (Salesforce -> S3 Parquet with typed columns, S3 -> Salesforce upserts with an error
location), a Glue database per profile, the alert topic and the webhook secret. Idempotent: what
exists is left as it is, so `make airflow`, the demo and the tests can all call it.

    python -m sandbox provision --endpoint http://127.0.0.1:4566 --config-dir include/config --env dev
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from lakehouse.config import load_config
from lakehouse.plan import DagPlan, ProfilePlan, plan_environment
from lakehouse.plan.dags import RECONCILE_PARTITION
from sandbox.feeds.provisioning import provision_feeds

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/_sandbox/webhooks/alerts"


@dataclass
class Provisioned:
    buckets: list[str] = field(default_factory=list)
    connector_profiles: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    glue_databases: list[str] = field(default_factory=list)
    feed_jobs: list[str] = field(default_factory=list)


def provision(endpoint_url: str, config_dir: Path, env: str, region: str | None = None) -> Provisioned:
    config = load_config(config_dir)
    if env not in config.environments:
        raise ValueError(f"environment '{env}' is not defined or not valid in {config_dir}: {config.error()}")
    environment = config.environments[env]
    session = boto3.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the sandbox's fixed credentials
        region_name=region or environment.region,
    )

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]

    done = Provisioned()
    s3, appflow, glue = client("s3"), client("appflow"), client("glue")
    buckets = environment.buckets
    for bucket in (buckets.raw, buckets.curated, buckets.results, buckets.scripts):
        _ignore_exists(
            lambda b=bucket: s3.create_bucket(
                Bucket=b, CreateBucketConfiguration={"LocationConstraint": session.region_name}
            )
        )
        done.buckets.append(bucket)
    for profile in environment.connector_profiles:
        _ignore_exists(lambda p=profile: appflow.create_connector_profile(**_connector_profile(p)))
        done.connector_profiles.append(profile)
    for plan in plan_environment(config, env):
        for profile_plan in plan.profiles:
            request = _flow(plan, profile_plan, buckets.results)
            _ignore_exists(lambda r=request: appflow.create_flow(**r))
            done.flows.append(request["flowName"])
            if plan.direction != "upsert" and profile_plan.glue_database not in done.glue_databases:
                _ignore_exists(
                    lambda d=profile_plan.glue_database: glue.create_database(DatabaseInput={"Name": d})
                )
                done.glue_databases.append(profile_plan.glue_database)
            if plan.direction == "reconcile":
                _ignore_exists(lambda p=profile_plan: glue.create_table(**live_ids_table(p)))
    _alerts(
        client("sns"),
        client("secretsmanager"),
        environment.alerts.sns_topic_arn,
        environment.alerts.webhook_secret,
        endpoint_url,
    )
    done.feed_jobs = provision_feeds(client, config, env, endpoint_url)
    return done


def _connector_profile(name: str) -> dict[str, Any]:
    return {
        "connectorProfileName": name,
        "connectorType": "Salesforce",
        "connectionMode": "Public",
        "connectorProfileConfig": {
            "connectorProfileProperties": {
                "Salesforce": {"instanceUrl": f"https://{name}.my.salesforce.com"}
            },
            "connectorProfileCredentials": {"Salesforce": {"accessToken": "sandbox"}},
        },
    }


def live_ids_table(profile: ProfilePlan) -> dict[str, Any]:
    """CreateTable for `<table>__live_ids`: what infra/modules/catalog creates (a fixed schema)."""
    return {
        "DatabaseName": profile.glue_database,
        "TableInput": {
            "Name": profile.live_ids_table,
            "Description": f"Ids live in Salesforce at each reconciliation of {profile.table}",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
            "PartitionKeys": [{"Name": RECONCILE_PARTITION, "Type": "timestamp"}],
            "StorageDescriptor": {
                "Columns": [{"Name": "id", "Type": "string"}],
                "Location": profile.live_ids_location,
                "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "SerdeInfo": {
                    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                    "Parameters": {"serialization.format": "1"},
                },
            },
        },
    }


def _flow(plan: DagPlan, profile: ProfilePlan, results_bucket: str) -> dict[str, Any]:
    flow = plan.flow
    base: dict[str, Any] = {
        "flowName": profile.appflow_flow,
        "description": flow.description,
        "triggerConfig": {"triggerType": "OnDemand"},
    }
    if plan.direction == "reconcile":
        return base | _ids_flow(plan, profile)
    map_all = {
        "taskType": "Map_all",
        "sourceFields": [],
        "connectorOperator": {"Salesforce" if plan.direction == "ingest" else "S3": "NO_OP"},
        "taskProperties": {"EXCLUDE_SOURCE_FIELDS_LIST": "[]"},
    }
    if plan.direction == "ingest":
        return base | {
            "sourceFlowConfig": {
                "connectorType": "Salesforce",
                "connectorProfileName": profile.profile,
                "sourceConnectorProperties": {
                    "Salesforce": {
                        "object": flow.sf_object,
                        "includeDeletedRecords": flow.include_deleted_records,
                        "dataTransferApi": flow.data_transfer_api,
                    }
                },
            },
            "destinationFlowConfigList": [
                {
                    "connectorType": "S3",
                    "destinationConnectorProperties": {
                        "S3": {
                            "bucketName": profile.bucket,
                            "bucketPrefix": profile.prefix,
                            "s3OutputFormatConfig": {"fileType": "PARQUET", "preserveSourceDataTyping": True},
                        }
                    },
                }
            ],
            "tasks": [map_all],
        }
    return base | {
        "sourceFlowConfig": {
            "connectorType": "S3",
            "sourceConnectorProperties": {
                "S3": {
                    "bucketName": profile.bucket,
                    "bucketPrefix": profile.prefix,
                    "s3InputFormatConfig": {"s3InputFileType": "JSON"},
                }
            },
        },
        "destinationFlowConfigList": [
            {
                "connectorType": "Salesforce",
                "connectorProfileName": profile.profile,
                "destinationConnectorProperties": {
                    "Salesforce": {
                        "object": flow.sf_object,
                        "writeOperationType": "UPSERT",
                        "idFieldNames": list(flow.upsert_field_list),
                        "errorHandlingConfig": {
                            "failOnFirstDestinationError": False,
                            "bucketName": results_bucket,
                            "bucketPrefix": f"errors/{profile.table}",
                        },
                    }
                },
            }
        ],
        "tasks": [map_all],
    }


def _ids_flow(plan: DagPlan, profile: ProfilePlan) -> dict[str, Any]:
    """The reconciliation's flow: every live record's Id (no Recycle Bin), through Bulk API 2.0,
    which reads millions of Ids in a few API calls where the REST API pages 2,000 at a time."""
    return {
        "flowName": profile.live_ids_flow,
        "description": f"Ids of the live {plan.flow.sf_object} records (reconciliation)",
        "sourceFlowConfig": {
            "connectorType": "Salesforce",
            "connectorProfileName": profile.profile,
            "sourceConnectorProperties": {
                "Salesforce": {
                    "object": plan.flow.sf_object,
                    "includeDeletedRecords": False,
                    "dataTransferApi": "BULKV2",
                }
            },
        },
        "destinationFlowConfigList": [
            {
                "connectorType": "S3",
                "destinationConnectorProperties": {
                    "S3": {
                        "bucketName": profile.bucket,
                        "bucketPrefix": profile.live_ids_prefix,
                        "s3OutputFormatConfig": {"fileType": "PARQUET", "preserveSourceDataTyping": True},
                    }
                },
            }
        ],
        "tasks": [
            {"taskType": "Filter", "sourceFields": ["Id"], "connectorOperator": {"Salesforce": "PROJECTION"}},
            {
                "taskType": "Map",
                "sourceFields": ["Id"],
                "destinationField": "Id",
                "connectorOperator": {"Salesforce": "NO_OP"},
                "taskProperties": {"DESTINATION_DATA_TYPE": "id", "SOURCE_DATA_TYPE": "id"},
            },
        ],
    }


def _alerts(sns: Any, secrets: Any, topic_arn: str, secret_name: str, endpoint_url: str) -> None:
    # The topic lives in the account of its configured ARN: moto files resources under the account
    # a request names (x-moto-account-id) and resolves a published-to ARN by its own account.
    account = topic_arn.split(":")[4]

    def in_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    sns.meta.events.register("before-sign.sns.CreateTopic", in_account)
    created = sns.create_topic(Name=topic_arn.rsplit(":", 1)[1])["TopicArn"]  # idempotent in SNS
    if created != topic_arn:
        raise RuntimeError(f"the sandbox created {created}, not the configured {topic_arn}")
    secret = json.dumps(
        {"webhooks": [{"name": "sandbox", "kind": "generic", "url": endpoint_url + WEBHOOK_PATH}]}
    )
    _ignore_exists(lambda: secrets.create_secret(Name=secret_name, SecretString=secret))


def _ignore_exists(call: Any) -> None:
    try:
        call()
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code not in {
            "BucketAlreadyOwnedByYou",
            "BucketAlreadyExists",
            "ConflictException",
            "AlreadyExistsException",
            "ResourceExistsException",
        }:
            raise
