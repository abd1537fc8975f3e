"""AppFlow's operations (the rest-json paths botocore posts to) over the in-memory state.

Each operation takes the parsed JSON body and the request's region (its SigV4 scope) and returns
the JSON document to send, or raises an AppflowError. Validation is what a caller relies on: unknown
names are ResourceNotFoundException, duplicates ConflictException, invalid definitions
ValidationException.

Flows and connector profiles are regional, as on AWS: one created in a region is found there only,
and its ARN names that region. The Salesforce org behind a profile is outside AWS: profiles of the
same name in two regions reach the same org.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from sandbox.appflow.entities import describe_entity, list_entities
from sandbox.appflow.errors import (
    ConflictError,
    ConnectorServerError,
    NotFoundError,
    UnsupportedOperationError,
    ValidationError,
)
from sandbox.appflow.injection import Injections
from sandbox.appflow.model import DEFINITION_KEYS, ConnectorProfile, Document, Flow, now
from sandbox.appflow.runner import Runner
from sandbox.appflow.tasks import TaskError, plan_tasks
from sandbox.protocol import SandboxContext
from sandbox.salesforce import UnknownObjectError
from sandbox.salesforce.orgs import OrgDirectory

_NAME = re.compile(r"[a-zA-Z0-9][\w!@#.-]+")
_SUPPORTED_ROUTES = {("Salesforce", "S3"), ("S3", "Salesforce")}
_DEFAULT_PAGE = 20

Operation = Callable[[Document, str], Document]


def _required(body: Document, *keys: str) -> None:
    for key in keys:
        if body.get(key) is None:
            raise ValidationError(
                f"1 validation error detected: Value null at '{key}' failed to satisfy constraint"
            )


def _page(
    body: Document, items: list[Document], default: int = _DEFAULT_PAGE
) -> tuple[list[Document], str | None]:
    limit = int(body.get("maxResults") or default)
    token = body.get("nextToken")
    try:
        start = int(token) if token else 0
    except ValueError as error:
        raise ValidationError(f"Invalid nextToken {token}") from error
    end = start + limit
    return items[start:end], (str(end) if end < len(items) else None)


class AppflowApi:
    def __init__(self, context: SandboxContext, orgs: OrgDirectory, injections: Injections) -> None:
        self.context = context
        self.orgs = orgs
        self.lock = threading.RLock()
        self._regional_flows: dict[str, dict[str, Flow]] = {}
        self._regional_profiles: dict[str, dict[str, ConnectorProfile]] = {}
        self.runner = Runner(context, orgs.get, injections, self.lock)
        self.operations: dict[str, Operation] = {
            "/create-connector-profile": self.create_connector_profile,
            "/update-connector-profile": self.update_connector_profile,
            "/describe-connector-profiles": self.describe_connector_profiles,
            "/delete-connector-profile": self.delete_connector_profile,
            "/describe-connector-entity": self.describe_connector_entity,
            "/list-connector-entities": self.list_connector_entities,
            "/create-flow": self.create_flow,
            "/describe-flow": self.describe_flow,
            "/update-flow": self.update_flow,
            "/delete-flow": self.delete_flow,
            "/list-flows": self.list_flows,
            "/start-flow": self.start_flow,
            "/stop-flow": self.stop_flow,
            "/cancel-flow-executions": self.cancel_flow_executions,
            "/describe-flow-execution-records": self.describe_flow_execution_records,
        }

    def flows(self, region: str) -> dict[str, Flow]:
        """The region's flows by name (caller holds the lock to change them)."""
        return self._regional_flows.setdefault(region, {})

    def profiles(self, region: str) -> dict[str, ConnectorProfile]:
        """The region's connector profiles by name."""
        return self._regional_profiles.setdefault(region, {})

    def _arn(self, region: str, kind: str, name: str) -> str:
        return f"arn:aws:appflow:{region}:{self.context.account_id}:{kind}/{name}"

    # -- connector profiles -----------------------------------------------------------------

    def create_connector_profile(self, body: Document, region: str) -> Document:
        _required(body, "connectorProfileName", "connectorType", "connectionMode", "connectorProfileConfig")
        name = str(body["connectorProfileName"])
        if not re.fullmatch(r"[\w/!@#+=.-]+", name):
            raise ValidationError(f"Invalid connectorProfileName {name}")
        with self.lock:
            if name in self.profiles(region):
                raise ConflictError(f"Connector profile {name} already exists")
            config = body["connectorProfileConfig"]
            self.profiles(region)[name] = ConnectorProfile(
                name=name,
                arn=self._arn(region, "connectorprofile", name),
                connector_type=str(body["connectorType"]),
                connection_mode=str(body["connectionMode"]),
                properties=dict(config.get("connectorProfileProperties") or {}),
                label=body.get("connectorLabel"),
            )
            return {"connectorProfileArn": self.profiles(region)[name].arn}

    def update_connector_profile(self, body: Document, region: str) -> Document:
        _required(body, "connectorProfileName", "connectionMode", "connectorProfileConfig")
        with self.lock:
            profile = self._profile(region, str(body["connectorProfileName"]))
            profile.connection_mode = str(body["connectionMode"])
            profile.properties = dict(body["connectorProfileConfig"].get("connectorProfileProperties") or {})
            profile.updated_at = now()
            return {"connectorProfileArn": profile.arn}

    def describe_connector_profiles(self, body: Document, region: str) -> Document:
        names = body.get("connectorProfileNames")
        with self.lock:
            found = [
                profile.describe()
                for profile in self.profiles(region).values()
                if (not names or profile.name in names)
                and (not body.get("connectorType") or profile.connector_type == body["connectorType"])
            ]
        page, token = _page(body, found)
        return {"connectorProfileDetails": page, **({"nextToken": token} if token else {})}

    def delete_connector_profile(self, body: Document, region: str) -> Document:
        _required(body, "connectorProfileName")
        name = str(body["connectorProfileName"])
        with self.lock:
            self._profile(region, name)
            users = [
                flow.name for flow in self.flows(region).values() if name in _profiles_of(flow.definition)
            ]
            if users and not body.get("forceDelete"):
                raise ConflictError(f"Connector profile {name} is used by flows {', '.join(users)}")
            del self.profiles(region)[name]
            in_use = any(name in profiles for profiles in self._regional_profiles.values())
        if not in_use:  # the org is forgotten once no region has a profile for it
            self.orgs.forget(name)
        return {}

    def _profile(self, region: str, name: str) -> ConnectorProfile:
        profile = self.profiles(region).get(name)
        if profile is None:
            raise NotFoundError(f"Connector profile {name} does not exist")
        return profile

    # -- connector entities -----------------------------------------------------------------

    def _salesforce_profile(self, body: Document, region: str) -> str:
        connector_type = str(body.get("connectorType") or "Salesforce")
        if connector_type != "Salesforce":
            raise ValidationError(f"The sandbox describes Salesforce entities only, not {connector_type}")
        _required(body, "connectorProfileName")
        name = str(body["connectorProfileName"])
        with self.lock:
            self._profile(region, name)
        return name

    def describe_connector_entity(self, body: Document, region: str) -> Document:
        _required(body, "connectorEntityName")
        profile = self._salesforce_profile(body, region)
        try:
            schema = self.orgs.get(profile).describe(str(body["connectorEntityName"]))
        except UnknownObjectError as error:
            raise ConnectorServerError(str(error)) from error
        return describe_entity(schema)

    def list_connector_entities(self, body: Document, region: str) -> Document:
        profile = self._salesforce_profile(body, region)
        return list_entities(self.orgs.get(profile).object_names())

    # -- flows ------------------------------------------------------------------------------

    def _definition(self, body: Document, region: str) -> Document:
        _required(body, "flowName", "triggerConfig", "sourceFlowConfig", "destinationFlowConfigList", "tasks")
        if not _NAME.fullmatch(str(body["flowName"])):
            raise ValidationError(f"Invalid flowName {body['flowName']}")
        definition = {key: body[key] for key in DEFINITION_KEYS if key in body}
        trigger = definition["triggerConfig"]
        trigger.setdefault("triggerProperties", {})
        if trigger.get("triggerType") == "Scheduled" and "Scheduled" not in trigger["triggerProperties"]:
            raise ValidationError("A Scheduled trigger needs triggerProperties.Scheduled.scheduleExpression")
        source = definition["sourceFlowConfig"]
        destinations = definition["destinationFlowConfigList"]
        if len(destinations) != 1:
            raise ValidationError("The sandbox supports exactly one destination per flow")
        route = (str(source["connectorType"]), str(destinations[0]["connectorType"]))
        if route not in _SUPPORTED_ROUTES:
            raise ValidationError(f"The sandbox does not support {route[0]} to {route[1]} flows")
        for config, key in (
            (source, "sourceConnectorProperties"),
            (destinations[0], "destinationConnectorProperties"),
        ):
            if config["connectorType"] not in config.get(key, {}):
                raise ValidationError(f"{key} must hold {config['connectorType']} properties")
        self._check_salesforce(definition, region)
        try:
            plan_tasks(definition["tasks"], route[0])
        except TaskError as error:
            raise ValidationError(str(error)) from error
        return definition

    def _check_salesforce(self, definition: Document, region: str) -> None:
        source = definition["sourceFlowConfig"]
        destination = definition["destinationFlowConfigList"][0]
        for config, key in (
            (source, "sourceConnectorProperties"),
            (destination, "destinationConnectorProperties"),
        ):
            if config["connectorType"] != "Salesforce":
                continue
            if not config.get("connectorProfileName"):
                raise ValidationError("A Salesforce connector needs a connectorProfileName")
            with self.lock:
                self._profile(region, str(config["connectorProfileName"]))
            object_name = str(config[key]["Salesforce"].get("object", ""))
            try:
                self.orgs.get(str(config["connectorProfileName"])).describe(object_name)
            except UnknownObjectError as error:
                raise ConnectorServerError(str(error)) from error

    def _flow(self, region: str, name: str) -> Flow:
        flow = self.flows(region).get(name)
        if flow is None:
            raise NotFoundError(f"Flow {name} does not exist")
        return flow

    def create_flow(self, body: Document, region: str) -> Document:
        definition = self._definition(body, region)
        name = str(body["flowName"])
        with self.lock:
            if name in self.flows(region):
                raise ConflictError(f"Flow {name} already exists")
            status = "Active" if definition["triggerConfig"]["triggerType"] == "OnDemand" else "Draft"
            flow = Flow(
                name, self._arn(region, "flow", name), definition, dict(body.get("tags") or {}), status
            )
            self.flows(region)[name] = flow
            return {"flowArn": flow.arn, "flowStatus": flow.status}

    def describe_flow(self, body: Document, region: str) -> Document:
        _required(body, "flowName")
        with self.lock:
            return self._flow(region, str(body["flowName"])).describe()

    def update_flow(self, body: Document, region: str) -> Document:
        definition = self._definition(body, region)
        with self.lock:
            flow = self._flow(region, str(body["flowName"]))
            flow.definition = definition
            flow.updated_at = now()
            if definition["triggerConfig"]["triggerType"] == "OnDemand":
                flow.status = "Active"
            return {"flowStatus": flow.status}

    def delete_flow(self, body: Document, region: str) -> Document:
        _required(body, "flowName")
        with self.lock:
            flow = self._flow(region, str(body["flowName"]))
            running = [execution for execution in flow.executions if not execution.finished]
            if running and not body.get("forceDelete"):
                raise ConflictError(f"Flow {flow.name} has runs in progress")
            del self.flows(region)[flow.name]
        for execution in running:
            self.runner.cancel(execution)
        return {}

    def list_flows(self, body: Document, region: str) -> Document:
        with self.lock:
            flows = [flow.summary() for flow in sorted(self.flows(region).values(), key=lambda f: f.name)]
        page, token = _page(body, flows)
        return {"flows": page, **({"nextToken": token} if token else {})}

    def start_flow(self, body: Document, region: str) -> Document:
        _required(body, "flowName")
        with self.lock:
            flow = self._flow(region, str(body["flowName"]))
            if flow.trigger_type != "OnDemand":
                flow.status = "Active"  # activates the schedule; the sandbox runs no schedule itself
                return {"flowArn": flow.arn, "flowStatus": flow.status}
            execution = self.runner.start(flow)
            return {"flowArn": flow.arn, "flowStatus": flow.status, "executionId": execution.id}

    def stop_flow(self, body: Document, region: str) -> Document:
        _required(body, "flowName")
        with self.lock:
            flow = self._flow(region, str(body["flowName"]))
            if flow.trigger_type == "OnDemand":
                raise UnsupportedOperationError(
                    f"Flow {flow.name} is on demand - stop applies to scheduled and event flows"
                )
            flow.status = "Suspended"
            return {"flowArn": flow.arn, "flowStatus": flow.status}

    def cancel_flow_executions(self, body: Document, region: str) -> Document:
        _required(body, "flowName")
        with self.lock:
            flow = self._flow(region, str(body["flowName"]))
            wanted = body.get("executionIds")
            chosen = [e for e in flow.executions if (wanted is None or e.id in wanted)]
            unknown = [item for item in wanted or [] if item not in {e.id for e in flow.executions}]
        invalid = unknown + [execution.id for execution in chosen if not self.runner.cancel(execution)]
        return {"invalidExecutions": invalid} if wanted is not None else {"invalidExecutions": []}

    def describe_flow_execution_records(self, body: Document, region: str) -> Document:
        _required(body, "flowName")
        with self.lock:
            flow = self._flow(region, str(body["flowName"]))
            records = [execution.describe() for execution in reversed(flow.executions)]
        page, token = _page(body, records)
        return {"flowExecutions": page, **({"nextToken": token} if token else {})}


def _profiles_of(definition: Document) -> set[str]:
    configs: list[Any] = [definition["sourceFlowConfig"], *definition["destinationFlowConfigList"]]
    return {str(config["connectorProfileName"]) for config in configs if config.get("connectorProfileName")}
