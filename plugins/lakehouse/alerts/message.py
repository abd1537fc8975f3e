"""The alert itself: the facts someone woken at 3 a.m. needs, and its plain-text rendering (SNS)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Event = Literal["failure", "retry", "recovery", "limited", "warning"]

MAX_ERROR_CHARS = 500
"""Enough for AppFlow's message; a whole traceback belongs in the log the alert links to."""
SNS_SUBJECT_MAX = 100
"""SNS refuses a longer subject (and one with newlines or non-ASCII)."""

_HEADLINES: dict[Event, str] = {
    "failure": "Task failed",
    "retry": "Task failed, will retry",
    "recovery": "Task recovered",
    "limited": "Salesforce API limit reached, runs paused",
    "warning": "Checks warned, load published",
}


def one_line(error: BaseException | str | None, limit: int = MAX_ERROR_CHARS, ellipsis: str = "…") -> str:
    """The error as one line: chat cards and SNS subjects break on tracebacks and newlines."""
    if error is None:
        return ""
    if isinstance(error, BaseException):
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    else:
        text = error
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - len(ellipsis)] + ellipsis


@dataclass(frozen=True)
class Alert:
    """One task event, as every channel gets it."""

    event: Event
    dag_id: str
    task_id: str
    run_id: str
    logical_date: str | None
    try_number: int | None
    error: str
    log_url: str | None
    environment: str = ""
    notes: tuple[str, ...] = field(default=())
    """Problems of the alert path itself (e.g. the webhook secret is missing), so they are seen."""

    @property
    def headline(self) -> str:
        where = f" [{self.environment}]" if self.environment else ""
        return f"{_HEADLINES[self.event]}{where}: {self.dag_id}.{self.task_id}"

    @property
    def subject(self) -> str:
        """The SNS subject: ASCII, one line, at most 100 characters."""
        ascii_only = self.headline.encode("ascii", errors="replace").decode("ascii")
        return one_line(ascii_only, SNS_SUBJECT_MAX, ellipsis="...")

    def fields(self) -> dict[str, str]:
        """The facts, in the order every format shows them."""
        facts = {
            "DAG": self.dag_id,
            "Task": self.task_id,
            "Run": self.run_id,
            "Logical date": self.logical_date or "-",
            "Try": str(self.try_number) if self.try_number is not None else "-",
        }
        if self.error:
            facts["Error"] = self.error
        return facts

    def with_note(self, note: str) -> Alert:
        return Alert(**{**self.__dict__, "notes": (*self.notes, note)})

    def text(self) -> str:
        """Plain text for SNS (email and SMS subscribers read it as is)."""
        lines = [self.headline, ""]
        lines += [f"{name}: {value}" for name, value in self.fields().items()]
        lines.append(f"Log: {self.log_url or '-'}")
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """Machine-readable form: the generic webhook body and the SNS message attributes."""
        return {
            "event": self.event,
            "environment": self.environment,
            "dag_id": self.dag_id,
            "task_id": self.task_id,
            "run_id": self.run_id,
            "logical_date": self.logical_date,
            "try_number": self.try_number,
            "error": self.error,
            "log_url": self.log_url,
            "notes": list(self.notes),
        }
