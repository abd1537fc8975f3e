"""A database table read with a DB-API cursor in batches: SQLite (sqlite3, read-only) or PostgreSQL."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    pass


from ..arguments import IDENTIFIER, Window
from ..errors import FeedError
from ..schema import batch_from_columns
from .postgres import postgres_batches


def quote_table(name: str) -> str:
    """`schema.table` as quoted SQL identifiers, after checking each part is a plain identifier."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 2 or not all(IDENTIFIER.fullmatch(p) for p in parts):
        raise FeedError(f"bad arguments: --source_table {name!r} is not [schema.]table of plain identifiers")
    return ".".join(f'"{p}"' for p in parts)


def quote_column(name: str) -> str:
    if not IDENTIFIER.fullmatch(name):
        raise FeedError(f"bad arguments: --timestamp_column {name!r} is not a plain identifier")
    return f'"{name}"'


def database_batches(
    url: str,
    table: str,
    timestamp_column: str | None,
    window: Window,
    batch_rows: int,
    ca_pem: str | None = None,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """The table's rows (within the window) in batches of `batch_rows`, read with a DB-API cursor.
    `ca_pem` (PostgreSQL): the CA certificates, PEM text, that verify the server's TLS certificate
    instead of the system trust store."""
    relation = quote_table(table)
    column = quote_column(timestamp_column) if timestamp_column else None
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        yield from _sqlite_batches(url, table, relation, column, window, batch_rows)
    elif scheme in {"postgresql", "postgres"}:
        yield from postgres_batches(url, table, relation, column, window, batch_rows, ca_pem)
    else:
        raise FeedError(f"database url scheme {scheme!r} is not supported (sqlite, postgresql)")


def _sqlite_batches(
    url: str, table: str, relation: str, column: str | None, window: Window, batch_rows: int
) -> Iterator[tuple[str, pa.RecordBatch]]:
    if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
        raise FeedError("database url must be sqlite:////absolute/path.db")
    path = url[len("sqlite:///") :]
    sql = f"SELECT * FROM {relation}"  # noqa: S608 - identifiers validated and quoted
    params: tuple[str, ...] = ()
    if column:
        # strftime normalises every SQLite date-time text form (T or space, Z or offset) to UTC ms
        instant = f"strftime('%Y-%m-%d %H:%M:%f', {column})"
        sql += f" WHERE {instant} >= ? AND {instant} < ?"
        params = tuple(t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] for t in (window.start, window.end))
    where = f"sqlite table {table}"
    try:
        # one thread uses it at a time, but a generator may be closed from another (interpreter exit)
        connection = sqlite3.connect(
            f"file:{urllib.parse.quote(path)}?mode=ro", uri=True, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise FeedError(f"cannot open the sqlite database of the secret: {error}") from None
    try:
        cursor = connection.execute(sql, params)
        names = [d[0] for d in cursor.description]
        number = 0
        while rows := cursor.fetchmany(batch_rows):
            number += 1
            yield f"{where}, batch {number}", batch_from_columns(names, list(zip(*rows, strict=True)), where)
    except sqlite3.Error as error:
        raise FeedError(f"reading {where} failed: {error}") from None
    finally:
        connection.close()
