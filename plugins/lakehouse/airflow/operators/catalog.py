"""Schema discovery and catalog registration: Salesforce fields -> Glue table -> partition."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.providers.amazon.aws.hooks.appflow import AppflowHook
from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields

from lakehouse.airflow.lineage_names import TableLineage
from lakehouse.airflow.operators.base import WranglerOperator
from lakehouse.aws.salesforce_types import describe_salesforce_fields, transferred


class SalesforceSchemaOperator(AwsBaseOperator[AppflowHook]):
    """Read an object's fields from its org (the seed's get_salesforce_object_fields).

    Returns {column: glue_type} in Salesforce's field order, without the compound fields a flow
    reading through Bulk API 2.0 never receives, and with `required_columns` the views read
    (isdeleted, masterrecordid) added when the object lacks them: they then read as null.
    """

    aws_hook_class = AppflowHook
    template_fields: Sequence[str] = aws_template_fields("connector_profile", "object_name")

    def __init__(
        self,
        *,
        connector_profile: str,
        object_name: str,
        data_transfer_api: str = "REST_SYNC",
        required_columns: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.connector_profile = connector_profile
        self.object_name = object_name
        self.data_transfer_api = data_transfer_api
        self.required_columns = dict(required_columns or {})

    def execute(self, context: Any) -> dict[str, str]:
        fields = describe_salesforce_fields(self.hook.conn, self.connector_profile, self.object_name)
        if not fields:
            raise ValueError(
                f"Salesforce reports no fields for {self.object_name} ({self.connector_profile})"
            )
        landed = [f for f in fields if transferred(f, self.data_transfer_api)]
        self._fields = {f.name: f.sf_type for f in landed}
        columns = {f.column: f.glue_type for f in landed}
        return {**columns, **{k: v for k, v in self.required_columns.items() if k not in columns}}

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The Salesforce object, with its fields and their Salesforce types."""
        from lakehouse.airflow.lineage import lineage, salesforce_dataset, salesforce_host

        host = salesforce_host(self.hook.conn, self.connector_profile)
        return lineage(inputs=[salesforce_dataset(host, self.object_name, getattr(self, "_fields", None))])


class GlueTableOperator(WranglerOperator):
    """Create the object's table, or add the columns Salesforce gained (never drops one)."""

    template_fields: Sequence[str] = ("columns",)

    def __init__(
        self,
        *,
        database: str,
        table: str,
        location: str,
        partition_column: str,
        columns: Any,
        description: str,
        lineage: TableLineage | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.database = database
        self.table = table
        self.location = location
        self.partition_column = partition_column
        self.columns = columns
        self.description = description
        self.lineage = lineage

    def execute(self, context: Any) -> dict[str, Any]:
        from lakehouse.aws.catalog import ensure_table

        change = ensure_table(
            self.session(),
            database=self.database,
            table=self.table,
            location=self.location,
            columns=self.columns,
            partition_column=self.partition_column,
            description=self.description,
        )
        if change.kept_types:
            self.log.warning(
                "Salesforce changed the type of %s; the catalog keeps the old type", change.kept_types
            )
        return {"created": change.created, "added_columns": list(change.added_columns)}

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The table's S3 location -> its Glue table and Spectrum external table, with the columns
        (the partition column last, as the catalog lists it)."""
        from lakehouse.airflow.lineage import glue_dataset, lineage, s3_dataset, spectrum_dataset

        if self.lineage is None:
            return lineage()
        columns = {**dict(self.columns or {}), self.partition_column: "string"}
        return lineage(
            inputs=[s3_dataset(self.location)],
            outputs=[glue_dataset(self.lineage, columns), spectrum_dataset(self.lineage, columns)],
        )


class GluePartitionOperator(WranglerOperator):
    """Point the interval's partition at its location: register it, or move it there from an
    earlier load's (one catalog update, so readers see either load whole). Idempotent."""

    template_fields: Sequence[str] = ("location", "value")

    def __init__(
        self,
        *,
        database: str,
        table: str,
        location: str,
        value: str,
        lineage: TableLineage | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.database = database
        self.table = table
        self.location = location
        self.value = value
        self.lineage = lineage

    def execute(self, context: Any) -> int:
        from lakehouse.aws.catalog import register_partitions

        return register_partitions(
            self.session(),
            database=self.database,
            table=self.table,
            partitions={self.location: self.value},
        )

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The load's table in S3 -> the Glue table whose partition now points at it."""
        from lakehouse.airflow.lineage import glue_dataset, lineage, s3_dataset

        if self.lineage is None:
            return lineage()
        return lineage(inputs=[s3_dataset(self.location)], outputs=[glue_dataset(self.lineage)])
