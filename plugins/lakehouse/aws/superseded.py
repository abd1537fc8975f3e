"""Which files under a partition's path a finished load may delete. Pure: tested without a network.

Each load writes a folder of its own under the interval's path (AppFlow's `<flow>/<execution
id>/`), and the catalog is moved to it only once the load is checked, so a failed rerun leaves
the previous load registered and readable. What earlier loads left behind is then garbage, but
two loads of one interval can overlap (a backfill and a scheduled run), and the other one may
have written a newer folder that it has not registered yet, or registered after this task read
the catalog. So the rule reads the catalog first and deletes only files older than every file of
the folder it points at: never the registered load, never anything newer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredFile:
    key: str
    last_modified: dt.datetime


def superseded(files: Iterable[StoredFile], registered_prefix: str) -> list[str]:
    """The keys older than the registered folder's oldest file. Nothing when that folder holds no
    file: then there is no load to keep instead, and deleting could lose the only copy."""
    listed = list(files)
    registered = [f.last_modified for f in listed if f.key.startswith(registered_prefix)]
    if not registered:
        return []
    oldest = min(registered)
    older = (f for f in listed if f.last_modified < oldest)
    return sorted(f.key for f in older if not f.key.startswith(registered_prefix))
