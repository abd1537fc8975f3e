"""Base for our operators that read a query's rows through the Redshift Data API (the provider's
RedshiftDataOperator runs statements but hands back no rows by default)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airflow.providers.amazon.aws.hooks.redshift_data import RedshiftDataHook
from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator


class WarehouseQueryOperator(AwsBaseOperator[RedshiftDataHook]):
    """Holds the warehouse target (serverless workgroup or cluster) and runs one query to its end."""

    aws_hook_class = RedshiftDataHook

    def __init__(
        self,
        *,
        database: str,
        workgroup_name: str | None = None,
        cluster_identifier: str | None = None,
        db_user: str | None = None,
        poll_interval: float = 5,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.database = database
        self.workgroup_name = workgroup_name
        self.cluster_identifier = cluster_identifier
        self.db_user = db_user
        self.poll_interval = poll_interval

    def run_query(self, sql: str, parameters: list[dict[str, str]] | None = None) -> str:
        """Execute `sql` and wait for it; returns the statement id (a failure raises the hook's error)."""
        output = self.hook.execute_query(
            sql=sql,
            database=self.database,
            workgroup_name=self.workgroup_name,
            cluster_identifier=self.cluster_identifier,
            db_user=self.db_user,
            parameters=parameters,
            wait_for_completion=True,
            poll_interval=self.poll_interval,  # type: ignore[arg-type]  # a float sleeps as well
        )
        statement_id: str = output.statement_id
        return statement_id

    def result_pages(self, statement_id: str) -> Iterator[dict[str, Any]]:
        """GetStatementResult page by page, so a large result never sits in memory at once."""
        client: Any = self.hook.conn
        yield from client.get_paginator("get_statement_result").paginate(Id=statement_id)
