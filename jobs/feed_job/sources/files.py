"""CSV and JSON-lines files, streamed in blocks of whole lines and parsed on a pool, in order."""

from __future__ import annotations

import csv
import io
import os
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


from ..errors import FeedError
from ..s3 import s3_error

FILE_BLOCK_BYTES = 4 << 20
"""Bytes per block of a CSV/JSON-lines file: one block is one source batch."""
BLOCKS_PER_WORKER = 2
"""Blocks read and parsed ahead per parsing thread: bounds memory to a few blocks."""
S3_READ_BUFFER = 1 << 20
_CSV_COLUMN = re.compile(r"In CSV column #(\d+)")


class _S3Body(io.RawIOBase):
    """A GetObject body as a raw binary stream, so io.BufferedReader and pyarrow can read it."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._body.read(len(buffer))
        except BotoCoreError as error:
            raise OSError(f"S3 read failed: {type(error).__name__}") from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


Opener = Callable[[], Any]
"""Opens one file for reading: a pyarrow NativeFile or a binary file object."""


def s3_opener(s3: S3Client, bucket: str, key: str) -> Opener:
    def open_object() -> Any:
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        except (ClientError, BotoCoreError) as error:
            raise FeedError(f"cannot read s3://{bucket}/{key}: {s3_error(error)}") from None
        stream = pa.PythonFile(io.BufferedReader(_S3Body(body), S3_READ_BUFFER), mode="r")
        if key.endswith(".gz"):
            return pa.CompressedInputStream(stream, "gzip")
        return stream

    return open_object


def _describe_read_error(error: Exception, schema: pa.Schema | None) -> str:
    """pyarrow's message with `column #n` named (CSV says only the index)."""
    text = str(error)
    found = _CSV_COLUMN.search(text)
    if found and schema is not None and int(found.group(1)) < len(schema):
        text = f"column {schema.names[int(found.group(1))]!r}: {text}"
    return text


