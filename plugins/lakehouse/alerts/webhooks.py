"""Webhooks from the secret, posted with bounded retries, and never shown with their URL.

A webhook URL is a credential (anyone holding a Slack or Teams incoming-webhook URL can post to the
channel), so nothing here puts one in a log line, an exception or a result: a webhook is named by
`redact()` (its name, host and a short hash that tells two URLs apart).
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from lakehouse.alerts.formats import KINDS, Kind, payload
from lakehouse.alerts.message import Alert

TRIES = 3
TIMEOUT_SECONDS = 3.0
"""Per try: a chat webhook answers in well under a second; a hung one must not hold the worker."""
BACKOFF_SECONDS = 0.5
"""First pause between tries; doubles each time (0.5 s, 1 s)."""
DEADLINE_SECONDS = 12.0
"""Per webhook, all tries and pauses included; webhooks are posted in parallel, so this bounds
the whole webhook step (the brief: well under 15 s)."""

_RETRYABLE_STATUS = {408, 425, 429}


@dataclass(frozen=True)
class Webhook:
    name: str
    kind: Kind
    url: str

    def __repr__(self) -> str:  # dataclass's repr would print the URL
        return f"Webhook({redact(self)})"

    __str__ = __repr__


@dataclass(frozen=True)
class WebhookResult:
    """How a delivery ended; `webhook` is the redacted name, safe to log."""

    webhook: str
    ok: bool
    tries: int
    detail: str


def redact(webhook: Webhook) -> str:
    """`name (host, #hash)`: enough to find the webhook in the secret, not enough to post to it."""
    digest = hashlib.sha256(webhook.url.encode()).hexdigest()[:8]
    host = urlsplit(webhook.url).hostname or "?"
    return f"{webhook.name} ({host}, #{digest})"


def parse_webhooks(secret: str | bytes | None) -> tuple[list[Webhook], list[str]]:
    """The webhooks of a secret `{"webhooks": [{"name", "kind", "url"}, ...]}`, and its problems.

    A bad entry is skipped with a problem and the good ones are kept, so one typo does not silence
    every channel. Problems never quote a URL (or the secret's text, which holds them).
    """
    if secret is None:
        return [], ["the webhook secret is empty"]
    try:
        document = json.loads(secret)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return [], [f"the webhook secret is not JSON (line {getattr(exc, 'lineno', '?')})"]
    entries = document.get("webhooks") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return [], ['the webhook secret has no "webhooks" list']
    webhooks: list[Webhook] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        webhook, problem = _webhook(index, entry)
        if webhook:
            webhooks.append(webhook)
        if problem:
            problems.append(problem)
    return webhooks, problems


def _webhook(index: int, entry: Any) -> tuple[Webhook | None, str | None]:
    if not isinstance(entry, dict):
        return None, f"webhook #{index + 1} is not an object"
    name = entry.get("name")
    label = f"webhook #{index + 1}" + (f" '{name}'" if isinstance(name, str) else "")
    kind, url = entry.get("kind", "generic"), entry.get("url")
    if not isinstance(name, str) or not name.strip():
        return None, f"{label} has no name"
    if kind not in KINDS:
        return None, f"{label}: kind must be one of {', '.join(KINDS)}"
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        return None, f"{label}: url must be an http(s) URL"
    return Webhook(name.strip(), cast(Kind, kind), cast(str, url)), None


Sleep = Callable[[float], None]


def deliver(
    webhooks: Sequence[Webhook],
    alert: Alert,
    *,
    tries: int = TRIES,
    timeout: float = TIMEOUT_SECONDS,
    backoff: float = BACKOFF_SECONDS,
    deadline: float = DEADLINE_SECONDS,
    sleep: Sleep = time.sleep,
) -> list[WebhookResult]:
    """Post the alert to every webhook at once (so one slow webhook does not delay the others)."""
    if not webhooks:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(webhooks)), thread_name_prefix="alert-webhook") as pool:
        futures = [
            pool.submit(post, w, payload(w.kind, alert), tries, timeout, backoff, deadline, sleep)
            for w in webhooks
        ]
        return [f.result() for f in futures]


def post(
    webhook: Webhook,
    body: dict[str, Any],
    tries: int = TRIES,
    timeout: float = TIMEOUT_SECONDS,
    backoff: float = BACKOFF_SECONDS,
    deadline: float = DEADLINE_SECONDS,
    sleep: Sleep = time.sleep,
) -> WebhookResult:
    """POST with retries on 5xx, 408/425/429, timeouts and connection errors; never raises for those.

    A 4xx other than those is final (a retry sends the same body and gets the same answer).
    """
    data = json.dumps(body).encode()
    started = time.monotonic()
    detail = "not tried"
    attempt = 0
    for attempt in range(1, tries + 1):
        remaining = deadline - (time.monotonic() - started)
        if remaining <= 0:
            detail += "; deadline reached"
            break
        status, detail = _post_once(webhook, data, min(timeout, remaining))
        if status is not None and 200 <= status < 300:
            return WebhookResult(redact(webhook), True, attempt, detail)
        retryable = status is None or status >= 500 or status in _RETRYABLE_STATUS
        if not retryable or attempt == tries:
            break
        pause = backoff * 2 ** (attempt - 1)
        if time.monotonic() - started + pause >= deadline:
            detail += "; deadline reached"
            break
        sleep(pause)
    return WebhookResult(redact(webhook), False, attempt, detail)


def _post_once(webhook: Webhook, data: bytes, timeout: float) -> tuple[int | None, str]:
    """(HTTP status or None, a redacted description); transport errors are caught here, narrowly."""
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in parse_webhooks
        webhook.url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - see above
            return int(response.status), f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return None, _scrub(f"connection failed: {type(exc.reason).__name__}: {exc.reason}", webhook)
    except TimeoutError:
        return None, f"timed out after {timeout:.1f} s"
    except OSError as exc:  # reset, refused mid-read, ...: the transport's failures, not ours
        return None, _scrub(f"connection failed: {type(exc).__name__}: {exc}", webhook)


def _scrub(text: str, webhook: Webhook) -> str:
    """Belt and braces: an OS error message should not hold the URL, but never let it through."""
    parts = urlsplit(webhook.url)
    for piece in (webhook.url, parts.path, parts.query):
        if piece and piece != "/":
            text = text.replace(piece, "<redacted>")
    return text
