"""The contract between the sandbox gateway and the services it serves itself.

The gateway reads the signing service name from the SigV4 Authorization header
(`Credential=AKID/DATE/REGION/SERVICE/aws4_request`) and offers the request to the service
registered under that name. A service answers with a Response, or with None to hand the request
on to moto (e.g. Glue: job runs are ours, the catalog stays moto's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    service: str
    region: str
    account_id: str = "123456789012"

    @property
    def target(self) -> str:
        """The JSON-protocol operation (`X-Amz-Target: RedshiftData.ExecuteStatement` -> ExecuteStatement)."""
        return self.headers.get("X-Amz-Target", self.headers.get("x-amz-target", "")).rpartition(".")[2]


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Service(Protocol):
    """A service the sandbox serves itself instead of (or in front of) moto."""

    signing_name: str

    def handle(self, request: Request) -> Response | None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SandboxContext:
    """What every sandbox service is built with.

    `endpoint_url` is the gateway's own URL: a service that needs another AWS service (AppFlow
    writing Parquet to S3, Redshift Data reading the Glue catalog) calls it through boto3 like any
    client would, so moto's state stays the single source of truth.
    """

    endpoint_url: str
    state_dir: str
    region: str = "eu-west-1"
    account_id: str = "123456789012"


class ServiceFactory(Protocol):
    def __call__(self, context: SandboxContext) -> Service: ...
