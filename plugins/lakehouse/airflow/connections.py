"""Clients from an operator's Airflow connection for what its own hook does not cover: S3 beside
another service's hook, and awswrangler, which reads its own config, not Airflow's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
from airflow.providers.amazon.aws.hooks.s3 import S3Hook

if TYPE_CHECKING:
    import boto3
    from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
    from mypy_boto3_s3 import S3Client


def s3_client(operator: AwsBaseOperator[Any]) -> S3Client:
    """An S3 client from the same connection (and so the same endpoint) as the operator's hook."""
    hook = S3Hook(
        aws_conn_id=operator.aws_conn_id,
        region_name=operator.region_name,
        verify=operator.verify,
        config=operator.botocore_config,
    )
    client: S3Client = hook.conn
    return client


def wrangler_session(aws_conn_id: str | None, region_name: str | None = None) -> boto3.Session:
    """A boto3 session from the Airflow connection, with awswrangler pointed at its endpoints.

    On AWS the connection has no endpoint and nothing changes; on the sandbox the same code
    reaches the sandbox, because the endpoints come from the connection like every other client's.
    """
    import awswrangler as wr

    hook = AwsBaseHook(aws_conn_id=aws_conn_id, region_name=region_name, client_type="s3")
    config = hook.conn_config
    wr.config.s3_endpoint_url = config.get_service_endpoint_url("s3")
    wr.config.glue_endpoint_url = config.get_service_endpoint_url("glue")
    return hook.get_session(region_name=region_name)
