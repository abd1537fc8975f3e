"""One endpoint for the whole local AWS: our services first, moto for everything else.

Routing, in order:
1. unsigned requests under `/_sandbox/` go to the service owning that control prefix
   (`GET /_sandbox/health` is answered here: which services are up);
2. signed requests (SigV4 `Authorization` header, or `X-Amz-Credential` in a presigned URL) are
   offered to the services registered for their signing name, in order; each answers or returns
   None (the next one is asked);
3. everything else, and whatever a service declines, goes to moto's own WSGI app, in-process.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Request as WerkzeugRequest

from sandbox.protocol import Request, Response, SandboxContext, Service
from sandbox.registry import CONTROL_ROOT, ServiceRegistry

log = logging.getLogger(__name__)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


def signing_scope(authorization: str, query_credential: str = "") -> tuple[str, str] | None:
    """(region, signing service) from a SigV4 Authorization header or presigned X-Amz-Credential."""
    match = _CREDENTIAL_SCOPE.search(authorization)
    if match is None and query_credential:
        match = _CREDENTIAL_SCOPE.search("Credential=" + query_credential)
    return (match.group(1), match.group(2)) if match else None


def json_response(status: int, document: object) -> Response:
    return Response(status, json.dumps(document).encode(), {"Content-Type": "application/json"})


class Gateway:
    """The WSGI app: `Gateway(registry)(environ, start_response)`."""

    def __init__(self, registry: ServiceRegistry) -> None:
        self.registry = registry
        self.context: SandboxContext = registry.context
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        scope = signing_scope(environ.get("HTTP_AUTHORIZATION", ""), query.get("X-Amz-Credential", [""])[0])
        if scope is None and path.startswith(CONTROL_ROOT):
            return self._control(environ, path, query, start_response)
        services = self.registry.all_for_signing_name(scope[1]) if scope else []
        if not services or scope is None:
            return self._to_moto(environ, start_response)
        body = self._read_body(environ)
        request = self._request(environ, path, query, body, service=scope[1], region=scope[0])
        for service in services:
            response = self._offer(service, request)
            if response is not None:
                return self._send(response, start_response)
        return self._to_moto(environ, start_response)

    def _control(
        self, environ: Environ, path: str, query: dict[str, list[str]], start_response: StartResponse
    ) -> Iterable[bytes]:
        if path.rstrip("/") == CONTROL_ROOT + "health":
            services = self.registry.available()
            return self._send(json_response(200, {"status": "ok", "services": services}), start_response)
        service = self.registry.for_path(path)
        if service is None:
            message = f"no sandbox service serves {path}"
            return self._send(json_response(404, {"message": message}), start_response)
        body = self._read_body(environ)
        request = self._request(
            environ, path, query, body, service=service.signing_name, region=self.context.region
        )
        response = self._offer(service, request)
        if response is None:
            response = json_response(404, {"message": f"{service.signing_name} does not serve {path}"})
        return self._send(response, start_response)

    def _offer(self, service: Service, request: Request) -> Response | None:
        """The service's answer; an unexpected error becomes a 500 the client can read (boundary)."""
        try:
            return service.handle(request)
        except Exception as error:
            log.exception(
                "sandbox service %s failed on %s %s", service.signing_name, request.method, request.path
            )
            return Response(
                500,
                json.dumps({"message": f"sandbox {service.signing_name} error: {error!r}"}).encode(),
                {"Content-Type": "application/json", "x-amzn-ErrorType": "InternalServerException"},
            )

    @staticmethod
    def _read_body(environ: Environ) -> bytes:
        """Read the body once and put it back, so moto can still read it if the service declines."""
        body = WerkzeugRequest(environ, shallow=False).get_data(cache=True)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        return body

    def _request(
        self,
        environ: Environ,
        path: str,
        query: dict[str, list[str]],
        body: bytes,
        *,
        service: str,
        region: str,
    ) -> Request:
        headers = dict(WerkzeugRequest(environ, shallow=True).headers.items())
        return Request(
            method=environ.get("REQUEST_METHOD", "GET"),
            path=path,
            query=query,
            headers=headers,
            body=body,
            service=service,
            region=region,
            account_id=self.context.account_id,
        )

    def _to_moto(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """moto's answer. moto raises (before responding) for a service it does not know: say so
        with a 501, which clients do not retry, instead of werkzeug's HTML 500."""
        try:
            result: Iterable[bytes] = self.moto(environ, start_response)
        except Exception as error:  # noqa: BLE001 - boundary: moto's dispatcher on an unknown service
            log.warning(
                "moto cannot serve %s %s: %r", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), error
            )
            message = f"neither the sandbox nor moto serves this request ({error!r})"
            response = Response(
                501,
                json.dumps({"message": message}).encode(),
                {"Content-Type": "application/json", "x-amzn-ErrorType": "NotImplemented"},
            )
            return self._send(response, start_response)
        return result

    @staticmethod
    def _send(response: Response, start_response: StartResponse) -> Iterable[bytes]:
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Unknown"
        headers = dict(response.headers)
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
        headers = {name: value for name, value in headers.items() if name.lower() != "content-length"}
        headers["Content-Length"] = str(len(response.body))
        start_response(f"{response.status} {reason}", list(headers.items()))
        return [response.body]
