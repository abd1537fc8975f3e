"""The webhook receiver: records what notifiers post, and can answer 500 or hang on purpose."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.server import Sandbox
from sandbox.webhooks.service import WebhookReceiver

NAMES = ("wh-alerts", "wh-flaky", "wh-slow", "wh-x")


@pytest.fixture
def hooks(sandbox: Sandbox) -> Iterator[WebhookReceiver]:
    receiver = sandbox.service("/_sandbox/webhooks/")
    assert isinstance(receiver, WebhookReceiver)
    for name in NAMES:
        receiver.clear(name)
    yield receiver
    for name in NAMES:
        receiver.clear(name)


def call(
    url: str, method: str = "GET", body: Any = None, timeout: float = 5, raw: bytes | None = None
) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_post_is_recorded_and_listed(sandbox: Sandbox, hooks: WebhookReceiver) -> None:
    url = f"{sandbox.endpoint_url}/_sandbox/webhooks/wh-alerts"

    assert call(url, "POST", {"text": "DAG sf_account failed"})[0] == 200
    assert call(url, "POST", raw=b"plain text")[0] == 200

    status, recorded = call(f"{url}/requests")
    assert status == 200
    assert [r["json"] for r in recorded] == [{"text": "DAG sf_account failed"}, None]
    assert recorded[1]["body"] == "plain text"
    assert recorded[0]["headers"]["Content-Type"] == "application/json"
    assert hooks.requests("wh-alerts") == recorded
    assert call(url, "DELETE")[0] == 200
    assert call(f"{url}/requests")[1] == []


def test_status_behaviour_answers_500_until_reset(sandbox: Sandbox, hooks: WebhookReceiver) -> None:
    url = f"{sandbox.endpoint_url}/_sandbox/webhooks/wh-flaky"
    assert call(f"{url}/behaviour", "POST", {"status": 500})[0] == 200

    assert call(url, "POST", {"n": 1})[0] == 500
    call(f"{url}/behaviour", "POST", {"status": 200})
    assert call(url, "POST", {"n": 2})[0] == 200
    assert [(r["json"]["n"], r["status"]) for r in hooks.requests("wh-flaky")] == [(1, 500), (2, 200)]


def test_delay_behaviour_makes_the_client_time_out(sandbox: Sandbox, hooks: WebhookReceiver) -> None:
    url = f"{sandbox.endpoint_url}/_sandbox/webhooks/wh-slow"
    hooks.set_behaviour("wh-slow", delay_seconds=2)

    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        call(url, "POST", {"n": 1}, timeout=0.3)

    assert len(hooks.wait_for("wh-slow", 1, timeout=2)) == 1


def test_bad_behaviour_is_rejected(sandbox: Sandbox, hooks: WebhookReceiver) -> None:
    url = f"{sandbox.endpoint_url}/_sandbox/webhooks/wh-x/behaviour"
    assert call(url, "POST", {"status": "nope"})[0] == 400
    assert call(url, "POST", {"status": 999})[0] == 400
