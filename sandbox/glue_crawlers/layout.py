"""Which folders are tables and which are partitions: the crawler's grouping, as a pure function of
the files found under one include path and their schemas.

Rules (Glue Developer Guide, "How does a crawler determine when to create partitions?",
https://docs.aws.amazon.com/glue/latest/dg/crawler-s3-folder-table-partition.html, and the
knowledge-center article "How does the AWS Glue crawler detect the schema?"):

- The include path is the first candidate table root. Its files make one table when they are
  compatible (same format, compression and SerDe), sit at the same depth, have consistent folder
  names at each level (all `key=value` with the same key, or none), and their partitions' schemas
  are similar: grouped by column-name similarity (Jaccard >= 0.7, the sandbox's measure: AWS does
  not publish one), there are at most five groups and the largest holds more than 70% of the
  partitions. Otherwise each sub-folder is a candidate root of its own (files directly in the
  folder make a table of their own), so dissimilar `year=2017`, `year=2018` become the tables
  `year_2017` and `year_2018`, as in the guide's example.
- `Grouping.TableGroupingPolicy = CombineCompatibleSchemas` skips the similarity test
  (https://docs.aws.amazon.com/glue/latest/dg/crawler-grouping-policy.html);
  `Grouping.TableLevelConfiguration = N` puts every table root at absolute level N, the bucket
  being level 1.
- Partition keys are the `key` of `key=value` folders, else `partition_0`, `partition_1`, ...;
  they are strings. A table's columns are its partitions' columns merged in order of first
  appearance; each partition keeps its own columns.
- Table names are the root folder's name, lower case, with every character other than a-z, 0-9
  and `_` replaced by `_`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote

from sandbox.glue_crawlers.formats import FileSchema
from sandbox.glue_crawlers.gluetypes import merge

SIMILARITY = 0.7
PARTITION_THRESHOLD = 0.7
MAX_SCHEMA_GROUPS = 5
_UNSAFE = re.compile(r"[^a-z0-9_]")


@dataclass(frozen=True)
class FoundFile:
    folders: tuple[str, ...]
    """Folder names between the include path and the file."""
    name: str
    schema: FileSchema
    size: int


@dataclass
class PartitionPlan:
    values: tuple[str, ...]
    location: str
    columns: list[tuple[str, str]]
    objects: int = 0
    records: int = 0
    size: int = 0


@dataclass
class TablePlan:
    name: str
    location: str
    schema: FileSchema
    """A representative file's schema: classification, SerDe, compression and CSV parameters."""
    columns: list[tuple[str, str]]
    partition_keys: list[str] = field(default_factory=list)
    partitions: list[PartitionPlan] = field(default_factory=list)
    objects: int = 0
    records: int = 0
    size: int = 0


@dataclass(frozen=True)
class Grouping:
    combine_compatible: bool = False
    table_level: int | None = None
    """Absolute level of every table root (bucket = 1), from Grouping.TableLevelConfiguration."""
    include_level: int = 1
    """Absolute level of the include path itself."""


def table_name(folder: str) -> str:
    return _UNSAFE.sub("_", folder.lower())


def plan_tables(location: str, name: str, files: list[FoundFile], grouping: Grouping) -> list[TablePlan]:
    """The tables the files under `location` (no trailing slash) make; `name` is its folder name."""
    if not files:
        return []
    if grouping.table_level is not None:
        return _forced(location, files, grouping)
    return _tables(location, name, files, grouping)


def _tables(location: str, name: str, files: list[FoundFile], grouping: Grouping) -> list[TablePlan]:
    if _one_table(files, grouping.combine_compatible):
        return [_table(location, name, files)]
    plans: list[TablePlan] = []
    direct = [f for f in files if not f.folders]
    if direct and _compatible(direct):
        plans.append(_table(location, name, direct))
    children: dict[str, list[FoundFile]] = {}
    for found in files:
        if found.folders:
            children.setdefault(found.folders[0], []).append(_down(found))
    for child, below in sorted(children.items()):
        plans += _tables(f"{location}/{child}", table_name(child), below, grouping)
    return plans


