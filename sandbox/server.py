"""The sandbox as a server: the gateway on 127.0.0.1 in a background thread.

`Sandbox` is what tests and `python -m sandbox up` use. It tracks every connection and handler
thread so `stop()` leaves nothing behind, even with boto3 clients still holding keep-alive
connections open.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import ThreadedWSGIServer

from lakehouse.aws.service_models import share_service_models
from sandbox.gateway import Environ, Gateway, StartResponse
from sandbox.protocol import SandboxContext, Service
from sandbox.registry import DEFAULT_REGISTRATIONS, Registration, ServiceRegistry

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
_JOIN_TIMEOUT = 5.0


class _QuietHandler(MotoRequestHandler):
    """moto's handler (keeps underscored S3 metadata headers), logging each request at DEBUG only."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("%s %s -> %s", self.command, getattr(self, "path", "?"), code)


class _TrackingServer(ThreadedWSGIServer):
    """A threaded WSGI server that knows its open connections and handler threads."""

    daemon_threads = True

    def __init__(self, host: str, port: int, app: Any) -> None:
        self._tracking_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        super().__init__(host, port, app, handler=_QuietHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._handle, args=(request, client_address), name="sandbox-request", daemon=True
        )
        with self._tracking_lock:
            self._connections.add(request)
            self._handlers.add(thread)
        thread.start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._tracking_lock:
                self._connections.discard(request)
                self._handlers.discard(threading.current_thread())

    def close_connections(self) -> None:
        """Wake every handler blocked on a keep-alive read, then wait for the handlers to end."""
        with self._tracking_lock:
            connections = list(self._connections)
            handlers = list(self._handlers)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)
        for thread in handlers:
            thread.join(_JOIN_TIMEOUT)


class Sandbox:
    """Local AWS on one endpoint.

    `with Sandbox() as sandbox: boto3.client("s3", endpoint_url=sandbox.endpoint_url, ...)`
    """

    def __init__(
        self,
        port: int = 0,
        state_dir: str | Path | None = None,
        *,
        region: str = "eu-west-1",
        registrations: Sequence[Registration] = DEFAULT_REGISTRATIONS,
        preload: bool = False,
        host: str = HOST,
    ) -> None:
        """`host` is 127.0.0.1 unless a container must be reached by its neighbours (0.0.0.0
        inside docker-compose); the sandbox's own calls to itself always use the loopback."""
        self._host = host
        self._requested_port = port
        self._own_state_dir = state_dir is None
        self.state_dir = Path(state_dir or tempfile.mkdtemp(prefix="sandbox-"))
        self.region = region
        self.registrations = registrations
        self.preload = preload
        self._server: _TrackingServer | None = None
        self._thread: threading.Thread | None = None
        self._registry: ServiceRegistry | None = None
        self._gateway: Gateway | None = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return f"http://{HOST}:{self._server.server_port}"  # its own services call it on the loopback

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return int(self._server.server_port)

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        share_service_models()  # the services' own boto3 clients (catalog reads, runs' S3 writes)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            server = _TrackingServer(self._host, self._requested_port, self._dispatch)
        except SystemExit as error:  # werkzeug exits the process when the port is taken
            raise OSError(f"cannot listen on {self._host}:{self._requested_port}") from error
        self._server = server
        context = SandboxContext(
            endpoint_url=self.endpoint_url, state_dir=str(self.state_dir), region=self.region
        )
        self._registry = ServiceRegistry(context, self.registrations)
        self._gateway = Gateway(self._registry)
        if self.preload:
            self._registry.preload()  # logs each service: ready, or skipped and why
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="sandbox-server", daemon=True
        )
        self._thread.start()
        return self

    def service(self, name: str) -> Service:
        """The running service for a signing name (`appflow`) or a control path (`/_sandbox/webhooks/`)."""
        if self._registry is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        found = (
            self._registry.for_path(name) if name.startswith("/") else self._registry.for_signing_name(name)
        )
        if found is None:
            raise KeyError(f"no sandbox service for {name}")
        return found

    def stop(self) -> None:
        """Close the services (ending their runs), then the server, its connections and threads."""
        server, thread, registry = self._server, self._thread, self._registry
        self._server = self._thread = self._registry = self._gateway = None
        if registry is not None:
            registry.close()
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if thread is not None:
            thread.join(_JOIN_TIMEOUT)

    def _dispatch(self, environ: Environ, start_response: StartResponse) -> Any:
        gateway = self._gateway
        if gateway is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"sandbox stopping"]
        return gateway(environ, start_response)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
