"""AppFlow's rest-json errors: HTTP status, `x-amzn-ErrorType` header and a `message` body, which
botocore turns into the ClientError codes callers catch (ResourceNotFoundException, ...)."""

from __future__ import annotations

import json
from typing import ClassVar

from sandbox.protocol import Response


class AppflowError(Exception):
    code: ClassVar[str] = "InternalServerException"
    status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def response(self) -> Response:
        body = json.dumps({"message": self.message}).encode()
        return Response(
            self.status, body, {"Content-Type": "application/json", "x-amzn-ErrorType": self.code}
        )


class ValidationError(AppflowError):
    code = "ValidationException"
    status = 400


class NotFoundError(AppflowError):
    code = "ResourceNotFoundException"
    status = 404


class ConflictError(AppflowError):
    code = "ConflictException"
    status = 409


class UnsupportedOperationError(AppflowError):
    code = "UnsupportedOperationException"
    status = 400


class ConnectorServerError(AppflowError):
    """What AppFlow answers when Salesforce itself refuses (unknown object, ...)."""

    code = "ConnectorServerException"
    status = 400


class UnknownOperationError(AppflowError):
    code = "UnknownOperationException"
    status = 404
