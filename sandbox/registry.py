"""Which sandbox service serves which requests, and building each one once, on first use.

A registration names its factory by dotted path (`package.module:Attribute`) so the gateway imports
nothing it does not serve: a service whose module does not exist yet (written later, or optional)
is skipped with one log line and its requests go to moto.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sandbox.protocol import SandboxContext, Service, ServiceFactory

log = logging.getLogger(__name__)

CONTROL_ROOT = "/_sandbox/"


@dataclass(frozen=True)
class Registration:
    """A factory, the SigV4 signing names it serves and the unsigned control paths it owns."""

    factory: str
    signing_names: tuple[str, ...] = ()
    control_prefixes: tuple[str, ...] = ()


DEFAULT_REGISTRATIONS: tuple[Registration, ...] = (
    Registration("sandbox.appflow.service:AppflowService", ("appflow",), ("/_sandbox/appflow/",)),
    Registration(
        "sandbox.redshift_data.service:RedshiftDataService", ("redshift-data",), ("/_sandbox/redshift-data/",)
    ),
    Registration("sandbox.glue_jobs.service:GlueJobService", ("glue",)),
    Registration(
        "sandbox.glue_crawlers.service:GlueCrawlerService", ("glue",), ("/_sandbox/glue-crawlers/",)
    ),
    Registration("sandbox.redshift_serverless.service:RedshiftServerlessService", ("redshift-serverless",)),
    Registration("sandbox.webhooks.service:WebhookReceiver", (), ("/_sandbox/webhooks/",)),
    Registration("sandbox.feeds.service:FeedSources", (), ("/_sandbox/feeds/",)),
)


def load_factory(dotted: str) -> ServiceFactory | None:
    """The factory at `module:attribute`, or None (logged) when that module or attribute is absent.

    A ModuleNotFoundError raised for some *other* module (a dependency the service imports) is not
    swallowed: that is a broken service, not a missing one.
    """
    module_name, _, attribute = dotted.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            log.warning("sandbox service %s skipped: module %s does not exist", dotted, missing)
            return None
        raise
    factory = getattr(module, attribute, None)
    if factory is None:
        log.warning("sandbox service %s skipped: %s has no attribute %s", dotted, module_name, attribute)
        return None
    return cast(ServiceFactory, factory)


class ServiceRegistry:
    """Builds services lazily (thread-safe, once each) and closes the ones it built."""

    def __init__(
        self, context: SandboxContext, registrations: Sequence[Registration] = DEFAULT_REGISTRATIONS
    ) -> None:
        self.context = context
        self.registrations = tuple(registrations)
        self._lock = threading.Lock()
        self._built: dict[str, Service | None] = {}
        self._closed = False

    def for_signing_name(self, signing_name: str) -> Service | None:
        """The first service registered for `signing_name` (what `Sandbox.service(name)` returns)."""
        services = self.all_for_signing_name(signing_name)
        return services[0] if services else None

    def all_for_signing_name(self, signing_name: str) -> list[Service]:
        """Every service registered for `signing_name`, in registration order: the gateway offers a
        request to each until one answers (Glue: job runs, then crawlers, then moto)."""
        found = [self._build(r) for r in self.registrations if signing_name in r.signing_names]
        return [service for service in found if service is not None]

    def for_path(self, path: str) -> Service | None:
        """The service owning the longest control prefix that `path` starts with."""
        best: tuple[int, Registration] | None = None
        for registration in self.registrations:
            for prefix in registration.control_prefixes:
                if path.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), registration)
        return self._build(best[1]) if best else None

    def preload(self) -> dict[str, bool]:
        """Build every service now (e.g. at `python -m sandbox up`); factory -> available."""
        return {
            registration.factory: self._build(registration) is not None for registration in self.registrations
        }

    def available(self) -> list[str]:
        """Factories built so far and present."""
        with self._lock:
            return [name for name, service in self._built.items() if service is not None]

    def close(self) -> None:
        """Close every service built, newest first; later requests get no service."""
        with self._lock:
            self._closed = True
            services = [service for service in self._built.values() if service is not None]
        for service in reversed(services):
            service.close()

    def _build(self, registration: Registration) -> Service | None:
        with self._lock:
            if self._closed:
                return None
            if registration.factory not in self._built:
                factory = load_factory(registration.factory)
                service = factory(self.context) if factory else None
                if service is not None:
                    log.info("sandbox service %s ready", registration.factory)
                self._built[registration.factory] = service
            return self._built[registration.factory]
