"""Answers in the AWS JSON protocol (`X-Amz-Target` operations), shared by this service's handlers.

botocore reads an error's code from `__type` and its text from `message`, so both are always set.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.protocol import Response

CONTENT_TYPE = "application/x-amz-json-1.1"


class ApiError(Exception):
    """An error the API itself answers (4xx), as opposed to a script or engine error reported as FAILED."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def ok(body: dict[str, Any]) -> Response:
    return Response(200, json.dumps(body, default=str).encode(), {"Content-Type": CONTENT_TYPE})


def error(err: ApiError) -> Response:
    body = {"__type": err.code, "message": err.message, "Message": err.message}
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
