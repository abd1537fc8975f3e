"""The spark engine's JDBC source: the secret's url as a JDBC url and properties, the window pushed
down into the query, and the column types the python engine would give (so both land the same).

PostgreSQL (pgjdbc, which Glue ships): libpq's sslmode from the url maps onto pgjdbc's (same
names), with the trust store the python engine uses: the secret's `ca_pem` through
SingleCertValidatingFactory (pgjdbc takes the PEM text itself: one certificate, the CA), else
Java's default trust store (DefaultJavaSSLFactory); `require`/`prefer` without ca_pem do not
verify (NonValidatingFactory), as libpq. The column types come from the catalog and the python
engine's own table (`sources.postgres.PG_TYPES`, `pg_numeric`): the executors cast Spark's Arrow
batches to them, and json/jsonb values are made compact as the python engine makes them.

SQLite (xerial's sqlite-jdbc, the sandbox's source): opened read-only; columns typed by their
declared affinity (INTEGER -> int64, REAL -> double, else text) through Spark's customSchema, since
the driver reports an INTEGER column as 32-bit while SQLite's integers are 64-bit.

The window is a subquery Spark reads as its table: `SELECT * FROM t WHERE col >= '<start>' AND
col < '<end>'`, the bounds as untyped literals the server reads in the column's type (pg8000
binds them the same way: a timestamp without time zone compares as UTC whatever the server's
TimeZone); SQLite compares strftime() text at millisecond precision, as the python engine.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from dataclasses import dataclass, field

import pyarrow as pa

from ..arguments import Window
from ..errors import FeedError
from ..redaction import remember_secret
from ..sources.database import quote_column, quote_table
from ..sources.pg_tls import pg_sslmode
from ..sources.postgres import PG_TYPES, pg_numeric

JSON_OIDS = frozenset({114, 3802})
_CATALOG_COLUMNS = "attname AS name, atttypid::int AS oid, atttypmod AS typmod FROM pg_catalog.pg_attribute"
_CATALOG_FILTER = "AND attnum > 0 AND NOT attisdropped"
PG_DRIVER = "org.postgresql.Driver"
SQLITE_DRIVER = "org.sqlite.JDBC"
SQLITE_READ_ONLY = "1"
"""xerial's open_mode: SQLITE_OPEN_READONLY."""


@dataclass(frozen=True)
class JdbcSource:
    """What Spark's JDBC reader gets, and what the executors make of its batches."""

    url: str
    properties: dict[str, str]
    dbtable: str
    where: str
    """Where it is, for messages (no credentials)."""
    custom_schema: str | None = None
    catalog_sql: str | None = None
    """A query of (column, type oid, type modifier) whose answer fixes the Arrow types (PostgreSQL)."""
    arrow_types: dict[str, pa.DataType] = field(default_factory=dict)
    json_columns: frozenset[str] = frozenset()


def jdbc_source(
    url: str, ca_pem: str | None, table: str, timestamp_column: str | None, window: Window
) -> JdbcSource:
    relation = quote_table(table)
    column = quote_column(timestamp_column) if timestamp_column else None
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        return _sqlite(url, table, relation, column, window)
    if scheme in {"postgresql", "postgres"}:
        return _postgres(url, ca_pem, table, relation, column, window)
    raise FeedError(f"database url scheme {scheme!r} is not supported (sqlite, postgresql)")


def _subquery(relation: str, condition: str | None) -> str:
    where = f" WHERE {condition}" if condition else ""
    return f"(SELECT * FROM {relation}{where}) feed_window"  # noqa: S608 - identifiers validated, quoted


