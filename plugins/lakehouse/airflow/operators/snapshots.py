"""Point a full load's `<table>__latest` at its newest snapshot (what `<table>_current` reads)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lakehouse.airflow.lineage_names import TableLineage
from lakehouse.airflow.operators.base import WranglerOperator


class LatestSnapshotOperator(WranglerOperator):
    """Reads the table's partitions when it runs, after this run's partition is registered, and
    moves `latest_table` to the greatest one. With one instance at a time across runs
    (max_active_tis_per_dag=1), the last to run has seen every registration before it, so a
    backfill of an older day never moves the current state back."""

    template_fields: Sequence[str] = ()

    def __init__(
        self,
        *,
        database: str,
        table: str,
        latest_table: str,
        lineage: tuple[TableLineage, TableLineage] | None = None,
        **kwargs: Any,
    ) -> None:
        """`lineage`: the snapshots' table and the `__latest` table, for OpenLineage."""
        super().__init__(**kwargs)
        self.database = database
        self.table = table
        self.latest_table = latest_table
        self.lineage = lineage

    def execute(self, context: Any) -> dict[str, Any]:
        from lakehouse.aws.catalog import latest_partition, point_table

        session = self.session()
        latest = latest_partition(session, database=self.database, table=self.table)
        if latest is None:
            raise ValueError(f"{self.database}.{self.table} has no partition to point {self.latest_table} at")
        value, location = latest
        moved = point_table(
            session,
            database=self.database,
            table=self.latest_table,
            source_table=self.table,
            location=location,
        )
        self.log.info(
            "%s.%s reads snapshot %s at %s%s", self.database, self.latest_table, value, location,
            "" if moved else " (unchanged)",
        )  # fmt: skip
        return {"snapshot": value, "location": location, "moved": moved}

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The snapshots' Glue table -> its `__latest` table (and that table's Spectrum name)."""
        from lakehouse.airflow.lineage import glue_dataset, lineage, spectrum_dataset

        if self.lineage is None:
            return lineage()
        source, latest = self.lineage
        return lineage(
            inputs=[glue_dataset(source)], outputs=[glue_dataset(latest), spectrum_dataset(latest)]
        )
