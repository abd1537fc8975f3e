"""A run's driver logs in CloudWatch Logs, where Glue writes them and the provider reads them.

Glue writes a job run's driver logs to two log groups under the run's `LogGroupName`:
`<group>/output` and `<group>/error`, one stream per run named by the run id. For a Glue 5.0 Spark
job (`/aws-glue/jobs`), "system logs, Spark daemon logs, and user AWS Glue Logger logs are written
to /aws-glue/jobs/error; user stdout and stderr logs are written to /aws-glue/jobs/output" (AWS
Glue Developer Guide, "Logging for AWS Glue jobs",
https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html): here, stderr lines in
log4j's layout (`yy/MM/dd HH:mm:ss LEVEL ...`, with the indented or `Caused by:` lines of their
stack traces) go to error and every other line to output. `--custom-logGroup-prefix` replaces
`/aws-glue/jobs`. A Python shell job (`/aws-glue/python-jobs`) has no log4j: stdout goes to
output, stderr to error. Glue 4.0 and earlier with `--enable-continuous-cloudwatch-log true` also
write the driver's log to `/aws-glue/jobs/logs-v2` (or `--continuous-log-logGroup`), stream = the
run id ("Enabling continuous logging for AWS Glue 4.0 and earlier jobs"); 5.0 logs in real time
without it.

The provider's `GlueJobHook.print_job_logs` (verbose=True) pages FilterLogEvents over
`<LogGroupName>/output` and `/error` with `logStreamNames=[run id]` from the run's StartedOn. So
the shipper tails the run's stdout.log / stderr.log while it runs (every `interval` seconds) and
flushes what is left before the run's terminal state is set: a client that sees SUCCEEDED or
FAILED finds every line already there. CloudWatch Logs is moto's (the gateway hands `logs` on).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger(__name__)

MAX_EVENTS = 5_000
MAX_BATCH_BYTES = 900_000
"""PutLogEvents takes at most 10,000 events and 1,048,576 bytes (26 bytes of overhead each)."""
MAX_EVENT_BYTES = 200_000
"""An event is at most 256 KiB; a longer line is cut."""


LOG4J_LINE = re.compile(r"\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} (?:TRACE|DEBUG|INFO|WARN|ERROR|FATAL) ")
"""Spark's log4j2 layout for pyspark (`%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n`)."""
ALL, LOG4J, NOT_LOG4J = "all", "log4j", "not-log4j"


@dataclass(frozen=True)
class LogTarget:
    """One file of the run (or its log4j lines, or its other lines) shipped to one stream."""

    path: Path
    group: str
    stream: str
    select: str = ALL


def log_targets(
    run_dir: Path, run_id: str, log_group: str, spark: bool, continuous_group: str | None
) -> list[LogTarget]:
    stdout, stderr = run_dir / "stdout.log", run_dir / "stderr.log"
    output, error = f"{log_group}/output", f"{log_group}/error"
    if spark:
        targets = [
            LogTarget(stdout, output, run_id),
            LogTarget(stderr, output, run_id, NOT_LOG4J),
            LogTarget(stderr, error, run_id, LOG4J),
        ]
    else:
        targets = [LogTarget(stdout, output, run_id), LogTarget(stderr, error, run_id)]
    if continuous_group:
        targets += [LogTarget(stderr, continuous_group, run_id), LogTarget(stdout, continuous_group, run_id)]
    return targets


def split_log4j(lines: list[str], previous_was_log4j: bool) -> tuple[list[bool], bool]:
    """Whether each line is log4j's: a line in its layout, or a continuation (indented, or
    `Caused by:`) of one; returns the flags and the state after the last line."""
    flags = []
    state = previous_was_log4j
    for line in lines:
        if LOG4J_LINE.match(line):
            state = True
        elif not (line[:1].isspace() or line.startswith("Caused by:")):
            state = False
        flags.append(state)
    return flags, state


class LogShipper:
    """Tails the targets' files into CloudWatch Logs on a thread until `close()` (which flushes)."""

    def __init__(self, logs: Any, targets: Sequence[LogTarget], interval: float = 0.5) -> None:
        self._logs = logs
        self._targets = list(targets)
        self._offsets = {t: 0 for t in self._targets}
        self._partial = {t: b"" for t in self._targets}
        self._log4j_state = {t: False for t in self._targets}
        self._interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._created: set[tuple[str, str]] = set()
        self._thread = threading.Thread(target=self._loop, name="glue-run-logs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop tailing and ship everything left, the last line even without its newline."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        self._ship_logged(final=True)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._ship_logged()

    def _ship_logged(self, final: bool = False) -> None:
        """Ship, and say so when CloudWatch Logs fails: the run's state must not depend on it."""
        try:
            self.ship(final)
        except (ClientError, BotoCoreError) as error:
            log.warning("shipping a Glue run's logs failed: %s", error)

    def ship(self, final: bool = False) -> None:
        with self._lock:
            for target in self._targets:
                lines = self._read(target, final)
                if lines:
                    self._put(target, lines)

    def _read(self, target: LogTarget, final: bool) -> list[str]:
        try:
            with target.path.open("rb") as handle:
                handle.seek(self._offsets[target])
                data = handle.read()
        except FileNotFoundError:
            return []
        self._offsets[target] += len(data)
        data = self._partial[target] + data
        if not final:
            data, _, rest = data.rpartition(b"\n")
            self._partial[target] = rest
            if not data:
                return []
        else:
            self._partial[target] = b""
        text = data.decode("utf-8", errors="replace")
        lines = [line[:MAX_EVENT_BYTES] for line in text.splitlines() if line.strip()]
        if target.select == ALL:
            return lines
        flags, self._log4j_state[target] = split_log4j(lines, self._log4j_state[target])
        keep = target.select == LOG4J
        return [line for line, is_log4j in zip(lines, flags, strict=True) if is_log4j == keep]

    def _put(self, target: LogTarget, lines: list[str]) -> None:
        key = (target.group, target.stream)
        if key not in self._created:
            exists = self._logs.exceptions.ResourceAlreadyExistsException
            with contextlib.suppress(exists):
                self._logs.create_log_group(logGroupName=target.group)
            with contextlib.suppress(exists):
                self._logs.create_log_stream(logGroupName=target.group, logStreamName=target.stream)
            self._created.add(key)
        now = int(time.time() * 1000)
        batch: list[dict[str, Any]] = []
        size = 0
        for line in lines:
            if batch and (len(batch) >= MAX_EVENTS or size + len(line) + 26 > MAX_BATCH_BYTES):
                self._send(target, batch)
                batch, size = [], 0
            batch.append({"timestamp": now, "message": line})
            size += len(line.encode()) + 26
        if batch:
            self._send(target, batch)

    def _send(self, target: LogTarget, events: list[dict[str, Any]]) -> None:
        self._logs.put_log_events(logGroupName=target.group, logStreamName=target.stream, logEvents=events)
