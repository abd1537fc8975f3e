"""Redshift SQL rewritten for DuckDB: the table in sandbox/README.md lists each rewrite.

Only what the project's SQL needs is translated; anything else reaches DuckDB unchanged and, if
DuckDB rejects it, the statement FAILS with DuckDB's message, which is what a test should see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.redshift_data.sqltext import code_only, map_code

_FLAGS = re.IGNORECASE | re.DOTALL
_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'

_EXTERNAL_SCHEMA = re.compile(
    rf"^\s*CREATE\s+EXTERNAL\s+SCHEMA\s+(?P<ine>IF\s+NOT\s+EXISTS\s+)?(?P<name>{_IDENT})\s+"
    r"FROM\s+DATA\s+CATALOG\s+DATABASE\s+'(?P<db>(?:[^']|'')+)'"
    r"(?P<rest>.*)$",
    _FLAGS,
)
_IAM_ROLE = re.compile(r"IAM_ROLE\s+(?:'(?P<role>(?:[^']|'')*)'|DEFAULT)", _FLAGS)
_REGION = re.compile(r"REGION\s+'(?P<region>[^']*)'", _FLAGS)
_CREATE_DATABASE = re.compile(r"CREATE\s+EXTERNAL\s+DATABASE\s+IF\s+NOT\s+EXISTS", _FLAGS)
_DROP_SCHEMA = re.compile(
    rf"^\s*DROP\s+(?:EXTERNAL\s+)?SCHEMA\s+(?P<ie>IF\s+EXISTS\s+)?(?P<name>{_IDENT})"
    r"(?:\s+DROP\s+EXTERNAL\s+DATABASE)?(?:\s+(?:CASCADE|RESTRICT))?\s*$",
    _FLAGS,
)
_NO_OP = re.compile(r"^\s*(?:GRANT|REVOKE|ANALYZE|VACUUM|COMMENT\s+ON)\b", _FLAGS)
_EXTERNAL_TABLE = re.compile(r"^\s*(?:CREATE|ALTER|DROP)\s+EXTERNAL\s+TABLE\b", _FLAGS)

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bWITH\s+NO\s+SCHEMA\s+BINDING\b", _FLAGS), ""),
    (re.compile(r"\bGETDATE\s*\(\s*\)", _FLAGS), "CAST(now() AS TIMESTAMP)"),
    (re.compile(r"\bSYSDATE\b", _FLAGS), "CAST(now() AS TIMESTAMP)"),
    (re.compile(r"\bNVL\s*\(", _FLAGS), "coalesce("),
    (re.compile(r"\bLEN\s*\(", _FLAGS), "length("),
    (re.compile(r"\b(VARCHAR|CHARACTER\s+VARYING|NVARCHAR)\s*\(\s*MAX\s*\)", _FLAGS), "VARCHAR"),
    (re.compile(r"\bSUPER\b(?!\s*\()", _FLAGS), "JSON"),
    (re.compile(r"\bLISTAGG\s*\(", _FLAGS), "string_agg("),
)


def unquote(identifier: str) -> str:
    """A Redshift identifier as stored: quoted keeps its text, unquoted folds to lower case."""
    if identifier.startswith('"'):
        return identifier[1:-1].replace('""', '"')
    return identifier.lower()


@dataclass(frozen=True)
class CreateExternalSchema:
    name: str
    glue_database: str
    if_not_exists: bool
    iam_role: str | None
    region: str | None
    create_database: bool


@dataclass(frozen=True)
class DropSchema:
    name: str
    if_exists: bool


@dataclass(frozen=True)
class NoOp:
    """A statement Redshift needs and DuckDB has no use for (grants, ANALYZE, VACUUM)."""

    sql: str


@dataclass(frozen=True)
class Unsupported:
    message: str


@dataclass(frozen=True)
class Plain:
    """SQL for DuckDB, already rewritten."""

    sql: str


Statement = CreateExternalSchema | DropSchema | NoOp | Unsupported | Plain


def classify(sql: str) -> Statement:
    """Recognise the statements the sandbox handles itself; rewrite the rest for DuckDB."""
    code = code_only(sql)
    if match := _EXTERNAL_SCHEMA.match(sql):
        rest = match.group("rest")
        role = _IAM_ROLE.search(rest)
        region = _REGION.search(rest)
        return CreateExternalSchema(
            name=unquote(match.group("name")),
            glue_database=match.group("db").replace("''", "'"),
            if_not_exists=match.group("ine") is not None,
            iam_role=role.group("role") if role else None,
            region=region.group("region") if region else None,
            create_database=_CREATE_DATABASE.search(rest) is not None,
        )
    if match := _DROP_SCHEMA.match(sql):
        return DropSchema(unquote(match.group("name")), match.group("ie") is not None)
    if _NO_OP.match(code):
        return NoOp(sql)
    if _EXTERNAL_TABLE.match(code):
        return Unsupported(
            "sandbox: external tables come from the Glue catalog; register the table there "
            "(e.g. awswrangler.catalog.create_parquet_table) instead of CREATE EXTERNAL TABLE"
        )
    return Plain(rewrite(sql))


def rewrite(sql: str) -> str:
    """Apply the Redshift-to-DuckDB rewrites to the code outside literals and comments."""

    def apply(code: str) -> str:
        for pattern, replacement in _REWRITES:
            code = pattern.sub(replacement, code)
        return code

    return map_code(sql, apply)


_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")


def bind_parameters(sql: str) -> str:
    """Redshift's named parameters `:name` as DuckDB's `$name` (casts `x::int` are left alone)."""
    return map_code(sql, lambda code: _PARAMETER.sub(r"$\1", code))


def mentions(sql: str, names: set[str]) -> bool:
    """Whether the statement's code names any of `names` (schema or view), case-insensitively."""
    if not names:
        return False
    words = {w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_$]*", code_only(sql))}
    quoted = {q.replace('""', '"') for q in re.findall(r'"((?:[^"]|"")+)"', sql)}
    return bool(names & (words | quoted))
