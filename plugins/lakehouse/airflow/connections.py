"""The connection's endpoints for awswrangler, which reads its own config, not Airflow's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

if TYPE_CHECKING:
    import boto3


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
