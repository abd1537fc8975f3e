"""The alert path without AWS or Airflow runs: message, formats per kind, the secret, delivery."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from lakehouse.alerts import Alert, Webhook, deliver, one_line, parse_webhooks, redact
from lakehouse.alerts.formats import generic, payload, slack, teams
from lakehouse.alerts.webhooks import post

LOG = "http://airflow.example/dags/d/runs/manual__1/tasks/g.t?try_number=2"
URL = "https://hooks.slack.example/services/T000/B000/sEcReTtOkEn"


def alert(**changes: Any) -> Alert:
    values: dict[str, Any] = {
        "event": "failure",
        "dag_id": "sfdc_ingest__account",
        "task_id": "p1.wait_for_flow",
        "run_id": "scheduled__2025-01-14T00:00:00+00:00",
        "logical_date": "2025-01-15T00:00:00+00:00",
        "try_number": 2,
        "error": "AirflowFailException: ended Error: <limit> & more",
        "log_url": LOG,
        "environment": "dev",
    }
    return Alert(**{**values, **changes})


def test_one_line_collapses_a_traceback_and_bounds_it() -> None:
    assert one_line(ValueError("a\n  b\tc")) == "ValueError: a b c"
    assert one_line(None) == ""
    assert one_line(KeyError()) == "KeyError"
    long = one_line("x" * 1000)
    assert len(long) == 500
    assert long.endswith("…")


def test_text_and_subject_carry_every_fact() -> None:
    text = alert(notes=("webhooks: secret missing",)).text()
    for fact in (
        "DAG: sfdc_ingest__account",
        "Task: p1.wait_for_flow",
        "Run: scheduled__2025-01-14T00:00:00+00:00",
        "Logical date: 2025-01-15T00:00:00+00:00",
        "Try: 2",
        "Error: AirflowFailException",
        f"Log: {LOG}",
        "Note: webhooks: secret missing",
    ):
        assert fact in text
    subject = alert(dag_id="é" * 200).subject
    assert len(subject) <= 100
    assert subject.isascii()
    assert "\n" not in subject


def test_slack_has_fallback_text_blocks_and_a_log_button_and_escapes_markup() -> None:
    body = slack(alert())
    assert body["text"].startswith("Task failed [dev]: sfdc_ingest__account.p1.wait_for_flow: ")
    header, section, actions = body["blocks"]
    assert header["type"] == "header"
    assert "*Try:* 2" in section["text"]["text"]
    assert "&lt;limit&gt; &amp; more" in section["text"]["text"], "an error must not become Slack markup"
    assert actions["elements"][0]["url"] == LOG


def test_teams_is_an_adaptive_card_with_facts_and_a_log_action() -> None:
    body = teams(alert(notes=("n",)))
    assert body["type"] == "message"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    facts = {f["title"]: f["value"] for f in card["body"][1]["facts"]}
    assert facts["Run"] == "scheduled__2025-01-14T00:00:00+00:00"
    assert facts["Try"] == "2"
    assert card["body"][-1]["text"] == "n"
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Task log", "url": LOG}]
    assert json.dumps(body)  # serialisable as is


def test_generic_is_flat_json_with_the_text() -> None:
    body = generic(alert())
    assert body["dag_id"] == "sfdc_ingest__account"
    assert body["try_number"] == 2
    assert body["log_url"] == LOG
    assert body["text"] == alert().text()
    assert payload("generic", alert()) == body


def test_recovery_and_a_missing_log_link_render() -> None:
    recovered = alert(event="recovery", error="", log_url=None)
    assert recovered.headline.startswith("Task recovered")
    assert "Error" not in recovered.fields()
    assert len(slack(recovered)["blocks"]) == 2
    assert "actions" not in teams(recovered)["attachments"][0]["content"]


def test_parse_webhooks_keeps_good_entries_and_never_quotes_a_url() -> None:
    secret = json.dumps(
        {
            "webhooks": [
                {"name": "ops", "kind": "slack", "url": URL},
                {"name": "bad-kind", "kind": "discord", "url": URL},
                {"name": "bad-url", "kind": "teams", "url": "ftp://x/sEcReTtOkEn"},
                {"kind": "generic", "url": URL},
                "nope",
                {"name": "relay", "url": "http://relay.internal/x"},
            ]
        }
    )
    webhooks, problems = parse_webhooks(secret)
    assert [(w.name, w.kind) for w in webhooks] == [("ops", "slack"), ("relay", "generic")]
    assert len(problems) == 4
    assert not any("sEcReTtOkEn" in p for p in problems)


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        (None, "the webhook secret is empty"),
        ("{not json " + URL, "the webhook secret is not JSON (line 1)"),
        ('{"hooks": []}', 'the webhook secret has no "webhooks" list'),
        ("[1, 2]", 'the webhook secret has no "webhooks" list'),
    ],
)
def test_a_malformed_secret_is_one_problem(secret: str | None, problem: str) -> None:
    assert parse_webhooks(secret) == ([], [problem])


def test_a_webhook_prints_redacted() -> None:
    webhook = Webhook("ops", "slack", URL)
    shown = redact(webhook)
    assert shown.startswith("ops (hooks.slack.example, #")
    assert "sEcReTtOkEn" not in repr(webhook) + str(webhook) + shown
    assert redact(Webhook("ops", "slack", URL + "x")) != shown


class _Handler(http.server.BaseHTTPRequestHandler):
    statuses: list[int] = []
    bodies: list[Any] = []

    def do_POST(self) -> None:
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(self.statuses.pop(0) if self.statuses else 200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"statuses": [], "bodies": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook/sEcReTtOkEn", handler
    httpd.shutdown()
    httpd.server_close()


def test_a_5xx_is_retried_with_backoff_then_succeeds(server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    handler.statuses[:] = [500, 503]
    pauses: list[float] = []
    result = post(Webhook("ops", "generic", url), {"a": 1}, backoff=0.5, sleep=pauses.append)
    assert (result.ok, result.tries, result.detail) == (True, 3, "HTTP 200")
    assert pauses == [0.5, 1.0]
    assert handler.bodies == [{"a": 1}] * 3


def test_a_4xx_is_not_retried(server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    handler.statuses[:] = [404]
    result = post(Webhook("ops", "generic", url), {}, sleep=lambda _: None)
    assert (result.ok, result.tries, result.detail) == (False, 1, "HTTP 404")


def test_an_unreachable_webhook_gives_up_redacted_and_the_others_still_get_it(
    server: tuple[str, type[_Handler]],
) -> None:
    url, handler = server
    dead = Webhook("dead", "slack", "http://127.0.0.1:9/hook/sEcReTtOkEn")  # discard port: refused
    results = deliver([dead, Webhook("ok", "teams", url)], alert(), sleep=lambda _: None)
    assert [(r.ok, r.tries) for r in results] == [(False, 3), (True, 1)]
    assert results[0].detail.startswith("connection failed")
    assert "sEcReTtOkEn" not in repr(results)
    assert handler.bodies[0]["type"] == "message"


def test_the_deadline_bounds_all_tries() -> None:
    dead = Webhook("dead", "generic", "http://127.0.0.1:9/x")
    result = post(dead, {}, tries=10, backoff=5, deadline=1, sleep=lambda _: None)
    assert not result.ok
    assert result.tries == 1
    assert result.detail.endswith("deadline reached")
