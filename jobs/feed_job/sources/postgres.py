"""PostgreSQL through pg8000: a server-side cursor, declared types, TLS as libpq's sslmode says."""

from __future__ import annotations

import contextlib
import importlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    pass


from ..arguments import Window
from ..errors import FeedError
from ..redaction import remember_secret
from .pg_tls import pg_connect_error, pg_error, pg_ssl_context, pg_sslmode

HTTP_TIMEOUT_SECONDS = 60.0

PG_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    700: pa.float32(),
    701: pa.float64(),
    25: pa.string(),
    1043: pa.string(),
    1042: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    1700: pa.decimal128(38, 18),
    2950: pa.string(),  # uuid: the server's text, canonical (lowercase, hyphenated)
    114: pa.string(),  # json and jsonb: compact JSON text (`compact_json`)
    3802: pa.string(),
}
"""PostgreSQL type OIDs to Arrow: declared types keep the schema stable even for an all-null batch.
numeric(p, s) is decimal(p, s) (`pg_numeric`); numeric without a precision (or beyond 38 digits)
decimal128(38, 18), Spark's default too: a value that does not fit fails naming its column."""


def compact_json(text: str) -> str:
    """JSON text as `json.dumps(..., separators=(",", ":"), ensure_ascii=False)` writes it: one form
    whatever the server's (jsonb's `{"a": 1}` or json's text as it was stored)."""
    return json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)


_PG_TEXT_IN: dict[int, Callable[[str], str]] = {2950: str, 114: compact_json, 3802: compact_json}
"""pg8000 input adapters for the string-typed OIDs pg8000 would turn into Python objects (UUID, parsed
JSON): the connection hands these columns' values over as text, so only they pay for a conversion."""


def pg_numeric(typmod: int) -> pa.DataType:
    """The Arrow type of a numeric column from its type modifier (-1: no precision given)."""
    precision, scale = (typmod - 4) >> 16, (typmod - 4) & 0xFFFF
    if typmod < 4 or not 0 <= scale <= precision <= 38:
        return PG_TYPES[1700]
    return pa.decimal128(precision, scale)


def postgres_batches(
    url: str,
    table: str,
    relation: str,
    column: str | None,
    window: Window,
    batch_rows: int,
    ca_pem: str | None,
) -> Iterator[tuple[str, pa.RecordBatch]]:
    ca_pem = (ca_pem or "").strip() or None  # empty: the system trust store
    sslmode = pg_sslmode(url)
    ssl_context = pg_ssl_context(sslmode, ca_pem)
    try:
        pg: Any = importlib.import_module("pg8000.dbapi")
    except ImportError:
        raise FeedError(
            "the source is PostgreSQL but the pg8000 driver is not installed in this job "
            "(Glue: --additional-python-modules pg8000==<version>, as Terraform sets it)"
        ) from None
    parts = urllib.parse.urlsplit(url)
    password = urllib.parse.unquote(parts.password or "")
    remember_secret(password)
    sql = f"SELECT * FROM {relation}"  # noqa: S608 - identifiers validated and quoted
    params: tuple[datetime, ...] = ()
    if column:
        sql += f" WHERE {column} >= %s AND {column} < %s"
        params = (window.start, window.end)
    where = f"postgresql table {table}"
    host, port = parts.hostname or "localhost", parts.port or 5432
    try:
        connection = pg.connect(
            user=urllib.parse.unquote(parts.username or ""),
            password=password,
            host=host,
            port=port,
            database=parts.path.lstrip("/"),
            timeout=HTTP_TIMEOUT_SECONDS,
            ssl_context=ssl_context,
        )
    except (pg.Error, OSError) as error:
        raise FeedError(
            f"cannot connect to the postgresql database of the secret at {host}:{port}:"
            f" {pg_connect_error(error, sslmode, bool(ca_pem))}"
        ) from None
    try:
        for oid, adapter in _PG_TEXT_IN.items():
            connection.register_in_adapter(oid, adapter)
        cursor = connection.cursor()
        # numeric's precision and scale are not in the cursor's description: the catalog has them
        cursor.execute(
            "SELECT attname, atttypmod FROM pg_catalog.pg_attribute WHERE attrelid = %s::regclass"
            " AND atttypid = 1700 AND attnum > 0 AND NOT attisdropped",
            (relation,),
        )
        numeric = {name: pg_numeric(typmod) for name, typmod in cursor.fetchall()}
        # a named server-side cursor: the server holds the result, we hold one batch at a time
        cursor.execute(f"DECLARE feed_ingest NO SCROLL CURSOR FOR {sql}", params)
        number = 0
        while True:
            cursor.execute(f"FETCH FORWARD {int(batch_rows)} FROM feed_ingest")
            rows = cursor.fetchall()
            names = [d[0] for d in cursor.description]
            if not rows and number > 0:
                break
            number += 1
            columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
            arrays = []
            for i, name in enumerate(names):
                declared = numeric.get(name, PG_TYPES.get(cursor.description[i][1]))
                try:
                    arrays.append(pa.array(columns[i], type=declared))
                except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as error:
                    raise FeedError(f"{where}: column {name!r}: {error}") from None
            yield f"{where}, batch {number}", pa.RecordBatch.from_arrays(arrays, names=names)
            if not rows:
                break
        connection.rollback()  # read only: end the transaction that held the cursor
    except (pg.Error, OSError) as error:
        raise FeedError(f"reading {where} failed: {pg_error(error)}") from None
    finally:
        with contextlib.suppress(pg.Error, OSError):
            connection.close()
