"""The type mapping every source shares: timestamps as microseconds (UTC when zoned), the event-time
column as timestamp[us, UTC], one schema fixed by the first batch, the window applied."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    pass


from .arguments import Window, parse_instant
from .errors import FeedError

EVENT_TIME_TYPE = pa.timestamp("us", tz="UTC")


def _to_event_time(name: str, column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The timestamp column as timestamp[us, UTC]: text parsed as ISO 8601, naive values taken as UTC."""
    kind = column.type
    try:
        if pa.types.is_timestamp(kind):
            return pc.cast(column, EVENT_TIME_TYPE, safe=kind.unit != "ns")
        if pa.types.is_null(kind):
            return pa.nulls(len(column), EVENT_TIME_TYPE)
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            try:
                return pc.cast(column, EVENT_TIME_TYPE)  # all with Z or an offset: Arrow's fast path
            except pa.ArrowInvalid:
                pass
            try:
                naive = pc.cast(column, pa.timestamp("us"))  # all "2025-01-13 10:00:00": UTC by contract
                return pc.cast(naive, EVENT_TIME_TYPE)
            except pa.ArrowInvalid:
                pass
            # mixed forms in one batch (a SQLite column may hold both): value by value
            values = [
                None if v is None else parse_instant(v, f"timestamp column {name!r}")
                for v in column.to_pylist()
            ]
            return pa.array(values, type=EVENT_TIME_TYPE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise FeedError(f"timestamp column {name!r}: {error}") from None
    raise FeedError(f"timestamp column {name!r} is {kind}, not a timestamp or ISO 8601 text")


def normalize(batch: pa.RecordBatch, timestamp_column: str | None) -> pa.RecordBatch:
    """Every timestamp as microseconds (UTC when zoned); the event-time column as timestamp[us, UTC]."""
    arrays: list[pa.Array] = []
    changed = False
    for index, item in enumerate(batch.schema):
        column = batch.column(index)
        if item.name == timestamp_column:
            new = _to_event_time(item.name, column)
        elif pa.types.is_timestamp(item.type) and (
            item.type.unit != "us" or item.type.tz not in (None, "UTC")
        ):
            target = pa.timestamp("us", tz="UTC" if item.type.tz else None)
            new = pc.cast(column, target, safe=item.type.unit != "ns")  # ns -> us truncates sub-us
        else:
            new = column
        changed = changed or new is not column
        arrays.append(new)
    if not changed:
        return batch
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


class SchemaGuard:
    """Fixes the schema from the first batch and makes every later batch fit it, or says which column not."""

    def __init__(self) -> None:
        self.schema: pa.Schema | None = None
        self.rows = 0

    def fit(self, batch: pa.RecordBatch, where: str) -> pa.RecordBatch:
        names = batch.schema.names
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise FeedError(f"{where}: duplicate column names {duplicates}")
        if self.schema is None:
            self.schema = pa.schema(
                [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in batch.schema]
            )
        schema = self.schema
        new = [n for n in names if schema.get_field_index(n) < 0]
        if new:
            raise FeedError(
                f"{where}: column {new[0]!r} is not in the schema fixed by the first batch "
                f"({', '.join(schema.names)}); a column may not appear after the first batch"
            )
        arrays = []
        for target in schema:
            index = batch.schema.get_field_index(target.name)
            if index < 0:
                arrays.append(pa.nulls(batch.num_rows, target.type))
                continue
            column = batch.column(index)
            if column.type != target.type:
                try:
                    column = pc.cast(column, target.type, safe=True)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
                    raise FeedError(
                        f"{where}: column {target.name!r} has {column.type} values that do not fit its "
                        f"type {target.type} (fixed by the first batch): {error}"
                    ) from None
            arrays.append(column)
        self.rows += batch.num_rows
        return pa.RecordBatch.from_arrays(arrays, schema=schema)


def in_window(batch: pa.RecordBatch, column: str, window: Window) -> pa.RecordBatch:
    """Only the rows with start <= column < end (rows without a timestamp are dropped)."""
    index = batch.schema.get_field_index(column)
    if index < 0:
        raise FeedError(f"timestamp column {column!r} is not in the source's columns {batch.schema.names}")
    values = batch.column(index)
    start = pa.scalar(window.start, type=EVENT_TIME_TYPE)
    end = pa.scalar(window.end, type=EVENT_TIME_TYPE)
    mask = pc.and_(pc.greater_equal(values, start), pc.less(values, end))
    return batch.filter(mask)


def prepare(
    batches: Iterable[tuple[str, pa.RecordBatch]],
    timestamp_column: str | None = None,
    window: Window | None = None,
) -> Iterator[pa.RecordBatch]:
    """Source batches (each with where it came from) normalized, windowed and fitted to one schema."""
    guard = SchemaGuard()
    iterator = iter(batches)
    try:
        for where, raw in iterator:
            batch = normalize(raw, timestamp_column)
            if window is not None and timestamp_column:
                batch = in_window(batch, timestamp_column, window)
            if batch.num_rows:  # an empty batch has nothing to write and may not know the types yet
                yield guard.fit(batch, where)
    finally:  # close the source here, on this thread, even when a batch did not fit
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def batch_from_columns(names: Sequence[str], columns: Sequence[Sequence[Any]], where: str) -> pa.RecordBatch:
    """Python values column by column to Arrow (types inferred per batch; the guard unifies)."""
    arrays = []
    for name, values in zip(names, columns, strict=True):
        try:
            arrays.append(pa.array(values, from_pandas=False))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as error:
            raise FeedError(f"{where}: column {name!r} holds values of mixed types: {error}") from None
    return pa.RecordBatch.from_arrays(arrays, names=list(names))
