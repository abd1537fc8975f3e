"""Keep, in a rerun's load, the versions the interval's earlier load saw (lakehouse.aws.versions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lakehouse.airflow.operators.base import WranglerOperator


class VersionKeepOperator(WranglerOperator):
    """Runs after this load is checked and before the partition is pointed at it: the load that
    the partition reads now (if another) gives its rows whose Id this load lacks to this load's
    folder, so `<table>_history` keeps every version a run saw, whatever is rerun."""

    template_fields: Sequence[str] = ("location", "value")

    def __init__(self, *, database: str, table: str, value: str, location: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.database = database
        self.table = table
        self.value = value
        self.location = location

    def execute(self, context: Any) -> dict[str, Any]:
        from lakehouse.aws.catalog import partition_location
        from lakehouse.aws.versions import S3Location, keep_versions

        session = self.session()
        registered = partition_location(session, database=self.database, table=self.table, value=self.value)
        new = S3Location.parse(self.location)
        if registered is None or S3Location.parse(registered) == new:
            self.log.info("Partition %s is not registered at another load: nothing to keep", self.value)
            return {"kept": 0, "from": registered}
        import awswrangler as wr

        s3 = session.client("s3", endpoint_url=wr.config.s3_endpoint_url)
        result = keep_versions(s3, previous=S3Location.parse(registered), new=new)
        self.log.info(
            "Kept %d version(s) of %s that this load no longer sees (records changed, deleted or "
            "purged since): written to %s", result["kept"], registered, self.location,
        )  # fmt: skip
        return {**result, "from": registered}

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The table's earlier load -> the same table's new load (one S3 dataset: the table)."""
        from lakehouse.airflow.lineage import lineage, s3_dataset

        table = s3_dataset(self.location)
        return lineage(inputs=[table], outputs=[table])
