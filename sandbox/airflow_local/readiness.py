"""Wait for an HTTP endpoint to answer: the components have no other readiness signal we can use."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable


def answers(url: str, timeout: float = 2.0) -> bool:
    """True when `url` answers with any HTTP status (a 401 still means the server is up)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):  # noqa: S310 (a local http URL we built)
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def wait_until_answers(url: str, timeout: float, still_running: Callable[[], bool] = lambda: True) -> bool:
    """Poll `url` until it answers, `timeout` passes, or `still_running()` turns False (a crash)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(url):
            return True
        if not still_running():
            return False
        time.sleep(0.3)
    return False
