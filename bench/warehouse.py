"""The sandbox a warehouse benchmark runs on: its session, its bucket and the Redshift Serverless
workgroup its statements run on.

The sandbox's Redshift Data API refuses a statement for a workgroup that does not exist, as AWS
does, so a benchmark creates its own (what `sandbox.provision` and Terraform's warehouse module do
for an environment).
"""

from __future__ import annotations

import os
from typing import Any

SPECTRUM_ROLE = "arn:aws:iam::111111111111:role/RedshiftSpectrumRole"
REGION = "eu-west-1"


def sandbox_session(endpoint_url: str, bucket: str) -> tuple[Any, Any]:
    """(boto3 session, S3 client) on the sandbox, with `bucket` created; AWS_ENDPOINT_URL points
    every other client of the process (awswrangler's too) at the sandbox."""
    import boto3

    os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    s3 = session.client("s3", endpoint_url=endpoint_url)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    return session, s3


def create_workgroup(session: Any, endpoint_url: str, target: dict[str, str]) -> None:
    """A namespace and workgroup named `target["WorkgroupName"]`, database `target["Database"]`."""
    serverless = session.client("redshift-serverless", endpoint_url=endpoint_url)
    name = target["WorkgroupName"]
    serverless.create_namespace(namespaceName=name, dbName=target["Database"], iamRoles=[SPECTRUM_ROLE])
    serverless.create_workgroup(workgroupName=name, namespaceName=name)
