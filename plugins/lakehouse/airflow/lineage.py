"""OpenLineage datasets of our tasks, named by OpenLineage's naming conventions (spec/Naming.md):

| store | namespace | name |
|---|---|---|
| S3 | `s3://{bucket}` | the table's (or results') key prefix, no leading or trailing `/` |
| Glue | `arn:aws:glue:{region}:{account id}` | `table/{database}/{table}` |
| Redshift | `redshift://{cluster identifier or workgroup}.{region}:5439` | `{database}.{schema}.{table}` |
| Salesforce | `salesforce://{instance host}` (not in the spec: our choice) | the object's API name |

An S3 dataset is a whole table (the key prefix above its partitions), not one partition or one
AppFlow execution's folder: lineage is about tables, and every run of an object meets the others
on the same dataset. The Salesforce instance host comes from the connector profile's
`instanceUrl` (DescribeConnectorProfiles); a profile without one is named by itself.

Imported only when a task reports its lineage (the OpenLineage listener calls the operators'
`get_openlineage_facets_on_complete`), never while the DAGs are parsed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

from airflow.providers.common.compat.openlineage.facet import (
    Dataset,
    DatasetFacet,
    Identifier,
    SchemaDatasetFacet,
    SchemaDatasetFacetFields,
    SymlinksDatasetFacet,
)
from airflow.providers.openlineage.extractors import OperatorLineage

from lakehouse.airflow.lineage_names import TableLineage, Warehouse, table_prefix


def schema_facets(columns: Mapping[str, str] | None) -> dict[str, DatasetFacet]:
    if not columns:
        return {}
    fields = [SchemaDatasetFacetFields(name=name, type=kind) for name, kind in columns.items()]
    return {"schema": SchemaDatasetFacet(fields=fields)}


def s3_dataset(location: str, columns: Mapping[str, str] | None = None) -> Dataset:
    """`s3://bucket/prefix...` as the table's dataset."""
    parsed = urlparse(location)
    return Dataset(
        namespace=f"s3://{parsed.netloc}", name=table_prefix(parsed.path), facets=schema_facets(columns)
    )


def s3_prefix_dataset(bucket: str, prefix: str) -> Dataset:
    return s3_dataset(f"s3://{bucket}/{prefix}")


def salesforce_host(appflow: Any, profile: str) -> str:
    """The org's instance host from its connector profile; the profile's name when it has none."""
    details = appflow.describe_connector_profiles(connectorProfileNames=[profile]).get(
        "connectorProfileDetails", []
    )
    for detail in details:
        url = detail.get("connectorProfileProperties", {}).get("Salesforce", {}).get("instanceUrl")
        if url:
            return urlparse(str(url)).netloc or str(url)
    return profile


def salesforce_dataset(host: str, object_name: str, columns: Mapping[str, str] | None = None) -> Dataset:
    return Dataset(namespace=f"salesforce://{host}", name=object_name, facets=schema_facets(columns))


def lineage(inputs: Iterable[Dataset] = (), outputs: Iterable[Dataset] = ()) -> OperatorLineage[Any, Any]:
    return OperatorLineage(inputs=list(inputs), outputs=list(outputs))


def redshift_dataset(
    where: Warehouse, schema: str, table: str, columns: Mapping[str, str] | None = None
) -> Dataset:
    return Dataset(
        namespace=where.namespace, name=where.table_name(schema, table), facets=schema_facets(columns)
    )


def spectrum_dataset(target: TableLineage, columns: Mapping[str, str] | None = None) -> Dataset:
    """The Glue table seen from Redshift: `<external schema>.<table>`."""
    return redshift_dataset(target.warehouse, target.external_schema, target.table, columns)


def glue_dataset(target: TableLineage, columns: Mapping[str, str] | None = None) -> Dataset:
    """The Glue table, with a symlink to its Spectrum name: the same table to a lineage tool."""
    spectrum = spectrum_dataset(target)
    facets = schema_facets(columns)
    facets["symlinks"] = SymlinksDatasetFacet(
        identifiers=[Identifier(namespace=spectrum.namespace, name=spectrum.name, type="TABLE")]
    )
    return Dataset(namespace=target.glue_namespace, name=target.glue_name, facets=facets)
