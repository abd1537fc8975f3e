"""Redshift Serverless' namespace and workgroup operations (JSON protocol,
`X-Amz-Target: RedshiftServerless.<Operation>`), per region, as Terraform's
`aws_redshiftserverless_namespace` / `_workgroup` and `sandbox.provision` create them.

Only what a warehouse's existence needs: Create/Get/List/Delete of namespaces and workgroups. A
workgroup is AVAILABLE at once (AWS takes minutes); deleting a namespace that still has a
workgroup is a ConflictException, as on AWS. Anything else answers ValidationException.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.awsjson import ApiError, RequestOperation, dispatch_request, error
from sandbox.protocol import Request, Response, SandboxContext

_NAME = re.compile(r"[a-z0-9-]{3,64}")
PORT = 5439


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Namespace:
    name: str
    region: str
    account_id: str
    db_name: str = "dev"
    admin_username: str = "admin"
    iam_roles: list[str] = field(default_factory=list)
    default_iam_role_arn: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: str = field(default_factory=_now)

    @property
    def arn(self) -> str:
        return f"arn:aws:redshift-serverless:{self.region}:{self.account_id}:namespace/{self.id}"

    def describe(self, status: str = "AVAILABLE") -> dict[str, Any]:
        document: dict[str, Any] = {
            "namespaceName": self.name,
            "namespaceId": self.id,
            "namespaceArn": self.arn,
            "dbName": self.db_name,
            "adminUsername": self.admin_username,
            "iamRoles": list(self.iam_roles),
            "creationDate": self.created,
            "status": status,
            "logExports": [],
        }
        if self.default_iam_role_arn:
            document["defaultIamRoleArn"] = self.default_iam_role_arn
        return document


@dataclass
class Workgroup:
    name: str
    namespace: str
    region: str
    account_id: str
    base_capacity: int = 128
    options: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: str = field(default_factory=_now)

    @property
    def arn(self) -> str:
        return f"arn:aws:redshift-serverless:{self.region}:{self.account_id}:workgroup/{self.id}"

    def describe(self, status: str = "AVAILABLE") -> dict[str, Any]:
        address = f"{self.name}.{self.account_id}.{self.region}.redshift-serverless.amazonaws.com"
        return {
            "workgroupName": self.name,
            "workgroupId": self.id,
            "workgroupArn": self.arn,
            "namespaceName": self.namespace,
            "baseCapacity": self.base_capacity,
            "creationDate": self.created,
            "status": status,
            "endpoint": {"address": address, "port": int(self.options.get("port") or PORT)},
            "port": int(self.options.get("port") or PORT),
            "configParameters": list(self.options.get("configParameters") or []),
            "enhancedVpcRouting": bool(self.options.get("enhancedVpcRouting", False)),
            "publiclyAccessible": bool(self.options.get("publiclyAccessible", False)),
            "securityGroupIds": list(self.options.get("securityGroupIds") or []),
            "subnetIds": list(self.options.get("subnetIds") or []),
        }


_WORKGROUP_OPTIONS = (
    "port",
    "configParameters",
    "enhancedVpcRouting",
    "publiclyAccessible",
    "securityGroupIds",
    "subnetIds",
)


class RedshiftServerlessService:
    signing_name = "redshift-serverless"

    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self._lock = threading.Lock()
        self._namespaces: dict[tuple[str, str], Namespace] = {}
        self._workgroups: dict[tuple[str, str], Workgroup] = {}
        self._operations: dict[str, RequestOperation] = {
            "CreateNamespace": self._create_namespace,
            "GetNamespace": self._get_namespace,
            "ListNamespaces": self._list_namespaces,
            "DeleteNamespace": self._delete_namespace,
            "CreateWorkgroup": self._create_workgroup,
            "GetWorkgroup": self._get_workgroup,
            "ListWorkgroups": self._list_workgroups,
            "DeleteWorkgroup": self._delete_workgroup,
        }

    def handle(self, request: Request) -> Response | None:
        answer = dispatch_request(self._operations, request)
        if answer is None:
            return error(
                ApiError(
                    "ValidationException", f"The sandbox does not serve Redshift Serverless {request.target}"
                )
            )
        return answer

    def close(self) -> None:
        """Nothing runs in the background."""

    def workgroup_exists(self, region: str, name: str) -> bool:
        with self._lock:
            return (region, name) in self._workgroups

    # Namespaces -------------------------------------------------------------------------------

    def _create_namespace(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        name = _name(body, "namespaceName")
        with self._lock:
            if (request.region, name) in self._namespaces:
                raise ApiError("ConflictException", f"Namespace {name} already exists")
            namespace = Namespace(
                name=name,
                region=request.region,
                account_id=request.account_id,
                db_name=str(body.get("dbName") or "dev"),
                admin_username=str(body.get("adminUsername") or "admin"),
                iam_roles=[str(role) for role in body.get("iamRoles") or []],
                default_iam_role_arn=body.get("defaultIamRoleArn"),
            )
            self._namespaces[(request.region, name)] = namespace
            return {"namespace": namespace.describe()}

    def _get_namespace(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            return {"namespace": self._namespace(request.region, _name(body, "namespaceName")).describe()}

    def _list_namespaces(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            found = [
                n.describe()
                for (region, _), n in sorted(self._namespaces.items())
                if region == request.region
            ]
        return _page(body, found, "namespaces")

    def _delete_namespace(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        name = _name(body, "namespaceName")
        with self._lock:
            namespace = self._namespace(request.region, name)
            users = [
                w.name
                for w in self._workgroups.values()
                if w.region == request.region and w.namespace == name
            ]
            if users:
                raise ApiError(
                    "ConflictException",
                    f"Namespace {name} has workgroups {', '.join(users)}: delete them first",
                )
            del self._namespaces[(request.region, name)]
            return {"namespace": namespace.describe("DELETING")}

    def _namespace(self, region: str, name: str) -> Namespace:
        namespace = self._namespaces.get((region, name))
        if namespace is None:
            raise _not_found(f"Namespace {name} does not exist.", name)
        return namespace

    # Workgroups -------------------------------------------------------------------------------

    def _create_workgroup(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        name = _name(body, "workgroupName")
        namespace = _name(body, "namespaceName")
        with self._lock:
            self._namespace(request.region, namespace)
            if (request.region, name) in self._workgroups:
                raise ApiError("ConflictException", f"Workgroup {name} already exists")
            taken = [
                w.name
                for w in self._workgroups.values()
                if w.region == request.region and w.namespace == namespace
            ]
            if taken:
                raise ApiError("ConflictException", f"Namespace {namespace} already has workgroup {taken[0]}")
            workgroup = Workgroup(
                name=name,
                namespace=namespace,
                region=request.region,
                account_id=request.account_id,
                base_capacity=int(body.get("baseCapacity") or 128),
                options={key: body[key] for key in _WORKGROUP_OPTIONS if key in body},
            )
            self._workgroups[(request.region, name)] = workgroup
            return {"workgroup": workgroup.describe()}

    def _get_workgroup(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            return {"workgroup": self._workgroup(request.region, _name(body, "workgroupName")).describe()}

    def _list_workgroups(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        with self._lock:
            found = [
                w.describe()
                for (region, _), w in sorted(self._workgroups.items())
                if region == request.region
            ]
        return _page(body, found, "workgroups")

    def _delete_workgroup(self, body: dict[str, Any], request: Request) -> dict[str, Any]:
        name = _name(body, "workgroupName")
        with self._lock:
            workgroup = self._workgroup(request.region, name)
            del self._workgroups[(request.region, name)]
            return {"workgroup": workgroup.describe("DELETING")}

    def _workgroup(self, region: str, name: str) -> Workgroup:
        workgroup = self._workgroups.get((region, name))
        if workgroup is None:
            raise _not_found(f"Workgroup {name} does not exist.", name)
        return workgroup


def _name(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ApiError("ValidationException", f"{key} must be 3-64 lowercase letters, digits or hyphens")
    return value


def _not_found(message: str, resource: str) -> ApiError:
    return ApiError("ResourceNotFoundException", message, extra={"resourceName": resource})


def _page(body: dict[str, Any], items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    start = int(body.get("nextToken") or 0)
    limit = int(body.get("maxResults") or 100)
    page: dict[str, Any] = {key: items[start : start + limit]}
    if start + limit < len(items):
        page["nextToken"] = str(start + limit)
    return page
