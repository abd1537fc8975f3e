"""Failure alerts, without Airflow: what a message says, how each webhook kind wants it, delivery.

`lakehouse.airflow.alerting` turns a task's context into an `Alert` and calls these; keeping them
free of Airflow imports lets them be unit-tested in milliseconds and reused by other callers.
"""

from lakehouse.alerts.message import Alert, one_line
from lakehouse.alerts.webhooks import Webhook, WebhookResult, deliver, parse_webhooks, redact

__all__ = ["Alert", "Webhook", "WebhookResult", "deliver", "one_line", "parse_webhooks", "redact"]
