"""Parse botocore's service models once per process, not once per session.

Every boto3 session gets a fresh botocore `Loader`, and a loader caches the JSON it parses only
for itself. The Amazon provider's hooks make a session per hook, awswrangler and the S3 hook
more, so one task builds several sessions, and each parses `endpoints.json`, the partitions and
the service model of every client it creates again: measured here, the 26 client creations of
one ingest DAG run (dag.test, in one process) spent 11 of its 26 seconds in botocore's JSON
loading. The models are read-only data files of the installed botocore, so one loader per data
path can serve every session of the process.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import botocore.loaders
import botocore.session

_lock = threading.Lock()


@functools.cache
def _loader(search_path_string: str | None) -> botocore.loaders.Loader:
    return botocore.loaders.create_loader(search_path_string)


def _shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
    with _lock:  # a loader's own cache is a dict filled on first use: one builder at a time
        return _loader(search_path_string)


def share_service_models() -> None:
    """Make every botocore session of this process use one loader per data path. Idempotent."""
    current: Any = botocore.session.create_loader
    if current is not _shared_loader:
        botocore.session.create_loader = _shared_loader
