"""Failure alerts as an Airflow notifier: SNS through the provider's notifier, then the webhooks.

Wired by `build.py` as every task's `on_failure_callback` (and `on_retry_callback` /
`on_success_callback` when the flow asks). Task level, not DAG level: a DAG-level notifier fails
under `dag.test()` (ARCHITECTURE.md, section 4), and a task callback runs where the task ran, with
its exception and try number at hand.

Nothing here touches the network when the DAG is parsed: the notifier keeps names only, and the
secret is read, through the provider's `SecretsManagerHook` and the environment's connection (so
the same code runs on MWAA, whose secrets backend serves connections, not this JSON), when a task
fails. Each channel is independent: a missing secret still sends SNS with a note, SNS down still
posts the webhooks, a webhook down is retried within a bound and logged by name and host only.
And whatever goes wrong, the callback returns: the task's own failure is what the run must show.
"""

from __future__ import annotations

import datetime as dt
import functools
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from typing import Any

from airflow.providers.amazon.aws.hooks.secrets_manager import SecretsManagerHook
from airflow.providers.amazon.aws.hooks.sns import SnsHook
from airflow.providers.amazon.aws.notifications.sns import SnsNotifier
from airflow.sdk import BaseNotifier
from airflow.sdk.exceptions import AirflowException
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from lakehouse.airflow.tuning import Tuning
from lakehouse.alerts import Alert, Webhook, WebhookResult, deliver, one_line, parse_webhooks
from lakehouse.alerts.message import Event

AWS_CALL_CONFIG = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"})
"""SNS and Secrets Manager in the alert path: a few quick tries, not botocore's 60 s timeouts, so an
unreachable service costs seconds, not minutes, of the worker's time."""

_AWS_ERRORS = (BotoCoreError, ClientError, AirflowException)
"""What an AWS call through a provider hook raises when the service, the credentials or the
connection are wrong (AirflowException: e.g. the connection id does not exist)."""


class _BoundedSnsNotifier(SnsNotifier):
    """The provider's SNS notifier with short AWS timeouts (its own hook takes botocore's defaults)."""

    @cached_property
    def hook(self) -> SnsHook:
        return SnsHook(  # type: ignore[no-untyped-call]  # the provider leaves __init__ untyped
            aws_conn_id=self.aws_conn_id, region_name=self.region_name, config=AWS_CALL_CONFIG
        )


class LakehouseAlertNotifier(BaseNotifier):
    """One per DAG and event, shared by its tasks: it holds names only, so parsing stays cheap.

    `event`: "failure" (final failure), "retry" (a failed try that will be retried) or "recovery"
    (a success after a failed try; see `should_send`).
    """

    template_fields = ()
    """Nothing is templated: an error message holding `{{` must not be read as Jinja."""

    def __init__(
        self,
        *,
        environment: str,
        sns_topic_arn: str,
        webhook_secret: str,
        aws_conn_id: str | None,
        region_name: str | None,
        event: Event = "failure",
    ) -> None:
        super().__init__()
        self.environment = environment
        self.sns_topic_arn = sns_topic_arn
        self.webhook_secret = webhook_secret
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.event: Event = event

    def __call__(self, *args: Any) -> None:
        """Airflow calls this with the task's context; it never raises."""
        context = args[0] if len(args) == 1 else {}
        try:
            if self.should_send(context):
                self.notify(context)
        # The callback boundary: an alert problem must never replace or hide the task's own failure,
        # and Airflow would only log it less clearly. Everything expected is caught narrowly below.
        except Exception:
            self.log.exception("Alert (%s) could not be sent; the task's own state is unchanged", self.event)

    def should_send(self, context: Any) -> bool:
        """Failures and retries always; a recovery only when the previous try of this TI failed."""
        if self.event != "recovery":
            return True
        return follows_a_failed_try(context.get("ti"))

    def notify(self, context: Any) -> None:
        alert = alert_from_context(context, self.event, self.environment)
        webhooks, problems = self._webhooks()
        for problem in problems:
            self.log.warning("Alert webhooks: %s", problem)
            alert = alert.with_note(f"webhooks: {problem}")
        # Webhooks go out on their own thread while SNS is tried here, so neither waits for the other.
        tuning = Tuning.from_airflow_config()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="alert-webhooks") as pool:
            posted = pool.submit(
                functools.partial(
                    deliver,
                    webhooks,
                    alert,
                    timeout=tuning.webhook_timeout_seconds,
                    backoff=tuning.webhook_backoff_seconds,
                    deadline=tuning.webhook_deadline_seconds,
                )
            )
            self._publish_sns(alert, context)
            results: list[WebhookResult] = posted.result()
        for result in results:
            if result.ok:
                self.log.info("Alert sent to webhook %s (%d tries)", result.webhook, result.tries)
            else:
                self.log.error(
                    "Alert NOT sent to webhook %s after %d tries: %s",
                    *(result.webhook, result.tries, result.detail),
                )

    def _webhooks(self) -> tuple[list[Webhook], list[str]]:
        """The secret's webhooks and what is wrong with it; a read error is a problem, not a raise."""
        hook = SecretsManagerHook(  # type: ignore[no-untyped-call]  # untyped in the provider
            aws_conn_id=self.aws_conn_id, region_name=self.region_name, config=AWS_CALL_CONFIG
        )
        try:
            secret = hook.get_secret(self.webhook_secret)
        except _AWS_ERRORS as exc:
            reason = (
                exc.response.get("Error", {}).get("Code", "ClientError")
                if isinstance(exc, ClientError)
                else type(exc).__name__
            )
            return [], [f"secret '{self.webhook_secret}' could not be read ({reason}); no webhook was called"]
        return parse_webhooks(secret)

    def _publish_sns(self, alert: Alert, context: Any) -> None:
        attributes = {
            k: v
            for k, v in {
                "event": alert.event,
                "environment": alert.environment,
                "dag_id": alert.dag_id,
                "task_id": alert.task_id,
            }.items()
            if v
        }
        sns = _BoundedSnsNotifier(
            aws_conn_id=self.aws_conn_id,
            region_name=self.region_name,
            target_arn=self.sns_topic_arn,
            message=alert.text(),
            subject=alert.subject,
            message_attributes=attributes,
        )
        try:
            sns.notify(context)  # type: ignore[no-untyped-call]  # not sns(context): that would render the error text as Jinja
        except _AWS_ERRORS as exc:
            self.log.error("Alert NOT published to SNS %s: %s", self.sns_topic_arn, one_line(exc))
        else:
            self.log.info("Alert published to SNS %s", self.sns_topic_arn)


