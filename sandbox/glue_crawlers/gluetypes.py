"""Glue (Hive) column types: from Arrow types (Parquet, ORC), and how two inferred types merge.

Glue's crawler maps Parquet's physical/logical types one to one (int32 -> int, int64 -> bigint,
binary/UTF8 -> string, timestamp -> timestamp, decimal(p,s) -> decimal(p,s), LIST -> array<...>,
struct -> struct<...>, MAP -> map<...>); JSON and CSV values are typed by the classifiers in
`formats.py`. When partitions or files disagree, numbers widen (int -> bigint -> double) and
anything else incompatible becomes string, which reads every value.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.types as pat

_NUMERIC_ORDER = ("tinyint", "smallint", "int", "bigint", "float", "double")


def glue_type(arrow: pa.DataType) -> str:
    """The Glue type of an Arrow type as a crawler writes it."""
    if pat.is_boolean(arrow):
        return "boolean"
    if pat.is_integer(arrow):
        return _integer(arrow)
    if pat.is_float16(arrow) or pat.is_float32(arrow):
        return "float"
    if pat.is_float64(arrow):
        return "double"
    if pat.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})"
    if pat.is_string(arrow) or pat.is_large_string(arrow):
        return "string"
    if pat.is_binary(arrow) or pat.is_large_binary(arrow) or pat.is_fixed_size_binary(arrow):
        return "binary"
    if pat.is_date(arrow):
        return "date"
    if pat.is_timestamp(arrow):
        return "timestamp"
    if pat.is_list(arrow) or pat.is_large_list(arrow) or pat.is_fixed_size_list(arrow):
        return f"array<{glue_type(arrow.value_type)}>"
    if pat.is_map(arrow):
        return f"map<{glue_type(arrow.key_type)},{glue_type(arrow.item_type)}>"
    if pat.is_struct(arrow):
        fields = ",".join(
            f"{arrow.field(i).name.lower()}:{glue_type(arrow.field(i).type)}" for i in range(arrow.num_fields)
        )
        return f"struct<{fields}>"
    if pat.is_dictionary(arrow):
        return glue_type(arrow.value_type)
    return "string"  # null, time, interval, ...: Glue reads them as text


def _integer(arrow: pa.DataType) -> str:
    width = arrow.bit_width + (1 if pat.is_unsigned_integer(arrow) else 0)  # uint32 needs bigint
    if width <= 8:
        return "tinyint"
    if width <= 16:
        return "smallint"
    if width <= 32:
        return "int"
    return "bigint"


def merge(left: str, right: str) -> str:
    """The type that reads values of both `left` and `right`."""
    if left == right:
        return left
    if left in _NUMERIC_ORDER and right in _NUMERIC_ORDER:
        return max(left, right, key=_NUMERIC_ORDER.index)
    if (left.startswith("decimal") and right in _NUMERIC_ORDER) or (
        right.startswith("decimal") and left in _NUMERIC_ORDER
    ):
        return "double"
    return "string"
