"""What each webhook kind expects as its JSON body.

- slack: an incoming webhook takes `text` (the notification fallback) and `blocks` (Block Kit).
- teams: an incoming webhook (or a Workflows "post to channel" webhook) takes an Adaptive Card in a
  `message` envelope with `attachments`; the legacy MessageCard is being retired by Microsoft.
- generic: the alert's fields as flat JSON, for anything else (PagerDuty-style relays, tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from lakehouse.alerts.message import Alert

Kind = Literal["slack", "teams", "generic"]
KINDS: tuple[Kind, ...] = ("slack", "teams", "generic")

_SLACK_TEXT_MAX = 3000
"""Slack refuses a section text longer than this."""


def slack(alert: Alert) -> dict[str, Any]:
    facts = [f"*{name}:* {_slack_escape(value)}" for name, value in alert.fields().items()]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": alert.headline[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(facts)[:_SLACK_TEXT_MAX]}},
    ]
    if alert.log_url:
        blocks.append(
            {
                "type": "actions",
                "elements": [_slack_button("Task log", alert.log_url)],
            }
        )
    if alert.notes:
        notes = "\n".join(_slack_escape(n) for n in alert.notes)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": notes[:_SLACK_TEXT_MAX]}]})
    return {"text": f"{alert.headline}: {alert.error}" if alert.error else alert.headline, "blocks": blocks}


def teams(alert: Alert) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": alert.headline,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": "Good" if alert.event == "recovery" else "Attention",
        },
        {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in alert.fields().items()]},
    ]
    body += [{"type": "TextBlock", "text": note, "wrap": True, "isSubtle": True} for note in alert.notes]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if alert.log_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Task log", "url": alert.log_url}]
    return {
        "type": "message",
        "summary": alert.headline,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def generic(alert: Alert) -> dict[str, Any]:
    return {"text": alert.text(), **alert.as_dict()}


FORMATS: dict[Kind, Callable[[Alert], dict[str, Any]]] = {"slack": slack, "teams": teams, "generic": generic}


def payload(kind: Kind, alert: Alert) -> dict[str, Any]:
    return FORMATS[kind](alert)


def _slack_button(label: str, url: str) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": label}, "url": url}


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn treats <, > and & as markup; an error message must not become a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
