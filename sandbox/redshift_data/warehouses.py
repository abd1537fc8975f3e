"""Which warehouses exist: the Data API runs SQL only on a cluster or workgroup that exists in the
request's region, and refuses it once the warehouse is deleted.

Clusters are moto's (`redshift` CreateCluster / DeleteCluster); workgroups are the sandbox's own
Redshift Serverless service (moto 5.2.5 has none). Both are asked through the gateway like any
client would, on every statement, so a deletion is seen at once. The refusal is what the Data API
answers for an endpoint it cannot resolve: `ValidationException: Redshift endpoint doesn't exist in
this region.` (observed verbatim in aws/aws-cdk#30536).
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.exceptions import ClientError

from sandbox.awsjson import ApiError
from sandbox.protocol import SandboxContext

TEST_KEY, TEST_SECRET = "testing", "testing"  # moto accepts any; nothing here can reach real AWS
MISSING = "Redshift endpoint doesn't exist in this region."


class Warehouses:
    def __init__(self, context: SandboxContext) -> None:
        self._context = context
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}

    def check(self, region: str, target: dict[str, str]) -> None:
        """ApiError(ValidationException) unless the target's cluster or workgroup exists in `region`."""
        if "ClusterIdentifier" in target:
            exists = self._cluster_exists(region, target["ClusterIdentifier"])
        else:
            exists = self._workgroup_exists(region, target["WorkgroupName"])
        if not exists:
            raise ApiError("ValidationException", MISSING)

    def _cluster_exists(self, region: str, identifier: str) -> bool:
        try:
            clusters = self._client("redshift", region).describe_clusters(ClusterIdentifier=identifier)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ClusterNotFound":
                return False
            raise
        return any(c.get("ClusterStatus") != "deleting" for c in clusters.get("Clusters", []))

    def _workgroup_exists(self, region: str, name: str) -> bool:
        try:
            self._client("redshift-serverless", region).get_workgroup(workgroupName=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"ResourceNotFoundException", "ValidationException"}:
                return False
            raise
        return True

    def _client(self, service: str, region: str) -> Any:
        """One client per service and region (creating one costs ~1 s; a client is thread-safe)."""
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:
                client = boto3.session.Session().client(
                    service,  # type: ignore[call-overload]
                    endpoint_url=self._context.endpoint_url,
                    region_name=region,
                    aws_access_key_id=TEST_KEY,
                    aws_secret_access_key=TEST_SECRET,
                )
                self._clients[(service, region)] = client
            return client
