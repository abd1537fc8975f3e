"""Base for our operators whose AWS calls go through awswrangler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from lakehouse.airflow.connections import wrangler_session

if TYPE_CHECKING:
    import boto3


class WranglerOperator(BaseOperator):
    """Holds the connection settings and hands out a session with awswrangler pointed at them."""

    def __init__(
        self, *, aws_conn_id: str | None = "aws_default", region_name: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name

    def session(self) -> boto3.Session:
        return wrangler_session(self.aws_conn_id, self.region_name)