def file_batches(
    files: Sequence[tuple[str, Opener]],
    file_format: str,
    block_bytes: int = FILE_BLOCK_BYTES,
    *,
    workers: int | None = None,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """Every file's rows in blocks of about `block_bytes`, in order, types carried from file to file.

    The first block of the first file with rows decides each column's type (a column all empty
    there is read as strings); later files read known columns with those types. Both formats are
    cut into blocks at line ends here and the blocks parsed on `workers` threads (default: one per
    CPU), in order: see `_parsed_in_order`. (CSV values cannot span lines: pyarrow's default
    `newlines_in_values=False`, which the job has always read CSV with.)
    """
    if file_format not in {"csv", "jsonl"}:
        raise FeedError(f"bad arguments: --file_format {file_format!r} (csv or jsonl)")
    if block_bytes < 1:
        raise ValueError("block_bytes must be >= 1")
    workers = workers or os.cpu_count() or 1
    read_file = _jsonl_file if file_format == "jsonl" else _csv_file
    types: dict[str, pa.DataType] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"feed-ingest-{file_format}")
    try:
        for name, opener in files:
            yield from read_file(name, opener, types, block_bytes, pool, BLOCKS_PER_WORKER * workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _parse_csv_block(block: memoryview, names: list[str] | None, types: dict[str, pa.DataType]) -> pa.Table:
    """One block of CSV lines as a table, on the calling thread (Arrow releases the GIL meanwhile).

    `names` None: the block starts with the header (a file's first block); otherwise it holds
    data rows only, read as those columns.
    """
    return pa_csv.read_csv(
        pa.BufferReader(pa.py_buffer(block)),
        read_options=pa_csv.ReadOptions(use_threads=False, block_size=len(block) + 1, column_names=names),
        convert_options=pa_csv.ConvertOptions(column_types=types or None),
    )


def _csv_file(
    name: str,
    opener: Opener,
    types: dict[str, pa.DataType],
    block_bytes: int,
    pool: ThreadPoolExecutor,
    in_flight: int,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """One CSV file in blocks of whole lines, `in_flight` blocks parsed ahead, in order.

    The first block (with the header) is parsed here, inferring types (columns `types` already
    knows keep theirs; one that appears here fails). A column all empty in it would be typed
    `null` and fail on its first value later, so it is read as strings. That schema then types
    the file's other blocks, parsed on the pool.
    """
    with _opened(name, opener) as stream:
        blocks = _checked_blocks(name, _line_blocks(stream, block_bytes))
        first = next(blocks, None)
        if first is None:
            raise FeedError(f"{name}: the file is empty (no CSV header)")
        try:
            table = _parse_csv_block(first, None, types)
            nulls = [f.name for f in table.schema if pa.types.is_null(f.type)]
            if nulls:
                table = _parse_csv_block(first, None, types | dict.fromkeys(nulls, pa.string()))
        except (pa.ArrowException, OSError) as error:
            header = _csv_header(first)
            raise FeedError(f"{name} (block 1): {_describe_read_error(error, header)}") from None
        schema = table.schema
        new = [n for n in schema.names if n not in types] if types else []
        if new:
            raise FeedError(f"{name}: column {new[0]!r} is not in the earlier files' columns {list(types)}")
        if table.num_rows:  # a header-only file says nothing about types: only files with rows do
            for item in schema:
                types.setdefault(item.name, item.type)
        yield from _table_batches(name, 1, table)
        del table, first
        names, fixed = schema.names, {f.name: f.type for f in schema}
        yield from _parsed_in_order(
            name,
            blocks,
            pool,
            in_flight,
            parse=lambda block: _parse_csv_block(block, names, fixed),
            describe=lambda error, _block: _describe_read_error(error, schema),
        )


def _line_blocks(stream: Any, block_bytes: int) -> Iterator[memoryview]:
    """The stream as blocks of whole lines, each read as `block_bytes` and cut after its last
    newline; the partial line after that cut is carried to the front of the next block (a line
    longer than a block makes that block longer). The last block may lack a final newline."""
    carry = b""
    while True:
        buffer = bytearray(len(carry) + block_bytes)
        buffer[: len(carry)] = carry
        view = memoryview(buffer)
        filled = len(carry)
        while filled < len(buffer):
            count = stream.readinto(view[filled:])
            if not count:
                break
            filled += count
        if filled < len(buffer):  # the end of the stream
            if filled:
                yield view[:filled]
            return
        cut = buffer.rfind(b"\n", len(carry))  # the carried part has no newline
        if cut < 0:  # no line ends in this block: read on
            carry = bytes(buffer)
            continue
        carry = bytes(view[cut + 1 :])
        yield view[: cut + 1]


def _checked_blocks(name: str, blocks: Iterator[memoryview]) -> Iterator[memoryview]:
    """The blocks, with a read failure (S3, gzip) reported as the file's."""
    while True:
        try:
            block = next(blocks)
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as error:
            raise FeedError(f"{name}: reading failed: {error}") from None
        yield block


def _parse_json_block(block: memoryview, options: pa_json.ParseOptions) -> pa.Table:
    """One block of JSON lines as a table, on the calling thread (Arrow releases the GIL meanwhile)."""
    return pa_json.read_json(
        pa.BufferReader(pa.py_buffer(block)),
        read_options=pa_json.ReadOptions(use_threads=False, block_size=len(block) + 1),  # one chunk
        parse_options=options,
    )


def _json_block_error(error: Exception, block: memoryview, schema: pa.Schema) -> str:
    """pyarrow's message, with the column it is about named where Arrow's does not: the block is
    parsed again with its own types inferred, which shows a field outside the schema or a column
    whose values do not cast to their fixed type (this runs only on the way to failing)."""
    text = str(error)
    try:
        found = _parse_json_block(block, pa_json.ParseOptions())
    except (pa.ArrowException, OSError):
        return text
    new = [n for n in found.column_names if schema.get_field_index(n) < 0]
    if new:
        return (
            f"column {new[0]!r} is not in the schema fixed by the first batch ({', '.join(schema.names)}); "
            "a column may not appear after the first batch"
        )
    for item in schema:
        index = found.schema.get_field_index(item.name)
        if index < 0 or found.schema.field(index).type == item.type:
            continue
        if _new_nested_field(found.schema.field(index).type, item.type):
            return (
                f"column {item.name!r} has fields that are not in its type {item.type} (fixed by the "
                f"first batch): {found.schema.field(index).type}"
            )
        try:
            pc.cast(found.column(index), item.type, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return (
                f"column {item.name!r} has {found.schema.field(index).type} values that do not fit its "
                f"type {item.type} (fixed by the first batch): {text}"
            )
    return text


def _new_nested_field(found: pa.DataType, fixed: pa.DataType) -> bool:
    """Whether `found` has a struct field (at any depth) that `fixed` has not."""
    if pa.types.is_struct(found) and pa.types.is_struct(fixed):
        for index in range(found.num_fields):
            child = found.field(index)
            known = fixed.get_field_index(child.name)
            if known < 0 or _new_nested_field(child.type, fixed.field(known).type):
                return True
    elif pa.types.is_list(found) and pa.types.is_list(fixed):
        return _new_nested_field(found.value_type, fixed.value_type)
    return False


def _table_batches(name: str, number: int, table: pa.Table) -> Iterator[tuple[str, pa.RecordBatch]]:
    for batch in table.to_batches():
        yield f"{name} (block {number})", batch


def _jsonl_file(
    name: str,
    opener: Opener,
    types: dict[str, pa.DataType],
    block_bytes: int,
    pool: ThreadPoolExecutor,
    in_flight: int,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """One file of JSON lines in blocks of whole lines, `in_flight` blocks parsed ahead, in order.

    The first block is parsed here, inferring types (columns `types` already knows keep theirs;
    one that appears here fails); a column all null in it is typed string. That schema is then
    explicit for the file's other blocks, which are parsed on the pool: a value that does not
    fit fails, a field outside the schema fails naming it. Memory holds `in_flight` blocks and
    their tables, whatever the file's size.
    """
    with _opened(name, opener) as stream:
        blocks = _checked_blocks(name, _line_blocks(stream, block_bytes))
        first = next(blocks, None)
        if first is None:
            raise FeedError(f"{name}: the file is empty (no JSON lines)")
        explicit = pa.schema(list(types.items())) if types else None
        try:
            table = _parse_json_block(
                first, pa_json.ParseOptions(explicit_schema=explicit, unexpected_field_behavior="infer")
            )
        except (pa.ArrowException, OSError) as error:
            raise FeedError(f"{name} (block 1): {error}") from None
        new = [n for n in table.schema.names if n not in types] if types else []
        if new:
            raise FeedError(f"{name}: column {new[0]!r} is not in the earlier files' columns {list(types)}")
        schema = pa.schema(
            [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
        )
        if schema != table.schema:
            table = table.cast(schema)
        if table.num_rows:  # an empty first block says nothing about types
            for item in schema:
                types.setdefault(item.name, item.type)
        yield from _table_batches(name, 1, table)
        del table, first
        options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
        yield from _parsed_in_order(
            name,
            blocks,
            pool,
            in_flight,
            parse=lambda block: _parse_json_block(block, options),
            describe=lambda error, block: _json_block_error(error, block, schema),
        )


@contextmanager
def _opened(name: str, opener: Opener) -> Iterator[Any]:
    try:
        stream = opener()
    except (pa.ArrowException, OSError) as error:
        raise FeedError(f"{name}: {error}") from None
    try:
        yield stream
    finally:
        stream.close()


def _parsed_in_order(
    name: str,
    blocks: Iterator[memoryview],
    pool: ThreadPoolExecutor,
    in_flight: int,
    parse: Callable[[memoryview], pa.Table],
    describe: Callable[[Exception, memoryview], str],
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """The blocks after a file's first, parsed on the pool with `in_flight` ahead and handed on in
    file order. Memory holds `in_flight` blocks and their tables, whatever the file's size; a
    block that fails is reported with its number and `describe`'s reading of the error."""
    pending: deque[tuple[Future[pa.Table], memoryview]] = deque()
    number = 1

    def parsed() -> pa.Table:
        future, block = pending.popleft()
        try:
            return future.result()
        except (pa.ArrowException, OSError) as error:
            raise FeedError(f"{name} (block {number}): {describe(error, block)}") from None

    try:
        for block in blocks:
            pending.append((pool.submit(parse, block), block))
            if len(pending) >= in_flight:
                number += 1
                yield from _table_batches(name, number, parsed())
        while pending:
            number += 1
            yield from _table_batches(name, number, parsed())
    finally:
        for future, _ in pending:
            future.cancel()


def _csv_header(first_block: memoryview) -> pa.Schema | None:
    """The CSV's column names (as a schema of strings), to name the column an error gives by index."""
    line = bytes(first_block[: 1 << 16]).split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
    names = next(csv.reader([line]), [])
    return pa.schema([(n, pa.string()) for n in names]) if names else None
