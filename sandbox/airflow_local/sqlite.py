"""How long the local stack's SQLite metadata DB waits for a writer before it gives up.

Every Airflow component of `make airflow` (api-server, scheduler, dag-processor, triggerer) writes
to one SQLite file. Python's sqlite3 waits 5 s for a lock, and on a busy 2-core machine the
dag-processor's or scheduler's write transactions can hold it longer: the api-server then answers
a backfill request with 503 ("Database is locked ... not supported on SQLite under concurrent
access"). Waiting longer turns that into a short delay. MWAA runs PostgreSQL, where none of this
applies; Airflow reads these dicts by import path (`[database] sql_alchemy_connect_args` and its
`_async` twin), so they must stay plain module-level values.
"""

from __future__ import annotations

from typing import Final

LOCK_TIMEOUT_SECONDS: Final = 30.0

# sqlite3.connect(**CONNECT_ARGS); aiosqlite.connect passes its keyword arguments on to it. Two
# dicts, not one shared: Airflow adds check_same_thread to the sync one in place.
CONNECT_ARGS: Final[dict[str, float]] = {"timeout": LOCK_TIMEOUT_SECONDS}
CONNECT_ARGS_ASYNC: Final[dict[str, float]] = {"timeout": LOCK_TIMEOUT_SECONDS}

CONNECT_ARGS_PATH: Final = f"{__name__}.CONNECT_ARGS"
CONNECT_ARGS_ASYNC_PATH: Final = f"{__name__}.CONNECT_ARGS_ASYNC"
