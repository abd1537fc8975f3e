"""Delete what earlier loads of an interval left under its path, once the new load is registered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.providers.amazon.aws.hooks.s3 import S3Hook

from lakehouse.airflow.operators.base import WranglerOperator


class PartitionPruneOperator(WranglerOperator):
    """Reads where the catalog points the partition now and deletes only the files older than that
    load's (lakehouse.aws.superseded): a failed rerun's partial files and the loads it replaced,
    never the registered load nor a newer one an overlapping run wrote."""

    template_fields: Sequence[str] = ("bucket", "prefix", "value")

    def __init__(
        self, *, database: str, table: str, value: str, bucket: str, prefix: str, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.database = database
        self.table = table
        self.value = value
        self.bucket = bucket
        self.prefix = prefix

    def execute(self, context: Any) -> int:
        from lakehouse.aws.catalog import partition_location
        from lakehouse.aws.superseded import StoredFile, superseded

        session = self.session()
        location = partition_location(session, database=self.database, table=self.table, value=self.value)
        registered = _key_prefix(location, self.bucket)
        if registered is None or not registered.startswith(self.prefix):
            self.log.warning(
                "%s.%s partition %s is registered at %s, not under s3://%s/%s: nothing deleted",
                self.database, self.table, self.value, location, self.bucket, self.prefix,
            )  # fmt: skip
            return 0
        s3 = S3Hook(aws_conn_id=self.aws_conn_id, region_name=self.region_name)
        files = [
            StoredFile(item["Key"], item["LastModified"])
            for item in s3.iter_file_metadata(self.prefix, bucket_name=self.bucket)
        ]
        stale = superseded(files, registered)
        if stale:
            s3.delete_objects(bucket=self.bucket, keys=stale)
        self.log.info("Kept %s; deleted %d superseded file(s)", location, len(stale))
        return len(stale)


def _key_prefix(location: str | None, bucket: str) -> str | None:
    """`s3://bucket/a/b/` -> `a/b/`; None for another bucket or no location."""
    head = f"s3://{bucket}/"
    if location is None or not location.startswith(head):
        return None
    return location[len(head) :].rstrip("/") + "/"
