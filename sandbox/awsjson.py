"""Answers in the AWS JSON protocol (`X-Amz-Target` operations), shared by the sandbox's JSON services.

botocore reads an error's code from `__type` and its text from `message`, so both are always set.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sandbox.protocol import Request, Response

CONTENT_TYPE = "application/x-amz-json-1.1"


class ApiError(Exception):
    """An error the API itself answers (4xx), as opposed to a script or engine error reported as FAILED."""

    def __init__(
        self, code: str, message: str, status: int = 400, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra or {}
        """Other members of the error's shape (Redshift Data's ResourceNotFoundException: ResourceId)."""


def ok(body: dict[str, Any]) -> Response:
    return Response(200, json.dumps(body, default=str).encode(), {"Content-Type": CONTENT_TYPE})


def error(err: ApiError) -> Response:
    body = {**err.extra, "__type": err.code, "message": err.message, "Message": err.message}
    return Response(
        err.status,
        json.dumps(body).encode(),
        {"Content-Type": CONTENT_TYPE, "x-amzn-ErrorType": err.code},
    )


def parse_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object; an empty body is an empty request, as botocore sends it."""
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ApiError("SerializationException", f"Request body is not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise ApiError("SerializationException", "Request body must be a JSON object")
    return parsed


Operation = Callable[[dict[str, Any]], dict[str, Any]]


def dispatch(operations: Mapping[str, Operation], request: Request) -> Response | None:
    """Answer a JSON-protocol request with the operation named by its X-Amz-Target, or None
    (hand it on to moto) when the operation is not one of ours."""
    operation = operations.get(request.target)
    if operation is None:
        return None
    try:
        return ok(operation(parse_body(request.body)))
    except ApiError as exc:
        return error(exc)


RequestOperation = Callable[[dict[str, Any], Request], dict[str, Any]]
"""An operation that also needs the request: its region (SigV4 scope) and account."""


def dispatch_request(operations: Mapping[str, RequestOperation], request: Request) -> Response | None:
    """`dispatch` for operations that keep state per region: each gets the body and the request."""
    operation = operations.get(request.target)
    if operation is None:
        return None
    try:
        return ok(operation(parse_body(request.body), request))
    except ApiError as exc:
        return error(exc)
