"""Prove a partition holds what AppFlow says it sent: same count, every Id present and unique."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lakehouse.airflow.operators.base import WranglerOperator


class PartitionCheckOperator(WranglerOperator):
    template_fields: Sequence[str] = ("location", "expected_records")

    def __init__(
        self,
        *,
        location: str,
        expected_records: Any,
        id_column: str = "Id",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.location = location
        self.expected_records = expected_records
        self.id_column = id_column

    def execute(self, context: Any) -> dict[str, int]:
        import awswrangler as wr

        session = self.session()
        expected = int(self.expected_records)
        if expected == 0 and not wr.s3.list_objects(self.location, boto3_session=session):
            # AppFlow writes no file for a run without records (a reconciliation of an empty object).
            return {"rows": 0, "null_ids": 0, "duplicate_ids": 0}
        frame = wr.s3.read_parquet(self.location, columns=[self.id_column], boto3_session=session)
        ids = frame[self.id_column]
        found = {
            "rows": len(frame),
            "null_ids": int(ids.isna().sum()),
            "duplicate_ids": int(ids.duplicated().sum()),
        }
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

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """It reads the load (an input of the table's S3 dataset)."""
        from lakehouse.airflow.lineage import lineage, s3_dataset

        return lineage(inputs=[s3_dataset(self.location)])