def follows_a_failed_try(ti: Any) -> bool:
    """Whether this try is an automatic retry, i.e. the try before it failed and was retried.

    A try number above 1 is not enough: clearing a task (UI, REST, `airflow tasks clear`, a rerun)
    also runs it on a new try number, after a success as well as after a failure, and the success
    callback cannot see how the earlier try ended (the Task SDK exposes no try history to a
    worker). What it can see is where the current series of tries began: Airflow sets `max_tries`
    to `retries` when the TI is created and to `try_number + retries` when it is cleared, so the
    series' first try is `max_tries - retries + 1` (Airflow's own
    `RuntimeTaskInstance.get_first_reschedule_date` uses the same formula). A try after that first
    one exists only because the try before it failed and was retried. So a task cleared after it
    succeeded sends no recovery; one cleared after it failed sends none either (an operator's
    action, not a recovery the on-call must be told about); see docs/alerts.md.
    """
    try_number = getattr(ti, "try_number", None)
    max_tries = getattr(ti, "max_tries", None)
    retries = getattr(getattr(ti, "task", None), "retries", None)
    if not isinstance(try_number, int) or not isinstance(max_tries, int) or not isinstance(retries, int):
        return False  # not enough to tell: a false "recovered" is worse than a missing one
    first_try_of_series = max_tries - retries + 1
    return try_number > max(first_try_of_series, 1)


def alert_from_context(context: Any, event: Event, environment: str = "") -> Alert:
    """The alert's facts from a task callback's context (Airflow 3: `ti` is the runtime TI)."""
    ti = context.get("ti")
    logical_date = context.get("logical_date")
    return Alert(
        event=event,
        dag_id=str(getattr(ti, "dag_id", None) or _dag_id(context)),
        task_id=str(getattr(ti, "task_id", "?")),
        run_id=str(getattr(ti, "run_id", None) or context.get("run_id") or "?"),
        logical_date=logical_date.isoformat() if isinstance(logical_date, dt.datetime) else None,
        try_number=getattr(ti, "try_number", None),
        error="" if event == "recovery" else one_line(context.get("exception")),
        log_url=_log_url(ti),
        environment=environment,
    )


def _dag_id(context: Any) -> str:
    dag = context.get("dag")
    return str(getattr(dag, "dag_id", "?"))


def _log_url(ti: Any) -> str | None:
    """Airflow 3.3's `ti.log_url`: [api] base_url + /dags/<dag>/runs/<run>/tasks/<task>?try_number=N."""
    try:
        url = getattr(ti, "log_url", None)
    except (AttributeError, KeyError, ValueError):  # a TI without run id or config: no link, still alert
        return None
    return str(url) if url else None
