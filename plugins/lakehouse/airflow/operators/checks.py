"""Prove a partition holds what AppFlow says it sent: same count, every Id present and unique."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import awswrangler as wr
from airflow.sdk import BaseOperator

from lakehouse.airflow.connections import wrangler_session


class PartitionCheckOperator(BaseOperator):
    template_fields: Sequence[str] = ("location", "expected_records")

    def __init__(
        self,
        *,
        location: str,
        expected_records: Any,
        id_column: str = "Id",
        aws_conn_id: str | None = "aws_default",
        region_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.location = location
        self.expected_records = expected_records
        self.id_column = id_column
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name

    def execute(self, context: Any) -> dict[str, int]:
        session = wrangler_session(self.aws_conn_id, self.region_name)
        frame = wr.s3.read_parquet(self.location, columns=[self.id_column], boto3_session=session)
        ids = frame[self.id_column]
        found = {
            "rows": len(frame),
            "null_ids": int(ids.isna().sum()),
            "duplicate_ids": int(ids.duplicated().sum()),
        }
        expected = int(self.expected_records)
        problems = []
        if found["rows"] != expected:
            problems.append(f"{found['rows']} rows in the partition, AppFlow processed {expected}")
        if found["null_ids"]:
            problems.append(f"{found['null_ids']} rows without {self.id_column}")
        if found["duplicate_ids"]:
            problems.append(f"{found['duplicate_ids']} duplicated {self.id_column} values")
        if problems:
            raise ValueError(f"{self.location}: " + "; ".join(problems))
        return found