def _postgres(
    url: str, ca_pem: str | None, table: str, relation: str, column: str | None, window: Window
) -> JdbcSource:
    sslmode = pg_sslmode(url)
    parts = urllib.parse.urlsplit(url)
    password = urllib.parse.unquote(parts.password or "")
    remember_secret(password)
    host, port = parts.hostname or "localhost", parts.port or 5432
    database = urllib.parse.quote(parts.path.lstrip("/"))
    properties = {
        "driver": PG_DRIVER,
        "user": urllib.parse.unquote(parts.username or ""),
        "password": password,
        "sslmode": sslmode,
        "connectTimeout": "60",
        "ApplicationName": "feed_job",
    }
    ca_pem = (ca_pem or "").strip() or None
    if sslmode != "disable":
        if ca_pem:
            properties["sslfactory"] = "org.postgresql.ssl.SingleCertValidatingFactory"
            properties["sslfactoryarg"] = ca_pem
        elif sslmode in {"verify-ca", "verify-full"}:
            properties["sslfactory"] = "org.postgresql.ssl.DefaultJavaSSLFactory"
        else:
            properties["sslfactory"] = "org.postgresql.ssl.NonValidatingFactory"
    condition = None
    if column:
        start, end = (f"'{t.isoformat(sep=' ')}'" for t in (window.start, window.end))
        condition = f"{column} >= {start} AND {column} < {end}"
    literal = relation.replace("'", "''")
    # the relation is validated identifiers, quoted, here as a string literal
    catalog_sql = f"SELECT {_CATALOG_COLUMNS} WHERE attrelid = '{literal}'::regclass {_CATALOG_FILTER}"
    return JdbcSource(
        url=f"jdbc:postgresql://{host}:{port}/{database}",
        properties=properties,
        dbtable=_subquery(relation, condition),
        where=f"postgresql table {table} at {host}:{port}",
        catalog_sql=catalog_sql,
    )


def arrow_types_from_catalog(
    rows: list[tuple[str, int, int]],
) -> tuple[dict[str, pa.DataType], frozenset[str]]:
    """The python engine's types of a PostgreSQL table's columns (name, type oid, typmod), and its
    json/jsonb columns. Types it leaves to inference (arrays, bytea, ...) are not in the answer."""
    types: dict[str, pa.DataType] = {}
    for name, oid, typmod in rows:
        if oid == 1700:
            types[name] = pg_numeric(typmod)
        elif oid in PG_TYPES:
            types[name] = PG_TYPES[oid]
    return types, frozenset(name for name, oid, _ in rows if oid in JSON_OIDS)


_AFFINITY = (("INT", "BIGINT"), ("REAL", "DOUBLE"), ("FLOA", "DOUBLE"), ("DOUB", "DOUBLE"))


def _sqlite(url: str, table: str, relation: str, column: str | None, window: Window) -> JdbcSource:
    if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
        raise FeedError("database url must be sqlite:////absolute/path.db")
    path = url[len("sqlite:///") :]
    where = f"sqlite table {table}"
    try:
        with sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True) as connection:
            schema, _, name = table.rpartition(".")
            pragma = f'PRAGMA "{schema}".table_info("{name}")' if schema else f'PRAGMA table_info("{name}")'
            columns = connection.execute(pragma).fetchall()
    except sqlite3.Error as error:
        raise FeedError(f"cannot open the sqlite database of the secret: {error}") from None
    if not columns:
        raise FeedError(f"reading {where} failed: no such table: {table}")
    fields = []
    for _, name, declared, *_rest in columns:
        kind = next((spark for key, spark in _AFFINITY if key in (declared or "").upper()), "STRING")
        fields.append(f"`{name}` {kind}")
    condition = None
    if column:
        instant = f"strftime('%Y-%m-%d %H:%M:%f', {column})"
        start, end = (t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] for t in (window.start, window.end))
        condition = f"{instant} >= '{start}' AND {instant} < '{end}'"
    return JdbcSource(
        url=f"jdbc:sqlite:{path}",
        properties={"driver": SQLITE_DRIVER, "open_mode": SQLITE_READ_ONLY},
        dbtable=_subquery(relation, condition),
        where=where,
        custom_schema=", ".join(fields),
    )
