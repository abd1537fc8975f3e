"""The sandbox's own S3, reached through the gateway like any client would, so moto stays the one
place where objects live."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

from sandbox.protocol import SandboxContext

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def s3_client(context: SandboxContext) -> S3Client:
    """A client of its own session: boto3's default session is not safe to share across threads."""
    return boto3.session.Session().client(
        "s3",
        endpoint_url=context.endpoint_url,
        region_name=context.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fixed test credentials
    )


def list_keys(client: S3Client, bucket: str, prefix: str) -> list[str]:
    """Every object key under `prefix` (folders markers ending in '/' left out), sorted."""
    keys: list[str] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", []) if not item["Key"].endswith("/")]
    return sorted(keys)


def join_key(*parts: str) -> str:
    """An S3 key from path parts, without empty segments or doubled slashes."""
    return "/".join(part.strip("/") for part in parts if part and part.strip("/"))
