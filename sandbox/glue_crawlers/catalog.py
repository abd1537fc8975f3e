"""Writing a crawl's tables and partitions to the Data Catalog (moto, through the Glue API), as the
crawler's SchemaChangePolicy and Configuration say.

- New tables and new partitions are always added, whatever the policy (CloudFormation reference,
  AWS::Glue::Crawler SchemaChangePolicy:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-glue-crawler-schemachangepolicy.html).
- UpdateBehavior UPDATE_IN_DATABASE (the default) replaces a changed table's columns, partition
  keys and SerDe and updates changed partitions; with `CrawlerOutput.Tables.AddOrUpdateBehavior =
  MergeNewColumns` it only adds new columns; LOG changes nothing that exists.
  `CrawlerOutput.Partitions.AddOrUpdateBehavior = InheritFromTable` gives partitions the table's
  columns (https://docs.aws.amazon.com/glue/latest/dg/crawler-schema-changes-prevent.html).
- DeleteBehavior applies to tables this crawler wrote (`UPDATED_BY_CRAWLER`) under its include
  paths whose files are gone, and to their partitions: DELETE_FROM_DATABASE deletes them,
  DEPRECATE_IN_DATABASE (the default) marks a table with a `DEPRECATED_BY_CRAWLER` parameter
  holding the time, LOG leaves them.
- A table name already used for another location gets a hash suffix, as the crawler does.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.glue_crawlers.layout import PartitionPlan, TablePlan

_BATCH = 100  # BatchCreatePartition / BatchUpdatePartition / BatchDeletePartition limits
_CREATE_BATCH = 100
_DELETE_BATCH = 25


@dataclass(frozen=True)
class Policy:
    crawler: str
    database: str
    table_prefix: str = ""
    update_behavior: str = "UPDATE_IN_DATABASE"
    delete_behavior: str = "DEPRECATE_IN_DATABASE"
    merge_new_columns: bool = False
    inherit_from_table: bool = False


@dataclass
class Changes:
    """What one crawl changed (GetCrawlerMetrics' counts and ListCrawls' Summary)."""

    tables_created: int = 0
    tables_updated: int = 0
    tables_deleted: int = 0
    tables_deprecated: int = 0
    partitions_added: int = 0
    partitions_updated: int = 0
    partitions_deleted: int = 0
    tables: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """ListCrawls' Summary: counts by kind and action, as the console shows them."""
        document: dict[str, dict[str, dict[str, int]]] = {}
        for kind, action, count in (
            ("TABLE", "ADD", self.tables_created),
            ("TABLE", "UPDATE", self.tables_updated),
            ("TABLE", "DELETE", self.tables_deleted),
            ("TABLE", "DEPRECATE", self.tables_deprecated),
            ("PARTITION", "ADD", self.partitions_added),
            ("PARTITION", "UPDATE", self.partitions_updated),
            ("PARTITION", "DELETE", self.partitions_deleted),
        ):
            if count:
                document.setdefault(kind, {})[action] = {"Count": count}
        return json.dumps(document, separators=(",", ":"))


def _location(value: str) -> str:
    return value.rstrip("/") + "/"


