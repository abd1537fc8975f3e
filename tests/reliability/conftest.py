"""The reliability suite runs the project's DAGs on the sandbox like tests/pipeline does.

Its fixtures (sandbox, Airflow env with `retries: 0`, DAGs, AWS clients, orgs) are the pipeline
suite's (tests/pipeline/fixtures.py, registered for the session by tests/conftest.py), so both
suites run the DAGs the same way, on the same sandbox. Added here: what the alert tests need to
set and read the alert channels.

Note: moto's state is per process, so when both suites run in one session they share S3, Glue,
SNS and Secrets Manager (AppFlow and the webhook receiver are per sandbox). Tests here therefore
set the webhook secret they need and count SNS messages as a difference, never as a total.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

TOPIC_ARN = "arn:aws:sns:eu-west-1:111111111111:gtm-lakehouse-dev-alerts"
SECRET = "gtm-lakehouse/dev/alert-webhooks"
WEBHOOKS = "/_sandbox/webhooks/"
TOKEN = "tok-3f9c1d7e-never-log-me"
"""In every webhook URL's query, as a real Slack or Teams URL carries its secret: the output must
never contain it."""


def sns_messages(endpoint: str, topic_arn: str = TOPIC_ARN) -> list[dict[str, Any]]:
    """What SNS accepted for the topic, oldest first, read from moto's GET /moto-api/data.json."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    messages: list[dict[str, Any]] = []
    for topic in data.get("sns", {}).get("Topic", []):
        if topic.get("arn") == topic_arn:
            for message_id, message, subject, attributes, _group in topic.get("sent_notifications", []):
                messages.append(
                    {
                        "id": message_id,
                        "message": _text(message),
                        "subject": subject,
                        "attributes": attributes,
                    }
                )
    return messages


def _text(message: str) -> str:
    """The provider's SnsHook publishes `MessageStructure=json` with the text under "default"."""
    try:
        structured = json.loads(message)
    except json.JSONDecodeError:
        return message
    return str(structured["default"]) if isinstance(structured, dict) and "default" in structured else message


@pytest.fixture(scope="session")
def topic_sns(pipeline_env: str) -> Any:
    """An SNS client acting in the topic's account (environments.yaml: 111111111111), as the
    provisioning does: moto files a topic under the account a request names (x-moto-account-id)."""
    client = boto3.client("sns", endpoint_url=pipeline_env, region_name="eu-west-1")
    account = TOPIC_ARN.split(":")[4]

    def add_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-sign.sns.*", add_account)
    return client


@pytest.fixture(scope="session")
def alert_topic(topic_sns: Any) -> str:
    arn: str = topic_sns.create_topic(Name=TOPIC_ARN.rsplit(":", 1)[1])["TopicArn"]
    assert arn == TOPIC_ARN
    return arn


@pytest.fixture
def receiver(sandbox: Any) -> Iterator[Any]:
    """The sandbox's webhook receiver, emptied before and after each test."""
    service = sandbox.service(WEBHOOKS)
    service.clear()
    yield service
    service.clear()


@pytest.fixture
def webhook_url(pipeline_env: str, alert_topic: str) -> Callable[[str], str]:
    """The URL of receiver route `name`, with a secret token in it as real webhook URLs have."""
    return lambda name: f"{pipeline_env}{WEBHOOKS}{name}?token={TOKEN}"


@pytest.fixture
def set_secret(aws: Callable[[str], Any]) -> Iterator[Callable[[str | None], None]]:
    """Set the webhook secret's text for one test (None deletes it); the original comes back after."""
    secrets = aws("secretsmanager")
    original = secrets.get_secret_value(SecretId=SECRET)["SecretString"]

    def set_text(text: str | None) -> None:
        if text is None:
            secrets.delete_secret(SecretId=SECRET, ForceDeleteWithoutRecovery=True)
        else:
            secrets.put_secret_value(SecretId=SECRET, SecretString=text)

    yield set_text
    try:
        secrets.put_secret_value(SecretId=SECRET, SecretString=original)
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=SECRET, SecretString=original)


@pytest.fixture
def webhooks_secret(
    set_secret: Callable[[str | None], None], webhook_url: Callable[[str], str]
) -> Callable[..., None]:
    """Point the secret at receiver routes: `webhooks_secret(alerts="generic", chat="slack")`."""

    def point(**kinds: str) -> None:
        entries = [{"name": name, "kind": kind, "url": webhook_url(name)} for name, kind in kinds.items()]
        set_secret(json.dumps({"webhooks": entries}))

    return point


@pytest.fixture
def inbox(
    pipeline_env: str, receiver: Any, webhooks_secret: Callable[..., None]
) -> Any:  # tests.reliability.lake.Inbox
    """The alerts this test receives: SNS from now on, and the generic webhook `alerts`."""
    from tests.reliability.lake import Inbox

    webhooks_secret(alerts="generic")
    received = Inbox(pipeline_env, receiver)
    received.reset()
    return received


@pytest.fixture
def dags_from(
    pipeline_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., dict[str, Any]]:
    """The project's DAGs parsed from a changed copy of the session's include dir, for this test.

    `dags_from(edit, **airflow_env)`: `edit(include_dir)` changes the copy (a flow key, a broken SQL
    template); the variables (e.g. AIRFLOW__LAKEHOUSE__APPFLOW_TIMEOUT_SECONDS) are set. Both stay set
    while the test runs, since `dag.test()` re-parses the DAGs folder, and are undone after it.
    """
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import REPO

    def parse(edit: Callable[[Path], None] | None = None, **env: str) -> dict[str, Any]:
        include = tmp_path / "include"
        shutil.copytree(os.environ["LAKEHOUSE_INCLUDE_DIR"], include, dirs_exist_ok=True)
        if edit is not None:
            edit(include)
        monkeypatch.setenv("LAKEHOUSE_INCLUDE_DIR", str(include))
        # dag.test() writes the changed DAGs to the metadata DB, but by default not within 30 s of
        # the last write; a clear (lake.clear_and_rerun) reads the run's DAG from there.
        monkeypatch.setenv("AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL", "0")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        bag = DagBag(str(REPO / "dags"))
        return dict(bag.dags)

    return parse