def _forced(location: str, files: list[FoundFile], grouping: Grouping) -> list[TablePlan]:
    depth = max(grouping.table_level - grouping.include_level, 0) if grouping.table_level else 0
    groups: dict[tuple[str, ...], list[FoundFile]] = {}
    for found in files:
        if len(found.folders) >= depth:
            groups.setdefault(found.folders[:depth], []).append(found)
    plans = []
    for root, members in sorted(groups.items()):
        below = [FoundFile(f.folders[depth:], f.name, f.schema, f.size) for f in members]
        common = Counter(len(f.folders) for f in below).most_common(1)[0][0]
        kept = [
            f
            for f in below
            if len(f.folders) == common and f.schema.compatibility == below[0].schema.compatibility
        ]
        folder = root[-1] if root else location.rsplit("/", 1)[-1]
        plans.append(_table("/".join([location, *root]), table_name(folder), kept))
    return plans


def _down(found: FoundFile) -> FoundFile:
    return FoundFile(found.folders[1:], found.name, found.schema, found.size)


def _compatible(files: list[FoundFile]) -> bool:
    return len({f.schema.compatibility for f in files}) == 1


def _one_table(files: list[FoundFile], combine: bool) -> bool:
    if not _compatible(files) or len({len(f.folders) for f in files}) != 1:
        return False
    depth = len(files[0].folders)
    for level in range(depth):
        if len({_hive_key(f.folders[level]) for f in files}) != 1:
            return False
    if depth == 0 or combine:
        return True
    partitions: dict[tuple[str, ...], set[str]] = {}
    for found in files:
        partitions.setdefault(found.folders, set()).update(name for name, _ in found.schema.columns)
    groups: list[list[set[str]]] = []
    for _, names in sorted(partitions.items()):
        for group in groups:
            if _similarity(group[0], names) >= SIMILARITY:
                group.append(names)
                break
        else:
            groups.append([names])
    largest = max(len(group) for group in groups)
    return (len(groups) <= MAX_SCHEMA_GROUPS and largest / len(partitions) > PARTITION_THRESHOLD) or len(
        groups
    ) == 1


def _similarity(left: set[str], right: set[str]) -> float:
    union = left | right
    return len(left & right) / len(union) if union else 1.0


def _hive_key(folder: str) -> str | None:
    key, equals, _ = folder.partition("=")
    return key.lower() if equals and key else None


def _table(location: str, name: str, files: list[FoundFile]) -> TablePlan:
    depth = len(files[0].folders) if files else 0
    keys = [_hive_key(files[0].folders[level]) or f"partition_{level}" for level in range(depth)]
    partitions: dict[tuple[str, ...], PartitionPlan] = {}
    for found in sorted(files, key=lambda f: (f.folders, f.name)):
        values = tuple(_value(folder) for folder in found.folders)
        part = partitions.get(values)
        if part is None:
            part_location = "/".join([location, *found.folders]) + "/"
            part = partitions[values] = PartitionPlan(values, part_location, [])
        part.columns = _union(part.columns, list(found.schema.columns))
        part.objects += 1
        part.records += found.schema.records
        part.size += found.size
    columns: list[tuple[str, str]] = []
    for part in partitions.values():
        columns = _union(columns, part.columns)
    columns = [(column, kind) for column, kind in columns if column not in keys]
    plan = TablePlan(
        name=name,
        location=location + "/",
        schema=files[0].schema,
        columns=columns,
        partition_keys=keys,
        partitions=list(partitions.values()) if depth else [],
    )
    plan.objects = sum(p.objects for p in partitions.values())
    plan.records = sum(p.records for p in partitions.values())
    plan.size = sum(p.size for p in partitions.values())
    return plan


def _value(folder: str) -> str:
    key, equals, value = folder.partition("=")
    return unquote(value) if equals and key else folder


def _union(left: list[tuple[str, str]], right: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged = dict(left)
    for name, kind in right:
        merged[name] = merge(merged[name], kind) if name in merged else kind
    return list(merged.items())
