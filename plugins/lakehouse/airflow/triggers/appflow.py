"""Wait in the triggerer for one AppFlow execution to leave InProgress.

`run_flow` defers on it after StartFlow, so its pool slot (the org's pool counts deferred tasks)
stays taken while Salesforce is read and no worker slot is held. The trigger reports how the
execution ended, or that it is still running after `deadline_seconds`: then `run_flow` hands the
execution on to `wait_for_flow`, whose timeout cancels a hung run as before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.providers.amazon.aws.hooks.appflow import AppflowHook
from airflow.triggers.base import BaseTrigger, TriggerEvent

from lakehouse.aws.appflow_requests import find_execution

RUNNING = {"InProgress", "CancelStarted"}
STILL_RUNNING = "StillRunning"


class AppflowExecutionTrigger(BaseTrigger):
    def __init__(
        self,
        *,
        flow_name: str,
        execution_id: str,
        aws_conn_id: str | None,
        region_name: str | None,
        poll_interval: float,
        deadline_seconds: float,
        first_look_seconds: float | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # untyped in Airflow
        self.flow_name = flow_name
        self.execution_id = execution_id
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.poll_interval = poll_interval
        self.deadline_seconds = deadline_seconds
        self.first_look_seconds = poll_interval if first_look_seconds is None else first_look_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "flow_name": self.flow_name,
                "execution_id": self.execution_id,
                "aws_conn_id": self.aws_conn_id,
                "region_name": self.region_name,
                "poll_interval": self.poll_interval,
                "deadline_seconds": self.deadline_seconds,
                "first_look_seconds": self.first_look_seconds,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        hook = AppflowHook(aws_conn_id=self.aws_conn_id, region_name=self.region_name)
        client = await asyncio.to_thread(lambda: hook.conn)
        deadline = time.monotonic() + self.deadline_seconds
        # the first look late enough that the scheduler has seen the deferring process exit
        # (operators/appflow.py, MIN_DEFERRAL_SECONDS), then one a poll interval
        wait = self.first_look_seconds
        while True:
            await asyncio.sleep(wait)
            wait = self.poll_interval
            # boto3 blocks: run it off the triggerer's event loop, which serves every trigger
            record = await asyncio.to_thread(find_execution, client, self.flow_name, self.execution_id)
            status = (record or {}).get("executionStatus")
            if record is not None and status not in RUNNING:
                message = record.get("executionResult", {}).get("errorInfo", {}).get("executionMessage", "")
                yield TriggerEvent(
                    {  # type: ignore[no-untyped-call]
                        "status": status,
                        "message": message,
                        "execution_id": self.execution_id,
                    }
                )
                return
            if time.monotonic() >= deadline:
                yield TriggerEvent(
                    {  # type: ignore[no-untyped-call]
                        "status": STILL_RUNNING,
                        "message": "",
                        "execution_id": self.execution_id,
                    }
                )
                return
            await asyncio.sleep(self.poll_interval)
