"""The AppFlow service the gateway serves for the `appflow` signing name and `/_sandbox/appflow/`.

Python callers (tests) can also steer it directly: `inject()`, `org()`.
"""

from __future__ import annotations

import json
import logging

from sandbox.appflow.api import AppflowApi
from sandbox.appflow.control import PREFIX, ControlEndpoints
from sandbox.appflow.errors import AppflowError, UnknownOperationError, ValidationError
from sandbox.appflow.injection import Injections
from sandbox.protocol import Request, Response, SandboxContext
from sandbox.salesforce import SalesforceOrg
from sandbox.salesforce.orgs import OrgDirectory, OrgSettings

log = logging.getLogger(__name__)


class AppflowService:
    signing_name = "appflow"

    def __init__(self, context: SandboxContext, settings: OrgSettings | None = None) -> None:
        self.context = context
        self.orgs = OrgDirectory(settings or OrgSettings.from_env())
        self.injections = Injections()
        self.api = AppflowApi(context, self.orgs, self.injections)
        self.control = ControlEndpoints(self.injections, self.orgs, self.api.runner)

    def handle(self, request: Request) -> Response | None:
        if request.path.startswith(PREFIX):
            return self.control.handle(request)
        operation = self.api.operations.get(request.path.rstrip("/"))
        try:
            if operation is None or request.method != "POST":
                raise UnknownOperationError(f"The sandbox does not serve {request.method} {request.path}")
            try:
                body = json.loads(request.body or b"{}")
            except json.JSONDecodeError as error:
                raise ValidationError(f"Request body is not JSON: {error}") from error
            document = operation(body, request.region)
        except AppflowError as error:
            log.info("appflow %s: %s %s", request.path, error.code, error.message)
            return error.response()
        return Response(200, json.dumps(document).encode(), {"Content-Type": "application/json"})

    def inject(self, flow_name: str, mode: str, message: str = "", field: str = "") -> int:
        """Make the next run of `flow_name` fail, hang, partly fail or land a bad load
        (sandbox/appflow/injection.py); returns the pending count."""
        return self.injections.add(flow_name, mode, message, field)

    def org(self, connector_profile: str) -> SalesforceOrg:
        """The emulated org behind a connector profile."""
        return self.orgs.get(connector_profile)

    def close(self) -> None:
        self.api.runner.close()
