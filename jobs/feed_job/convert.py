"""The conversion core: prepared batches into Parquet parts in bounded memory, reading and encoding
overlapped on two threads."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    pass


from .errors import FeedError

_T = TypeVar("_T")
DEFAULT_ROWS_PER_FILE = 1_000_000
ROW_GROUP_ROWS = 1 << 20
ROW_GROUP_BYTES = 64 << 20
"""A row group is flushed at either bound: large groups encode faster (bench/results/ingest.md) and read
better in Spectrum, and the byte bound keeps a wide table's buffered group bounded too."""
PREFETCH_GROUPS = 1
"""Row groups gathered ahead on a thread while the previous one is encoded: bounded, so memory is."""


class PartSink(Protocol):
    """One Parquet part's destination: what the writer writes to, then commit() or abort()."""

    @property
    def name(self) -> str: ...

    def open(self) -> Any:
        """A pyarrow NativeFile or a binary file object for pq.ParquetWriter."""

    def commit(self) -> int:
        """Make the part durable (close the file, complete the upload); returns its size in bytes."""

    def abort(self) -> None:
        """Discard whatever was written (the run failed)."""


SinkFactory = Callable[[int], PartSink]


@dataclass
class PartStats:
    name: str
    rows: int
    bytes: int


@dataclass
class ConvertStats:
    rows: int = 0
    batches: int = 0
    files: list[PartStats] = field(default_factory=list)
    schema: pa.Schema | None = None

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)


class _PartWriter:
    """Row groups into Parquet parts: a new part from the sink factory after each part's last group."""

    def __init__(self, sink_factory: SinkFactory, compression: str) -> None:
        self._factory = sink_factory
        self._compression = compression
        self._sink: PartSink | None = None
        self._writer: pq.ParquetWriter | None = None
        self._file_rows = 0
        self.stats = ConvertStats()

    def write(self, table: pa.Table, ends_part: bool) -> None:
        if self._writer is None:
            if self.stats.schema is None:
                self.stats.schema = table.schema
            self._sink = self._factory(len(self.stats.files))
            self._writer = pq.ParquetWriter(
                self._sink.open(), table.schema, compression=self._compression, write_statistics=True
            )
            self._file_rows = 0
        self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self._file_rows += table.num_rows
        if ends_part:
            self._close_part()

    def finish(self) -> ConvertStats:
        if self._writer is not None:
            self._close_part()
        return self.stats

    def abort(self) -> None:
        writer, sink = self._writer, self._sink
        self._writer = self._sink = None
        if writer is not None:
            with contextlib.suppress(pa.ArrowException, OSError, FeedError):  # already failing
                writer.close()
        if sink is not None:
            sink.abort()

    def _close_part(self) -> None:
        assert self._writer is not None
        assert self._sink is not None
        self._writer.close()
        self._writer = None
        sink, self._sink = self._sink, None
        size = sink.commit()
        self.stats.files.append(PartStats(sink.name, self._file_rows, size))
        self.stats.rows += self._file_rows
        self._file_rows = 0


def row_groups(
    batches: Iterable[pa.RecordBatch], rows_per_file: int, group_rows: int, group_bytes: int
) -> Generator[tuple[pa.Table, bool], None, None]:
    """The batches regrouped into row groups (`group_rows` rows or `group_bytes` of Arrow data,
    whichever comes first), each with whether it ends its part (`rows_per_file` rows a part)."""
    pending: list[pa.RecordBatch] = []
    rows = size = file_rows = 0
    for batch in batches:
        offset = 0
        while offset < batch.num_rows:
            piece = batch.slice(offset, rows_per_file - file_rows)
            offset += piece.num_rows
            pending.append(piece)
            rows += piece.num_rows
            size += piece.nbytes
            file_rows += piece.num_rows
            ends_part = file_rows >= rows_per_file
            if ends_part or rows >= group_rows or size >= group_bytes:
                yield pa.Table.from_batches(pending), ends_part
                pending, rows, size = [], 0, 0
                file_rows = 0 if ends_part else file_rows
    if pending:
        yield pa.Table.from_batches(pending), True


_DONE = object()


def _read_ahead(items: Iterable[_T], depth: int) -> Generator[_T, None, None]:
    """The items, produced on a thread up to `depth` ahead of the consumer.

    Reading (Arrow's parsers, a DB cursor, HTTP) and Parquet encoding then overlap; both release
    the GIL in Arrow's C++ code. The source iterator is created, used and closed on the producer
    thread only (sqlite3 connections belong to one thread). Memory stays bounded by `depth`.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        iterator = iter(items)
        try:
            for batch in iterator:
                while not stop.is_set():
                    try:
                        slots.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which re-raises it
            slots.put(error)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="feed-ingest-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]  # anything else is an item of the source
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                slots.get_nowait()
        thread.join(timeout=10)


def convert(
    batches: Iterable[pa.RecordBatch],
    sink_factory: SinkFactory,
    rows_per_file: int = DEFAULT_ROWS_PER_FILE,
    *,
    row_group_rows: int = ROW_GROUP_ROWS,
    row_group_bytes: int = ROW_GROUP_BYTES,
    compression: str = "snappy",
    prefetch: int = PREFETCH_GROUPS,
) -> ConvertStats:
    """Write the batches as Parquet parts from `sink_factory(n)`, rolling every `rows_per_file` rows.

    Batches must share one schema (`prepare` makes them). Reading and grouping run on a thread
    `prefetch` row groups ahead of the encoding (0: no thread), so the two overlap. Memory holds
    the group being encoded, `prefetch` groups queued, the group being gathered and what the sink
    buffers: bounded by `row_group_rows` / `row_group_bytes`, whatever the input's size. On any
    failure the open part is aborted and the error propagates; committed parts stay (the caller
    owns them).
    """
    if min(rows_per_file, row_group_rows, row_group_bytes) < 1:
        raise ValueError("rows_per_file, row_group_rows and row_group_bytes must be >= 1")
    writer = _PartWriter(sink_factory, compression)
    groups = row_groups(batches, rows_per_file, row_group_rows, row_group_bytes)
    source = _read_ahead(groups, prefetch) if prefetch > 0 else groups
    ok = False
    try:
        for table, ends_part in source:
            writer.write(table, ends_part)
        stats = writer.finish()
        ok = True
        return stats
    finally:
        if not ok:
            writer.abort()
        source.close()


class LocalPart:
    """A part written to a local file (the benchmark, tests)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._file: pa.NativeFile | None = None

    @property
    def name(self) -> str:
        return self._path

    def open(self) -> Any:
        self._file = pa.OSFile(self._path, "wb")
        return self._file

    def commit(self) -> int:
        assert self._file is not None
        size = int(self._file.tell())
        self._file.close()
        return size

    def abort(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._path)
