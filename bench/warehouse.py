"""The Redshift Serverless workgroup a warehouse benchmark's statements run on.

The sandbox's Redshift Data API refuses a statement for a workgroup that does not exist, as AWS
does, so a benchmark creates its own (what `sandbox.provision` and Terraform's warehouse module do
for an environment).
"""

from __future__ import annotations

from typing import Any

SPECTRUM_ROLE = "arn:aws:iam::111111111111:role/RedshiftSpectrumRole"


def create_workgroup(session: Any, endpoint_url: str, target: dict[str, str]) -> None:
    """A namespace and workgroup named `target["WorkgroupName"]`, database `target["Database"]`."""
    serverless = session.client("redshift-serverless", endpoint_url=endpoint_url)
    name = target["WorkgroupName"]
    serverless.create_namespace(namespaceName=name, dbName=target["Database"], iamRoles=[SPECTRUM_ROLE])
    serverless.create_workgroup(workgroupName=name, namespaceName=name)