class CatalogWriter:
    def __init__(self, glue: Any, policy: Policy) -> None:
        self._glue = glue
        self._policy = policy
        self.changes = Changes()

    def ensure_database(self) -> None:
        """The crawler's database, created if missing."""
        try:
            self._glue.get_database(Name=self._policy.database)
        except self._glue.exceptions.EntityNotFoundException:
            self._glue.create_database(DatabaseInput={"Name": self._policy.database})

    def write(self, plans: Iterable[TablePlan], include_paths: list[str]) -> Changes:
        existing = {t["Name"]: t for t in self._tables()}
        written: set[str] = set()
        for plan in plans:
            name = self._name(plan, existing, written)
            written.add(name)
            self.changes.tables.append(name)
            if name in existing:
                self._update(name, existing[name], plan)
            else:
                self._create(name, plan)
        self._gone(existing, written, include_paths)
        return self.changes

    # Tables -----------------------------------------------------------------------------------

    def _tables(self) -> list[dict[str, Any]]:
        tables: list[dict[str, Any]] = []
        for page in self._glue.get_paginator("get_tables").paginate(DatabaseName=self._policy.database):
            tables += page["TableList"]
        return tables

    def _name(self, plan: TablePlan, existing: dict[str, Any], written: set[str]) -> str:
        name = self._policy.table_prefix + plan.name
        table = existing.get(name)
        location = table.get("StorageDescriptor", {}).get("Location", "") if table else ""
        if name in written or (table is not None and _location(location) != plan.location):
            name = f"{name}_{hashlib.sha1(plan.location.encode()).hexdigest()[:8]}"  # noqa: S324 - a name
        return name

    def _create(self, name: str, plan: TablePlan) -> None:
        self._glue.create_table(DatabaseName=self._policy.database, TableInput=self._table_input(name, plan))
        self.changes.tables_created += 1
        self._add_partitions(name, plan, plan.partitions)

    def _update(self, name: str, table: dict[str, Any], plan: TablePlan) -> None:
        current_keys = [k["Name"] for k in table.get("PartitionKeys", [])]
        storage = table.get("StorageDescriptor", {})
        current = [(c["Name"], c["Type"]) for c in storage.get("Columns", [])]
        columns = plan.columns
        if self._policy.merge_new_columns:
            known = {column for column, _ in current}
            columns = current + [(column, kind) for column, kind in plan.columns if column not in known]
        serde = storage.get("SerdeInfo", {}).get("SerializationLibrary")
        changed = (
            current != columns or current_keys != plan.partition_keys or serde != plan.schema.storage.serde
        )
        updating = self._policy.update_behavior == "UPDATE_IN_DATABASE"
        if changed and updating:
            merged = TablePlan(plan.name, plan.location, plan.schema, columns, plan.partition_keys)
            merged.objects, merged.records, merged.size = plan.objects, plan.records, plan.size
            self._glue.update_table(
                DatabaseName=self._policy.database, TableInput=self._table_input(name, merged)
            )
            self.changes.tables_updated += 1
        keys_match = current_keys == plan.partition_keys
        if not keys_match and not updating:
            return  # "Folder partition keys do not match table partition keys": partitions skipped
        existing = {tuple(p["Values"]): p for p in self._partitions(name)}
        if not keys_match:
            self._delete_partitions(name, list(existing))
            existing = {}
        table_columns = columns if updating else current
        new = [p for p in plan.partitions if p.values not in existing]
        self._add_partitions(name, plan, new, table_columns)
        if updating:
            changed_parts = [
                p
                for p in plan.partitions
                if p.values in existing and self._differs(existing[p.values], p, table_columns)
            ]
            self._update_partitions(name, plan, changed_parts, table_columns)
        if self._policy.delete_behavior == "DELETE_FROM_DATABASE":
            seen = {p.values for p in plan.partitions}
            self._delete_partitions(name, [values for values in existing if values not in seen])

    def _gone(self, existing: dict[str, Any], written: set[str], include_paths: list[str]) -> None:
        """Tables this crawler made whose files are gone: deleted, deprecated or only logged."""
        roots = [_location(path) for path in include_paths]
        for name, table in existing.items():
            if (
                name in written
                or table.get("Parameters", {}).get("UPDATED_BY_CRAWLER") != self._policy.crawler
            ):
                continue
            location = _location(table.get("StorageDescriptor", {}).get("Location", ""))
            if not any(location.startswith(root) or root.startswith(location) for root in roots):
                continue
            if self._policy.delete_behavior == "DELETE_FROM_DATABASE":
                self._glue.delete_table(DatabaseName=self._policy.database, Name=name)
                self.changes.tables_deleted += 1
            elif self._policy.delete_behavior == "DEPRECATE_IN_DATABASE":
                if "DEPRECATED_BY_CRAWLER" in table.get("Parameters", {}):
                    continue
                self._glue.update_table(DatabaseName=self._policy.database, TableInput=_deprecated(table))
                self.changes.tables_deprecated += 1

    def _table_input(self, name: str, plan: TablePlan) -> dict[str, Any]:
        parameters = self._parameters(plan.schema, plan.objects, plan.records, plan.size)
        return {
            "Name": name,
            "Owner": "owner",
            "Retention": 0,
            "TableType": "EXTERNAL_TABLE",
            "PartitionKeys": [{"Name": key, "Type": "string"} for key in plan.partition_keys],
            "StorageDescriptor": self._storage(plan, plan.location, plan.columns, parameters),
            "Parameters": parameters,
        }

    def _parameters(self, schema: Any, objects: int, records: int, size: int) -> dict[str, str]:
        parameters = {
            "classification": schema.classification,
            "compressionType": schema.compression,
            "typeOfData": "file",
            "UPDATED_BY_CRAWLER": self._policy.crawler,
            "CrawlerSchemaDeserializerVersion": "1.0",
            "CrawlerSchemaSerializerVersion": "1.0",
            "objectCount": str(objects),
            "recordCount": str(records),
            "sizeKey": str(size),
            "averageRecordSize": str(size // records if records else 0),
        }
        parameters.update(dict(schema.parameters))
        return parameters

    @staticmethod
    def _storage(
        plan: TablePlan, location: str, columns: list[tuple[str, str]], parameters: dict[str, str]
    ) -> dict[str, Any]:
        storage = plan.schema.storage
        serde_parameters = dict(storage.serde_parameters)
        if "paths" in serde_parameters:  # the JSON SerDe names the columns it reads
            serde_parameters["paths"] = ",".join(column for column, _ in columns)
        return {
            "Columns": [{"Name": column, "Type": kind} for column, kind in columns],
            "Location": location,
            "InputFormat": storage.input_format,
            "OutputFormat": storage.output_format,
            "Compressed": plan.schema.compression != "none",
            "NumberOfBuckets": -1,
            "SerdeInfo": {"SerializationLibrary": storage.serde, "Parameters": serde_parameters},
            "BucketColumns": [],
            "SortColumns": [],
            "Parameters": parameters,
            "StoredAsSubDirectories": False,
        }

    # Partitions -------------------------------------------------------------------------------

    def _partitions(self, table: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        pages = self._glue.get_paginator("get_partitions").paginate(
            DatabaseName=self._policy.database, TableName=table
        )
        for page in pages:
            found += page["Partitions"]
        return found

    def _partition_input(
        self, plan: TablePlan, part: PartitionPlan, table_columns: list[tuple[str, str]]
    ) -> dict[str, Any]:
        columns = table_columns if self._policy.inherit_from_table else part.columns
        parameters = self._parameters(plan.schema, part.objects, part.records, part.size)
        return {
            "Values": list(part.values),
            "StorageDescriptor": self._storage(plan, part.location, columns, parameters),
            "Parameters": parameters,
        }

    def _differs(
        self, existing: dict[str, Any], part: PartitionPlan, table_columns: list[tuple[str, str]]
    ) -> bool:
        storage = existing.get("StorageDescriptor", {})
        columns = table_columns if self._policy.inherit_from_table else part.columns
        current = [(c["Name"], c["Type"]) for c in storage.get("Columns", [])]
        return current != columns or _location(storage.get("Location", "")) != part.location

    def _add_partitions(
        self,
        table: str,
        plan: TablePlan,
        parts: list[PartitionPlan],
        table_columns: list[tuple[str, str]] | None = None,
    ) -> None:
        columns = plan.columns if table_columns is None else table_columns
        inputs = [self._partition_input(plan, part, columns) for part in parts]
        for start in range(0, len(inputs), _CREATE_BATCH):
            answer = self._glue.batch_create_partition(
                DatabaseName=self._policy.database,
                TableName=table,
                PartitionInputList=inputs[start : start + _CREATE_BATCH],
            )
            errors = answer.get("Errors") or []
            if errors:
                raise RuntimeError(f"BatchCreatePartition failed for {table}: {errors[0].get('ErrorDetail')}")
        self.changes.partitions_added += len(inputs)

    def _update_partitions(
        self, table: str, plan: TablePlan, parts: list[PartitionPlan], table_columns: list[tuple[str, str]]
    ) -> None:
        entries = [
            {
                "PartitionValueList": list(part.values),
                "PartitionInput": self._partition_input(plan, part, table_columns),
            }
            for part in parts
        ]
        for start in range(0, len(entries), _BATCH):
            self._glue.batch_update_partition(
                DatabaseName=self._policy.database, TableName=table, Entries=entries[start : start + _BATCH]
            )
        self.changes.partitions_updated += len(entries)

    def _delete_partitions(self, table: str, values: list[tuple[str, ...]]) -> None:
        for start in range(0, len(values), _DELETE_BATCH):
            chunk = [{"Values": list(v)} for v in values[start : start + _DELETE_BATCH]]
            self._glue.batch_delete_partition(
                DatabaseName=self._policy.database, TableName=table, PartitionsToDelete=chunk
            )
        self.changes.partitions_deleted += len(values)


_TABLE_INPUT_KEYS = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "TableType",
    "Parameters",
)


def _deprecated(table: dict[str, Any]) -> dict[str, Any]:
    """The table as a TableInput with the deprecation mark added."""
    table_input = {key: table[key] for key in _TABLE_INPUT_KEYS if key in table}
    parameters = dict(table_input.get("Parameters") or {})
    parameters["DEPRECATED_BY_CRAWLER"] = str(int(time.time()))
    table_input["Parameters"] = parameters
    return table_input
