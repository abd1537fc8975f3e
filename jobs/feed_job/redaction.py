"""Secrets read from Secrets Manager, and the redaction that keeps their values out of every line the
job prints (messages, tracebacks, Spark's errors)."""

from __future__ import annotations

import json
import re
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request
from types import TracebackType
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    pass


from .errors import FeedError

_URL_CREDENTIALS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")

_SECRET_VALUES: set[str] = set()
_LOCATION_KEYS = frozenset({"url", "base_url"})
"""Secret keys naming where a source is: shown in messages, minus any credentials in them."""


def remember_secret(value: str) -> None:
    """Every string read from a secret (and any password parsed out of one) is redacted on output."""
    if len(value) >= 3:
        _SECRET_VALUES.add(value)


def redact(text: str) -> str:
    """The text with remembered secret values and any `scheme://user:pass@` credentials masked."""
    for value in sorted(_SECRET_VALUES, key=len, reverse=True):
        text = text.replace(value, "***")
    return _URL_CREDENTIALS.sub(r"\1***@", text)


def one_line(text: str, limit: int = 1500) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def report_failure(message: str) -> None:
    print(f"FeedError: {one_line(redact(message))}", file=sys.stderr, flush=True)


def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """Unexpected errors (bugs) too end with one redacted `FeedError:` line, after their traceback."""
    text = "".join(traceback.format_exception(kind, error, tb))
    sys.stderr.write(redact(text))
    report_failure(f"unexpected {kind.__name__}: {error}")


def read_secret(secret_id: str) -> dict[str, str]:
    """The secret's JSON object; every string value in it is remembered for redaction first."""
    try:
        answer = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise FeedError(f"cannot read secret {secret_id!r}: {code}") from None
    except BotoCoreError as error:
        raise FeedError(f"cannot read secret {secret_id!r}: {type(error).__name__}") from None
    raw = answer.get("SecretString")
    if raw is None:
        raise FeedError(f"secret {secret_id!r} has no SecretString (binary secrets are not supported)")
    remember_secret(raw)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise FeedError(f"secret {secret_id!r} is not a JSON object") from None
    if not isinstance(data, dict):
        raise FeedError(f"secret {secret_id!r} is not a JSON object")
    values = {str(k): v for k, v in data.items() if isinstance(v, str)}
    for key, value in values.items():
        if key in _LOCATION_KEYS:  # where the source is helps a reader of errors; its credentials do not
            password = urllib.parse.urlsplit(value).password
            if password:
                remember_secret(password)
                remember_secret(urllib.parse.unquote(password))
        else:
            remember_secret(value)
    return values
