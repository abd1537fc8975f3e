"""The AppFlow sandbox's control endpoints (unsigned, under /_sandbox/appflow/): what a test or a
demo in another process uses to steer the emulation.

- POST /_sandbox/appflow/inject  {"flowName", "mode": "fail"|"hang"|"partial"|"duplicate_id"|"null_field",
  "message"?, "field"? (null_field: the field nulled, default Name)}
- POST /_sandbox/appflow/clock   {"connectorProfileName", "now": ISO 8601}
- POST /_sandbox/appflow/fields  {"connectorProfileName", "object", "name", "type", "label"?, ...}
- GET  /_sandbox/appflow/records?connectorProfileName=P&object=O[&includeDeleted=true]
- POST /_sandbox/appflow/change  {"connectorProfileName", "object", "operation", "ids", "masterId"?}:
  delete, undelete, merge (ids merged into masterId), purge (empty the Recycle Bin of ids) or
  hard_delete, at the org's clock, with Salesforce's semantics (sandbox/salesforce/lifecycle.py)
- GET  /_sandbox/appflow/limits?connectorProfileName=P   the org's API allowance, spent and refused
  requests per day, and the most runs it saw at once
- POST /_sandbox/appflow/limits  {"connectorProfileName"?, "dailyApiCalls"?, "concurrentRuns"?}
  (no profile: every org's allowance; concurrentRuns: AppFlow's account quota)
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.appflow.injection import Injections
from sandbox.appflow.runner import Runner
from sandbox.protocol import Request, Response
from sandbox.salesforce import FieldSpec, RecordRejectedError, UnknownObjectError
from sandbox.salesforce.limits import org_day
from sandbox.salesforce.orgs import OrgDirectory
from sandbox.salesforce.values import parse_datetime, to_json

PREFIX = "/_sandbox/appflow/"
_CHANGES = frozenset({"delete", "undelete", "purge", "hard_delete"})
_FIELD_OPTIONS = (
    "label",
    "nillable",
    "creatable",
    "updatable",
    "external_id",
    "incremental_timestamp",
    "length",
)


def _reply(status: int, document: object) -> Response:
    return Response(status, json.dumps(document).encode(), {"Content-Type": "application/json"})


class ControlEndpoints:
    def __init__(self, injections: Injections, orgs: OrgDirectory, runner: Runner | None = None) -> None:
        self.injections = injections
        self.orgs = orgs
        self.runner = runner

    def handle(self, request: Request) -> Response:
        action = request.path.removeprefix(PREFIX).strip("/")
        try:
            body: dict[str, Any] = json.loads(request.body or b"{}")
            if request.method == "GET" and action == "records":
                return self._records(request)
            if action == "limits" and self.runner is not None:
                return self._limits(request, body)
            if request.method == "POST" and action == "inject":
                pending = self.injections.add(
                    str(body["flowName"]),
                    str(body["mode"]),
                    str(body.get("message", "")),
                    str(body.get("field", "")),
                )
                return _reply(200, {"flowName": body["flowName"], "mode": body["mode"], "pending": pending})
            if request.method == "POST" and action == "clock":
                org = self.orgs.get(str(body["connectorProfileName"]))
                org.set_clock(parse_datetime(str(body["now"])))
                return _reply(200, {"now": to_json(org.clock)})
            if request.method == "POST" and action == "fields":
                return self._add_field(body)
            if request.method == "POST" and action == "change":
                return self._change(body)
        except RecordRejectedError as error:
            return _reply(400, {"code": error.code, "message": error.message})
        except (KeyError, ValueError, UnknownObjectError) as error:
            return _reply(400, {"message": f"bad control request: {error!r}"})
        return _reply(404, {"message": f"unknown control endpoint {request.method} {request.path}"})

    def _records(self, request: Request) -> Response:
        profile = request.query["connectorProfileName"][0]
        object_name = request.query["object"][0]
        deleted = request.query.get("includeDeleted", ["false"])[0].lower() == "true"
        rows = self.orgs.get(profile).records(object_name, include_deleted=deleted)
        return _reply(200, {"records": [{k: to_json(v) for k, v in row.items()} for row in rows]})

    def _change(self, body: dict[str, Any]) -> Response:
        org = self.orgs.get(str(body["connectorProfileName"]))
        object_name, operation = str(body["object"]), str(body["operation"])
        ids = [str(record_id) for record_id in body["ids"]]
        if operation == "merge":
            changed = org.merge(object_name, str(body["masterId"]), ids)
        elif operation in _CHANGES:
            changed = getattr(org, operation)(object_name, ids)
        else:
            raise ValueError(f"operation {operation!r} is not one of merge, {', '.join(sorted(_CHANGES))}")
        return _reply(200, {"operation": operation, "changed": changed, "at": to_json(org.clock)})

    def _limits(self, request: Request, body: dict[str, Any]) -> Response:
        assert self.runner is not None
        if request.method == "POST":
            profile = body.get("connectorProfileName")
            if "dailyApiCalls" in body:
                self.runner.limits.set_allowance(
                    None if profile is None else str(profile), int(body["dailyApiCalls"])
                )
            if "concurrentRuns" in body:
                self.runner.concurrency.quota = int(body["concurrentRuns"])
            if profile is None:
                return _reply(200, {"concurrentRunsQuota": self.runner.concurrency.quota})
        else:
            profile = request.query["connectorProfileName"][0]
        org = self.orgs.get(str(profile))
        with self.runner.lock:
            peak = self.runner.concurrency.peak(str(profile))
        return _reply(
            200,
            {
                "connectorProfileName": profile,
                "day": org_day(org.clock).isoformat(),
                **self.runner.limits.report(str(profile)),
                "peakConcurrentRuns": peak,
                "concurrentRunsQuota": self.runner.concurrency.quota,
            },
        )

    def _add_field(self, body: dict[str, Any]) -> Response:
        options = {key: body[key] for key in _FIELD_OPTIONS if key in body}
        spec = FieldSpec(str(body["name"]), body["type"], **options)
        self.orgs.get(str(body["connectorProfileName"])).add_field(str(body["object"]), spec)
        return _reply(200, {"object": body["object"], "field": spec.name})
